// A strict little markup checker for the report's tests: every tag closed in order, attributes quoted and unique,
// no raw "<" or stray "&" in text, only known entities. In XML mode (one SVG chart) names are case-sensitive and
// every element must close; in HTML mode void elements (meta, br) stand alone and <style> holds raw CSS.

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const ENTITY = /^&(amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/;
const NAME = /^[A-Za-z][A-Za-z0-9:_.-]*/;
const ATTR = /^\s+([A-Za-z_:][A-Za-z0-9_:.-]*)=(?:"([^"<]*)"|'([^'<]*)')/;

/** One element as the checker saw it: name, attributes and the text directly inside it. */
export interface Element {
  name: string;
  attrs: Record<string, string>;
  parent: Element | undefined;
  children: Element[];
  /** Raw text directly inside (entities not decoded). */
  text: string;
  /** Text and child elements in document order. */
  nodes: (string | Element)[];
}

/** Parses markup strictly; returns the problems found (empty when well-formed) and the element tree. */
export function checkMarkup(src: string, mode: 'xml' | 'html'): { problems: string[]; root: Element } {
  const problems: string[] = [];
  const root: Element = { name: '#root', attrs: {}, parent: undefined, children: [], text: '', nodes: [] };
  let cur = root;
  let i = 0;
  const at = (k: number) => `offset ${k} (…${src.slice(Math.max(0, k - 30), k + 30).replace(/\n/g, '\\n')}…)`;
  const checkText = (s: string, k: number) => {
    for (let j = s.indexOf('&'); j >= 0; j = s.indexOf('&', j + 1)) {
      if (!ENTITY.test(s.slice(j))) problems.push(`bare "&" at ${at(k + j)}`);
    }
  };
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const textEnd = lt < 0 ? src.length : lt;
    const t = src.slice(i, textEnd);
    checkText(t, i);
    cur.text += t;
    if (t) cur.nodes.push(t);
    if (lt < 0) break;
    i = lt;
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i);
      if (end < 0) {
        problems.push(`unclosed comment at ${at(i)}`);
        break;
      }
      i = end + 3;
      continue;
    }
    if (mode === 'html' && /^<!doctype html>/i.test(src.slice(i, i + 15))) {
      i += 15;
      continue;
    }
    if (src.startsWith('</', i)) {
      const m = /^<\/([A-Za-z][A-Za-z0-9:_.-]*)\s*>/.exec(src.slice(i));
      if (!m) {
        problems.push(`bad closing tag at ${at(i)}`);
        i += 2;
        continue;
      }
      const name = mode === 'html' ? (m[1] as string).toLowerCase() : (m[1] as string);
      if (cur === root || cur.name !== name) problems.push(`</${name}> closes <${cur.name}> at ${at(i)}`);
      else cur = cur.parent as Element;
      i += m[0].length;
      continue;
    }
    const nm = NAME.exec(src.slice(i + 1));
    if (!nm) {
      problems.push(`raw "<" in text at ${at(i)}`);
      i += 1;
      continue;
    }
    const name = mode === 'html' ? nm[0].toLowerCase() : nm[0];
    let k = i + 1 + nm[0].length;
    const attrs: Record<string, string> = {};
    for (let a = ATTR.exec(src.slice(k)); a; a = ATTR.exec(src.slice(k))) {
      const key = a[1] as string;
      const value = a[2] ?? a[3] ?? '';
      if (key in attrs) problems.push(`duplicate attribute ${key} on <${name}> at ${at(k)}`);
      checkText(value, k);
      attrs[key] = value;
      k += a[0].length;
    }
    const close = /^\s*(\/?)>/.exec(src.slice(k));
    if (!close) {
      problems.push(`malformed tag <${name}> at ${at(k)}`);
      i = k + 1;
      continue;
    }
    i = k + close[0].length;
    const el: Element = { name, attrs, parent: cur, children: [], text: '', nodes: [] };
    cur.children.push(el);
    cur.nodes.push(el);
    const selfClosed = close[1] === '/' || (mode === 'html' && VOID.has(name));
    if (selfClosed) continue;
    if (mode === 'html' && (name === 'style' || name === 'script')) {
      const end = src.indexOf(`</${name}>`, i);
      if (end < 0) {
        problems.push(`unclosed <${name}> at ${at(i)}`);
        break;
      }
      el.text = src.slice(i, end);
      i = end + name.length + 3;
      continue;
    }
    cur = el;
  }
  for (let e = cur; e !== root; e = e.parent as Element) problems.push(`<${e.name}> is never closed`);
  return { problems, root };
}

/** Every element of a tree, depth first. */
export function elements(root: Element): Element[] {
  return root.children.flatMap((c) => [c, ...elements(c)]);
}

/** The text of an element and its descendants, entities decoded. */
export function textOf(e: Element): string {
  const raw = (x: Element): string => x.nodes.map((n) => (typeof n === 'string' ? n : raw(n))).join('');
  return decode(raw(e));
}

/** Decodes the entities the renderer writes. */
export function decode(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (e in named) return named[e] as string;
    return String.fromCodePoint(e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10));
  });
}

/** The inline <svg> charts of a page, as source strings. */
export function svgSources(html: string): string[] {
  return html.match(/<svg[\s>][\s\S]*?<\/svg>/g) ?? [];
}

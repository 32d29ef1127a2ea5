// Escaping and number formatting shared by the SVG and HTML renderers: every user string goes through `esc`.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// Characters XML forbids (C0 controls other than tab/newline/CR, U+FFFE/FFFF, lone surrogates): a browser would
// show garbage and a strict parser would reject the SVG, so they become U+FFFD.
const INVALID =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes a string for element text and for single- or double-quoted attribute values. */
export function esc(s: string): string {
  return String(s)
    .replace(INVALID, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** A long text cut to `max` characters (code points, whitespace runs collapsed); `cut` says whether it was. */
export function truncate(s: string, max: number): { shown: string; cut: boolean } {
  const chars = Array.from(s.replace(/\s+/g, ' ').trim());
  if (chars.length <= max) return { shown: chars.join(''), cut: false };
  const head = chars.slice(0, Math.max(1, max - 1)).join('');
  // Cut at a word boundary when one is near the end, so that the shown text does not end in half a word.
  const space = head.lastIndexOf(' ');
  return { shown: `${(space >= head.length * 0.75 ? head.slice(0, space) : head).trimEnd()}…`, cut: true };
}

/** Escaped text, cut to `max` characters, in a span whose title holds the full text when cut. */
export function clipped(s: string, max: number): string {
  const t = truncate(s, max);
  return t.cut ? `<span title="${esc(s)}">${esc(t.shown)}</span>` : esc(t.shown);
}

/** A number with fixed decimals; "—" when it is missing or not finite. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const s = x.toFixed(digits);
  // -0.0001 rounds to "-0.000": a minus sign on zero reads as a real negative value.
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** A fraction as a percentage, e.g. 0.8123 → "81.2%". */
export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${fmt(x * 100, digits)}%`;
}

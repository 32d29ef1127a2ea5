// The HTML shell shared by the run report and the comparison: one self-contained page (inline CSS, no script,
// no URL), a content-security policy that forbids loading anything, and small builders for sections and tables.
import { esc } from './escape.js';

// Defence in depth: even if some markup slipped through escaping, the browser would neither run nor fetch it.
const CSP = "default-src 'none'; style-src 'unsafe-inline'";

const CSS = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --best: #dafbe1; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 8px; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 8px; }
nav { margin: 12px 0 0; font-size: 13px; }
nav a { color: #0969da; margin-right: 14px; text-decoration: none; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; background: var(--soft); padding: 1px 4px; border-radius: 4px; }
pre { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; background: var(--soft); padding: 10px; border-radius: 6px;
  white-space: pre-wrap; overflow-wrap: anywhere; max-height: 320px; overflow: auto; }
table { border-collapse: collapse; margin: 6px 0 12px; }
caption { text-align: left; color: var(--muted); font-size: 13px; padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.best { background: var(--best); font-weight: 700; }
td.text { max-width: 560px; overflow-wrap: anywhere; }
small.ci { color: var(--muted); font-weight: 400; }
.note { color: var(--muted); font-size: 13px; margin: 4px 0 10px; max-width: 880px; }
.warn { background: #fff8c5; border: 1px solid #d4a72c; padding: 8px 12px; border-radius: 6px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start; }
figure { margin: 6px 0; }
figcaption { font-weight: 600; font-size: 13px; margin-bottom: 4px; }
svg.chart { max-width: 100%; height: auto; display: block; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { nav { display: none; } h2 { break-after: avoid; } figure, table { break-inside: avoid; } }
`;

/** One table cell: `html` is already escaped markup. */
export interface Cell {
  html: string;
  num?: boolean;
  best?: boolean;
  text?: boolean;
}

/** A cell holding plain text (escaped here). */
export const textCell = (s: string): Cell => ({ html: esc(s) });

/** A table with a caption, a header row of plain-text names and rows of cells. */
export function table(
  caption: string,
  head: readonly (string | { name: string; num: boolean })[],
  rows: readonly Cell[][],
): string {
  const th = head
    .map((h) =>
      typeof h === 'string'
        ? `<th scope="col">${esc(h)}</th>`
        : `<th scope="col"${h.num ? ' class="num"' : ''}>${esc(h.name)}</th>`,
    )
    .join('');
  const body = rows
    .map((row) => {
      const tds = row.map((cell) => {
        const cls = [cell.num && 'num', cell.best && 'best', cell.text && 'text'].filter(Boolean).join(' ');
        return `<td${cls ? ` class="${cls}"` : ''}>${cell.html}</td>`;
      });
      return `<tr>${tds.join('')}</tr>`;
    })
    .join('\n');
  return `<table>${caption ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A chart with its visible caption. */
export function figure(caption: string, svg: string): string {
  return `<figure><figcaption>${esc(caption)}</figcaption>${svg}</figure>`;
}

/** A titled section of the page; `id` is a fixed ASCII anchor, never user data. */
export interface Section {
  id: string;
  heading: string;
  html: string;
}

/** The whole page: header markup, a contents line and the sections that have something to show. */
export function page(title: string, header: string, sections: readonly Section[], footer: string): string {
  const nav = sections.map((s) => `<a href="#${s.id}">${esc(s.heading)}</a>`).join('');
  const body = sections.map((s) => `<section id="${s.id}">\n<h2>${esc(s.heading)}</h2>\n${s.html}\n</section>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
${header}
${nav ? `<nav aria-label="Sections">${nav}</nav>` : ''}
</header>
${body}
<footer>${footer}</footer>
</main>
</body>
</html>
`;
}

// The pages in a real browser: headless Chromium parses them, and the DOM it builds has every chart and table,
// hostile strings stay text, and the content-security policy never had to block anything (nothing tried to run
// or load). Skipped, with the reason, where Chromium is not installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { renderComparison } from './compare.js';
import { renderReport } from './html.js';
import { hostileReport, sampleReport } from './testing/sample-report.js';

/** Chromium from PROMPTUNE_CHROMIUM or the PATH (Debian's package installs /usr/bin/chromium). */
function findChromium(): string | undefined {
  const explicit = process.env.PROMPTUNE_CHROMIUM;
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter))
    for (const name of ['chromium', 'chromium-browser']) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

const chromium = findChromium();
const why = 'needs Chromium: apt-get install -y chromium (or bash scripts/setup.sh), or set PROMPTUNE_CHROMIUM';
if (!chromium) console.warn(`report.browser.test.ts skipped: ${why}`);

// The flags that work in a container as root without a display (see shared notes on browser tests); a fresh
// profile per run so that parallel runs and the user's own profile never meet.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-logging=stderr',
  '--v=0',
];

describe('report pages in headless Chromium', () => {
  if (!chromium) {
    it.skip(why, () => {});
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'promptune-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let pages = 0;

  /** Opens a page in Chromium; returns the serialised DOM and the browser's log (console messages included). */
  function open(html: string): { dom: string; log: string } {
    const file = join(dir, `page-${++pages}.html`);
    writeFileSync(file, html);
    const args = [...FLAGS, `--user-data-dir=${join(dir, `profile-${pages}`)}`, '--dump-dom', pathToFileURL(file).href];
    const r = spawnSync(chromium as string, args, { encoding: 'utf8', timeout: 90_000 });
    if (r.status !== 0 || !r.stdout.includes('</html>'))
      throw new Error(`chromium exited with ${r.status ?? r.signal}: ${r.error?.message ?? r.stderr.slice(-2000)}`);
    return { dom: r.stdout, log: r.stderr };
  }
  const count = (dom: string, tag: string) => (dom.match(new RegExp(`<${tag}[\\s>]`, 'g')) ?? []).length;

  it('builds every chart, table and section of a run report', () => {
    const { dom, log } = open(renderReport(sampleReport()));
    expect(count(dom, 'svg')).toBe(7);
    expect(count(dom, 'table')).toBe(5);
    expect(count(dom, 'section')).toBe(7);
    expect(dom).toContain('<h1>Review sentiment</h1>');
    expect(log).not.toMatch(/Content Security Policy/);
  });

  it('keeps hostile strings as text: no element escapes, nothing runs or loads', () => {
    const { dom, log } = open(renderReport(hostileReport()));
    expect(count(dom, 'script')).toBe(0);
    expect(count(dom, 'img')).toBe(0);
    expect(count(dom, 'a')).toBe(7); // the section links only
    expect(count(dom, 'svg')).toBe(7);
    expect(count(dom, 'table')).toBe(5);
    expect(count(dom, 'section')).toBe(7);
    expect(dom).toContain('<h1>&lt;script&gt;alert("title")&lt;/script&gt;</h1>');
    expect(log).not.toMatch(/Content Security Policy/);
  });

  it('would see a blocked load in the log (the check above is not vacuous)', () => {
    const { log } = open(renderReport(sampleReport()).replace('</main>', '<img src="chart.png"></main>'));
    expect(log).toMatch(/Content Security Policy/);
  });

  it('builds the comparison page', () => {
    const { dom, log } = open(renderComparison([sampleReport(), sampleReport(9, 'other')]));
    // per-class bars, training loss, dev metric
    expect(count(dom, 'svg')).toBe(3);
    // runs, metrics, per class, per group
    expect(count(dom, 'table')).toBe(4);
    expect(log).not.toMatch(/Content Security Policy/);
  });
});

// Assertions shared by the report's tests: a page parses strictly, and nothing in it can run or fetch.
import { expect } from 'vitest';
import { type Element, checkMarkup, elements, svgSources } from './well-formed.js';

/** Parses a page strictly (HTML mode) and every chart in it (XML mode); returns the element list. */
export function parsePage(html: string): Element[] {
  const page = checkMarkup(html, 'html');
  expect(page.problems).toEqual([]);
  for (const svg of svgSources(html)) expect(checkMarkup(svg, 'xml').problems).toEqual([]);
  return elements(page.root);
}

// Attributes that may hold user text: shown as tooltips or read as metadata, never fetched or run.
const TEXT_ATTRS = new Set(['title', 'content']);

/**
 * Nothing in the page can run or fetch: no script, no element that loads something, no event handler, no URL in
 * any attribute or in the CSS. User text may still mention a URL; it is only text.
 */
export function expectInert(html: string, all: Element[]): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/NaN|undefined|\[object Object\]/);
  const loaders = ['script', 'img', 'image', 'iframe', 'object', 'embed', 'link', 'use', 'foreignobject', 'base', 'form'];
  expect(all.filter((e) => loaders.includes(e.name.toLowerCase())).map((e) => e.name)).toEqual([]);
  for (const e of all) {
    if (e.name === 'a') expect(e.attrs.href).toMatch(/^#[a-z-]+$/);
    for (const [k, v] of Object.entries(e.attrs)) {
      expect(k.toLowerCase().startsWith('on'), `<${e.name}> has ${k}`).toBe(false);
      expect(
        ['src', 'srcset', 'xlink:href', 'action', 'style', 'background'].includes(k.toLowerCase()),
        `<${e.name}> has ${k}`,
      ).toBe(false);
      if (!TEXT_ATTRS.has(k) && k !== 'href') expect(v, `<${e.name} ${k}>`).not.toMatch(/[a-z]+:\/\/|javascript:|url\(/i);
    }
  }
  for (const e of all.filter((x) => x.name === 'style')) expect(e.text).not.toMatch(/<\/|url\(|@import|:\/\//i);
}

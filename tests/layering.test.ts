// Lower layers never import higher ones: shared → engine → transformers → core → store → app → cli/server/studio.
// The HTTP client stands apart, just above shared: it must load without the engine, the store or the server.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = new URL('../src/', import.meta.url).pathname;
const LAYERS = ['shared', 'client', 'engine', 'transformers', 'core', 'store', 'app', 'cli', 'server', 'studio'];
const rank = (layer: string): number => {
  if (layer === 'cli' || layer === 'server' || layer === 'studio') return LAYERS.indexOf('cli');
  return LAYERS.indexOf(layer);
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('layering', () => {
  it('every import points to the same or a lower layer', () => {
    const violations: string[] = [];
    const all = files(src);
    for (const file of all) {
      const layer = relative(src, file).split('/')[0] ?? '';
      if (!LAYERS.includes(layer)) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/from\s+'(\.[^']+)'/g)) {
        const target = relative(src, resolve(join(file, '..'), m[1] as string)).split('/')[0] ?? '';
        const upward = LAYERS.includes(target) && rank(target) > rank(layer);
        const intoClient = target === 'client' && layer !== 'client' && rank(layer) !== rank('cli');
        if (upward || intoClient) violations.push(`${relative(src, file)} imports ${m[1]}`);
      }
    }
    expect(all.length).toBeGreaterThan(10);
    expect(violations).toEqual([]);
  });
});

// NFD/NFKD/NFC/NFKC as streams of (character, change) for NormalizedString.transform, following the reference's
// algorithm (decompose, stably reorder each run of combining marks, then the canonical recomposition state
// machine) so that alignments come out as the reference computes them.
import { Changes } from './normalized-string.js';
import { combiningClass, compose, decompose } from './unicode.js';

/** Decomposes `s` (canonical or compatibility) into characters with changes, marks reordered by class. */
export function decomposeChanges(s: string, compat: boolean): Changes {
  const out = new Changes();
  const { cps, changes } = out;
  let runStart = -1; // first index of the current run of non-starters
  const flushRun = (end: number): void => {
    if (runStart < 0 || end - runStart < 2) {
      runStart = -1;
      return;
    }
    const idx: number[] = [];
    for (let k = runStart; k < end; k++) idx.push(k);
    const key = idx.map((k) => combiningClass(cps[k]!));
    const order = idx.map((_, j) => j).sort((a, b) => key[a]! - key[b]! || a - b);
    const c2 = order.map((j) => cps[runStart + j]!);
    const ch2 = order.map((j) => changes[runStart + j]!);
    for (let j = 0; j < c2.length; j++) {
      cps[runStart + j] = c2[j]!;
      changes[runStart + j] = ch2[j]!;
    }
    runStart = -1;
  };
  const push = (cp: number, change: number): void => {
    if (combiningClass(cp) === 0) flushRun(cps.length);
    else if (runStart < 0) runStart = cps.length;
    out.push(cp, change);
  };
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    const d = decompose(cp, compat);
    if (d === null) push(cp, 0);
    else for (let k = 0; k < d.length; k++) push(d[k]!, k === 0 ? 0 : 1);
  }
  flushRun(cps.length);
  return out;
}

/** Recomposes a decomposed stream (the reference's canonical composition, changes merged as it does). */
export function recomposeChanges(decomposed: Changes): Changes {
  const out = new Changes();
  const { cps, changes } = decomposed;
  let composee: [number, number] | null = null;
  let lastCcc = -1; // -1: none
  let buffer: [number, number][] = [];
  const flushBuffer = (): void => {
    for (const [c, ch] of buffer) out.push(c, ch);
    buffer = [];
  };
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    const change = changes[i]!;
    const cls = combiningClass(ch);
    if (composee === null) {
      if (cls !== 0) {
        out.push(ch, change);
        continue;
      }
      composee = [ch, change];
      continue;
    }
    if (lastCcc < 0) {
      const r = compose(composee[0], ch);
      if (r >= 0) {
        composee = [r, composee[1] + change - 1];
        continue;
      }
      if (cls === 0) {
        out.push(composee[0], composee[1]);
        composee = [ch, change];
        continue;
      }
      buffer.push([ch, change]);
      lastCcc = cls;
      continue;
    }
    if (lastCcc >= cls) {
      if (cls === 0) {
        out.push(composee[0], composee[1]);
        flushBuffer();
        composee = [ch, change];
        lastCcc = -1;
        continue;
      }
      buffer.push([ch, change]);
      lastCcc = cls;
      continue;
    }
    const r = compose(composee[0], ch);
    if (r >= 0) {
      composee = [r, composee[1] + change - 1];
      continue;
    }
    buffer.push([ch, change]);
    lastCcc = cls;
  }
  if (composee !== null) out.push(composee[0], composee[1]);
  flushBuffer();
  return out;
}

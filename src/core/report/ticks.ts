// Axis maths: "nice" tick positions (steps of 1, 2 or 5 × 10^k that cover the data) and their labels.

/** Ticks covering [min, max]: lo and hi are the outer ticks, step the distance between neighbours. */
export interface Ticks {
  lo: number;
  hi: number;
  step: number;
  ticks: number[];
}

/** The 1, 2, 5 or 10 × 10^k nearest to x (round) or at least x (not round). */
export function niceNumber(x: number, round: boolean): number {
  const e = Math.floor(Math.log10(x));
  const f = x / 10 ** e;
  const nf = round ? (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) : f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nf * 10 ** e;
}

/** About `count` nice ticks spanning [min, max]; a zero-width or non-finite range still gets a usable axis. */
export function niceTicks(min: number, max: number, count = 5): Ticks {
  let a = Number.isFinite(min) ? min : 0;
  let b = Number.isFinite(max) ? max : a + 1;
  if (a > b) [a, b] = [b, a];
  if (a === b) {
    const pad = a === 0 ? 1 : Math.abs(a) * 0.1;
    a -= pad;
    b += pad;
  }
  const step = niceNumber(niceNumber(b - a, false) / Math.max(1, count - 1), true);
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  // Relative slack so that 0.3 / 0.1 = 2.9999999999999996 still floors to 3.
  const lo = Math.floor(a / step + 1e-9) * step;
  const hi = Math.ceil(b / step - 1e-9) * step;
  const n = Math.round((hi - lo) / step);
  const ticks = Array.from({ length: n + 1 }, (_, i) => Number((lo + i * step).toFixed(Math.min(decimals, 100))));
  return { lo: ticks[0] as number, hi: ticks[n] as number, step, ticks };
}

/** Decimals needed to write `step` exactly (0.25 → 2, 0.2 → 1, 200 → 0). */
export function stepDecimals(step: number): number {
  for (let d = 0; d < 20; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 20;
}

/** A tick label with as many decimals as the step needs (the same on the whole axis); exponent form when tiny. */
export function formatTick(v: number, step: number): string {
  if (step >= 1e-3 && Math.abs(v) < 1e7) {
    const s = v.toFixed(stepDecimals(step));
    // -0.0001 rounds to "-0.0": a minus sign on zero reads as a real negative value.
    return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
  }
  if (v === 0) return '0';
  const digits = Math.max(0, Math.floor(Math.log10(Math.abs(v))) - Math.floor(Math.log10(step)));
  const [mantissa, exp] = v.toExponential(Math.min(digits, 20)).split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa}e${exp.replace('+', '')}`;
}

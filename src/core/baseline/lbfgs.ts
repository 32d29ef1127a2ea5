// Limited-memory BFGS for smooth unconstrained minimisation: two-loop recursion over the last `history` steps and
// a strong-Wolfe line search (bracket, then cubic-interpolation zoom). Sequential arithmetic only, so a run is
// bit-for-bit repeatable.

/** Returns f(x) and writes ∇f(x) into `grad`. */
export type LbfgsObjective = (x: Float64Array, grad: Float64Array) => number;

/** Stopping rules. */
export interface LbfgsOptions {
  /** Stop when max |∇f| ≤ tol (scipy's gtol); default 1e-5. */
  tol?: number;
  /** Most iterations (line searches); default 1000. */
  maxIter?: number;
  /** Past steps kept for the Hessian estimate; default 10 (scipy's maxcor). */
  history?: number;
}

/** Where the search ended and why. */
export interface LbfgsResult {
  x: Float64Array;
  f: number;
  gradMaxAbs: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  /** 'gradient': tolerance met; 'max-iter': out of iterations; 'line-search': no acceptable step (float resolution). */
  stop: 'gradient' | 'max-iter' | 'line-search';
}

const C1 = 1e-4; // sufficient decrease
const C2 = 0.9; // curvature (strong Wolfe)
const MAX_EVALS = 40; // per line search

/** Minimises `fg` from `x0` (not modified). */
export function minimizeLbfgs(fg: LbfgsObjective, x0: Float64Array, opts: LbfgsOptions = {}): LbfgsResult {
  const tol = opts.tol ?? 1e-5;
  const maxIter = opts.maxIter ?? 1000;
  const m = opts.history ?? 10;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let xt = new Float64Array(n);
  let gt = new Float64Array(n);
  const d = new Float64Array(n);
  let f = fg(x, g);
  let evaluations = 1;
  const mem: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  let iterations = 0;
  let stop: LbfgsResult['stop'] = 'max-iter';
  for (;;) {
    if (maxAbs(g) <= tol) {
      stop = 'gradient';
      break;
    }
    if (iterations >= maxIter) break;
    let ls: LineSearch | null = null;
    // With history try the quasi-Newton step first; if it is not a descent direction or the search fails,
    // forget the history and take a scaled steepest-descent step.
    for (const quasiNewton of mem.length > 0 ? [true, false] : [false]) {
      if (quasiNewton) twoLoop(g, mem, d);
      else {
        mem.length = 0;
        for (let i = 0; i < n; i++) d[i] = -(g[i] as number);
      }
      const dg = dot(g, d);
      if (!(dg < 0)) continue;
      ls = lineSearch(fg, x, f, dg, d, quasiNewton ? 1 : 1 / Math.sqrt(-dg), xt, gt);
      evaluations += ls.evaluations;
      if (ls.ok) break;
    }
    if (ls === null || !ls.ok) {
      stop = 'line-search';
      break;
    }
    const old = mem.length === m ? mem.shift() : undefined;
    const s = old?.s ?? new Float64Array(n);
    const y = old?.y ?? new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = (xt[i] as number) - (x[i] as number);
      y[i] = (gt[i] as number) - (g[i] as number);
    }
    const sy = dot(s, y);
    // Strong Wolfe makes s·y > 0 in exact arithmetic; skip pairs that rounding made useless.
    if (sy > 1e-300 && Number.isFinite(1 / sy)) mem.push({ s, y, rho: 1 / sy });
    [x, xt] = [xt, x];
    [g, gt] = [gt, g];
    f = ls.f;
    iterations++;
  }
  return { x, f, gradMaxAbs: maxAbs(g), iterations, evaluations, converged: stop === 'gradient', stop };
}

/** d = −H·g, H the L-BFGS inverse-Hessian estimate scaled by s·y / y·y of the newest pair. */
function twoLoop(g: Float64Array, mem: { s: Float64Array; y: Float64Array; rho: number }[], d: Float64Array): void {
  const n = g.length;
  for (let i = 0; i < n; i++) d[i] = g[i] as number;
  const alpha = new Float64Array(mem.length);
  for (let k = mem.length - 1; k >= 0; k--) {
    const { s, y, rho } = mem[k]!;
    const a = rho * dot(s, d);
    alpha[k] = a;
    for (let i = 0; i < n; i++) d[i] = (d[i] as number) - a * (y[i] as number);
  }
  const newest = mem[mem.length - 1]!;
  const gamma = 1 / (newest.rho * dot(newest.y, newest.y));
  for (let i = 0; i < n; i++) d[i] = gamma * (d[i] as number);
  for (let k = 0; k < mem.length; k++) {
    const { s, y, rho } = mem[k]!;
    const b = rho * dot(y, d);
    const a = alpha[k] as number;
    for (let i = 0; i < n; i++) d[i] = (d[i] as number) + (a - b) * (s[i] as number);
  }
  for (let i = 0; i < n; i++) d[i] = -(d[i] as number);
}

interface LineSearch {
  ok: boolean;
  f: number;
  evaluations: number;
}

interface Point {
  t: number;
  f: number;
  dg: number;
}

/** Strong-Wolfe search along d from x; on success the accepted point and its gradient are in xt, gt. */
function lineSearch(
  fg: LbfgsObjective,
  x: Float64Array,
  f0: number,
  dg0: number,
  d: Float64Array,
  t0: number,
  xt: Float64Array,
  gt: Float64Array,
): LineSearch {
  let evaluations = 0;
  // Near the optimum the decrease C1·t·dg0 is below float resolution of f; accept changes within rounding of f0
  // and let the (gradient-based) curvature test decide, so tight gradient tolerances stay reachable.
  const noise = 1e-13 * Math.max(1, Math.abs(f0));
  const at = (t: number): Point => {
    for (let i = 0; i < x.length; i++) xt[i] = (x[i] as number) + t * (d[i] as number);
    evaluations++;
    const f = fg(xt, gt);
    return { t, f, dg: dot(gt, d) };
  };
  const sufficient = (p: Point): boolean => p.f <= f0 + C1 * p.t * dg0 || p.f <= f0 + noise;
  const curvature = (p: Point): boolean => Math.abs(p.dg) <= -C2 * dg0;
  const done = (p: Point): LineSearch => ({ ok: true, f: p.f, evaluations });
  const failed = (): LineSearch => ({ ok: false, f: f0, evaluations });

  let prev: Point = { t: 0, f: f0, dg: dg0 };
  let lo: Point;
  let hi: Point;
  let t = t0;
  for (;;) {
    if (evaluations >= MAX_EVALS) return failed();
    const p = at(t);
    if (!Number.isFinite(p.f) || !sufficient(p) || (prev.t > 0 && p.f >= prev.f)) {
      [lo, hi] = [prev, p];
      break;
    }
    if (curvature(p)) return done(p);
    if (p.dg >= 0) {
      [lo, hi] = [p, prev];
      break;
    }
    prev = p;
    t *= 4;
  }
  while (evaluations < MAX_EVALS) {
    if (Math.abs(hi.t - lo.t) <= 1e-14 * Math.max(lo.t, hi.t)) return failed();
    const p = at(cubicStep(lo, hi));
    if (!Number.isFinite(p.f) || !sufficient(p) || p.f > lo.f + noise) hi = p;
    else {
      if (curvature(p)) return done(p);
      if (p.dg * (hi.t - lo.t) >= 0) hi = lo;
      lo = p;
    }
  }
  return failed();
}

/** Minimiser of the cubic through two points with slopes, kept inside the middle 80% of the interval. */
function cubicStep(a: Point, b: Point): number {
  const left = Math.min(a.t, b.t);
  const width = Math.abs(b.t - a.t);
  const mid = (a.t + b.t) / 2;
  if (!Number.isFinite(b.f) || !Number.isFinite(b.dg)) return mid;
  const d1 = a.dg + b.dg - (3 * (a.f - b.f)) / (a.t - b.t);
  const disc = d1 * d1 - a.dg * b.dg;
  if (!(disc >= 0)) return mid;
  const d2 = Math.sign(b.t - a.t) * Math.sqrt(disc);
  const t = b.t - ((b.t - a.t) * (b.dg + d2 - d1)) / (b.dg - a.dg + 2 * d2);
  if (!Number.isFinite(t) || t < left + 0.1 * width || t > left + 0.9 * width) return mid;
  return t;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
}

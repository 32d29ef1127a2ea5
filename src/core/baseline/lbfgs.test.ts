// L-BFGS on functions with a known minimum: Rosenbrock, an ill-conditioned quadratic; repeatability and stop rules.
import { describe, expect, it } from 'vitest';
import { type LbfgsObjective, minimizeLbfgs } from './lbfgs.js';

const rosenbrock: LbfgsObjective = (x, g) => {
  const [a, b] = [x[0] as number, x[1] as number];
  g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
  g[1] = 200 * (b - a * a);
  return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
};

/** ½ Σ s_i (x_i − i)², condition number 1e3. */
const quadratic: LbfgsObjective = (x, g) => {
  let f = 0;
  for (let i = 0; i < x.length; i++) {
    const s = 10 ** ((3 * i) / (x.length - 1));
    const r = (x[i] as number) - i;
    g[i] = s * r;
    f += 0.5 * s * r * r;
  }
  return f;
};

describe('minimizeLbfgs', () => {
  it('finds the Rosenbrock minimum', () => {
    const r = minimizeLbfgs(rosenbrock, Float64Array.of(-1.2, 1), { tol: 1e-10 });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 8);
    expect(r.x[1]).toBeCloseTo(1, 8);
    expect(r.iterations).toBeLessThan(100);
  });

  it('reaches a tight gradient tolerance on an ill-conditioned quadratic', () => {
    const x0 = new Float64Array(50);
    const r = minimizeLbfgs(quadratic, x0, { tol: 1e-9 });
    expect(r.stop).toBe('gradient');
    expect(r.gradMaxAbs).toBeLessThanOrEqual(1e-9);
    r.x.forEach((v, i) => expect(v).toBeCloseTo(i, 6));
    expect(x0.every((v) => v === 0)).toBe(true);
  });

  it('is repeatable bit for bit and honours maxIter', () => {
    const a = minimizeLbfgs(quadratic, new Float64Array(50), { tol: 1e-12 });
    const b = minimizeLbfgs(quadratic, new Float64Array(50), { tol: 1e-12 });
    expect(b.x).toEqual(a.x);
    expect(b.evaluations).toBe(a.evaluations);
    const short = minimizeLbfgs(quadratic, new Float64Array(50), { maxIter: 3 });
    expect(short).toMatchObject({ iterations: 3, converged: false, stop: 'max-iter' });
  });

  it('returns at once when the start is already optimal', () => {
    const r = minimizeLbfgs(rosenbrock, Float64Array.of(1, 1));
    expect(r).toMatchObject({ iterations: 0, evaluations: 1, converged: true, f: 0 });
  });
});

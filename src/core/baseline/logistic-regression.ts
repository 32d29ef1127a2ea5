// Multinomial logistic regression on sparse rows with an L2 penalty: the objective of scikit-learn's
// LogisticRegression(C, solver='lbfgs', multi_class='multinomial'), i.e. the sum of log-losses + ½‖W‖²/C with the
// intercepts unpenalised, minimised with L-BFGS. Two classes use the same softmax objective (sklearn's binary
// multinomial), so probabilities agree with it.
import { BaselineError } from './errors.js';
import { type LbfgsResult, minimizeLbfgs } from './lbfgs.js';
import type { SparseRow } from './tfidf.js';

/** Regularisation and stopping rules. */
export interface LogisticRegressionOptions {
  /** Inverse L2 strength, sklearn's C; default 1. */
  c?: number;
  /** Stop when max |∂objective/∂θ| ≤ tol, the objective being the sum above (sklearn 1.2's lbfgs tol); default 1e-4. */
  tol?: number;
  /** Most L-BFGS iterations; default 1000. */
  maxIter?: number;
}

/** How the optimisation ended. */
export interface LogisticFitInfo {
  iterations: number;
  evaluations: number;
  converged: boolean;
  gradMaxAbs: number;
  objective: number;
}

/** A fitted model as plain JSON: `coef[k][j]` is class k's weight on feature j, like sklearn's coef_ (K rows). */
export interface LogisticRegressionJSON {
  c: number;
  coef: number[][];
  intercept: number[];
  fit?: LogisticFitInfo;
}

/** A fitted multinomial logistic regression over `nClasses` classes and `nFeatures` sparse features. */
export class LogisticRegression {
  // Feature-major (nFeatures + 1) × nClasses: a nonzero feature touches one contiguous block; the last block holds
  // the intercepts.
  private constructor(
    readonly nFeatures: number,
    readonly nClasses: number,
    readonly c: number,
    private readonly theta: Float64Array,
    readonly fitInfo: LogisticFitInfo | null,
  ) {}

  /** Fits on `rows` with class indices `y` (each in [0, nClasses), every class present). */
  static fit(
    rows: readonly SparseRow[],
    y: ArrayLike<number>,
    nFeatures: number,
    nClasses: number,
    opts: LogisticRegressionOptions = {},
  ): LogisticRegression {
    const c = opts.c ?? 1;
    if (!(c > 0) || !Number.isFinite(c)) throw options(`c must be a positive finite number, got ${c}`);
    if (!Number.isInteger(nClasses) || nClasses < 2) throw options(`nClasses must be an integer ≥ 2, got ${nClasses}`);
    checkRows(rows, nFeatures);
    if (y.length !== rows.length) throw data(`${rows.length} rows but ${y.length} labels; give one class index per row`);
    const seen = new Array<number>(nClasses).fill(0);
    for (let i = 0; i < y.length; i++) {
      const k = y[i] as number;
      if (!Number.isInteger(k) || k < 0 || k >= nClasses) throw data(`label ${i} is ${k}; class indices run 0..${nClasses - 1}`);
      seen[k] = (seen[k] as number) + 1;
    }
    const missing = seen.findIndex((n) => n === 0);
    // With no example of a class its unpenalised intercept runs to −∞: there is no optimum.
    if (missing >= 0) throw data(`class ${missing} has no training rows; every class needs at least one example`);
    const r = minimizeLbfgs(objective(rows, y, nFeatures, nClasses, c), new Float64Array((nFeatures + 1) * nClasses), {
      tol: opts.tol ?? 1e-4,
      maxIter: opts.maxIter ?? 1000,
    });
    return new LogisticRegression(nFeatures, nClasses, c, r.x, fitInfo(r));
  }

  /** Rebuilds a model saved with `toJSON`. */
  static fromJSON(json: LogisticRegressionJSON): LogisticRegression {
    const { coef, intercept, c } = json;
    const k = Array.isArray(coef) ? coef.length : 0;
    const d = k > 0 && Array.isArray(coef[0]) ? coef[0].length : -1;
    if (
      k < 2 ||
      d < 0 ||
      !Array.isArray(intercept) ||
      intercept.length !== k ||
      coef.some((w) => !Array.isArray(w) || w.length !== d)
    ) {
      throw new BaselineError('BASELINE_FORMAT', 'logreg: coef must be K ≥ 2 rows of equal length and intercept K numbers');
    }
    const theta = new Float64Array((d + 1) * k);
    for (let ki = 0; ki < k; ki++) {
      for (let j = 0; j < d; j++) theta[j * k + ki] = finite(coef[ki]?.[j], `logreg.coef[${ki}][${j}]`);
      theta[d * k + ki] = finite(intercept[ki], `logreg.intercept[${ki}]`);
    }
    if (!(c > 0)) throw new BaselineError('BASELINE_FORMAT', `logreg.c must be a positive number, got ${c}`);
    return new LogisticRegression(d, k, finite(c, 'logreg.c'), theta, json.fit ?? null);
  }

  /** Class weights, K rows of nFeatures (sklearn's coef_ for K > 2; for two classes sklearn keeps only row 1). */
  get coef(): number[][] {
    const { nFeatures: d, nClasses: k, theta } = this;
    return Array.from({ length: k }, (_, ki) => Array.from({ length: d }, (_, j) => theta[j * k + ki] as number));
  }

  /** Class intercepts. */
  get intercept(): number[] {
    return Array.from(this.theta.subarray(this.nFeatures * this.nClasses));
  }

  /** Class probabilities per row (softmax of the scores), columns in class-index order. */
  predictProba(rows: readonly SparseRow[]): number[][] {
    checkRows(rows, this.nFeatures);
    const z = new Float64Array(this.nClasses);
    return rows.map((row) => {
      const lse = this.scores(row, z);
      return Array.from(z, (v) => Math.exp(v - lse));
    });
  }

  /** Plain JSON (numbers round-trip exactly). */
  toJSON(): LogisticRegressionJSON {
    return { c: this.c, coef: this.coef, intercept: this.intercept, ...(this.fitInfo ? { fit: this.fitInfo } : {}) };
  }

  /** Writes the row's class scores into z and returns their log-sum-exp. */
  private scores(row: SparseRow, z: Float64Array): number {
    return rowScores(this.theta, this.nFeatures, this.nClasses, row.indices, row.values, 0, row.indices.length, z);
  }
}

/** sum_i [logsumexp(z_i) − z_i,y_i] + ‖W‖²/(2C) and its gradient, over rows flattened to CSR once. */
function objective(rows: readonly SparseRow[], y: ArrayLike<number>, d: number, k: number, c: number) {
  let nnz = 0;
  for (const r of rows) nnz += r.indices.length;
  const indptr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  rows.forEach((r, i) => {
    const start = indptr[i] as number;
    indices.set(r.indices, start);
    values.set(r.values, start);
    indptr[i + 1] = start + r.indices.length;
  });
  const z = new Float64Array(k);
  const r = new Float64Array(k);
  const bias = d * k;
  return (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < rows.length; i++) {
      const from = indptr[i] as number;
      const to = indptr[i + 1] as number;
      const lse = rowScores(theta, d, k, indices, values, from, to, z);
      const yi = y[i] as number;
      loss += lse - (z[yi] as number);
      // r = p − onehot(y): the gradient of this row's loss with respect to its scores.
      for (let ki = 0; ki < k; ki++) {
        r[ki] = Math.exp((z[ki] as number) - lse) - (ki === yi ? 1 : 0);
        grad[bias + ki] = (grad[bias + ki] as number) + (r[ki] as number);
      }
      for (let p = from; p < to; p++) {
        const base = (indices[p] as number) * k;
        const v = values[p] as number;
        for (let ki = 0; ki < k; ki++) grad[base + ki] = (grad[base + ki] as number) + v * (r[ki] as number);
      }
    }
    for (let q = 0; q < bias; q++) {
      const w = theta[q] as number;
      loss += (w * w) / (2 * c);
      grad[q] = (grad[q] as number) + w / c;
    }
    return loss;
  };
}

/** z = intercepts + Σ v·W[j] for the nonzeros in [from, to); returns logsumexp(z), shifted by the max for safety. */
function rowScores(
  theta: Float64Array,
  d: number,
  k: number,
  indices: Int32Array,
  values: Float64Array,
  from: number,
  to: number,
  z: Float64Array,
): number {
  for (let ki = 0; ki < k; ki++) z[ki] = theta[d * k + ki] as number;
  for (let p = from; p < to; p++) {
    const base = (indices[p] as number) * k;
    const v = values[p] as number;
    for (let ki = 0; ki < k; ki++) z[ki] = (z[ki] as number) + v * (theta[base + ki] as number);
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let ki = 0; ki < k; ki++) max = Math.max(max, z[ki] as number);
  let sum = 0;
  for (let ki = 0; ki < k; ki++) sum += Math.exp((z[ki] as number) - max);
  return max + Math.log(sum);
}

function checkRows(rows: readonly SparseRow[], nFeatures: number): void {
  rows.forEach((r, i) => {
    if (r.indices.length !== r.values.length)
      throw data(`row ${i} has ${r.indices.length} indices but ${r.values.length} values`);
    for (const j of r.indices) {
      if (j < 0 || j >= nFeatures) throw data(`row ${i} has feature ${j}; features run 0..${nFeatures - 1}`);
    }
  });
}

function fitInfo(r: LbfgsResult): LogisticFitInfo {
  return {
    iterations: r.iterations,
    evaluations: r.evaluations,
    converged: r.converged,
    gradMaxAbs: r.gradMaxAbs,
    objective: r.f,
  };
}

function finite(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new BaselineError('BASELINE_FORMAT', `${field} must be a finite number`);
  return v;
}

function options(message: string): BaselineError {
  return new BaselineError('BASELINE_OPTIONS', message);
}

function data(message: string): BaselineError {
  return new BaselineError('BASELINE_DATA', message);
}

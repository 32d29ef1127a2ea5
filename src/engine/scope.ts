// Tensor lifetime: tidy() scopes dispose what they created, except what they return or keep().
// tidy is synchronous by design (as in tfjs): an await inside would let other work register into the scope.
import { engineError } from './errors.js';

/** Anything whose native memory can be released now. */
export interface Disposable {
  dispose(): void;
}

interface Tracked extends Disposable {
  readonly isDisposed: boolean;
  kept: boolean;
}

const stack: Tracked[][] = [];

/** Registers a new tensor with the innermost open scope (called by the Tensor constructor). */
export function track(t: Tracked): void {
  const top = stack[stack.length - 1];
  if (top !== undefined) top.push(t);
}

function collect(value: unknown, out: Set<unknown>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 4) return;
  if ('kept' in value && 'dispose' in value) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, out, depth + 1);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, out, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out, depth + 1);
  }
}

/** Runs fn; every tensor created inside is disposed on exit unless returned (in arrays/objects too) or kept. */
export function tidy<R>(fn: () => R): R {
  const scope: Tracked[] = [];
  stack.push(scope);
  let result: R;
  try {
    result = fn();
  } catch (e) {
    stack.pop();
    for (const t of scope) if (!t.kept) t.dispose();
    throw e;
  }
  stack.pop();
  if (result instanceof Promise) {
    for (const t of scope) if (!t.kept) t.dispose();
    throw engineError(
      'tidy',
      'ENGINE_ERROR',
      'tidy() takes a synchronous function; for async work dispose tensors explicitly or tidy each synchronous step',
    );
  }
  const returned = new Set<unknown>();
  collect(result, returned);
  const parent = stack[stack.length - 1];
  for (const t of scope) {
    if (t.kept || t.isDisposed) continue;
    if (returned.has(t)) parent?.push(t);
    else t.dispose();
  }
  return result;
}

/** Exempts a tensor from every enclosing and future tidy(); the caller now owns it. */
export function keep<T extends { kept: boolean }>(t: T): T {
  t.kept = true;
  return t;
}

/** Disposes every disposable found in the arguments (arrays and plain objects are walked). */
export function dispose(...values: unknown[]): void {
  const found = new Set<unknown>();
  collect(values, found);
  for (const v of found) (v as Disposable).dispose();
}

/** Number of tidy() scopes currently open (for tests and debugging). */
export function scopeDepth(): number {
  return stack.length;
}

// Typed errors of the engine layer. Native failures arrive as EngineError objects built at the C++ boundary.

/** Why an engine call failed: lets callers branch without parsing messages. */
export type EngineErrorCode =
  | 'ENGINE_SHAPE'
  | 'ENGINE_DTYPE'
  | 'ENGINE_DEVICE'
  | 'ENGINE_OOM'
  | 'ENGINE_DISPOSED'
  | 'ENGINE_ERROR';

/** An op failed; `op` names it and `inputs` describes each tensor argument (shape, dtype, device). */
export interface EngineError extends Error {
  name: 'EngineError';
  code: EngineErrorCode;
  op: string;
  inputs: string[];
  detail: string;
}

/** True for errors raised by the engine (native or TypeScript side). */
export function isEngineError(e: unknown): e is EngineError {
  return e instanceof Error && e.name === 'EngineError';
}

/** Builds an EngineError on the TypeScript side with the same fields as native ones. */
export function engineError(op: string, code: EngineErrorCode, detail: string, inputs: string[] = []): EngineError {
  const suffix = inputs.length ? ` (inputs: ${inputs.join(', ')})` : '';
  const err = new Error(`${op}: ${detail}${suffix}`) as EngineError;
  err.name = 'EngineError';
  err.code = code;
  err.op = op;
  err.inputs = inputs;
  err.detail = detail;
  return err;
}

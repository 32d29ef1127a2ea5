// Training options as a command line or a form gives them: --precision resolves auto for this machine, and a
// wrong value is named by its option with the accepted ones.
import { describe, expect, it } from 'vitest';
import { resolvePrecision } from '../../engine/index.js';
import { AppError } from '../errors.js';
import { specFromOptions } from './options.js';

describe('training options', () => {
  it('--precision: fp32 by default, bf16 as asked, auto as this CPU allows', () => {
    expect(specFromOptions({ recipe: 'classification' }).precision).toBe('fp32');
    expect(specFromOptions({ recipe: 'classification', precision: 'bf16' }).precision).toBe('bf16');
    expect(specFromOptions({ recipe: 'classification', precision: 'auto' }).precision).toBe(resolvePrecision('auto').precision);
  });

  it('a wrong --precision names the option, the value and what it accepts', () => {
    for (const [value, message] of [
      ['fp8', 'expected auto, fp32 or bf16'],
      ['fp16', 'fp16 needs a CUDA device with loss scaling'],
    ] as const) {
      let error: unknown;
      try {
        specFromOptions({ recipe: 'classification', precision: value });
      } catch (e) {
        error = e;
      }
      expect(AppError.isInstance(error)).toBe(true);
      expect((error as AppError).problems[0]).toMatchObject({ path: 'precision', received: value });
      expect((error as AppError).problems[0]?.message).toContain(message);
    }
  });
});

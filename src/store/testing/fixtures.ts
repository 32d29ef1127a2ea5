// Small builders shared by the store's tests.
import { createHash } from 'node:crypto';
import type { Task } from '../../core/task/index.js';
import { StoreError } from '../errors.js';

/** A valid two-label task. */
export function sampleTask(name = 'reviews', objective = 'sort product reviews by sentiment'): Task {
  return {
    name,
    objective,
    type: 'single-label',
    inputs: [{ name: 'text', description: 'the review' }],
    labels: [
      { name: 'negative', description: '' },
      { name: 'positive', description: '' },
    ],
    languages: ['en'],
    metric: 'macro-f1',
    model: 'default',
  };
}

/** sha256 hex of a text: a stand-in content hash. */
export function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The StoreError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function storeError(p: Promise<unknown>): Promise<StoreError> {
  try {
    await p;
  } catch (e) {
    if (StoreError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('expected a StoreError, but the call succeeded');
}

// The worker-thread side of a served model: one classifier per worker, so forward passes never block the
// server's event loop. Only plain data crosses the thread boundary.
import { type Classifier, type ClassifierMeta, type Prediction, loadClassifier } from '../../core/train/index.js';

let classifier: Classifier | undefined;

/** Loads the classifier in `dir` (replacing any loaded one) and returns its metadata. */
export function load(dir: string): ClassifierMeta {
  classifier?.dispose();
  classifier = undefined;
  classifier = loadClassifier(dir);
  return classifier.meta;
}

/** Predictions for a batch of inputs. */
export function predict(inputs: Record<string, string>[]): Prediction[] {
  if (!classifier) throw new Error('no classifier loaded in this worker: call load(dir) first');
  return classifier.predict(inputs, inputs.length);
}

/** Frees the model's tensors. */
export function unload(): void {
  classifier?.dispose();
  classifier = undefined;
}

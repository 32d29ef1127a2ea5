// Where an export goes: the result shape every export returns, and the one check on the output directory.
import { resolve } from 'node:path';
import { ExportError } from './errors.js';

/** Where an export went and what it wrote (paths relative to `dir`). */
export interface ExportResult {
  dir: string;
  files: string[];
}

/** Refuses to write an export over the model it is made from. */
export function checkOutDir(modelDir: string, outDir: string): void {
  if (resolve(modelDir) === resolve(outDir))
    throw new ExportError(
      'EXPORT_OUTPUT',
      `the output directory ${outDir} is the model directory itself: choose another directory (e.g. ${outDir}-export)`,
    );
}

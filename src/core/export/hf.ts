// The plain Hugging Face directory of a fine-tuned classifier: config.json, safetensors and tokenizer files as
// transformers' from_pretrained reads them, without Promptune's own files (promptune.json, the SetFit head).
import { savePretrained } from '../../transformers/index.js';
import { loadClassifier } from '../train/index.js';
import { type ExportResult, checkOutDir } from './output.js';

/** Saves the classifier's model and tokenizer from `modelDir` into `outDir` in Hugging Face format. */
export function exportClassifierHf(modelDir: string, outDir: string): ExportResult {
  checkOutDir(modelDir, outDir);
  const classifier = loadClassifier(modelDir);
  try {
    const files = savePretrained(classifier.pretrained, outDir);
    return { dir: outDir, files: [...files, 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'] };
  } finally {
    classifier.dispose();
  }
}

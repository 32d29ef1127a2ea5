// Public API of export: a fine-tuned classifier as ONNX (onnxruntime, transformers.js) or as a plain Hugging Face directory.
export { ExportError } from './errors.js';
export { EXPORT_NOTE_FILE, type OnnxExportNote, exportClassifierOnnx, classifierToOnnx } from './onnx.js';
export { exportClassifierHf } from './hf.js';
export { type ExportResult, checkOutDir } from './output.js';

// Public API of the transformers layer: Hugging Face-compatible models, tokenizers and the hub client.
export * from './models/index.js';
export * from './tokenizers/index.js';
export * from './pretrained.js';
export * from './hub/index.js';
export * from './sources/index.js';
export * from './peft/index.js';
export * from './onnx/index.js';

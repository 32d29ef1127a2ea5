// Public API of the workflow layer: task definition, data, prompts.
export * from './task/index.js';
export * from './prompts/index.js';
export * from './eval/index.js';
export * from './data/index.js';
export * from './train/index.js';
export * from './report/index.js';
export * from './baseline/index.js';
export * from './score/index.js';
export * from './export/index.js';
export * from './drift/index.js';

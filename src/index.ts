// Promptune's public API, every layer from one import: the engine (tensors, autograd), transformers (models,
// tokenizers, hub), core (tasks, data, prompts, training, evaluation), store, the application layer's workflows,
// the server and the typed HTTP client. Each layer is also its own entry point (`promptune/engine`, …,
// `promptune/client`), which loads only that layer and the ones below it.
export * from './engine/index.js';
export * from './transformers/index.js';
export * from './core/index.js';
export * from './store/index.js';
export * from './app/index.js';
export * from './server/index.js';
export * from './client/index.js';
// Two names mean different things in two layers; the root keeps the workflow's, the layer entry points keep both.
export type { ExportResult, PromptVersionInput } from './app/index.js';

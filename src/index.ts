// Promptune's public API, layer by layer. Only the engine exists so far.
export * from './engine/index.js';

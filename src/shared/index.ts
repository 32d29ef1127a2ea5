// Building blocks every layer may use (this folder imports nothing from the layers).
export { CodedError } from './coded-error.js';
export { seededRandom, shuffled } from './random.js';

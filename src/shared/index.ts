// Building blocks every layer may use (this folder imports nothing from the layers).
export { CodedError } from './coded-error.js';
export { type Problem, formatProblem, formatProblems, problemsFromZod } from './problem.js';
export { seededRandom, shuffled } from './random.js';

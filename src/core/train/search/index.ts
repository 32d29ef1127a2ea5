// Public API of hyper-parameter search: the space, its parser and the samplers (grid, random, TPE).
export { SearchError, type SearchErrorCode } from './errors.js';
export {
  type ParamValue,
  type ChoiceDimension,
  type RangeDimension,
  type Dimension,
  type SearchSpace,
  type Assignment,
  parseSearchSpace,
  readSearchSpace,
  isGridSpace,
} from './space.js';
export { gridSearch, randomSearch } from './samplers.js';
export { type Observation, type TpeOptions, tpeSuggest } from './tpe.js';

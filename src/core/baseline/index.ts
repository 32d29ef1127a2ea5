// Public API of the classic baseline: sklearn-compatible TF-IDF features and multinomial logistic regression.
export { type BaselineErrorCode, BaselineError } from './errors.js';
export { tfidfTerms, tfidfTokens, compareCodePoints } from './analyzer.js';
export {
  type SparseRow,
  type TfidfOptions,
  type TfidfSettings,
  type TfidfJSON,
  TfidfVectorizer,
  tfidfSettings,
} from './tfidf.js';
export { type LbfgsObjective, type LbfgsOptions, type LbfgsResult, minimizeLbfgs } from './lbfgs.js';
export {
  type LogisticRegressionOptions,
  type LogisticRegressionJSON,
  type LogisticFitInfo,
  LogisticRegression,
} from './logistic-regression.js';
export { type TfidfBaselineOptions, type TfidfBaselineJSON, TfidfBaseline, trainTfidfBaseline } from './tfidf-logreg.js';

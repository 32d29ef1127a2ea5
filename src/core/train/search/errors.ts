// Typed errors of hyper-parameter search.
import { CodedError } from '../../../shared/index.js';

/** Why a search space or a sampler request cannot be used. */
export type SearchErrorCode = 'SEARCH_SPACE_SYNTAX' | 'SEARCH_SPACE_INVALID' | 'SEARCH_SAMPLER';

/** A search failure; the message names the hyper-parameter, the value and the fix. */
export class SearchError extends CodedError<SearchErrorCode> {}

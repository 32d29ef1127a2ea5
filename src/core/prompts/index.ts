// Public API of prompts: the template language, verbalizers, versions and rendering.
export { PromptError, type PromptErrorCode } from './errors.js';
export { type PartRole, type TemplatePart, parseTemplate, formatTemplate } from './template.js';
export { type Verbalizer, verbalizerSchema, labelWords, checkVerbalizer, parseVerbalizerSpecs } from './verbalizer.js';
export { type PromptSpec, type CheckedPrompt, promptSpecSchema, checkPrompt, promptHash, canonicalJson } from './spec.js';
export { type RenderTokens, type PartSpan, type RenderedPrompt, renderPrompt, promptTokenNames } from './render.js';
export { type DiffLine, diffLines, formatDiff } from './diff.js';
export { type EncodedPrompt, type EncodePromptOptions, encodePrompt, renderTokens } from './encode.js';
export { type LabelWordIds, labelWordIds } from './label-words.js';
export { labelLogScores } from './label-scores.js';
export {
  type ZeroShotResult,
  type ZeroShotOptions,
  type SimilarityOptions,
  zeroShotMlm,
  zeroShotSimilarity,
} from './zero-shot.js';
export { type AbResult, type AbOptions, abTest } from './ab-test.js';
export {
  type SearchExample,
  type SearchCandidate,
  type LabelWordSearchOptions,
  searchLabelWords,
  searchTemplates,
} from './search.js';
export { type Preview, type PartTokens, buildPreview, formatPreview } from './preview.js';
export { type Demonstration, withDemonstrations, sampleDemonstrations } from './demonstrations.js';

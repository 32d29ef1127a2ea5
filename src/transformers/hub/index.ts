// Public API of the hub client: model references, the environment, the shared cache, downloads and snapshots.
export { type HubEnv, DEFAULT_HUB_ENDPOINT, hubEnv } from './env.js';
export { type HubErrorCode, type HubErrorDetails, HubError, isTransientHubError } from './errors.js';
export {
  type ModelRef,
  HUB_DEFAULT_REVISION,
  HUB_REF_PREFIX,
  formatModelRef,
  isCommitHash,
  parseModelRef,
  repoIdProblem,
  revisionProblem,
} from './model-ref.js';
export { HubRepoCache, repoFolderName } from './cache.js';
export { type HubClientOptions, type HubProgress, HUB_USER_AGENT } from './http.js';
export {
  type DownloadHubFileOptions,
  type HubFile,
  type HubFileMetadata,
  downloadHubFile,
  hubResolveUrl,
} from './download.js';
export { type ResolveModelOptions, type ResolvedModel, HUB_DEFAULT_FILES, resolveModel } from './snapshot.js';

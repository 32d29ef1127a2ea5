// Drift profiles: what the model's inputs and outputs looked like on the data it was trained on (the reference),
// and the comparison of a window of live traffic with it, feature by feature, as PSI.
import { z } from 'zod';
import { detectLanguages } from '../data/language.js';
import { binProportions, categoryProportions, psi, quantileEdges } from './psi.js';

/** One example as the monitor sees it: its input text(s), the predicted label (null: not sure), the confidence. */
export interface ObservedPrediction {
  text: string;
  label: string | null;
  confidence: number;
}

const numeric = z.object({ edges: z.array(z.number()), proportions: z.array(z.number()) });
const categorical = z.object({ categories: z.array(z.string()), proportions: z.array(z.number()) });

/** The reference profile saved next to a model (drift-profile.json). */
export const driftProfileSchema = z.object({
  format: z.literal('promptune-drift-profile/1'),
  createdAt: z.string(),
  examples: z.number().int().positive(),
  /** The most frequent words of the reference texts: a live word outside them counts as out of vocabulary. */
  vocabulary: z.array(z.string()),
  features: z.object({
    length: numeric,
    oovRate: numeric,
    confidence: numeric,
    language: categorical,
    label: categorical,
  }),
});

/** A reference profile. */
export type DriftProfile = z.infer<typeof driftProfileSchema>;

/** The features the monitor compares. */
export type DriftFeature = keyof DriftProfile['features'];

/** One feature's shift in a window. */
export interface FeatureDrift {
  feature: DriftFeature;
  psi: number;
  /** Bins (numeric features: "< edge" ranges) or categories, with reference and live proportions. */
  bins: { bin: string; reference: number; live: number }[];
}

/** A window of live traffic compared with the reference. */
export interface DriftReport {
  examples: number;
  features: FeatureDrift[];
  /** Features whose PSI is over the threshold. */
  drifted: DriftFeature[];
  threshold: number;
}

const WORD = /\p{L}+/gu;
const words = (text: string): string[] => text.toLowerCase().match(WORD) ?? [];
const NOT_SURE = '(not sure)';
// A rate in [0, 1]: fixed bins, since its quantiles are often all 0.
const OOV_EDGES = [0.01, 0.05, 0.1, 0.2, 0.35, 0.5];

/** FNV-1a: a fast, stable 32-bit hash of a string. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function oovRate(text: string, vocabulary: ReadonlySet<string>): number {
  const ws = words(text);
  return ws.length ? ws.filter((w) => !vocabulary.has(w)).length / ws.length : 0;
}

/** The reference profile of predictions on reference data (e.g. the training set). */
export async function buildDriftProfile(
  reference: readonly ObservedPrediction[],
  vocabularySize = 20_000,
): Promise<DriftProfile> {
  if (!reference.length) throw new Error('a drift profile needs at least one reference example');
  // The vocabulary comes from every other example and the reference OOV rate is measured on the rest, so the
  // reference shows the out-of-vocabulary rate that unseen texts from the same source really have (measured on
  // the texts the vocabulary came from it would be 0, and every live window would look drifted).
  // Split by a hash of the text, not by position: positions can follow a pattern in the data, and a repeated text
  // must not count as unseen.
  const side = (r: ObservedPrediction) => fnv1a(r.text) % 2;
  const split = reference.filter((r) => side(r) === 0).length;
  const usable = split > 0 && split < reference.length;
  const vocabFrom = usable ? reference.filter((r) => side(r) === 0) : reference;
  const heldOut = usable ? reference.filter((r) => side(r) === 1) : reference;
  const freq = new Map<string, number>();
  for (const r of vocabFrom) for (const w of words(r.text)) freq.set(w, (freq.get(w) ?? 0) + 1);
  const vocabulary = [...freq.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, vocabularySize)
    .map(([w]) => w);
  const vocab = new Set(vocabulary);
  const num = (xs: number[]) => {
    const edges = quantileEdges(xs);
    return { edges, proportions: binProportions(xs, edges) };
  };
  const fixed = (xs: number[], edges: number[]) => ({ edges, proportions: binProportions(xs, edges) });
  const cat = (xs: string[]) => {
    const categories = [...new Set(xs)].sort();
    return { categories, proportions: categoryProportions(xs, categories) };
  };
  const languages = (await detectLanguages(reference.map((r) => r.text))).map((g) => g.language);
  return {
    format: 'promptune-drift-profile/1',
    createdAt: new Date().toISOString(),
    examples: reference.length,
    vocabulary,
    features: {
      length: num(reference.map((r) => r.text.length)),
      oovRate: fixed(
        heldOut.map((r) => oovRate(r.text, vocab)),
        OOV_EDGES,
      ),
      confidence: num(reference.map((r) => r.confidence)),
      language: cat(languages),
      label: cat(reference.map((r) => r.label ?? NOT_SURE)),
    },
  };
}

/** Compares live predictions with the profile: PSI per feature, and which cross `threshold`. */
export async function compareWithProfile(
  profile: DriftProfile,
  live: readonly ObservedPrediction[],
  threshold = 0.2,
): Promise<DriftReport> {
  const vocab = new Set(profile.vocabulary);
  const f = profile.features;
  const languages = (await detectLanguages(live.map((r) => r.text))).map((g) => g.language);
  const numericDrift = (feature: DriftFeature, spec: { edges: number[]; proportions: number[] }, xs: number[]): FeatureDrift => {
    const liveP = binProportions(xs, spec.edges);
    const names = [
      ...spec.edges.map((e) => `< ${+e.toPrecision(3)}`),
      `≥ ${+(spec.edges[spec.edges.length - 1] ?? 0).toPrecision(3)}`,
    ];
    return {
      feature,
      psi: psi(spec.proportions, liveP),
      bins: liveP.map((l, i) => ({ bin: names[i] as string, reference: spec.proportions[i] as number, live: l })),
    };
  };
  const categoricalDrift = (
    feature: DriftFeature,
    spec: { categories: string[]; proportions: number[] },
    xs: string[],
  ): FeatureDrift => {
    // The reference has no "(other)" mass; a category never seen in the reference lands there.
    const ref = [...spec.proportions.slice(0, spec.categories.length), 0];
    const liveP = categoryProportions(xs, spec.categories);
    return {
      feature,
      psi: psi(ref, liveP),
      bins: liveP.map((l, i) => ({ bin: spec.categories[i] ?? '(other)', reference: ref[i] as number, live: l })),
    };
  };
  const features = [
    numericDrift(
      'length',
      f.length,
      live.map((r) => r.text.length),
    ),
    numericDrift(
      'oovRate',
      f.oovRate,
      live.map((r) => oovRate(r.text, vocab)),
    ),
    numericDrift(
      'confidence',
      f.confidence,
      live.map((r) => r.confidence),
    ),
    categoricalDrift('language', f.language, languages),
    categoricalDrift(
      'label',
      f.label,
      live.map((r) => r.label ?? NOT_SURE),
    ),
  ];
  return { examples: live.length, features, drifted: features.filter((x) => x.psi > threshold).map((x) => x.feature), threshold };
}

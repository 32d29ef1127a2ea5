// A realistic, deterministic report for tests and for looking at the page: three sentiment labels, intervals,
// calibration bins, a learning curve with warm-up, three languages and a few long or awkward texts.
import { seededRandom } from '../../../shared/index.js';
import type { RunReport } from '../types.js';

/** A complete sample report (every optional section present). */
export function sampleReport(seed = 7, name = 'minilm-pet-lora'): RunReport {
  const rand = seededRandom(seed);
  const points = Array.from({ length: 60 }, (_, i) => {
    const step = (i + 1) * 10;
    const lr = step <= 60 ? (2e-5 * step) / 60 : 2e-5 * (1 - (step - 60) / 600);
    return {
      step,
      loss: 1.1 * Math.exp(-step / 180) + 0.18 + 0.05 * (rand() - 0.5),
      lr,
      ...(step % 50 === 0 ? { devMetric: Math.min(0.92, 0.45 + 0.45 * (1 - Math.exp(-step / 150)) + 0.02 * rand()) } : {}),
    };
  });
  const reliability = Array.from({ length: 10 }, (_, b) => {
    const lower = b / 10;
    const count = b < 3 ? 0 : Math.round(8 * (b - 2) ** 1.6);
    const mean = lower + 0.05;
    return {
      lower,
      upper: lower + 0.1,
      count,
      meanConfidence: count ? mean : 0,
      accuracy: count ? Math.min(1, mean - 0.06 + 0.04 * rand()) : 0,
    };
  });
  return {
    title: 'Review sentiment',
    runId: name,
    model: 'hf:sentence-transformers/all-MiniLM-L6-v2@main',
    prompt: { name: 'it-was', hash: '9f2c4e7a1b3d5f60718293a4b5c6d7e8', text: 'Review: {text}\nAll in all, it was [MASK].' },
    recipe: 'prompt-mlm + lora (r=8)',
    createdAt: '2025-01-15T10:30:00Z',
    dataset: { name: 'reviews/test@3f9a1c', n: 600 },
    labels: ['negative', 'neutral', 'positive'],
    metrics: {
      accuracy: 0.8533,
      macroF1: 0.8231,
      microF1: 0.8533,
      weightedF1: 0.8497,
      rocAuc: 0.9412,
      ece: 0.0612,
      temperature: 1.37,
      abstain: { threshold: 0.7, coverage: 0.81, precision: 0.923 },
    },
    intervals: { accuracy: [0.8245, 0.8817], macroF1: [0.7912, 0.8533], 'f1:neutral': [0.58, 0.71] },
    perClass: [
      { label: 'negative', precision: 0.871, recall: 0.902, f1: 0.8862, support: 225 },
      { label: 'neutral', precision: 0.681, recall: 0.62, f1: 0.6491, support: 100 },
      { label: 'positive', precision: 0.903, recall: 0.916, f1: 0.9095, support: 275 },
    ],
    confusion: [
      [203, 14, 8],
      [21, 62, 17],
      [9, 14, 252],
    ],
    reliability,
    byGroup: [
      { group: 'en', n: 410, accuracy: 0.871, macroF1: 0.842 },
      { group: 'fr', n: 140, accuracy: 0.829, macroF1: 0.797 },
      { group: 'de', n: 50, accuracy: 0.78, macroF1: 0.731 },
    ],
    learningCurve: { metric: 'macro-f1', points },
    errors: {
      confidentMistakes: [
        {
          text: 'Absolutely loved the first week, then the battery died and support never answered. I would not buy it again, although the screen is the best I have seen in this price range and the speakers are fine.',
          gold: 'negative',
          predicted: 'positive',
          confidence: 0.97,
        },
        { text: 'Not bad at all.', gold: 'positive', predicted: 'negative', confidence: 0.93 },
      ],
      unsureCorrect: [{ text: "C'est correct, sans plus.", gold: 'neutral', predicted: 'neutral', confidence: 0.36 }],
    },
  };
}

/** The smallest valid report: no optional field. */
export function minimalReport(): RunReport {
  return {
    title: 'Bare',
    model: 'default',
    createdAt: '2025-01-01T00:00:00Z',
    dataset: { name: 'tiny', n: 4 },
    labels: ['yes', 'no'],
    metrics: { accuracy: 0.75, macroF1: 0.733, microF1: 0.75, weightedF1: 0.733 },
    perClass: [
      { label: 'yes', precision: 0.667, recall: 1, f1: 0.8, support: 2 },
      { label: 'no', precision: 1, recall: 0.5, f1: 0.667, support: 2 },
    ],
    confusion: [
      [2, 0],
      [1, 1],
    ],
  };
}

// Strings a review data set can contain that would break or exploit a page built by concatenation.
const ATTACKS = [
  '<script>alert("title")</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(2)",
  '</style><script>alert(3)</script>',
  '</svg></title><a href="https://evil.example/">x</a>',
  '&amp; &lt; & &#0; ]]> <!-- -->',
  'nul\u0000 bell\u0007 lone\uD800 surrogate',
  'javascript:alert(4)',
];

/** A full report whose every user string is hostile. */
export function hostileReport(): RunReport {
  const r = sampleReport();
  const labels = [ATTACKS[1], ATTACKS[3], ATTACKS[4]] as string[];
  return {
    ...r,
    title: ATTACKS[0] as string,
    runId: ATTACKS[2] as string,
    model: ATTACKS[7] as string,
    prompt: { name: ATTACKS[5], hash: ATTACKS[6], text: `Review: {text}\n${ATTACKS.join('\n')}` },
    recipe: ATTACKS[4],
    createdAt: ATTACKS[5] as string,
    dataset: { name: ATTACKS[3] as string, n: 600 },
    labels,
    // A computed key is an own property: "__proto__" arrives like this from JSON.parse.
    intervals: { ...r.intervals, [ATTACKS[0] as string]: [0.1, 0.2], ['__proto__']: [0.3, 0.4] },
    perClass: r.perClass.map((c, i) => ({ ...c, label: labels[i] as string })),
    byGroup: r.byGroup?.map((g, i) => ({ ...g, group: ATTACKS[i] as string })),
    learningCurve: { metric: ATTACKS[2] as string, points: r.learningCurve?.points ?? [] },
    errors: {
      confidentMistakes: ATTACKS.map((text, i) => ({
        text: text.repeat(i + 1),
        gold: labels[0] as string,
        predicted: labels[1] as string,
        confidence: 0.9,
      })),
      unsureCorrect: [{ text: ATTACKS.join(' '), gold: labels[2] as string, predicted: labels[2] as string, confidence: 0.34 }],
    },
  };
}

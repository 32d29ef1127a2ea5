// Watches served models for drift: every interval, the predictions each model made in the last window (from the
// store, so every server process behind a load balancer contributes) are compared with the model's reference
// profile (drift-profile.json, made by `promptune drift profile`). PSI per feature goes to /metrics; a feature
// over the threshold raises an alert (a warning log line, and whatever `onAlert` does — e.g. a webhook).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DriftProfile, type DriftReport, compareWithProfile, driftProfileSchema } from '../../core/drift/index.js';
import type { Store } from '../../store/index.js';
import type { ServedModel } from '../models/served-model.js';
import type { Logger } from './logger.js';
import type { ServerMetrics } from './metrics.js';

/** The file next to a model that holds its reference profile. */
export const DRIFT_PROFILE_FILE = 'drift-profile.json';

/** How the monitor runs. */
export interface DriftOptions {
  /** Seconds of traffic each check looks at. */
  windowSeconds: number;
  /** Seconds between checks (0: only on demand, GET /v1/drift). */
  intervalSeconds: number;
  /** PSI above which a feature counts as drifted. */
  threshold: number;
  /** Fewer predictions than this in a window: no verdict (PSI on a handful of examples is noise). */
  minExamples: number;
}

/** One model's drift in one window. */
export interface ModelDrift {
  model: string;
  modelVersion: string;
  windowStart: string;
  windowEnd: string;
  /** Why there is no report: no profile, or too few predictions. */
  skipped?: string;
  report?: DriftReport;
}

/** Reads a model's reference profile, if it has one. */
export function readDriftProfile(dir: string): DriftProfile | undefined {
  const file = join(dir, DRIFT_PROFILE_FILE);
  if (!existsSync(file)) return undefined;
  return driftProfileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Compares one model's recent predictions in the store with its profile. */
export async function modelDrift(
  store: Store,
  model: ServedModel,
  opts: Pick<DriftOptions, 'windowSeconds' | 'threshold' | 'minExamples'>,
  now = new Date(),
): Promise<ModelDrift> {
  const modelVersion = `${model.identity.name}@${model.identity.version}`;
  const windowEnd = now.toISOString();
  const windowStart = new Date(now.getTime() - opts.windowSeconds * 1000).toISOString();
  const base = { model: model.identity.name, modelVersion, windowStart, windowEnd };
  const profile = readDriftProfile(model.dir);
  if (!profile)
    return { ...base, skipped: `no ${DRIFT_PROFILE_FILE} next to the model: run promptune drift profile --model ${model.dir}` };
  // Predictions whose text retention blanked have no text to profile: they are left out.
  const live = await store.predictions.list({
    modelVersion,
    since: windowStart,
    until: windowEnd,
    hasText: true,
    limit: 20_000,
  });
  if (live.length < opts.minExamples)
    return {
      ...base,
      skipped: `${live.length} predictions in the window, fewer than the ${opts.minExamples} needed for a verdict`,
    };
  const observed = live.map((p) => ({
    text: Object.values(p.input as Record<string, string>).join('\n'),
    label: p.label,
    confidence: p.confidence,
  }));
  return { ...base, report: await compareWithProfile(profile, observed, opts.threshold) };
}

/** Checks every served model on a timer; `latest` holds the last result per model. */
export class DriftMonitor {
  readonly latest = new Map<string, ModelDrift>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  readonly #alerted = new Map<string, Set<string>>();

  constructor(
    private readonly store: Store,
    private readonly models: () => ServedModel[],
    private readonly metrics: ServerMetrics,
    private readonly logger: Logger,
    readonly options: DriftOptions,
    private readonly onAlert: (drift: ModelDrift) => void = () => {},
  ) {}

  /** Starts periodic checks (none when intervalSeconds is 0). */
  start(): void {
    if (this.options.intervalSeconds > 0)
      this.#timer = setInterval(() => void this.checkAll(), this.options.intervalSeconds * 1000).unref();
  }

  /** Checks every model now. */
  checkAll(now = new Date()): Promise<void> {
    this.#running ??= (async () => {
      try {
        for (const m of this.models()) {
          const d: ModelDrift = await modelDrift(this.store, m, this.options, now).catch((e: Error) => ({
            model: m.identity.name,
            modelVersion: `${m.identity.name}@${m.identity.version}`,
            windowStart: '',
            windowEnd: now.toISOString(),
            skipped: `check failed: ${e.message}`,
          }));
          this.latest.set(m.identity.name, d);
          for (const f of d.report?.features ?? []) this.metrics.driftPsi.set({ model: d.model, feature: f.feature }, f.psi);
          // Alert when a feature starts drifting, not on every check while it stays drifted.
          const before = this.#alerted.get(d.model) ?? new Set<string>();
          const fresh = (d.report?.drifted ?? []).filter((f) => !before.has(f));
          if (d.report) this.#alerted.set(d.model, new Set(d.report.drifted));
          if (d.report?.drifted.length) {
            this.logger.log('warn', 'drift', {
              model: d.model,
              modelVersion: d.modelVersion,
              drifted: d.report.drifted,
              psi: Object.fromEntries(d.report.features.map((f) => [f.feature, +f.psi.toFixed(4)])),
              examples: d.report.examples,
            });
            if (fresh.length) this.onAlert(d);
          }
        }
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  /** Stops the timer and waits for a check in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}

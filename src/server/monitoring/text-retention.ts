// Text retention while serving (promptune serve --retain-texts 30d): at start and then hourly, the stored texts
// older than the window — predictions' inputs, feedback's copies, webhook payloads — are blanked, keeping the
// rows and their metrics. Every server process may sweep: the sweep is one idempotent UPDATE per table.
import type { PruneTextsReport, Store } from '../../store/index.js';
import type { Logger } from './logger.js';

/** How often a server sweeps. */
export const TEXT_RETENTION_SWEEP_MS = 3_600_000;

/** A running sweep timer. */
export interface TextRetention {
  /** Sweeps now (the timer's job; tests call it). */
  sweep(now?: Date): Promise<PruneTextsReport | undefined>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/** Sweeps at once, then every `everyMs`, blanking texts older than `retainMs`; failures are logged, not thrown. */
export function startTextRetention(
  store: Store,
  retainMs: number,
  logger: Logger,
  everyMs = TEXT_RETENTION_SWEEP_MS,
): TextRetention {
  let running: Promise<PruneTextsReport | undefined> | undefined;
  let stopped = false;
  const sweep = (now = new Date()): Promise<PruneTextsReport | undefined> => {
    running ??= (async () => {
      try {
        const report = await store.privacy.pruneTexts({ before: new Date(now.getTime() - retainMs).toISOString() });
        if (Object.values(report.blanked).some((n) => n > 0))
          logger.log('info', 'stored texts past retention blanked', { cutoff: report.cutoff, blanked: report.blanked });
        return report;
      } catch (e) {
        if (!stopped) logger.log('error', 'text retention sweep failed', { error: (e as Error).message });
        return undefined;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void sweep(), everyMs);
  timer.unref();
  void sweep();
  return {
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

// promptune drift: the reference profile a served model's traffic is compared with (profile), and how the traffic
// recorded in the store has moved from it (report) — the same comparison the server runs on a timer.
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { type DriftReport, type ObservedPrediction, buildDriftProfile, compareWithProfile } from '../../core/drift/index.js';
import { loadClassifier, readClassifierMeta } from '../../core/train/index.js';
import { DRIFT_PROFILE_FILE, modelVersionOf, readDriftProfile } from '../../server/index.js';
import { seededRandom, shuffled } from '../../shared/index.js';
import { type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, importTaskSplit, openProject } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { ProgressBar } from '../progress.js';
import { resolveModelDir } from './model-dir.js';

const HELP = `Usage: promptune drift profile [--model <dir> | --run <id>] [--limit N]
       promptune drift report  [--model <dir> | --run <id>] [--window 24h | --since <ISO time>] [--json]

profile   predicts on the task's training data (a seeded sample of --limit rows, default 2000) and saves what
          inputs and outputs look like — text length, language, out-of-vocabulary rate, predicted labels,
          confidence — as ${DRIFT_PROFILE_FILE} next to the model. promptune serve compares live traffic with it.
report    compares the predictions the server recorded for this model version in the store with the profile:
          the population stability index (PSI) per feature; over --threshold (default 0.2) counts as drifted.
          Exit code 3 when a feature drifted (for cron jobs and CI; 1 is an error, 2 a wrong command line).

Options:
  --model <dir> | --run <id>   the model (default: the task's newest completed run)
  --limit <n>                  profile: reference examples (default 2000)
  --window <d>                 report: how far back, e.g. 90m, 24h, 7d (default 24h)
  --since <time>               report: from this ISO time instead
  --threshold <psi>            report: drift threshold (default 0.2)
  --json                       report: the report as JSON
${PROJECT_HELP}`;

/** "90m", "24h", "7d", "3600s" → seconds. */
function parseWindow(text: string): number {
  const m = text.match(/^(\d+(?:\.\d+)?)([smhd])$/);
  if (!m) throw new UsageError(`--window ${text}: use a number and a unit, e.g. 90m, 24h or 7d`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** The report as a table a person reads. */
function describe(report: DriftReport): string {
  const lines = [`${report.examples} predictions; PSI over ${report.threshold} counts as drifted`, ''];
  for (const f of report.features) {
    const moved = [...f.bins].sort((a, b) => Math.abs(b.live - b.reference) - Math.abs(a.live - a.reference))[0];
    const shift = moved
      ? `  most moved: ${moved.bin} ${(100 * moved.reference).toFixed(1)} % → ${(100 * moved.live).toFixed(1)} %`
      : '';
    lines.push(`  ${f.feature.padEnd(10)} PSI ${f.psi.toFixed(3)}  ${f.psi > report.threshold ? 'DRIFTED' : 'stable '}${shift}`);
  }
  return `${lines.join('\n')}\n`;
}

export const driftCommand: Command = {
  name: 'drift',
  summary: "profile a model's reference data and report how live traffic has drifted from it",
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...PROJECT_OPTIONS,
        model: { type: 'string' },
        run: { type: 'string' },
        limit: { type: 'string', default: '2000' },
        window: { type: 'string', default: '24h' },
        since: { type: 'string' },
        threshold: { type: 'string', default: '0.2' },
        json: { type: 'boolean', default: false },
      },
    });
    const [action, ...extra] = positionals;
    if (extra.length || (action !== 'profile' && action !== 'report'))
      throw new UsageError('expected "promptune drift profile" or "promptune drift report"');
    const threshold = Number(values.threshold);
    if (!(threshold > 0)) throw new UsageError(`--threshold ${values.threshold}: expected a PSI > 0, e.g. 0.2`);
    const project = await openProject(values, io);
    try {
      const dir = await resolveModelDir(project, values, io);
      if (action === 'profile') {
        const limit = Number(values.limit);
        if (!(Number.isInteger(limit) && limit > 0)) throw new UsageError(`--limit ${values.limit}: expected a whole number > 0`);
        const imported = await importTaskSplit(project, 'train');
        if (!imported) throw new UsageError('the task names no training data (data.train in the task file): nothing to profile');
        const sample = shuffled(imported.dataset.examples, seededRandom(0)).slice(0, limit);
        const classifier = loadClassifier(dir);
        const observed: ObservedPrediction[] = [];
        try {
          const bar = new ProgressBar(io.stderr, sample.length, 'examples');
          for (let i = 0; i < sample.length; i += 32) {
            const batch = sample.slice(i, i + 32);
            const preds = classifier.predict(batch.map((e) => e.inputs as Record<string, string>));
            batch.forEach((e, k) => {
              const p = preds[k];
              if (!p) return;
              observed.push({ text: Object.values(e.inputs).join('\n'), label: p.label ?? null, confidence: p.confidence });
            });
            bar.update(Math.min(i + 32, sample.length));
          }
          bar.finish();
        } finally {
          classifier.dispose();
        }
        const profile = await buildDriftProfile(observed);
        const file = join(dir, DRIFT_PROFILE_FILE);
        writeFileSync(file, `${JSON.stringify(profile)}\n`);
        io.stdout.write(`drift profile of ${observed.length} training examples written to ${relative(io.cwd, file) || file}\n`);
        return 0;
      }
      const profile = readDriftProfile(dir);
      if (!profile) throw new UsageError(`${dir} has no ${DRIFT_PROFILE_FILE}: run promptune drift profile first`);
      const since = values.since ?? new Date(Date.now() - parseWindow(values.window as string) * 1000).toISOString();
      if (Number.isNaN(Date.parse(since)))
        throw new UsageError(`--since ${values.since}: expected an ISO time, e.g. 2026-11-24T00:00:00Z`);
      const version = modelVersionOf(dir, readClassifierMeta(dir));
      const live = (
        await project.store.predictions.list({
          taskId: project.loaded.task.name,
          since: new Date(since).toISOString(),
          // Texts blanked by retention cannot be profiled.
          hasText: true,
        })
      ).filter((p) => p.modelVersion.endsWith(`@${version}`));
      if (!live.length) {
        io.stdout.write(`no predictions by model version ${version} since ${since} in the store\n`);
        return 0;
      }
      const report = await compareWithProfile(
        profile,
        live.map((p) => ({
          text: Object.values(p.input as Record<string, string>).join('\n'),
          label: p.label,
          confidence: p.confidence,
        })),
        threshold,
      );
      io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : describe(report));
      return report.drifted.length ? EXIT.threshold : EXIT.ok;
    } finally {
      await project.close();
    }
  },
};

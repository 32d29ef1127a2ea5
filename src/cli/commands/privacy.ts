// promptune prune and promptune erase: the store's privacy tools. prune blanks stored texts (served predictions'
// inputs, feedback's copies, webhook payloads) older than a window, keeping the rows and their metrics; erase
// deletes everything stored about one subject. Both report rows per table. promptune serve --retain-texts runs the
// prune sweep itself, hourly.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_SUBJECT_CHARS, PRIVACY_TABLES, type Store, type TableCounts, openStore } from '../../store/index.js';
import { type CliIO, type Command, UsageError } from '../command.js';

/** The environment variable promptune serve reads when --retain-texts is not given. */
export const RETAIN_TEXTS_ENV = 'PROMPTUNE_RETAIN_TEXTS';

const UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A retention window such as 12h or 30d (also 90m) in milliseconds; `source` names where it came from
 * ("--retain-texts", or "PROMPTUNE_RETAIN_TEXTS=") for the message that refuses anything else.
 */
export function parseRetention(text: string, source: string): number {
  const m = /^([1-9]\d*)([mhd])$/.exec(text.trim());
  if (!m)
    throw new UsageError(
      `${source.endsWith('=') ? source : `${source} `}${JSON.stringify(text)}: expected a whole number and a unit — m (minutes), h (hours) or d (days) — e.g. 12h or 30d`,
    );
  return Number(m[1]) * UNITS[m[2] as keyof typeof UNITS];
}

const STORE_HELP =
  '  --store <url>            sqlite:<file> or postgres://… (default: PROMPTUNE_STORE_URL, else .promptune/promptune.db here)';

function openPrivacyStore(values: { store?: string }, io: CliIO): Promise<Store> {
  return openStore(values.store ?? (io.env.PROMPTUNE_STORE_URL || undefined), { projectDir: resolve(io.cwd) });
}

const table = (counts: TableCounts): string => PRIVACY_TABLES.map((t) => `  ${t.padEnd(20)} ${counts[t]}`).join('\n');

const PRUNE_HELP = `Usage: promptune prune --texts-older-than <duration> [--dry-run] [--json] [--store <url>]

Blanks the texts stored before the window — served predictions' inputs (the review queue's too), feedback's copies
of them (also feedback on a prediction from before the window) and webhook payloads — and keeps every row with its
label, probabilities, confidence, model version and timestamps, so dashboards, drift on labels and online accuracy
still add up. A blanked input reads back as null; the review queue, drift checks and feedback export (retrain)
skip such rows. A webhook delivery still pending past the window is given up (its body is gone). Prints rows per
table. promptune serve --retain-texts <duration> (or ${RETAIN_TEXTS_ENV}) does this at start and hourly.

Options:
  --texts-older-than <d>   the window: a whole number and m, h or d, e.g. 12h or 30d
  --dry-run                count what would be blanked; change nothing
  --json                   print {"cutoff", "dryRun", "blanked": {table: rows}}
${STORE_HELP}`;

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'blank stored prediction texts older than a window (rows and metrics kept), per table',
  help: PRUNE_HELP,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        'texts-older-than': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        store: { type: 'string' },
      },
    });
    const window = values['texts-older-than'];
    if (window === undefined)
      throw new UsageError('promptune prune needs --texts-older-than <duration>, e.g. --texts-older-than 30d');
    const ms = parseRetention(window, '--texts-older-than');
    const store = await openPrivacyStore(values, io);
    try {
      const report = await store.privacy.pruneTexts({
        before: new Date(Date.now() - ms).toISOString(),
        dryRun: values['dry-run'] as boolean,
      });
      io.stdout.write(
        values.json
          ? `${JSON.stringify(report)}\n`
          : `${report.dryRun ? 'would blank' : 'blanked'} texts stored before ${report.cutoff}:\n${table(report.blanked)}\n`,
      );
      return 0;
    } finally {
      await store.close();
    }
  },
};

const ERASE_HELP = `Usage: promptune erase --subject <id> [--json] [--store <url>]

Deletes every row stored about one subject — the "subject" a caller gave with POST /v1/predict: its predictions
(and so their review-queue entries), all feedback on them or naming the subject, and the webhook deliveries
carrying them — in one transaction, and prints rows deleted per table. Erasing a subject the store does not know
deletes nothing and succeeds. The same over HTTP: DELETE /v1/subjects/{id} with an admin key.

Options:
  --subject <id>           the subject id (1 to ${MAX_SUBJECT_CHARS} characters)
  --json                   print {"subject", "deleted": {table: rows}}
${STORE_HELP}`;

export const eraseCommand: Command = {
  name: 'erase',
  summary: 'delete everything stored about one subject (predictions, feedback, webhook deliveries), per table',
  help: ERASE_HELP,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { subject: { type: 'string' }, json: { type: 'boolean', default: false }, store: { type: 'string' } },
    });
    const subject = values.subject;
    if (subject === undefined || subject === '')
      throw new UsageError('promptune erase needs --subject <id>: the subject given with the predictions');
    if (subject.length > MAX_SUBJECT_CHARS)
      throw new UsageError(`--subject has ${subject.length} characters: a subject id has at most ${MAX_SUBJECT_CHARS}`);
    const store = await openPrivacyStore(values, io);
    try {
      const report = await store.privacy.eraseSubject(subject);
      io.stdout.write(
        values.json ? `${JSON.stringify(report)}\n` : `erased subject ${JSON.stringify(subject)}:\n${table(report.deleted)}\n`,
      );
      return 0;
    } finally {
      await store.close();
    }
  },
};

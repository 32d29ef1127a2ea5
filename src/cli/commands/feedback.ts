// promptune feedback: record a person's rating or correction of a prediction, list it, and export it as
// labelled examples with their provenance (which prompt and model predicted what, who said so, when).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { FeedbackRating } from '../../store/index.js';
import { type Command, UsageError } from '../command.js';
import { INPUT_OPTIONS, PROJECT_HELP, PROJECT_OPTIONS, type Project, openProject, readInputs } from '../context.js';

const HELP = `Usage: promptune feedback <action> [options]

Actions:
  add      record feedback on one prediction: a rating, a correction, or a comment
  list     recent feedback, newest first
  export   feedback as labelled examples (JSONL, one {input, label, provenance} per line)

Options (add):
  --text <t> | --input <field=value> ...   the input as the model saw it
  --prediction <label>     what the model predicted
  --correct <label>        what it should have been (a correction becomes a labelled example)
  --rating <r>             up (1), down (-1) or unsure (0); a thumbs-up confirms the prediction as the label
  --comment <text>         anything else the reviewer said
  --prompt <name|hash>     the prompt version that produced the prediction
  --model-version <id>     the model version that produced it
  --author <name>          who gave the feedback (default: $USER)
Options (list / export):
  --limit <n>              list: at most n (default 20)
  --out <file>             export: where to write (default: stdout)
${PROJECT_HELP}`;

const RATINGS: Record<string, FeedbackRating> = { up: 1, '1': 1, '+1': 1, down: -1, '-1': -1, unsure: 0, '0': 0 };

/** A label of the task, or a clear error listing them. */
function label(project: Project, value: string | undefined, flag: string): string | null {
  if (value === undefined) return null;
  const labels = project.loaded.task.labels.map((l) => l.name);
  if (!labels.includes(value))
    throw new UsageError(`${flag} "${value}" is not a label of the task (labels: ${labels.join(', ')})`);
  return value;
}

export const feedbackCommand: Command = {
  name: 'feedback',
  summary: 'record ratings and corrections of predictions; export them as labelled data',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...PROJECT_OPTIONS,
        ...INPUT_OPTIONS,
        prediction: { type: 'string' },
        correct: { type: 'string' },
        rating: { type: 'string' },
        comment: { type: 'string' },
        prompt: { type: 'string' },
        'model-version': { type: 'string' },
        author: { type: 'string' },
        limit: { type: 'string', default: '20' },
        out: { type: 'string' },
      },
    });
    const [action] = positionals;
    if (!action || positionals.length > 1) throw new UsageError('expected "promptune feedback add|list|export"');
    const project = await openProject(values, io);
    try {
      const taskId = project.loaded.task.name;
      if (action === 'add') {
        const input = readInputs(
          values,
          project.loaded.task.inputs.map((i) => i.name),
          'feedback',
        );
        const rating = values.rating === undefined ? null : RATINGS[values.rating];
        if (rating === undefined) throw new UsageError(`--rating "${values.rating}": use up, down or unsure (1, -1, 0)`);
        if (rating === null && values.correct === undefined && values.comment === undefined) {
          throw new UsageError('feedback needs at least one of --rating, --correct or --comment');
        }
        const promptHash = values.prompt ? await resolvePromptHash(project, values.prompt) : null;
        const fb = await project.store.feedback.record({
          taskId,
          promptHash,
          modelVersion: values['model-version'] ?? null,
          input,
          prediction: label(project, values.prediction, '--prediction'),
          correctLabel: label(project, values.correct, '--correct'),
          rating,
          comment: values.comment ?? null,
          author: values.author ?? io.env.USER ?? null,
        });
        io.stdout.write(`Recorded feedback ${fb.id}.\n`);
        return 0;
      }
      if (action === 'list') {
        const limit = Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1)
          throw new UsageError(`--limit must be a positive integer, got "${values.limit}"`);
        for (const f of await project.store.feedback.list({ taskId, limit })) {
          const verdict = f.correctLabel
            ? `${f.prediction ?? '?'} → ${f.correctLabel}`
            : `${f.prediction ?? '?'} ${f.rating === 1 ? '👍' : f.rating === -1 ? '👎' : f.rating === 0 ? '?' : ''}`;
          io.stdout.write(
            `${f.createdAt}  ${f.author ?? '-'}  ${verdict}  ${JSON.stringify(f.input).slice(0, 80)}${f.comment ? `  “${f.comment}”` : ''}\n`,
          );
        }
        return 0;
      }
      if (action === 'export') {
        const examples = await project.store.feedback.exportExamples(taskId);
        const jsonl = examples.map((e) => JSON.stringify(e)).join('\n') + (examples.length ? '\n' : '');
        if (values.out) {
          writeFileSync(resolve(io.cwd, values.out), jsonl);
          io.stdout.write(`Wrote ${examples.length} labelled example(s) to ${values.out}.\n`);
        } else {
          io.stdout.write(jsonl);
        }
        return 0;
      }
      throw new UsageError(`unknown action "${action}": add, list or export`);
    } finally {
      await project.close();
    }
  },
};

/** The hash of a prompt given by name (newest version) or hash prefix. */
async function resolvePromptHash(project: Project, ref: string): Promise<string> {
  const byName = await project.store.prompts.list(project.loaded.task.name, { name: ref });
  return byName[0]?.hash ?? (await project.store.prompts.get(ref)).hash;
}

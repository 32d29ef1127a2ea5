// promptune train: fine-tunes the task's model on the task's data with a recipe (prompt-based or a
// classification head, full or LoRA), showing progress, recording the run and its metrics, checkpointing so a
// killed run can --resume, and saving the fine-tuned model where Python transformers opens it.
import { parseArgs } from 'node:util';
import { executeRun, openRun, reopenRun } from '../../app/index.js';
import { type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, openProject } from '../context.js';
import { describeOutcome, renderRunProgress } from '../training/render.js';
import { HYPER_HELP, HYPER_OPTIONS, specFromFlags } from '../training/spec.js';

const HELP = `Usage: promptune train [options]
       promptune train --resume <run id>

Fine-tunes the task's model on data.train, evaluating on data.dev (else a stratified 10 % of train) with the
task's metric, then on data.test. The run, its settings and every step's metrics go to the store and to
.promptune/runs/<run id>/metrics.jsonl; checkpoints go to .promptune/runs/<run id>/checkpoints. The model with
the best dev score is saved with its promptune.json (recipe, labels, prompt, temperature fitted on dev data) to
.promptune/runs/<run id>/model: Python transformers opens it, promptune predict / eval use it.

Options:
  --resume <run id>        continue a run that was interrupted (killed, crashed, failed) from its newest
                           checkpoint, with the settings it started with; the result equals an uninterrupted run
${HYPER_HELP}
${PROJECT_HELP}`;

export const trainCommand: Command = {
  name: 'train',
  summary: 'fine-tune the model on the task data (prompt-based or classification head, full or LoRA)',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { ...PROJECT_OPTIONS, ...HYPER_OPTIONS, resume: { type: 'string' } } });
    const { task: _t, store: _s, resume, ...hyper } = values;
    if (resume && Object.entries(hyper).some(([, v]) => v !== undefined && v !== false))
      throw new UsageError('--resume takes no other training options: the run continues with the settings it started with');
    const spec = resume ? undefined : specFromFlags(hyper);
    const project = await openProject(values, io);
    try {
      const opened = resume ? await reopenRun(project, resume) : await openRun(project, spec as NonNullable<typeof spec>);
      const outcome = await executeRun(project, opened, {
        resume: resume !== undefined,
        onProgress: renderRunProgress(io),
      });
      io.stdout.write(describeOutcome(outcome, project.loaded.task.metric, io.cwd));
      return 0;
    } finally {
      await project.close();
    }
  },
};

// promptune export: a fine-tuned classifier as an ONNX model that runs in onnxruntime and transformers.js (the
// browser), or as a plain Hugging Face directory for Python's transformers.
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { EXPORT_FORMATS, exportModel } from '../../app/index.js';
import { type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, openProject } from '../context.js';

const FORMATS = EXPORT_FORMATS;

const HELP = `Usage: promptune export [--model <dir> | --run <id>] --format onnx|hf --out <dir>

Exports a fine-tuned model (default: the newest completed run of the task).
  onnx  <out>/onnx/model.onnx with config.json, tokenizer files, promptune.json and export.json, the layout
        transformers.js loads. Output "logits" [batch, labels] with the temperature applied: softmax(logits)
        equals what promptune predict gives. export.json says what text to tokenize (prompt models: the
        rendered template, with {field} where each input goes). Supported: single-label classification and
        setfit models, and prompt-mlm models with one prompt, no demonstrations and single-token label words.
  hf    config.json, model.safetensors and tokenizer files for transformers' from_pretrained (the encoder and
        its head; Promptune's own files such as promptune.json and the SetFit head are left out).

Options:
  --model <dir>            a model directory saved by promptune train (with promptune.json)
  --run <id>               the model of this run
  --format <onnx|hf>       what to write
  --out <dir>              the output directory (created; files in it are replaced)
${PROJECT_HELP}`;

export const exportCommand: Command = {
  name: 'export',
  summary: 'export a fine-tuned model to ONNX (onnxruntime, transformers.js) or a Hugging Face directory',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...PROJECT_OPTIONS,
        model: { type: 'string' },
        run: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
      },
    });
    const format = values.format as (typeof FORMATS)[number] | undefined;
    if (format === undefined) throw new UsageError('--format is required: --format onnx or --format hf');
    if (!FORMATS.includes(format))
      throw new UsageError(`--format ${values.format}: unknown format; use onnx (onnxruntime, transformers.js) or hf`);
    if (!values.out) throw new UsageError('--out is required: the directory to write the export into, e.g. --out export');
    if (values.model && values.run) throw new UsageError('give --model <dir> or --run <id>, not both');
    const input = {
      format,
      out: values.out,
      ...(values.model ? { model: values.model } : {}),
      ...(values.run ? { run: values.run } : {}),
    };
    // A model directory is self-contained: no task file or store needed.
    const project = values.model ? undefined : await openProject(values, io);
    let result: Awaited<ReturnType<typeof exportModel>>;
    try {
      result = await exportModel(project, input, io.cwd);
    } finally {
      await project?.close();
    }
    const { modelDir, out } = result;
    const shown = relative(io.cwd, out) || '.';
    io.stdout.write(`exported ${relative(io.cwd, modelDir) || modelDir} as ${format} to ${shown}/\n`);
    for (const f of result.files) io.stdout.write(`  ${f}\n`);
    return 0;
  },
};

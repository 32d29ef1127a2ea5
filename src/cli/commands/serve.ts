// promptune serve: the model server — HTTP predictions with dynamic batching, API keys, feedback, review queue,
// traffic splits, metrics — until SIGINT / SIGTERM, then a graceful stop.
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type LogLevel, type RunningServer, loadIntegrations, readDriftProfile, startServer } from '../../server/index.js';
import { type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, openProject } from '../context.js';
import { resolveModelDir } from './model-dir.js';
import { RETAIN_TEXTS_ENV, parseRetention } from './privacy.js';

const HELP = `Usage: promptune serve [--model [name=]<dir> ...] [--run <id>] [options]

Serves fine-tuned models over HTTP (default: the task's newest completed run, named "live"). API: /openapi.json.
Requests need an API key (promptune keys create) unless --no-auth, which only a loopback host allows.
Put TLS in front with a reverse proxy (docs/serving.md).

Models and traffic:
  --model [name=]<dir>     a model directory to serve (repeat for several versions; name defaults to live, v2, …)
  --run <id>               serve this run's model
  --split <name=share,...> traffic shares, e.g. live=90,canary=10 (default: all to the first model)
Server:
  --host <addr>            default 127.0.0.1 (use 0.0.0.0 behind a proxy or in a container)
  --port <n>               default 8080 (0: any free port)
  --threads <n>            engine threads per model worker (default: all cores but one, at least 1: the
                           event loop needs a core — on 2 cores one thread serves faster, BENCHMARKS.md)
Batching and back-pressure:
  --max-batch <n>          examples per forward pass (default 32)
  --max-wait-ms <n>        longest an example waits for others (default 5)
  --max-queue <n>          examples waiting per model before 429 (default 512)
Limits and security:
  --rate-limit <n>         requests per minute per key, unless the key sets its own (default 600)
  --max-body <bytes>       request body limit (default 1048576)
  --max-text-chars <n>     longest input text (default 20000)
  --max-instances <n>      examples per request (default 256)
  --cors <origins>         comma-separated allowed origins (default: CORS off)
  --no-auth                no API keys (loopback host only: for local trials)
Monitoring:
  --review-below <p>       predictions under this confidence join the review queue (default 0.6)
  --workspace <dir>        where tasks defined over the API live, one folder each (default .promptune/workspace)
  --log-inputs             log each prediction's inputs, PII-redacted (default off)
  --log-level <level>      debug, info, warn or error (default info)
  --drift-window <s>       seconds of traffic each drift check compares with the model's profile (default 3600)
  --drift-interval <s>     seconds between drift checks, 0 for on demand only (default 300)
  --drift-threshold <psi>  PSI over which a feature counts as drifted: warning log + alert (default 0.2)
Privacy:
  --retain-texts <d>       blank stored texts (predictions' inputs, feedback's copies, webhook payloads) older
                           than this, e.g. 12h or 30d, at start and hourly; rows and metrics stay (default:
                           ${RETAIN_TEXTS_ENV}, else keep texts). Erasure: promptune erase, DELETE /v1/subjects/{id}
Integrations:
  --integrations <file>    webhooks (signed, retried) and the CRM mapping for POST /v1/crm/records, YAML or JSON
                           (docs/integrations.md)
${PROJECT_HELP}`;

const int = (v: unknown, flag: string, min: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} ${v}: expected a whole number ≥ ${min}`);
  return n;
};

const positive = (v: unknown, flag: string): number => {
  const n = Number(v);
  if (!(n > 0)) throw new UsageError(`--${flag} ${v}: expected a number > 0`);
  return n;
};

/** Stops the server on SIGINT / SIGTERM; resolves when it has stopped. */
function untilSignal(server: RunningServer, log: (msg: string) => void): Promise<void> {
  return new Promise((done) => {
    const stop = (signal: string) => {
      log(`${signal}: finishing in-flight requests, then stopping`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      server.close().then(done, done);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve fine-tuned models over HTTP (batching, keys, feedback, traffic splits, metrics)',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...PROJECT_OPTIONS,
        model: { type: 'string', multiple: true },
        run: { type: 'string' },
        split: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8080' },
        threads: { type: 'string' },
        'max-batch': { type: 'string', default: '32' },
        'max-wait-ms': { type: 'string', default: '5' },
        'max-queue': { type: 'string', default: '512' },
        'rate-limit': { type: 'string', default: '600' },
        'max-body': { type: 'string', default: String(1024 * 1024) },
        'max-text-chars': { type: 'string', default: '20000' },
        'max-instances': { type: 'string', default: '256' },
        cors: { type: 'string' },
        'no-auth': { type: 'boolean', default: false },
        'review-below': { type: 'string', default: '0.6' },
        'log-inputs': { type: 'boolean', default: false },
        'log-level': { type: 'string', default: 'info' },
        'drift-window': { type: 'string', default: '3600' },
        'drift-interval': { type: 'string', default: '300' },
        'drift-threshold': { type: 'string', default: '0.2' },
        integrations: { type: 'string' },
        workspace: { type: 'string' },
        'retain-texts': { type: 'string' },
      },
    });
    const level = values['log-level'] as LogLevel;
    if (!['debug', 'info', 'warn', 'error'].includes(level))
      throw new UsageError(`--log-level ${level}: use debug, info, warn or error`);
    const retainTexts = values['retain-texts'] ?? (io.env[RETAIN_TEXTS_ENV] || undefined);
    const retainTextsMs =
      retainTexts === undefined
        ? undefined
        : parseRetention(retainTexts, values['retain-texts'] !== undefined ? '--retain-texts' : `${RETAIN_TEXTS_ENV}=`);
    const reviewBelow = Number(values['review-below']);
    if (!(reviewBelow >= 0 && reviewBelow <= 1))
      throw new UsageError(`--review-below ${values['review-below']}: expected a probability between 0 and 1`);
    // Read before anything starts, so a mistake in the file stops the command at once.
    const integrations = values.integrations ? loadIntegrations(resolve(io.cwd, values.integrations), io.env) : undefined;
    const project = await openProject(values, io);
    let server: RunningServer | undefined;
    try {
      const models: { name: string; dir: string }[] = [];
      for (const [i, spec] of (values.model ?? []).entries()) {
        const eq = spec.indexOf('=');
        const name = eq > 0 ? spec.slice(0, eq) : i === 0 ? 'live' : `v${i + 1}`;
        if (!/^[\w.-]{1,64}$/.test(name))
          throw new UsageError(`--model ${spec}: name "${name}" may use letters, digits, _ . - only`);
        models.push({ name, dir: resolve(io.cwd, eq > 0 ? spec.slice(eq + 1) : spec) });
      }
      if (!models.length || values.run)
        models.unshift({ name: values.run ?? 'live', dir: await resolveModelDir(project, { run: values.run }, io) });
      let split: Record<string, number> | undefined;
      if (values.split) {
        split = {};
        for (const part of values.split.split(',')) {
          const [name, share] = part.split('=');
          if (!name || share === undefined || !(Number(share) >= 0))
            throw new UsageError(`--split ${values.split}: expected name=share pairs, e.g. live=90,canary=10`);
          split[name] = Number(share);
        }
      }
      server = await startServer({
        store: project.store,
        models,
        ...(split ? { split } : {}),
        host: values.host as string,
        port: int(values.port, 'port', 0),
        limits: {
          maxBodyBytes: int(values['max-body'], 'max-body', 1024),
          maxTextChars: int(values['max-text-chars'], 'max-text-chars', 1),
          maxInstances: int(values['max-instances'], 'max-instances', 1),
          ratePerMinute: int(values['rate-limit'], 'rate-limit', 1),
        },
        batching: {
          maxBatch: int(values['max-batch'], 'max-batch', 1),
          maxWaitMs: int(values['max-wait-ms'], 'max-wait-ms', 0),
          maxQueue: int(values['max-queue'], 'max-queue', 1),
          threads: values.threads ? int(values.threads, 'threads', 1) : Math.max(1, availableParallelism() - 1),
        },
        authDisabled: values['no-auth'] as boolean,
        corsOrigins: values.cors ? values.cors.split(',').map((o) => o.trim()) : [],
        logInputs: values['log-inputs'] as boolean,
        reviewBelow,
        workspace: resolve(io.cwd, values.workspace ?? join('.promptune', 'workspace')),
        logLevel: level,
        drift: {
          windowSeconds: int(values['drift-window'], 'drift-window', 1),
          intervalSeconds: int(values['drift-interval'], 'drift-interval', 0),
          threshold: positive(values['drift-threshold'], 'drift-threshold'),
        },
        ...(integrations ? { integrations } : {}),
        ...(retainTextsMs !== undefined ? { retainTextsMs } : {}),
      }).catch((e: Error) => {
        throw /loopback/.test(e.message) ? new UsageError(e.message) : e;
      });
      for (const m of server.context.models.list())
        if (m.meta.task !== project.loaded.task.name)
          io.stderr.write(
            `warning: model "${m.identity.name}" was trained for task "${m.meta.task}", not "${project.loaded.task.name}": feedback on it needs that task in the store\n`,
          );
      for (const m of server.context.models.list())
        if (!readDriftProfile(m.dir))
          io.stderr.write(
            `note: model "${m.identity.name}" has no drift profile, so its traffic is not checked for drift: promptune drift profile --model ${m.dir}\n`,
          );
      if (!values['no-auth'] && !(await project.store.apiKeys.list()).some((k) => !k.revokedAt))
        io.stderr.write('warning: no API keys yet: every request will be refused until you run promptune keys create <name>\n');
      io.stderr.write(`promptune serve: listening on ${server.url} (API: ${server.url}/openapi.json); Ctrl-C stops\n`);
      await untilSignal(server, (m) => io.stderr.write(`promptune serve: ${m}\n`));
      io.stderr.write('promptune serve: stopped\n');
      return 0;
    } finally {
      await server?.close();
      await project.close();
    }
  },
};

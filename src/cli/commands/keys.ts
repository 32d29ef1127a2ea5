// promptune keys: API keys for the model server — make one (the secret is printed once), list, revoke.
import { parseArgs } from 'node:util';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../store/index.js';
import { type Command, UsageError } from '../command.js';
import { PROJECT_HELP, PROJECT_OPTIONS, openProject } from '../context.js';

const HELP = `Usage: promptune keys <action> [options]

API keys for promptune serve. The store keeps only a hash of each key: the secret is printed once, by create.

Actions:
  create <name>            make a key (prints the secret once)
  list                     every key: name, scopes, rate limit, created, revoked
  revoke <name|id>         revoke a key (servers stop accepting it within 10 seconds)

Options (create):
  --scopes <list>          comma-separated: ${API_KEY_SCOPES.join(', ')} (default predict; admin implies all)
  --rate <n>               requests per minute for this key (default: the server's --rate-limit)
${PROJECT_HELP}`;

export const keysCommand: Command = {
  name: 'keys',
  summary: 'create, list and revoke API keys for the model server',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...PROJECT_OPTIONS, scopes: { type: 'string', default: 'predict' }, rate: { type: 'string' } },
    });
    const [action, name, ...extra] = positionals;
    if (extra.length || !action || !['create', 'list', 'revoke'].includes(action))
      throw new UsageError('expected "promptune keys create <name> | list | revoke <name|id>"');
    if (action !== 'list' && !name) throw new UsageError(`promptune keys ${action} needs a key name (or id for revoke)`);
    const scopes = (values.scopes as string).split(',').map((s) => s.trim()) as ApiKeyScope[];
    const unknown = scopes.filter((s) => !API_KEY_SCOPES.includes(s));
    if (unknown.length)
      throw new UsageError(`--scopes ${values.scopes}: unknown ${unknown.join(', ')}; use ${API_KEY_SCOPES.join(', ')}`);
    const rate = values.rate === undefined ? null : Number(values.rate);
    if (rate !== null && !(Number.isInteger(rate) && rate > 0))
      throw new UsageError(`--rate ${values.rate}: expected a whole number of requests per minute, > 0`);
    const project = await openProject(values, io);
    try {
      if (action === 'create') {
        const { key, secret } = await project.store.apiKeys.create({ name: name as string, scopes, ratePerMinute: rate });
        io.stdout.write(`${secret}\n`);
        io.stderr.write(
          `key "${key.name}" (${key.id}) with scopes ${key.scopes.join(', ')}: the secret above is shown only now — keep it in your secret store.\n`,
        );
      } else if (action === 'list') {
        for (const k of await project.store.apiKeys.list())
          io.stdout.write(
            `${k.name}\t${k.id}\t${k.scopes.join(',')}\t${k.ratePerMinute ?? 'default'}/min\tcreated ${k.createdAt}${k.revokedAt ? `\trevoked ${k.revokedAt}` : ''}\n`,
          );
      } else {
        const k = await project.store.apiKeys.revoke(name as string);
        io.stdout.write(`revoked key "${k.name}" (${k.id})\n`);
      }
      return 0;
    } finally {
      await project.close();
    }
  },
};

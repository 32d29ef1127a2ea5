// Taking data elsewhere: chat-format fine-tuning JSONL (what hosted LLM fine-tuning services accept) and a
// directory that Hugging Face `datasets.load_dataset(dir)` loads, so nothing locks users in.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, Example } from './example.js';

/** The system and user messages for one example (plug a prompt in here). */
export type ChatFormatter = (e: Example) => { system?: string; user: string };

/** One JSONL line per example: {"messages": [system?, user, assistant = label(s)]}. */
export function toChatJsonl(ds: Dataset, format: ChatFormatter): string {
  return ds.examples
    .map((e) => {
      const { system, user } = format(e);
      const messages = [
        ...(system ? [{ role: 'system', content: system }] : []),
        { role: 'user', content: user },
        { role: 'assistant', content: e.labels.join(', ') },
      ];
      return JSON.stringify({ messages });
    })
    .join('\n')
    .concat(ds.examples.length ? '\n' : '');
}

/** Writes splits as JSONL files plus a dataset card whose front matter tells `datasets` the files and labels. */
export function writeHfDatasetDir(
  dir: string,
  splits: Record<string, Dataset>,
  opts: { name: string; labels: readonly string[]; multiLabel?: boolean },
): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const fields = [...new Set(Object.values(splits).flatMap((d) => d.fields))];
  for (const [split, ds] of Object.entries(splits)) {
    const file = `${split}.jsonl`;
    const lines = ds.examples.map((e) =>
      JSON.stringify({ ...e.inputs, label: opts.multiLabel ? e.labels : (e.labels[0] ?? null), id: e.id }),
    );
    writeFileSync(join(dir, file), lines.join('\n') + (lines.length ? '\n' : ''));
    written.push(file);
  }
  const card = [
    '---',
    'configs:',
    '- config_name: default',
    '  data_files:',
    ...Object.keys(splits).map((s) => `  - split: ${s}\n    path: ${s}.jsonl`),
    '---',
    `# ${opts.name}`,
    '',
    `Exported by Promptune. Input fields: ${fields.join(', ')}. Label${opts.multiLabel ? 's (a list per row)' : ''}: ${opts.labels.join(', ')}.`,
    '',
    ...Object.entries(splits).map(([s, d]) => `- ${s}: ${d.examples.length} rows, content hash ${d.hash}`),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'README.md'), card);
  written.push('README.md');
  return written;
}

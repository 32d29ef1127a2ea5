// A hyper-parameter search space: each hyper-parameter either a list of values to try or a range to sample
// (linear or log scale, real or whole numbers). Read from YAML with messages that point at the line, name the
// field and say the fix.
import { LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import { SearchError } from './errors.js';

/** One value a hyper-parameter can take. */
export type ParamValue = number | string | boolean;

/** Try each of these values. */
export interface ChoiceDimension {
  kind: 'choice';
  values: ParamValue[];
}

/** Sample between min and max (inclusive), uniformly on a linear or log scale, optionally whole numbers only. */
export interface RangeDimension {
  kind: 'range';
  min: number;
  max: number;
  log: boolean;
  int: boolean;
}

/** How one hyper-parameter varies. */
export type Dimension = ChoiceDimension | RangeDimension;

/** Hyper-parameter name → how it varies, in the order the file lists them. */
export type SearchSpace = Record<string, Dimension>;

/** One configuration: a value for every hyper-parameter of the space. */
export type Assignment = Record<string, ParamValue>;

const EXAMPLE = 'e.g. lr: [1e-5, 3e-5] or lr: {min: 1e-5, max: 1e-4, log: true}';

const choiceSchema = z
  .array(z.union([z.number(), z.string(), z.boolean()]), 'expected a list of numbers, words or true/false')
  .min(1, 'the list is empty: give at least one value')
  .refine((vs) => new Set(vs).size === vs.length, 'a value is listed twice: list each once');

const rangeSchema = z
  .object({
    min: z.number('min must be a number'),
    max: z.number('max must be a number'),
    log: z.boolean('log must be true or false').default(false),
    int: z.boolean('int must be true or false').default(false),
  })
  .strict()
  .refine((r) => r.min < r.max, { message: 'min must be below max: swap them, or use a list for one value', path: ['max'] })
  .refine((r) => !r.log || r.min > 0, { message: 'a log scale needs min > 0', path: ['min'] })
  .refine((r) => !r.int || (Number.isInteger(r.min) && Number.isInteger(r.max)), {
    message: 'int: true needs whole-number min and max',
    path: ['min'],
  });

/** Validates a parsed search space; `where` maps a field path to "file:line" for messages. */
export function parseSearchSpace(
  value: unknown,
  source = 'search space',
  where: (path: PropertyKey[]) => string = () => source,
): SearchSpace {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SearchError(
      'SEARCH_SPACE_INVALID',
      `${source}: expected a mapping of hyper-parameters to values or ranges (${EXAMPLE}), got ${JSON.stringify(value) ?? 'nothing'}.`,
    );
  const entries = Object.entries(value);
  if (entries.length === 0)
    throw new SearchError('SEARCH_SPACE_INVALID', `${source}: the space names no hyper-parameter: add one, ${EXAMPLE}.`);
  const space: SearchSpace = {};
  const problems: string[] = [];
  for (const [name, raw] of entries) {
    const isList = Array.isArray(raw);
    const isRange = typeof raw === 'object' && raw !== null && !isList;
    if (!isList && !isRange) {
      problems.push(
        `${where([name])}: ${name} is ${JSON.stringify(raw) ?? 'empty'}: expected a list of values or a range, ${EXAMPLE}.`,
      );
      continue;
    }
    const r = isList ? choiceSchema.safeParse(raw) : rangeSchema.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const path = [name, ...issue.path];
        const got = issue.path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown> | undefined)?.[k], raw);
        const shown = got === undefined ? 'missing' : JSON.stringify(got);
        const message =
          issue.code === 'unrecognized_keys'
            ? `${issue.keys.join(', ')} is not a range setting: a range has only min, max, log and int`
            : issue.message;
        problems.push(`${where(path)}: ${path.map(String).join('.')} is ${shown}: ${message}.`);
      }
      continue;
    }
    space[name] = Array.isArray(r.data) ? { kind: 'choice', values: r.data } : { kind: 'range', ...r.data };
  }
  if (problems.length) throw new SearchError('SEARCH_SPACE_INVALID', problems.join('\n'));
  return space;
}

/** Reads a search space from YAML (or JSON) text; `source` names the file in messages. */
export function readSearchSpace(text: string, source = 'search space'): SearchSpace {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const e = doc.errors[0];
  if (e) {
    const pos = e.linePos?.[0];
    throw new SearchError(
      'SEARCH_SPACE_SYNTAX',
      `${source}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${e.message.split('\n')[0]}`,
    );
  }
  const where = (p: PropertyKey[]): string => {
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n) as unknown[], true) as Node | undefined;
      if (node?.range) return `${source}:${lines.linePos(node.range[0]).line}`;
    }
    return source;
  };
  return parseSearchSpace(doc.toJS(), source, where);
}

/** Whether every hyper-parameter is a list (so a grid can enumerate the space). */
export function isGridSpace(space: SearchSpace): boolean {
  return Object.values(space).every((d) => d.kind === 'choice');
}

/** A range's value in the space samplers work in: log for log scales, widened by half a step for whole numbers. */
export function toUnit(d: RangeDimension): { low: number; high: number; to(v: number): number; from(u: number): number } {
  const pad = d.int ? 0.5 : 0;
  const f = d.log ? Math.log : (v: number) => v;
  const g = d.log ? Math.exp : (u: number) => u;
  const [low, high] = [f(d.min - pad), f(d.max + pad)];
  return {
    low,
    high,
    to: f,
    // Whole numbers round; reals keep 4 significant digits, so a configuration prints and replays exactly.
    from: (u) => {
      const v = d.int ? Math.round(g(u)) : Number(g(u).toPrecision(4));
      return Math.min(d.max, Math.max(d.min, v));
    },
  };
}

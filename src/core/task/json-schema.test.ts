// The task file's JSON Schema: generated from the zod schema, committed where editors can point at it, and read by
// a real JSON Schema validator the way an editor would — a valid task passes, each mistake is found at its field.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { taskJsonSchema } from './schema.js';

const committed = new URL('../../../docs/promptune.schema.json', import.meta.url);

describe('the task file JSON Schema', () => {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(taskJsonSchema());
  const task = {
    name: 'review-stars',
    objective: 'Spot five-star reviews',
    inputs: [{ name: 'text', description: 'The review' }],
    labels: [
      { name: 'great', description: 'five stars' },
      { name: 'other', description: 'anything else' },
    ],
    data: { train: 'train.csv', test: 'test.csv', labelColumn: 'label' },
  };

  it('is the committed docs/promptune.schema.json (regenerate: promptune task schema --out docs/promptune.schema.json)', () => {
    expect(JSON.parse(readFileSync(committed, 'utf8'))).toEqual(taskJsonSchema());
  });

  it('accepts a valid task file and names the field of each mistake', () => {
    expect(validate(task), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...task, name: 'Review Stars', labels: [task.labels[0]], colour: 'red' })).toBe(false);
    const where = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`).sort();
    expect(where).toEqual([' additionalProperties', '/labels minItems', '/name pattern']);
  });
});

import { describe, expect, it } from 'vitest';
import { numberPlaceholders } from './driver.js';

describe('numberPlaceholders', () => {
  it('numbers ? in order for PostgreSQL', () => {
    expect(numberPlaceholders('SELECT a FROM t WHERE b = ? AND c IN (?, ?)')).toBe(
      'SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)',
    );
  });

  it('leaves question marks in strings, quoted identifiers and comments alone', () => {
    expect(numberPlaceholders(`SELECT '?', 'it''s ?', "odd?col" FROM t -- why?\nWHERE x = ?`)).toBe(
      `SELECT '?', 'it''s ?', "odd?col" FROM t -- why?\nWHERE x = $1`,
    );
  });

  it('passes SQL without placeholders through unchanged', () => {
    expect(numberPlaceholders('BEGIN')).toBe('BEGIN');
  });
});

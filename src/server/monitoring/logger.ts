// Structured logs: one JSON object per line with a time, a level, a message and the request id. Inputs are
// never logged unless the operator asks (then PII-redacted); secrets never are.
import type { Writable } from 'node:stream';

/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Writes JSON log lines at or above a level. */
export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
}

/** A logger writing JSON lines to `out` (stdout by default). */
export function jsonLogger(out: Writable = process.stdout, minLevel: LogLevel = 'info'): Logger {
  return {
    log(level, msg, fields = {}) {
      if (ORDER[level] < ORDER[minLevel]) return;
      out.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
    },
  };
}

// The exit codes every verb uses, so scripts and CI can tell a crossed threshold from a crash.

/** Exit codes of the promptune command. */
export const EXIT = {
  /** It did what was asked. */
  ok: 0,
  /** It failed: a file, the store, the model, the network, or a bug. */
  error: 1,
  /** The command line was wrong (unknown verb or flag, bad value): nothing was done. */
  usage: 2,
  /** It ran, and a quality gate or drift threshold was crossed. */
  threshold: 3,
} as const;

/** The exit codes as help text lists them. */
export const EXIT_CODES_HELP = `Exit codes: ${EXIT.ok} ok, ${EXIT.error} error, ${EXIT.usage} usage (bad command line), ${EXIT.threshold} a quality gate or drift threshold crossed.`;

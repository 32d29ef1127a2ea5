// Whether output may carry ANSI colour: the conventions users set once for every tool (no-color.org, FORCE_COLOR),
// then the verb's own flag, then whether the stream is a terminal.
import type { CliIO } from './command.js';

/** True when `stream` of `io` should be coloured; `off` is a verb's --no-colour flag. */
export function useColour(io: CliIO, stream: 'stdout' | 'stderr' = 'stdout', off = false): boolean {
  if (off) return false;
  if (io.env.NO_COLOR) return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return (io[stream] as { isTTY?: boolean }).isTTY === true;
}

// A lock file shared by processes (and concurrent calls in one process) so only one writes a blob at a time.
// Node has no flock(), so the lock is an exclusively created file with the holder's pid, kept fresh by a
// heartbeat; a lock whose holder died (same host, pid gone) or stopped beating is taken over.
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/** Tuning of withFileLock(); the defaults suit downloads. */
export interface FileLockOptions {
  /** A lock not refreshed for this long is considered abandoned (default 60 s). */
  staleMs?: number;
  /** How often a waiter looks again (default 100 ms). */
  pollMs?: number;
  /** Called once when waiting has lasted 10 s, so the user knows why nothing moves. */
  onWait?: (message: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function isAbandoned(path: string, staleMs: number): Promise<boolean> {
  try {
    const [info, text] = await Promise.all([stat(path), readFile(path, 'utf8')]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const holder = JSON.parse(text) as { pid?: number; host?: string };
    if (holder.host !== hostname() || typeof holder.pid !== 'number') return false;
    try {
      process.kill(holder.pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    // Unreadable or half-written: the holder is just starting, or the lock is already gone.
    return false;
  }
}

/** Runs `fn` while holding the lock file at `path`, waiting for other holders first. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const staleMs = opts.staleMs ?? 60_000;
  const pollMs = opts.pollMs ?? 100;
  await mkdir(dirname(path), { recursive: true });
  const started = Date.now();
  let warned = false;
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (await isAbandoned(path, staleMs)) {
      await rm(path, { force: true });
      continue;
    }
    if (!warned && Date.now() - started > 10_000) {
      warned = true;
      opts.onWait?.(`Waiting for ${path}: another download of the same file is in progress.`);
    }
    await sleep(pollMs);
  }
  const beat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => {});
  }, staleMs / 4);
  beat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(beat);
    await rm(path, { force: true });
  }
}

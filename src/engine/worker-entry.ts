// Worker-thread side of EngineWorker: imports the handler module and serves calls in order.
import { parentPort, workerData } from 'node:worker_threads';

const { moduleUrl } = workerData as { moduleUrl: string };
const handlers = (await import(moduleUrl)) as Record<string, (...args: unknown[]) => unknown>;

function transferables(value: unknown): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (depth > 3 || v === null || typeof v !== 'object') return;
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && !out.includes(v.buffer)) out.push(v.buffer);
    else if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) visit(x, depth + 1);
  };
  visit(value, 0);
  return out;
}

parentPort?.on('message', async (msg: { id: number; method: string; args: unknown[] }) => {
  try {
    const fn = handlers[msg.method];
    if (typeof fn !== 'function') throw new Error(`engine worker: module ${moduleUrl} exports no function '${msg.method}'`);
    const value = await fn(...msg.args);
    parentPort?.postMessage({ id: msg.id, ok: true, value }, transferables(value));
  } catch (e) {
    const err = e as Error & { code?: string; op?: string; inputs?: string[] };
    parentPort?.postMessage({
      id: msg.id,
      ok: false,
      error: { name: err.name, message: err.message, code: err.code, op: err.op, inputs: err.inputs },
    });
  }
});

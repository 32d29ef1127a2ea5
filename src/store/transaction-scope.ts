// One open transaction's connection, shared safely by concurrent callers: `Promise.all([tx.a(), tx.b()])` inside
// a transaction is natural, but a savepoint opened by one call would swallow the other's statements (and roll
// them back with its own). So a savepoint owns the connection until it ends: work started inside its callback
// goes ahead, sibling work waits. Savepoint SQL is the same in SQLite and PostgreSQL.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Executor } from './driver.js';
import { StoreError } from './errors.js';

/** The state of one top-level transaction, used by the driver's transaction executor. */
export class TransactionScope {
  private owner: object | null = null;
  private waiters: (() => void)[] = [];
  private readonly owners = new AsyncLocalStorage<readonly object[]>();
  private savepoints = 0;
  private done = false;

  /** Runs one statement once no savepoint other than the caller's own is open. */
  async statement<T>(run: () => Promise<T>): Promise<T> {
    this.check();
    // Checked again right before running: nothing may slip in between the check and the statement.
    while (!this.mayRun()) await this.released();
    return run();
  }

  /** Runs `fn` inside a savepoint on `tx`: released when it resolves, rolled back when it throws. */
  async savepoint<T>(tx: Executor, fn: () => Promise<T>): Promise<T> {
    this.check();
    // The check and taking ownership happen in one synchronous stretch, so two savepoints cannot both get in.
    while (!this.mayRun()) await this.released();
    const token = {};
    const previous = this.owner;
    this.owner = token;
    this.savepoints += 1;
    const name = `promptune_sp_${this.savepoints}`;
    try {
      return await this.owners.run([...(this.owners.getStore() ?? []), token], async () => {
        await tx.run(`SAVEPOINT ${name}`);
        try {
          const result = await fn();
          await tx.run(`RELEASE SAVEPOINT ${name}`);
          return result;
        } catch (e) {
          await tx.run(`ROLLBACK TO SAVEPOINT ${name}`);
          await tx.run(`RELEASE SAVEPOINT ${name}`);
          throw e;
        }
      });
    } finally {
      this.owner = previous;
      for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /** Marks the transaction finished: later calls fail instead of running outside it. */
  end(): void {
    this.done = true;
  }

  /** Settles when a savepoint ends; then the transaction may have ended too. */
  private async released(): Promise<void> {
    await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.check();
  }

  private mayRun(): boolean {
    return this.owner === null || (this.owners.getStore() ?? []).includes(this.owner);
  }

  private check(): void {
    if (this.done) {
      throw new StoreError(
        'STORE_CLOSED',
        'this transaction has already ended: use the transaction only inside its callback, and await every call.',
      );
    }
  }
}

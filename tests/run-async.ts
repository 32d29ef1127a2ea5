// Child processes for the tests under tests/: the one asynchronous runner in src/shared/testing.ts (why it must not
// block: see there).
export { type ProcessRun as AsyncRun, runProcess as runAsync } from '../src/shared/testing.js';

// Child processes for the tests under tests/: the one asynchronous runner in src/cli/testing.ts (why it must not
// block: see there).
export { type CliRun as AsyncRun, runProcess as runAsync } from '../src/cli/testing.js';

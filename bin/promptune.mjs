#!/usr/bin/env node
// Entry point of the promptune command. The installed package runs its compiled JavaScript on plain Node; a source
// checkout (src/ beside bin/, which the package does not ship) runs the TypeScript through tsx, so it never runs a
// stale build.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));

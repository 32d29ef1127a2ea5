// npm's install step for the package: builds the native engine with node-gyp when a libtorch is found, and
// otherwise says what to install, without failing the install — commands that do not compute (help, init, task
// check, data import, keys, jobs) work without the engine, and those that do name the same fix.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLibtorch } from './find-libtorch.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'native', 'build', 'Release', 'promptune_engine.node');
const say = (line) => console.log(`promptune: ${line}`);

if (process.env.PROMPTUNE_SKIP_NATIVE_BUILD === '1') {
  say('PROMPTUNE_SKIP_NATIVE_BUILD=1, so the native engine was not built (run `npm rebuild promptune` later).');
} else if (existsSync(addon)) {
  say(`the native engine is already built (${addon}).`);
} else if (!findLibtorch().usable) {
  say('no libtorch found, so the native engine was not built; training and prediction need it. Tried:');
  for (const t of findLibtorch().tried) say(`  - ${t.source}: ${t.reason}`);
  say(
    'Fix: on Debian/Ubuntu `apt-get install libtorch-dev libopenblas0-openmp` (or set LIBTORCH to an unpacked libtorch), then `npm rebuild promptune`.',
  );
} else {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) say('the native build failed (see above); fix it and run `npm rebuild promptune`.');
}

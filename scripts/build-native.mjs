// Builds the native engine against the libtorch that find-libtorch.mjs picks, and says which one and which BLAS.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cudaLibs, findBlas, findLibtorch } from './find-libtorch.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const infoFile = join(nativeDir, 'build', 'engine-build.json');

const found = findLibtorch();
if (!found.usable) {
  console.error('promptune: no usable libtorch found. Tried:');
  for (const t of found.tried) console.error(`  - ${t.source}: ${t.reason}`);
  console.error(
    'Fix: run `bash scripts/setup.sh` (installs Debian libtorch-dev + OpenMP OpenBLAS), or set LIBTORCH to an unpacked libtorch directory (with include/ and lib/).',
  );
  process.exit(1);
}
const blas = findBlas(found.libDir);
console.log(`promptune: libtorch ${found.version} from ${found.source}`);
console.log(`promptune:   include ${found.includeDirs.join(' ')}`);
console.log(`promptune:   lib     ${found.libDir}${found.cuda ? ' (with CUDA)' : ' (CPU only)'}`);
console.log(`promptune:   BLAS    ${blas}`);
if (/\/blas\/libblas|netlib|reference/.test(blas)) {
  console.warn('promptune: WARNING the reference BLAS is selected; matmuls will be ~25x slower. Install libopenblas0-openmp.');
}

const cuda = found.cuda ? cudaLibs(found.libDir).map((f) => `-l${f.replace(/^lib|\.so$/g, '')}`) : [];
const env = {
  ...process.env,
  PT_INCLUDE_DIRS: found.includeDirs.join(' '),
  PT_LIB_DIR: found.libDir,
  PT_CXX11_ABI: String(found.cxx11Abi),
  // CUDA kernels register from static initialisers, so the linker must keep libraries we never call directly.
  PT_CUDA_LINK: cuda.length ? ['-Wl,--no-as-needed', ...cuda, '-Wl,--as-needed'].join(' ') : '',
};

// Node's headers ship next to the binary on this machine kind; pointing node-gyp there avoids a download.
const nodeDir = dirname(dirname(process.execPath));
const gypArgs = existsSync(join(nodeDir, 'include', 'node', 'node_api.h')) ? [`--nodedir=${nodeDir}`] : [];
// A checkout has node-gyp among its dev dependencies; an installed package uses the one npm brings (npm says where).
const localGyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = existsSync(localGyp) ? localGyp : process.env.npm_config_node_gyp;
if (!gyp || !existsSync(gyp)) {
  console.error(
    'promptune: node-gyp not found. Fix: run this through npm (`npm rebuild promptune`), or `npm install -g node-gyp`.',
  );
  process.exit(1);
}
const signature = JSON.stringify({ found, blas, node: process.version });
const previous = existsSync(infoFile) ? readFileSync(infoFile, 'utf8') : '';
const steps = previous === signature ? [['build']] : [['configure'], ['build']];
for (const step of steps) {
  const r = spawnSync(process.execPath, [gyp, ...step, ...gypArgs, '--jobs=max'], { cwd: nativeDir, env, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`promptune: native build failed during node-gyp ${step[0]} (see the compiler output above).`);
    process.exit(r.status ?? 1);
  }
}
mkdirSync(dirname(infoFile), { recursive: true });
writeFileSync(infoFile, signature);
console.log(`promptune: built ${join(nativeDir, 'build', 'Release', 'promptune_engine.node')}`);

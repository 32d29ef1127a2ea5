// Locates a usable libtorch: LIBTORCH env var → a Python torch install → Debian's libtorch-dev.
// Printed as JSON when run directly; imported by build-native.mjs.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const DEBIAN_LIB = '/usr/lib/x86_64-linux-gnu';

/** Checks that a candidate has the C++ API headers and the shared libraries we link against. */
function describe(source, includeRoot, libDir, cxx11Abi) {
  const apiInclude = join(includeRoot, 'torch/csrc/api/include');
  const missing = [];
  if (!existsSync(join(includeRoot, 'ATen/ATen.h'))) missing.push(join(includeRoot, 'ATen/ATen.h'));
  if (!existsSync(join(apiInclude, 'torch/torch.h'))) missing.push(join(apiInclude, 'torch/torch.h'));
  if (!existsSync(join(libDir, 'libtorch.so'))) missing.push(join(libDir, 'libtorch.so'));
  if (missing.length > 0) return { source, usable: false, reason: `missing ${missing.join(', ')}` };
  const cuda = existsSync(join(libDir, 'libtorch_cuda.so'));
  return {
    source,
    usable: true,
    includeDirs: [includeRoot, apiInclude],
    libDir,
    cxx11Abi,
    cuda,
    version: readVersion(includeRoot),
  };
}

function readVersion(includeRoot) {
  const p = join(includeRoot, 'torch/csrc/api/include/torch/version.h');
  if (!existsSync(p)) return 'unknown';
  const text = readFileSync(p, 'utf8');
  const part = (name) => text.match(new RegExp(`TORCH_VERSION_${name}\\s+(\\d+)`))?.[1];
  const [major, minor, patch] = [part('MAJOR'), part('MINOR'), part('PATCH')];
  return major ? `${major}.${minor}.${patch}` : 'unknown';
}

function abiFromCmake(root) {
  const p = join(root, 'share/cmake/Torch/TorchConfig.cmake');
  if (!existsSync(p)) return 1;
  const m = readFileSync(p, 'utf8').match(/_GLIBCXX_USE_CXX11_ABI=(\d)/);
  return m ? Number(m[1]) : 1;
}

function fromEnv() {
  const root = process.env.LIBTORCH;
  if (!root) return null;
  return describe(`LIBTORCH=${root}`, join(root, 'include'), join(root, 'lib'), abiFromCmake(root));
}

function fromPython() {
  const script =
    'import torch,os,json;print(json.dumps({"dir":os.path.dirname(torch.__file__),"abi":int(torch._C._GLIBCXX_USE_CXX11_ABI),"v":torch.__version__}))';
  for (const py of ['python3', '/usr/bin/python3']) {
    try {
      const out = execFileSync(py, ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
      const info = JSON.parse(out.toString());
      const cand = describe(`python torch ${info.v} (${py})`, join(info.dir, 'include'), join(info.dir, 'lib'), info.abi);
      if (cand.usable) return cand;
    } catch {
      // this interpreter has no torch; try the next source
    }
  }
  return null;
}

function fromDebian() {
  return describe('Debian libtorch-dev', '/usr/include', DEBIAN_LIB, 1);
}

/** Returns the first usable libtorch, or an object with usable:false and every reason. */
export function findLibtorch() {
  const tried = [];
  const env = fromEnv();
  if (env) {
    // An explicit LIBTORCH that is broken is an error, not a reason to silently pick another one.
    return env.usable ? env : { usable: false, tried: [env] };
  }
  const py = fromPython();
  if (py) return py;
  tried.push({ source: 'python torch', usable: false, reason: 'no python3 with a torch that ships include/ and lib/' });
  const deb = fromDebian();
  if (deb.usable) return deb;
  tried.push(deb);
  return { usable: false, tried };
}

/** Names the BLAS library that libtorch resolves at load time (what `ldd` reports). */
export function findBlas(libDir) {
  const target = ['libtorch_cpu.so', 'libtorch.so'].map((f) => join(libDir, f)).find(existsSync);
  if (!target) return 'unknown';
  try {
    const ldd = execFileSync('ldd', [target]).toString();
    const line = ldd.split('\n').find((l) => /blas|mkl|lapack/i.test(l));
    if (!line) return 'none linked (libtorch built without an external BLAS)';
    const m = line.match(/=>\s*(\S+)/);
    const path = m ? m[1] : line.trim();
    const real = execFileSync('readlink', ['-f', path]).toString().trim();
    return real;
  } catch {
    return 'unknown';
  }
}

/** Lists the directory's CUDA libraries so the build can link them (their kernels register at load time). */
export function cudaLibs(libDir) {
  return readdirSync(libDir).filter((f) => /^lib(torch_cuda|c10_cuda)\.so$/.test(f));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const found = findLibtorch();
  if (found.usable) found.blas = findBlas(found.libDir);
  console.log(JSON.stringify(found, null, 2));
  process.exit(found.usable ? 0 : 1);
}

// Process-wide settings and introspection: seeds, threads, build info, native memory counters.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <malloc.h>
#include <torch/version.h>

#include <fstream>

#include "common.h"

namespace pt {

static Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  return Guard(info, "manualSeed", [&]() -> Napi::Value {
    at::manual_seed(static_cast<uint64_t>(ArgInt(info, 0)));
    return info.Env().Undefined();
  });
}

// The default CPU generator's state (a uint8 tensor), so a resumed run draws the same dropout masks.
static Napi::Value GetRngState(const Napi::CallbackInfo& info) {
  return Guard(info, "getRngState", [&]() -> Napi::Value {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return Wrap(info, gen.get_state());
  });
}

static Napi::Value SetRngState(const Napi::CallbackInfo& info) {
  return Guard(info, "setRngState", [&]() -> Napi::Value {
    at::Tensor& state = ArgTensor(info, 0);
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(state);
    return info.Env().Undefined();
  });
}

static Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  return Guard(info, "setNumThreads", [&]() -> Napi::Value {
    int64_t n = ArgInt(info, 0);
    if (n < 1) throw ArgError("thread count must be at least 1, got " + std::to_string(n));
    at::set_num_threads(static_cast<int>(n));
    return info.Env().Undefined();
  });
}

static Napi::Value GetNumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), at::get_num_threads()); }

// The BLAS actually mapped into this process (what the dynamic loader resolved), read from /proc/self/maps.
static std::string LoadedBlas() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    auto pos = line.find('/');
    if (pos == std::string::npos) continue;
    std::string path = line.substr(pos);
    if (path.find("blas") != std::string::npos || path.find("mkl") != std::string::npos) return path;
  }
  return "none";
}

static Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("torchVersion", TORCH_VERSION);
  o.Set("config", at::show_config());
  o.Set("parallel", at::get_parallel_info());
  o.Set("blas", LoadedBlas());
  o.Set("cuda", at::hasCUDA());
  return o;
}

// Bytes in use by the C heap (small blocks plus mmap'd large blocks): native memory that JS cannot see.
static Napi::Value NativeHeapBytes(const Napi::CallbackInfo& info) {
  struct mallinfo2 mi = mallinfo2();
  return Napi::Number::New(info.Env(), static_cast<double>(mi.uordblks + mi.hblkhd));
}

// Returns free pages inside the C heap to the system. glibc gives back only the top of the heap by itself; with
// tensors of changing sizes (dynamic padding) the free space in the middle grows step after step, so long runs
// call this now and then to keep their resident memory steady.
static Napi::Value TrimNativeHeap(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), malloc_trim(0) != 0);
}

static Napi::Value LiveTensors(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(TensorTable::live.load()));
}

void RegisterRuntime(Napi::Env env, Napi::Object e) {
  ExportAll(env, e, {
                       {"manualSeed", ManualSeed},
                       {"getRngState", GetRngState},
                       {"setRngState", SetRngState},
                       {"setNumThreads", SetNumThreads},
                       {"getNumThreads", GetNumThreads},
                       {"info", Info},
                       {"nativeHeapBytes", NativeHeapBytes},
                       {"liveTensors", LiveTensors},
                       {"trimNativeHeap", TrimNativeHeap},
                   });
}

}  // namespace pt

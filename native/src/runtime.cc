// Process-wide settings and introspection: seeds, threads, build info, native memory counters.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <ATen/autocast_mode.h>
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

// Mixed precision through libtorch's own autocast, so the cast policy is PyTorch's: matmuls and linears run in the
// lower precision, the ops its policy keeps in fp32 (losses, reductions, …) stay there, and fp32 weights are cast
// per region. The state is per thread. Turning it off clears the cast-weight cache, which would otherwise hold
// copies of weights from before the optimiser's next step.
static bool AutocastEnabled(bool cuda) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

static at::ScalarType AutocastDtype(bool cuda) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  return at::autocast::get_autocast_dtype(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

static Napi::Value SetAutocast(const Napi::CallbackInfo& info) {
  return Guard(info, "setAutocast", [&]() -> Napi::Value {
    std::string device = ArgString(info, 0);
    if (device != "cpu" && device != "cuda") throw ArgError("autocast device must be cpu or cuda, got " + device);
    bool cuda = device == "cuda";
    bool enable = info.Length() > 1 && !info[1].IsNull() && !info[1].IsUndefined();
    if (enable) {
      at::ScalarType dtype = ParseDtype(info[1].As<Napi::String>().Utf8Value());
      if (dtype != at::kBFloat16 && dtype != at::kHalf)
        throw ArgError("autocast runs in bfloat16 or float16, got " + std::string(DtypeName(dtype)));
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
      at::autocast::set_autocast_dtype(cuda ? at::kCUDA : at::kCPU, dtype);
      at::autocast::set_autocast_enabled(cuda ? at::kCUDA : at::kCPU, true);
#else
      if (cuda) {
        at::autocast::set_autocast_gpu_dtype(dtype);
        at::autocast::set_enabled(true);
      } else {
        at::autocast::set_autocast_cpu_dtype(dtype);
        at::autocast::set_cpu_enabled(true);
      }
#endif
    } else {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
      at::autocast::set_autocast_enabled(cuda ? at::kCUDA : at::kCPU, false);
#else
      if (cuda) at::autocast::set_enabled(false);
      else at::autocast::set_cpu_enabled(false);
#endif
      at::autocast::clear_cache();
    }
    return info.Env().Undefined();
  });
}

// The autocast dtype on `device` ("bfloat16", "float16"), or null when autocast is off there.
static Napi::Value GetAutocast(const Napi::CallbackInfo& info) {
  return Guard(info, "getAutocast", [&]() -> Napi::Value {
    bool cuda = ArgString(info, 0) == "cuda";
    if (!AutocastEnabled(cuda)) return info.Env().Null();
    return Napi::String::New(info.Env(), DtypeName(AutocastDtype(cuda)));
  });
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
                       {"setAutocast", SetAutocast},
                       {"getAutocast", GetAutocast},
                   });
}

}  // namespace pt

// Module entry point. Context-aware: each worker thread that loads the addon gets its own instance data.
#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "common.h"

namespace pt {

// Tensor workloads free and reallocate the same large blocks every step. glibc's defaults return them to the
// kernel at once (mmap above a dynamic threshold, heap trimming), so every step pays fresh zeroed pages
// (~100k minor faults per BERT inference batch, measured). Keeping blocks up to 32 MiB on the heap and not
// trimming below 1 GiB of slack removes most of that. PROMPTUNE_MALLOC_TUNING=0 keeps glibc's defaults.
static void TuneAllocatorOnce() {
  const char* flag = std::getenv("PROMPTUNE_MALLOC_TUNING");
  if (flag != nullptr && std::strcmp(flag, "0") == 0) return;
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
  mallopt(M_TOP_PAD, 64 * 1024 * 1024);
}

static std::once_flag tuned;  // mallopt is process-wide; worker threads load the addon again

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  std::call_once(tuned, TuneAllocatorOnce);
  env.SetInstanceData<InstanceData>(new InstanceData());
  RegisterTable(env, exports);
  RegisterCreate(env, exports);
  RegisterMath(env, exports);
  RegisterShape(env, exports);
  RegisterNn(env, exports);
  RegisterAutograd(env, exports);
  RegisterOptim(env, exports);
  RegisterRuntime(env, exports);
  return exports;
}

}  // namespace pt

static Napi::Object InitEngine(Napi::Env env, Napi::Object exports) { return pt::Init(env, exports); }

NODE_API_MODULE(promptune_engine, InitEngine)

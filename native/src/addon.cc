// Module entry point. Context-aware: each worker thread that loads the addon gets its own instance data.
#include "common.h"

namespace pt {

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
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

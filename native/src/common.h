// Shared helpers for the native engine: argument conversion, tensor handles and the one error boundary.
#pragma once
#include <ATen/ATen.h>
#include <napi.h>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace pt {

struct InstanceData {
  Napi::FunctionReference tensorCtor;
  Napi::FunctionReference optimizerCtor;
};

// One JS object per at::Tensor reference. Disposing drops the reference; GC does the same as a safety net.
class TensorHandle : public Napi::ObjectWrap<TensorHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object Make(Napi::Env env, at::Tensor t);
  static bool Is(Napi::Env env, const Napi::Value& v);
  static std::atomic<int64_t> live;

  explicit TensorHandle(const Napi::CallbackInfo& info);
  ~TensorHandle() override;

  at::Tensor t;

 private:
  void Release(Napi::Env env);
  int64_t externalBytes_ = 0;
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value Disposed(const Napi::CallbackInfo& info);
  Napi::Value Shape(const Napi::CallbackInfo& info);
  Napi::Value Strides(const Napi::CallbackInfo& info);
  Napi::Value Dtype(const Napi::CallbackInfo& info);
  Napi::Value Device(const Napi::CallbackInfo& info);
  Napi::Value IsContiguous(const Napi::CallbackInfo& info);
  Napi::Value RequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value IsLeaf(const Napi::CallbackInfo& info);
  Napi::Value StorageOffset(const Napi::CallbackInfo& info);
  Napi::Value StorageId(const Napi::CallbackInfo& info);
};

// Thrown by argument helpers; the boundary turns it into an EngineError naming the op.
struct ArgError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

Napi::Error MakeEngineError(const Napi::CallbackInfo& info, const char* op, const std::string& message);
std::string Describe(const at::Tensor& t);

// The single error boundary: no C++ exception crosses into Node unconverted.
template <typename F>
Napi::Value Guard(const Napi::CallbackInfo& info, const char* op, F&& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw MakeEngineError(info, op, e.what_without_backtrace());
  } catch (const std::bad_alloc&) {
    throw MakeEngineError(info, op, "out of memory (allocation failed)");
  } catch (const std::exception& e) {
    throw MakeEngineError(info, op, e.what());
  }
}

// Argument conversion. Each throws ArgError with the argument index on bad input.
at::Tensor& ArgTensor(const Napi::CallbackInfo& info, size_t i);
std::optional<at::Tensor> ArgOptTensor(const Napi::CallbackInfo& info, size_t i);
std::vector<at::Tensor> ArgTensorList(const Napi::CallbackInfo& info, size_t i);
std::vector<int64_t> ArgInts(const Napi::CallbackInfo& info, size_t i);
int64_t ArgInt(const Napi::CallbackInfo& info, size_t i);
double ArgDouble(const Napi::CallbackInfo& info, size_t i);
bool ArgBool(const Napi::CallbackInfo& info, size_t i, bool fallback);
bool IsAbsent(const Napi::CallbackInfo& info, size_t i);
std::string ArgString(const Napi::CallbackInfo& info, size_t i);
at::Scalar ArgScalar(const Napi::CallbackInfo& info, size_t i);
at::ScalarType ParseDtype(const std::string& name);
const char* DtypeName(at::ScalarType t);
at::Device ParseDevice(const std::string& name);

inline Napi::Value Wrap(const Napi::CallbackInfo& info, at::Tensor t) { return TensorHandle::Make(info.Env(), std::move(t)); }
Napi::Value WrapList(const Napi::CallbackInfo& info, const std::vector<at::Tensor>& ts);

// Each file registers its own functions.
void RegisterCreate(Napi::Env env, Napi::Object exports);
void RegisterMath(Napi::Env env, Napi::Object exports);
void RegisterShape(Napi::Env env, Napi::Object exports);
void RegisterNn(Napi::Env env, Napi::Object exports);
void RegisterAutograd(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);
void RegisterRuntime(Napi::Env env, Napi::Object exports);

}  // namespace pt

// Shared helpers for the native engine: argument conversion, tensor handles and the one error boundary.
#pragma once
#include <ATen/ATen.h>
#include <napi.h>

#include <atomic>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace pt {

// Tensors live in a per-thread table and JS holds plain numeric ids. Ids carry a generation so a stale id
// (used after dispose) is detected, and they start at 2^50 so they never look like ordinary scalar arguments.
// No JS object wraps a tensor natively: disposal frees memory at once, without waiting for a GC finaliser.
class TensorTable {
 public:
  static constexpr double kBase = 1125899906842624.0;  // 2^50
  static std::atomic<int64_t> live;

  double Put(at::Tensor t);
  at::Tensor* Get(double id);
  bool Release(double id);
  static bool LooksLikeId(double v) { return v >= kBase; }

 private:
  std::deque<at::Tensor> slots_;  // deque: growing never moves existing tensors that ops hold references to
  std::vector<uint32_t> gens_;
  std::vector<uint32_t> free_;
};

struct InstanceData {
  TensorTable tensors;
};

TensorTable& Table(Napi::Env env);

// Whether a JS value is shaped like a tensor id (a number at or above the id base), live or not.
bool IsTensorId(const Napi::Value& v);
// The live tensor a JS value names, or nullptr (not an id, disposed, or stale).
at::Tensor* FindTensor(Napi::Env env, const Napi::Value& v);

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
// True when argument i is a JS number/boolean to be used as a scalar (the caller passes the flag explicitly).
bool IsScalarArg(const Napi::CallbackInfo& info, size_t flagIndex);
std::string ArgString(const Napi::CallbackInfo& info, size_t i);
at::Scalar ArgScalar(const Napi::CallbackInfo& info, size_t i);
at::ScalarType ParseDtype(const std::string& name);
const char* DtypeName(at::ScalarType t);
at::Device ParseDevice(const std::string& name);

inline Napi::Value Wrap(const Napi::CallbackInfo& info, at::Tensor t) {
  return Napi::Number::New(info.Env(), Table(info.Env()).Put(std::move(t)));
}
Napi::Value WrapList(const Napi::CallbackInfo& info, const std::vector<at::Tensor>& ts);

// One exported native function.
struct Export {
  const char* name;
  Napi::Value (*fn)(const Napi::CallbackInfo&);
};

inline void ExportAll(Napi::Env env, Napi::Object e, std::initializer_list<Export> fns) {
  for (const Export& f : fns) e.Set(f.name, Napi::Function::New(env, f.fn, f.name));
}

// Each file registers its own functions.
void RegisterTable(Napi::Env env, Napi::Object exports);
void RegisterCreate(Napi::Env env, Napi::Object exports);
void RegisterMath(Napi::Env env, Napi::Object exports);
void RegisterShape(Napi::Env env, Napi::Object exports);
void RegisterNn(Napi::Env env, Napi::Object exports);
void RegisterAutograd(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);
void RegisterRuntime(Napi::Env env, Napi::Object exports);

}  // namespace pt

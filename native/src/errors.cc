// The error boundary's message builder and the argument converters (every bad argument names its op).
#include <regex>
#include <sstream>

#include "common.h"

namespace pt {

std::string Describe(const at::Tensor& t) {
  if (!t.defined()) return "Tensor(disposed)";
  std::ostringstream s;
  s << "Tensor[";
  auto sizes = t.sizes();
  for (size_t i = 0; i < sizes.size(); ++i) s << (i ? ", " : "") << sizes[i];
  s << "] " << DtypeName(t.scalar_type()) << " " << t.device().str();
  return s.str();
}

static const char* Classify(const std::string& m) {
  static const std::regex oom("out of memory|not enough memory|can't allocate|cannot allocate|bad_alloc", std::regex::icase);
  static const std::regex disposed("disposed", std::regex::icase);
  static const std::regex device("device|cuda", std::regex::icase);
  static const std::regex dtype("dtype|scalar type|expected scalar|type (Float|Long|Int|Bool|Half|BFloat16)|must be (Long|Int|Bool|Float)", std::regex::icase);
  static const std::regex shape("shape|size|dimension|dim |mat1|mat2|broadcast|must match|out of range|numel|invalid for input", std::regex::icase);
  if (std::regex_search(m, oom)) return "ENGINE_OOM";
  if (std::regex_search(m, disposed)) return "ENGINE_DISPOSED";
  if (std::regex_search(m, device)) return "ENGINE_DEVICE";
  if (std::regex_search(m, dtype)) return "ENGINE_DTYPE";
  if (std::regex_search(m, shape)) return "ENGINE_SHAPE";
  return "ENGINE_ERROR";
}

static void CollectInputs(const Napi::CallbackInfo& info, std::vector<std::string>& out) {
  Napi::Env env = info.Env();
  auto describe = [&](const Napi::Value& v) {
    if (!IsTensorId(v)) return;
    at::Tensor* t = FindTensor(env, v);
    out.push_back(t ? Describe(*t) : "Tensor(disposed)");
  };
  for (size_t i = 0; i < info.Length(); ++i) {
    Napi::Value v = info[i];
    if (!v.IsArray()) {
      describe(v);
      continue;
    }
    Napi::Array arr = v.As<Napi::Array>();
    for (uint32_t j = 0; j < arr.Length(); ++j) describe(arr.Get(j));
  }
}

Napi::Error MakeEngineError(const Napi::CallbackInfo& info, const char* op, const std::string& message) {
  Napi::Env env = info.Env();
  std::vector<std::string> inputs;
  CollectInputs(info, inputs);
  std::string first = message.substr(0, message.find('\n') == std::string::npos ? message.size() : message.find('\n'));
  std::ostringstream full;
  full << op << ": " << first;
  if (!inputs.empty()) {
    full << " (inputs: ";
    for (size_t i = 0; i < inputs.size(); ++i) full << (i ? ", " : "") << inputs[i];
    full << ")";
  }
  Napi::Error err = Napi::Error::New(env, full.str());
  Napi::Object obj = err.Value();
  obj.Set("name", "EngineError");
  obj.Set("code", Classify(message));
  obj.Set("op", op);
  obj.Set("detail", message);
  Napi::Array arr = Napi::Array::New(env, inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) arr.Set(static_cast<uint32_t>(i), inputs[i]);
  obj.Set("inputs", arr);
  return err;
}

static std::string Where(size_t i) { return "argument " + std::to_string(i); }

// One check for single tensor arguments (element < 0) and list elements, so both report the same two failures.
// The label is built only on failure: this runs for every tensor argument of every op.
static at::Tensor& TensorAt(Napi::Env env, const Napi::Value& v, size_t i, int64_t element) {
  at::Tensor* t = FindTensor(env, v);
  if (t != nullptr) return *t;
  std::string where = Where(i) + (element < 0 ? "" : "[" + std::to_string(element) + "]");
  throw ArgError(where + (IsTensorId(v) ? " is a disposed tensor" : " must be a Tensor"));
}

at::Tensor& ArgTensor(const Napi::CallbackInfo& info, size_t i) { return TensorAt(info.Env(), info[i], i, -1); }

bool IsScalarArg(const Napi::CallbackInfo& info, size_t flagIndex) { return ArgBool(info, flagIndex, false); }

bool IsAbsent(const Napi::CallbackInfo& info, size_t i) {
  return i >= info.Length() || info[i].IsUndefined() || info[i].IsNull();
}

std::optional<at::Tensor> ArgOptTensor(const Napi::CallbackInfo& info, size_t i) {
  if (IsAbsent(info, i)) return std::nullopt;
  return ArgTensor(info, i);
}

std::vector<at::Tensor> ArgTensorList(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsArray()) throw ArgError(Where(i) + " must be an array of tensors");
  Napi::Array arr = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(arr.Length());
  for (uint32_t j = 0; j < arr.Length(); ++j) out.push_back(TensorAt(info.Env(), arr.Get(j), i, j));
  return out;
}

std::vector<int64_t> ArgInts(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsNumber()) return {info[i].As<Napi::Number>().Int64Value()};
  if (!info[i].IsArray()) throw ArgError(Where(i) + " must be an array of integers");
  Napi::Array arr = info[i].As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t j = 0; j < arr.Length(); ++j) {
    Napi::Value e = arr.Get(j);
    if (!e.IsNumber()) throw ArgError(Where(i) + "[" + std::to_string(j) + "] must be an integer");
    out[j] = e.As<Napi::Number>().Int64Value();
  }
  return out;
}

int64_t ArgInt(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) throw ArgError(Where(i) + " must be an integer");
  return info[i].As<Napi::Number>().Int64Value();
}

double ArgDouble(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) throw ArgError(Where(i) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

bool ArgBool(const Napi::CallbackInfo& info, size_t i, bool fallback) {
  if (IsAbsent(info, i)) return fallback;
  return info[i].ToBoolean().Value();
}

std::string ArgString(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsString()) throw ArgError(Where(i) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

at::Scalar ArgScalar(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsBoolean()) return at::Scalar(info[i].As<Napi::Boolean>().Value());
  if (!info[i].IsNumber()) throw ArgError(Where(i) + " must be a number");
  double d = info[i].As<Napi::Number>().DoubleValue();
  // Integral JS numbers behave like Python ints so that int tensors stay int (as in PyTorch).
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9007199254740992.0) return at::Scalar(static_cast<int64_t>(d));
  return at::Scalar(d);
}

at::ScalarType ParseDtype(const std::string& name) {
  if (name == "float32") return at::kFloat;
  if (name == "float16") return at::kHalf;
  if (name == "bfloat16") return at::kBFloat16;
  if (name == "float64") return at::kDouble;
  if (name == "int64") return at::kLong;
  if (name == "int32") return at::kInt;
  if (name == "uint8") return at::kByte;
  if (name == "bool") return at::kBool;
  throw ArgError("unknown dtype '" + name + "' (use float32, float16, bfloat16, float64, int64, int32, uint8 or bool)");
}

const char* DtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kDouble: return "float64";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return c10::toString(t);
  }
}

at::Device ParseDevice(const std::string& name) {
  if (name != "cpu" && name.rfind("cuda", 0) != 0) throw ArgError("unknown device '" + name + "' (use cpu, cuda or cuda:N)");
  return at::Device(name);
}

Napi::Value WrapList(const Napi::CallbackInfo& info, const std::vector<at::Tensor>& ts) {
  Napi::Array arr = Napi::Array::New(info.Env(), ts.size());
  for (size_t i = 0; i < ts.size(); ++i) arr.Set(static_cast<uint32_t>(i), Wrap(info, ts[i]));
  return arr;
}

}  // namespace pt

// Creating tensors, moving data between JS typed arrays and tensors, dtype/device conversion, in-place init.
#include <cstring>

#include "common.h"

namespace pt {

static at::TensorOptions Opts(const Napi::CallbackInfo& info, size_t dtypeAt, size_t deviceAt) {
  at::TensorOptions o = at::TensorOptions().dtype(IsAbsent(info, dtypeAt) ? at::kFloat : ParseDtype(ArgString(info, dtypeAt)));
  if (!IsAbsent(info, deviceAt)) o = o.device(ParseDevice(ArgString(info, deviceAt)));
  return o;
}

// fromBuffer(typedArray, shape, dtype, device?) copies the bytes: JS owns the buffer and may reuse it.
static Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  return Guard(info, "fromBuffer", [&]() -> Napi::Value {
    if (!info[0].IsTypedArray()) throw ArgError("argument 0 must be a typed array");
    Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
    auto shape = ArgInts(info, 1);
    at::ScalarType dtype = ParseDtype(ArgString(info, 2));
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    size_t need = t.numel() * t.element_size();
    if (ta.ByteLength() != need) {
      throw ArgError("data has " + std::to_string(ta.ByteLength()) + " bytes but shape and dtype need " + std::to_string(need));
    }
    const uint8_t* src = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    if (need > 0) std::memcpy(t.data_ptr(), src, need);
    if (!IsAbsent(info, 3)) t = t.to(ParseDevice(ArgString(info, 3)));
    return Wrap(info, t);
  });
}

// toBuffer(t) copies into a fresh ArrayBuffer (safe to keep after the tensor is disposed).
static Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  return Guard(info, "toBuffer", [&]() -> Napi::Value {
    at::Tensor t = ArgTensor(info, 0).detach().to(at::kCPU).contiguous();
    size_t n = t.numel() * t.element_size();
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(info.Env(), n);
    if (n > 0) std::memcpy(buf.Data(), t.data_ptr(), n);
    return buf;
  });
}

// dataView(t) shares the tensor's memory (zero copy); the buffer keeps the storage alive until GC.
static Napi::Value DataView(const Napi::CallbackInfo& info) {
  return Guard(info, "dataView", [&]() -> Napi::Value {
    at::Tensor& src = ArgTensor(info, 0);
    if (!src.device().is_cpu()) throw ArgError("dataView needs a cpu tensor; call .to('cpu') first");
    if (!src.is_contiguous()) throw ArgError("dataView needs a contiguous tensor; call .contiguous() first");
    auto* keep = new at::Tensor(src.detach());
    size_t n = keep->numel() * keep->element_size();
    return Napi::ArrayBuffer::New(info.Env(), keep->data_ptr(), n, [](Napi::Env, void*, at::Tensor* k) { delete k; }, keep);
  });
}

static Napi::Value Full(const Napi::CallbackInfo& info) {
  return Guard(info, "full", [&]() -> Napi::Value { return Wrap(info, at::full(ArgInts(info, 0), ArgScalar(info, 1), Opts(info, 2, 3))); });
}

static Napi::Value Empty(const Napi::CallbackInfo& info) {
  return Guard(info, "empty", [&]() -> Napi::Value { return Wrap(info, at::empty(ArgInts(info, 0), Opts(info, 1, 2))); });
}

static Napi::Value Rand(const Napi::CallbackInfo& info) {
  return Guard(info, "rand", [&]() -> Napi::Value { return Wrap(info, at::rand(ArgInts(info, 0), Opts(info, 1, 2))); });
}

static Napi::Value Randn(const Napi::CallbackInfo& info) {
  return Guard(info, "randn", [&]() -> Napi::Value { return Wrap(info, at::randn(ArgInts(info, 0), Opts(info, 1, 2))); });
}

// randint(low, high, shape, dtype?, device?)
static Napi::Value Randint(const Napi::CallbackInfo& info) {
  return Guard(info, "randint", [&]() -> Napi::Value {
    at::TensorOptions o = at::TensorOptions().dtype(IsAbsent(info, 3) ? at::kLong : ParseDtype(ArgString(info, 3)));
    if (!IsAbsent(info, 4)) o = o.device(ParseDevice(ArgString(info, 4)));
    return Wrap(info, at::randint(ArgInt(info, 0), ArgInt(info, 1), ArgInts(info, 2), o));
  });
}

// arange(start, end, step, dtype?, device?)
static Napi::Value Arange(const Napi::CallbackInfo& info) {
  return Guard(info, "arange", [&]() -> Napi::Value {
    at::TensorOptions o = at::TensorOptions().dtype(IsAbsent(info, 3) ? at::kLong : ParseDtype(ArgString(info, 3)));
    if (!IsAbsent(info, 4)) o = o.device(ParseDevice(ArgString(info, 4)));
    return Wrap(info, at::arange(ArgScalar(info, 0), ArgScalar(info, 1), ArgScalar(info, 2), o));
  });
}

static Napi::Value ToDtype(const Napi::CallbackInfo& info) {
  return Guard(info, "to", [&]() -> Napi::Value { return Wrap(info, ArgTensor(info, 0).to(ParseDtype(ArgString(info, 1)))); });
}

static Napi::Value ToDevice(const Napi::CallbackInfo& info) {
  return Guard(info, "to", [&]() -> Napi::Value {
    std::string dev = ArgString(info, 1);
    if (dev.rfind("cuda", 0) == 0 && !at::hasCUDA()) {
      throw ArgError("device '" + dev + "' is not available: this libtorch was built without CUDA or no GPU is visible");
    }
    return Wrap(info, ArgTensor(info, 0).to(ParseDevice(dev)));
  });
}

static Napi::Value Clone(const Napi::CallbackInfo& info) {
  return Guard(info, "clone", [&]() -> Napi::Value { return Wrap(info, ArgTensor(info, 0).clone()); });
}

static Napi::Value Contiguous(const Napi::CallbackInfo& info) {
  return Guard(info, "contiguous", [&]() -> Napi::Value { return Wrap(info, ArgTensor(info, 0).contiguous()); });
}

static Napi::Value Item(const Napi::CallbackInfo& info) {
  return Guard(info, "item", [&]() -> Napi::Value {
    at::Tensor& t = ArgTensor(info, 0);
    if (t.numel() != 1) throw ArgError("item() needs a tensor with exactly one element, got " + std::to_string(t.numel()));
    if (t.scalar_type() == at::kBool) return Napi::Boolean::New(info.Env(), t.item<bool>());
    return Napi::Number::New(info.Env(), t.item<double>());
  });
}

// In-place initialisers used by modules and weight loading; they never record autograd history.
static Napi::Value InitInPlace(const Napi::CallbackInfo& info) {
  return Guard(info, "init_", [&]() -> Napi::Value {
    at::NoGradGuard noGrad;
    at::Tensor& t = ArgTensor(info, 0);
    std::string kind = ArgString(info, 1);
    if (kind == "zero") t.zero_();
    else if (kind == "fill") t.fill_(ArgScalar(info, 2));
    else if (kind == "normal") t.normal_(ArgDouble(info, 2), ArgDouble(info, 3));
    else if (kind == "uniform") t.uniform_(ArgDouble(info, 2), ArgDouble(info, 3));
    else if (kind == "copy") t.copy_(ArgTensor(info, 2));
    else throw ArgError("unknown initialiser '" + kind + "'");
    return info.Env().Undefined();
  });
}

void RegisterCreate(Napi::Env env, Napi::Object e) {
  ExportAll(env, e, {
                       {"fromBuffer", FromBuffer},
                       {"toBuffer", ToBuffer},
                       {"dataView", DataView},
                       {"full", Full},
                       {"empty", Empty},
                       {"rand", Rand},
                       {"randn", Randn},
                       {"randint", Randint},
                       {"arange", Arange},
                       {"toDtype", ToDtype},
                       {"toDevice", ToDevice},
                       {"clone", Clone},
                       {"contiguous", Contiguous},
                       {"item", Item},
                       {"initInPlace", InitInPlace},
                   });
}

}  // namespace pt

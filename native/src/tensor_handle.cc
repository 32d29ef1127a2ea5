// TensorHandle: the JS object that owns one at::Tensor reference.
#include "common.h"

namespace pt {

std::atomic<int64_t> TensorHandle::live{0};

// Make() hands the tensor to the constructor through this slot, avoiding an External per tensor.
static thread_local at::Tensor* pendingTensor = nullptr;

Napi::Function TensorHandle::Define(Napi::Env env) {
  return DefineClass(env, "TensorHandle",
                     {
                         InstanceMethod("dispose", &TensorHandle::Dispose),
                         InstanceMethod("disposed", &TensorHandle::Disposed),
                         InstanceMethod("shape", &TensorHandle::Shape),
                         InstanceMethod("strides", &TensorHandle::Strides),
                         InstanceMethod("dtype", &TensorHandle::Dtype),
                         InstanceMethod("device", &TensorHandle::Device),
                         InstanceMethod("isContiguous", &TensorHandle::IsContiguous),
                         InstanceMethod("requiresGrad", &TensorHandle::RequiresGrad),
                         InstanceMethod("isLeaf", &TensorHandle::IsLeaf),
                         InstanceMethod("storageOffset", &TensorHandle::StorageOffset),
                         InstanceMethod("storageId", &TensorHandle::StorageId),
                     });
}

Napi::Object TensorHandle::Make(Napi::Env env, at::Tensor t) {
  auto* data = env.GetInstanceData<InstanceData>();
  pendingTensor = &t;
  Napi::Object obj = data->tensorCtor.New({});
  pendingTensor = nullptr;
  return obj;
}

bool TensorHandle::Is(Napi::Env env, const Napi::Value& v) {
  if (!v.IsObject()) return false;
  auto* data = env.GetInstanceData<InstanceData>();
  return v.As<Napi::Object>().InstanceOf(data->tensorCtor.Value());
}

TensorHandle::TensorHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorHandle>(info) {
  if (pendingTensor == nullptr) {
    throw Napi::TypeError::New(info.Env(), "TensorHandle cannot be constructed directly; use the engine's tensor factories");
  }
  t = std::move(*pendingTensor);
  pendingTensor = nullptr;
  if (t.defined()) {
    ++live;
    // Tell V8 about native memory so the GC safety net runs under native pressure.
    externalBytes_ = t.has_storage() ? static_cast<int64_t>(t.numel() * t.element_size()) : 0;
    if (externalBytes_ > 0) Napi::MemoryManagement::AdjustExternalMemory(info.Env(), externalBytes_);
  }
}

void TensorHandle::Release(Napi::Env env) {
  if (!t.defined()) return;
  t.reset();
  --live;
  if (externalBytes_ > 0) Napi::MemoryManagement::AdjustExternalMemory(env, -externalBytes_);
  externalBytes_ = 0;
}

TensorHandle::~TensorHandle() {
  if (t.defined()) {
    // Finaliser path: cannot touch the JS heap accounting safely here, only drop the reference.
    t.reset();
    --live;
  }
}

Napi::Value TensorHandle::Dispose(const Napi::CallbackInfo& info) {
  Release(info.Env());
  return info.Env().Undefined();
}

Napi::Value TensorHandle::Disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !t.defined()); }

static Napi::Array IntArray(Napi::Env env, at::IntArrayRef xs) {
  Napi::Array arr = Napi::Array::New(env, xs.size());
  for (size_t i = 0; i < xs.size(); ++i) arr.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(xs[i])));
  return arr;
}

#define META(method, op, expr)                                       \
  Napi::Value TensorHandle::method(const Napi::CallbackInfo& info) { \
    return Guard(info, op, [&]() -> Napi::Value {                    \
      if (!t.defined()) throw ArgError("tensor was disposed");       \
      Napi::Env env = info.Env();                                    \
      return expr;                                                   \
    });                                                              \
  }

META(Shape, "shape", IntArray(env, t.sizes()))
META(Strides, "strides", IntArray(env, t.strides()))
META(Dtype, "dtype", Napi::String::New(env, DtypeName(t.scalar_type())))
META(Device, "device", Napi::String::New(env, t.device().str()))
META(IsContiguous, "isContiguous", Napi::Boolean::New(env, t.is_contiguous()))
META(RequiresGrad, "requiresGrad", Napi::Boolean::New(env, t.requires_grad()))
META(IsLeaf, "isLeaf", Napi::Boolean::New(env, t.is_leaf()))
META(StorageOffset, "storageOffset", Napi::Number::New(env, static_cast<double>(t.storage_offset())))
META(StorageId, "storageId",
     Napi::Number::New(env, t.has_storage() ? static_cast<double>(reinterpret_cast<uintptr_t>(t.storage().unsafeGetStorageImpl())) : 0))

}  // namespace pt

// The per-thread tensor table and the functions that read tensor metadata by id.
#include "common.h"

namespace pt {

std::atomic<int64_t> TensorTable::live{0};

static constexpr double kGenScale = 4294967296.0;  // 2^32: id = base + slot + generation * 2^32
static constexpr uint32_t kGenMask = (1u << 18) - 1;  // keeps ids below 2^53, exact in a double

TensorTable& Table(Napi::Env env) { return env.GetInstanceData<InstanceData>()->tensors; }

bool IsTensorId(const Napi::Value& v) { return v.IsNumber() && TensorTable::LooksLikeId(v.As<Napi::Number>().DoubleValue()); }

at::Tensor* FindTensor(Napi::Env env, const Napi::Value& v) {
  return IsTensorId(v) ? Table(env).Get(v.As<Napi::Number>().DoubleValue()) : nullptr;
}

double TensorTable::Put(at::Tensor t) {
  uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
    slots_[i] = std::move(t);
  } else {
    i = static_cast<uint32_t>(slots_.size());
    slots_.push_back(std::move(t));
    gens_.push_back(0);
  }
  ++live;
  return kBase + static_cast<double>(i) + static_cast<double>(gens_[i]) * kGenScale;
}

at::Tensor* TensorTable::Get(double id) {
  if (id < kBase) return nullptr;
  uint64_t v = static_cast<uint64_t>(id - kBase);
  uint32_t i = static_cast<uint32_t>(v & 0xffffffffu);
  uint32_t gen = static_cast<uint32_t>(v >> 32);
  if (i >= slots_.size() || gens_[i] != gen || !slots_[i].defined()) return nullptr;
  return &slots_[i];
}

bool TensorTable::Release(double id) {
  at::Tensor* t = Get(id);
  if (t == nullptr) return false;
  uint32_t i = static_cast<uint32_t>(static_cast<uint64_t>(id - kBase) & 0xffffffffu);
  t->reset();
  gens_[i] = (gens_[i] + 1) & kGenMask;
  free_.push_back(i);
  --live;
  return true;
}

// release(id) -> whether it was live; idempotent, so dispose() and the GC safety net can both call it.
static Napi::Value Release(const Napi::CallbackInfo& info) {
  bool released = IsTensorId(info[0]) && Table(info.Env()).Release(info[0].As<Napi::Number>().DoubleValue());
  return Napi::Boolean::New(info.Env(), released);
}

static Napi::Array IntArray(Napi::Env env, at::IntArrayRef xs) {
  Napi::Array arr = Napi::Array::New(env, xs.size());
  for (size_t i = 0; i < xs.size(); ++i) arr.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(xs[i])));
  return arr;
}

#define META(fn, op, expr)                                   \
  static Napi::Value fn(const Napi::CallbackInfo& info) {    \
    return Guard(info, op, [&]() -> Napi::Value {            \
      Napi::Env env = info.Env();                            \
      const at::Tensor& t = ArgTensor(info, 0);              \
      return expr;                                           \
    });                                                      \
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

void RegisterTable(Napi::Env env, Napi::Object e) {
  ExportAll(env, e, {
                       {"release", Release},
                       {"shape", Shape},
                       {"strides", Strides},
                       {"dtype", Dtype},
                       {"device", Device},
                       {"isContiguous", IsContiguous},
                       {"requiresGrad", RequiresGrad},
                       {"isLeaf", IsLeaf},
                       {"storageOffset", StorageOffset},
                       {"storageId", StorageId},
                   });
}

}  // namespace pt

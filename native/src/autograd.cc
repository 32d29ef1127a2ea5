// Autograd: requires_grad, backward, grads, grad mode, gradient clipping.
#include <cmath>

#include "common.h"

namespace pt {

static Napi::Value Backward(const Napi::CallbackInfo& info) {
  return Guard(info, "backward", [&]() -> Napi::Value {
    at::Tensor& t = ArgTensor(info, 0);
    auto grad = ArgOptTensor(info, 1);
    if (!grad && t.numel() != 1) throw ArgError("backward() without a gradient needs a scalar; pass a gradient of shape " + Describe(t));
    t.backward(grad ? *grad : at::Tensor(), ArgBool(info, 2, false));
    return info.Env().Undefined();
  });
}

static Napi::Value Grad(const Napi::CallbackInfo& info) {
  return Guard(info, "grad", [&]() -> Napi::Value {
    const at::Tensor& g = ArgTensor(info, 0).grad();
    if (!g.defined()) return info.Env().Undefined();
    return Wrap(info, g);
  });
}

static Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  return Guard(info, "requiresGrad_", [&]() -> Napi::Value {
    ArgTensor(info, 0).requires_grad_(ArgBool(info, 1, true));
    return info.Env().Undefined();
  });
}

static Napi::Value Detach(const Napi::CallbackInfo& info) {
  return Guard(info, "detach", [&]() -> Napi::Value { return Wrap(info, ArgTensor(info, 0).detach()); });
}

// setGradEnabled(flag) -> previous flag; the TS noGrad() scope restores it.
static Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(info[0].ToBoolean().Value());
  return Napi::Boolean::New(info.Env(), prev);
}

static Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled()); }

// zeroGrad(params): sets grads to none, which frees their memory (PyTorch's set_to_none=True).
static Napi::Value ZeroGrad(const Napi::CallbackInfo& info) {
  return Guard(info, "zeroGrad", [&]() -> Napi::Value {
    for (auto& p : ArgTensorList(info, 0)) p.mutable_grad().reset();
    return info.Env().Undefined();
  });
}

// clipGradNorm(params, maxNorm, normType) -> total norm before clipping.
static Napi::Value ClipGradNorm(const Napi::CallbackInfo& info) {
  return Guard(info, "clipGradNorm", [&]() -> Napi::Value {
    at::NoGradGuard noGrad;
    double maxNorm = ArgDouble(info, 1);
    double normType = ArgDouble(info, 2);
    std::vector<at::Tensor> grads;
    for (auto& p : ArgTensorList(info, 0))
      if (p.grad().defined()) grads.push_back(p.grad());
    if (grads.empty()) return Napi::Number::New(info.Env(), 0.0);
    // Same formula as torch.nn.utils.clip_grad_norm_: one global norm, one scale for every grad.
    std::vector<at::Tensor> norms;
    for (auto& g : grads) norms.push_back(std::isinf(normType) ? g.abs().max() : at::norm(g, normType));
    at::Tensor total = std::isinf(normType) ? at::stack(norms).max() : at::norm(at::stack(norms), normType);
    at::Tensor coef = at::clamp(maxNorm / (total + 1e-6), c10::nullopt, 1.0);
    for (auto& g : grads) g.mul_(coef);
    return Napi::Number::New(info.Env(), total.item<double>());
  });
}

void RegisterAutograd(Napi::Env env, Napi::Object e) {
  ExportAll(env, e, {
                       {"backward", Backward},
                       {"grad", Grad},
                       {"setRequiresGrad", SetRequiresGrad},
                       {"detach", Detach},
                       {"setGradEnabled", SetGradEnabled},
                       {"isGradEnabled", IsGradEnabled},
                       {"zeroGrad", ZeroGrad},
                       {"clipGradNorm", ClipGradNorm},
                   });
}

}  // namespace pt

// Neural-network functionals: softmax family, layer norm, dropout, embedding, losses, attention.
#include <cmath>
#include <limits>

#include "common.h"

namespace pt {

static c10::optional<at::Tensor> Opt(const std::optional<at::Tensor>& t) { return t ? c10::optional<at::Tensor>(*t) : c10::nullopt; }

static Napi::Value Softmax(const Napi::CallbackInfo& info) {
  return Guard(info, "softmax", [&]() -> Napi::Value { return Wrap(info, at::softmax(ArgTensor(info, 0), ArgInt(info, 1))); });
}

static Napi::Value LogSoftmax(const Napi::CallbackInfo& info) {
  return Guard(info, "logSoftmax", [&]() -> Napi::Value { return Wrap(info, at::log_softmax(ArgTensor(info, 0), ArgInt(info, 1))); });
}

// layerNorm(x, normalizedShape, weight?, bias?, eps)
static Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  return Guard(info, "layerNorm", [&]() -> Napi::Value {
    at::Tensor& x = ArgTensor(info, 0);
    c10::optional<at::Tensor> weight = Opt(ArgOptTensor(info, 2));
    // A bf16 activation with fp32 weights (a head's dense → GELU → LayerNorm under autocast): normalise in the
    // weights' precision and answer in the input's, as PyTorch 2's mixed-type CPU kernel does (1.13 refuses it).
    if (weight && weight->scalar_type() != x.scalar_type()) {
      at::Tensor out = at::layer_norm(x.to(weight->scalar_type()), ArgInts(info, 1), weight, Opt(ArgOptTensor(info, 3)),
                                      ArgDouble(info, 4));
      return Wrap(info, out.to(x.scalar_type()));
    }
    return Wrap(info, at::layer_norm(x, ArgInts(info, 1), weight, Opt(ArgOptTensor(info, 3)), ArgDouble(info, 4)));
  });
}

// dropout(x, p, training): identity when not training or p == 0, like torch.nn.functional.dropout.
static Napi::Value Dropout(const Napi::CallbackInfo& info) {
  return Guard(info, "dropout", [&]() -> Napi::Value {
    at::Tensor& x = ArgTensor(info, 0);
    double p = ArgDouble(info, 1);
    if (p < 0 || p > 1) throw ArgError("dropout probability must be in [0, 1], got " + std::to_string(p));
    bool train = ArgBool(info, 2, true);
    if (!train || p == 0) return Wrap(info, x.alias());
    return Wrap(info, at::dropout(x, p, true));
  });
}

// embedding(weight, ids, paddingIdx?)
static Napi::Value Embedding(const Napi::CallbackInfo& info) {
  return Guard(info, "embedding", [&]() -> Napi::Value {
    int64_t pad = IsAbsent(info, 2) ? -1 : ArgInt(info, 2);
    return Wrap(info, at::embedding(ArgTensor(info, 0), ArgTensor(info, 1), pad));
  });
}

static int64_t Reduction(const std::string& r) {
  if (r == "mean") return at::Reduction::Mean;
  if (r == "sum") return at::Reduction::Sum;
  if (r == "none") return at::Reduction::None;
  throw ArgError("unknown reduction '" + r + "' (use mean, sum or none)");
}

// crossEntropy(logits, target, weight?, ignoreIndex, labelSmoothing, reduction)
static Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  return Guard(info, "crossEntropy", [&]() -> Napi::Value {
    return Wrap(info, at::cross_entropy_loss(ArgTensor(info, 0), ArgTensor(info, 1), Opt(ArgOptTensor(info, 2)),
                                             Reduction(ArgString(info, 5)), ArgInt(info, 3), ArgDouble(info, 4)));
  });
}

// bceWithLogits(logits, target, posWeight?, reduction)
static Napi::Value BceWithLogits(const Napi::CallbackInfo& info) {
  return Guard(info, "bceWithLogits", [&]() -> Napi::Value {
    return Wrap(info, at::binary_cross_entropy_with_logits(ArgTensor(info, 0), ArgTensor(info, 1), c10::nullopt,
                                                            Opt(ArgOptTensor(info, 2)), Reduction(ArgString(info, 3))));
  });
}

static Napi::Value MseLoss(const Napi::CallbackInfo& info) {
  return Guard(info, "mseLoss", [&]() -> Napi::Value {
    return Wrap(info, at::mse_loss(ArgTensor(info, 0), ArgTensor(info, 1), Reduction(ArgString(info, 2))));
  });
}

// sdpa(q, k, v, mask?, dropoutP, isCausal, scale?) over [..., L, E] inputs.
// Boolean masks mark positions that may be attended (as torch.nn.functional.scaled_dot_product_attention);
// float masks are added to the scores.
static Napi::Value Sdpa(const Napi::CallbackInfo& info) {
  return Guard(info, "scaledDotProductAttention", [&]() -> Napi::Value {
    at::Tensor& q = ArgTensor(info, 0);
    at::Tensor& k = ArgTensor(info, 1);
    at::Tensor& v = ArgTensor(info, 2);
    auto mask = ArgOptTensor(info, 3);
    double p = ArgDouble(info, 4);
    bool causal = ArgBool(info, 5, false);
    double scale = IsAbsent(info, 6) ? 1.0 / std::sqrt(static_cast<double>(q.size(-1))) : ArgDouble(info, 6);
    if (q.size(-1) != k.size(-1)) throw ArgError("query and key must have the same last dim");
    if (k.size(-2) != v.size(-2)) throw ArgError("key and value must have the same sequence length");
    at::Tensor scores = at::matmul(q, k.transpose(-2, -1)).mul_(scale);
    const double ninf = -std::numeric_limits<double>::infinity();
    if (causal) {
      at::Tensor keep = at::ones({q.size(-2), k.size(-2)}, q.options().dtype(at::kBool)).tril();
      scores = scores.masked_fill(keep.logical_not(), ninf);
    }
    if (mask) {
      if (mask->scalar_type() == at::kBool) scores = scores.masked_fill(mask->logical_not(), ninf);
      else scores = scores + *mask;
    }
    at::Tensor attn = at::softmax(scores, -1);
    if (p > 0) attn = at::dropout(attn, p, true);
    return Wrap(info, at::matmul(attn, v));
  });
}

void RegisterNn(Napi::Env env, Napi::Object e) {
  ExportAll(env, e, {
                       {"softmax", Softmax},
                       {"logSoftmax", LogSoftmax},
                       {"layerNorm", LayerNorm},
                       {"dropout", Dropout},
                       {"embedding", Embedding},
                       {"crossEntropy", CrossEntropy},
                       {"bceWithLogits", BceWithLogits},
                       {"mseLoss", MseLoss},
                       {"sdpa", Sdpa},
                   });
}

}  // namespace pt

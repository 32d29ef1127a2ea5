// Elementwise arithmetic (with broadcasting), comparisons, selection, reductions and matrix products.
#include <unordered_map>

#include "common.h"

namespace pt {

using Unary = at::Tensor (*)(const at::Tensor&);

static const std::unordered_map<std::string, Unary>& UnaryTable() {
  static const std::unordered_map<std::string, Unary> table = {
      {"neg", [](const at::Tensor& x) { return at::neg(x); }},
      {"abs", [](const at::Tensor& x) { return at::abs(x); }},
      {"exp", [](const at::Tensor& x) { return at::exp(x); }},
      {"log", [](const at::Tensor& x) { return at::log(x); }},
      {"sqrt", [](const at::Tensor& x) { return at::sqrt(x); }},
      {"rsqrt", [](const at::Tensor& x) { return at::rsqrt(x); }},
      {"sin", [](const at::Tensor& x) { return at::sin(x); }},
      {"cos", [](const at::Tensor& x) { return at::cos(x); }},
      {"tanh", [](const at::Tensor& x) { return at::tanh(x); }},
      {"sigmoid", [](const at::Tensor& x) { return at::sigmoid(x); }},
      {"relu", [](const at::Tensor& x) { return at::relu(x); }},
      {"gelu", [](const at::Tensor& x) { return at::gelu(x); }},
      {"gelu_tanh", [](const at::Tensor& x) { return at::gelu(x, "tanh"); }},
      {"silu", [](const at::Tensor& x) { return at::silu(x); }},
      {"erf", [](const at::Tensor& x) { return at::erf(x); }},
      {"square", [](const at::Tensor& x) { return at::square(x); }},
      {"logical_not", [](const at::Tensor& x) { return at::logical_not(x); }},
      {"isnan", [](const at::Tensor& x) { return at::isnan(x); }},
      {"isfinite", [](const at::Tensor& x) { return at::isfinite(x); }},
      {"floor", [](const at::Tensor& x) { return at::floor(x); }},
      {"round", [](const at::Tensor& x) { return at::round(x); }},
  };
  return table;
}

static Napi::Value UnaryOp(const Napi::CallbackInfo& info) {
  std::string name = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "unary";
  return Guard(info, name.c_str(), [&]() -> Napi::Value {
    auto it = UnaryTable().find(name);
    if (it == UnaryTable().end()) throw ArgError("unknown unary op '" + name + "'");
    return Wrap(info, it->second(ArgTensor(info, 1)));
  });
}

// binary(name, a, b): b may be a tensor or a JS number; results broadcast as in PyTorch.
static at::Tensor Binary(const std::string& op, const at::Tensor& a, const at::Tensor* bt, const at::Scalar* bs) {
  if (op == "add") return bt ? at::add(a, *bt) : at::add(a, *bs);
  if (op == "sub") return bt ? at::sub(a, *bt) : at::sub(a, *bs);
  if (op == "mul") return bt ? at::mul(a, *bt) : at::mul(a, *bs);
  if (op == "div") return bt ? at::div(a, *bt) : at::div(a, *bs);
  if (op == "pow") return bt ? at::pow(a, *bt) : at::pow(a, *bs);
  if (op == "remainder") return bt ? at::remainder(a, *bt) : at::remainder(a, *bs);
  if (op == "maximum") return at::maximum(a, bt ? *bt : at::scalar_tensor(*bs, a.options()));
  if (op == "minimum") return at::minimum(a, bt ? *bt : at::scalar_tensor(*bs, a.options()));
  if (op == "eq") return bt ? at::eq(a, *bt) : at::eq(a, *bs);
  if (op == "ne") return bt ? at::ne(a, *bt) : at::ne(a, *bs);
  if (op == "lt") return bt ? at::lt(a, *bt) : at::lt(a, *bs);
  if (op == "le") return bt ? at::le(a, *bt) : at::le(a, *bs);
  if (op == "gt") return bt ? at::gt(a, *bt) : at::gt(a, *bs);
  if (op == "ge") return bt ? at::ge(a, *bt) : at::ge(a, *bs);
  if (op == "logical_and") return at::logical_and(a, bt ? *bt : at::scalar_tensor(*bs, a.options()));
  if (op == "logical_or") return at::logical_or(a, bt ? *bt : at::scalar_tensor(*bs, a.options()));
  throw ArgError("unknown binary op '" + op + "'");
}

static Napi::Value BinaryOp(const Napi::CallbackInfo& info) {
  std::string name = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "binary";
  return Guard(info, name.c_str(), [&]() -> Napi::Value {
    at::Tensor& a = ArgTensor(info, 1);
    if (IsScalarArg(info, 3)) {
      at::Scalar s = ArgScalar(info, 2);
      return Wrap(info, Binary(name, a, nullptr, &s));
    }
    return Wrap(info, Binary(name, a, &ArgTensor(info, 2), nullptr));
  });
}

static at::Tensor TensorOrScalar(const Napi::CallbackInfo& info, size_t i, bool scalar, const at::Tensor& like) {
  if (scalar) return at::scalar_tensor(ArgScalar(info, i), like.options().requires_grad(false));
  return ArgTensor(info, i);
}

static Napi::Value Where(const Napi::CallbackInfo& info) {
  return Guard(info, "where", [&]() -> Napi::Value {
    at::Tensor& cond = ArgTensor(info, 0);
    // where(cond, a, b, aIsScalar, bIsScalar): a scalar takes the dtype of the tensor on the other side.
    bool aScalar = IsScalarArg(info, 3);
    bool bScalar = IsScalarArg(info, 4);
    if (aScalar && bScalar) throw ArgError("where needs at least one tensor among its two values");
    at::Tensor like = aScalar ? ArgTensor(info, 2) : ArgTensor(info, 1);
    at::Tensor a = TensorOrScalar(info, 1, aScalar, like);
    at::Tensor b = TensorOrScalar(info, 2, bScalar, like);
    return Wrap(info, at::where(cond, a, b));
  });
}

static Napi::Value MaskedFill(const Napi::CallbackInfo& info) {
  return Guard(info, "maskedFill", [&]() -> Napi::Value {
    at::Tensor& t = ArgTensor(info, 0);
    at::Tensor& mask = ArgTensor(info, 1);
    if (IsScalarArg(info, 3)) return Wrap(info, t.masked_fill(mask, ArgScalar(info, 2)));
    return Wrap(info, t.masked_fill(mask, ArgTensor(info, 2)));
  });
}

static Napi::Value Clamp(const Napi::CallbackInfo& info) {
  return Guard(info, "clamp", [&]() -> Napi::Value {
    c10::optional<at::Scalar> lo, hi;
    if (!IsAbsent(info, 1)) lo = ArgScalar(info, 1);
    if (!IsAbsent(info, 2)) hi = ArgScalar(info, 2);
    return Wrap(info, at::clamp(ArgTensor(info, 0), lo, hi));
  });
}

// reduce(name, t, dims|undefined, keepdim): sum, mean, prod, amax, amin, all, any, std, var.
static Napi::Value Reduce(const Napi::CallbackInfo& info) {
  std::string name = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "reduce";
  return Guard(info, name.c_str(), [&]() -> Napi::Value {
    at::Tensor& t = ArgTensor(info, 1);
    bool all = IsAbsent(info, 2);
    std::vector<int64_t> dims = all ? std::vector<int64_t>{} : ArgInts(info, 2);
    bool keep = ArgBool(info, 3, false);
    if (name == "sum") return Wrap(info, all ? at::sum(t) : at::sum(t, dims, keep));
    if (name == "mean") return Wrap(info, all ? at::mean(t) : at::mean(t, dims, keep));
    if (name == "amax") return Wrap(info, at::amax(t, dims, keep));
    if (name == "amin") return Wrap(info, at::amin(t, dims, keep));
    if (name == "std") return Wrap(info, all ? at::std(t) : at::std(t, dims, true, keep));
    if (name == "var") return Wrap(info, all ? at::var(t) : at::var(t, dims, true, keep));
    if (name == "logsumexp") return Wrap(info, at::logsumexp(t, dims, keep));
    if (name == "all" || name == "any" || name == "prod") {
      if (all) return Wrap(info, name == "all" ? at::all(t) : name == "any" ? at::any(t) : at::prod(t));
      if (dims.size() != 1) throw ArgError(name + " over several dims at once is not supported; reduce one dim at a time");
      return Wrap(info, name == "all" ? at::all(t, dims[0], keep) : name == "any" ? at::any(t, dims[0], keep) : at::prod(t, dims[0], keep));
    }
    throw ArgError("unknown reduction '" + name + "'");
  });
}

// maxDim/minDim(t, dim, keepdim) -> [values, indices]; argmax/argmin(t, dim?, keepdim)
static Napi::Value MaxMinDim(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return Guard(info, name.c_str(), [&]() -> Napi::Value {
    at::Tensor& t = ArgTensor(info, 1);
    auto r = name == "max" ? at::max(t, ArgInt(info, 2), ArgBool(info, 3, false)) : at::min(t, ArgInt(info, 2), ArgBool(info, 3, false));
    return WrapList(info, {std::get<0>(r), std::get<1>(r)});
  });
}

static Napi::Value ArgMaxMin(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return Guard(info, name.c_str(), [&]() -> Napi::Value {
    at::Tensor& t = ArgTensor(info, 1);
    c10::optional<int64_t> dim;
    if (!IsAbsent(info, 2)) dim = ArgInt(info, 2);
    bool keep = ArgBool(info, 3, false);
    return Wrap(info, name == "argmax" ? at::argmax(t, dim, keep) : at::argmin(t, dim, keep));
  });
}

static Napi::Value Topk(const Napi::CallbackInfo& info) {
  return Guard(info, "topk", [&]() -> Napi::Value {
    auto r = at::topk(ArgTensor(info, 0), ArgInt(info, 1), ArgInt(info, 2), ArgBool(info, 3, true), ArgBool(info, 4, true));
    return WrapList(info, {std::get<0>(r), std::get<1>(r)});
  });
}

static Napi::Value Sort(const Napi::CallbackInfo& info) {
  return Guard(info, "sort", [&]() -> Napi::Value {
    auto r = at::sort(ArgTensor(info, 0), ArgInt(info, 1), ArgBool(info, 2, false));
    return WrapList(info, {std::get<0>(r), std::get<1>(r)});
  });
}

static Napi::Value Matmul(const Napi::CallbackInfo& info) {
  return Guard(info, "matmul", [&]() -> Napi::Value { return Wrap(info, at::matmul(ArgTensor(info, 0), ArgTensor(info, 1))); });
}

static Napi::Value Bmm(const Napi::CallbackInfo& info) {
  return Guard(info, "bmm", [&]() -> Napi::Value { return Wrap(info, at::bmm(ArgTensor(info, 0), ArgTensor(info, 1))); });
}

// linear(x, weight[out, in], bias?) = x @ weight.T + bias, as torch.nn.functional.linear.
static Napi::Value Linear(const Napi::CallbackInfo& info) {
  return Guard(info, "linear", [&]() -> Napi::Value {
    auto bias = ArgOptTensor(info, 2);
    return Wrap(info, at::linear(ArgTensor(info, 0), ArgTensor(info, 1), bias ? c10::optional<at::Tensor>(*bias) : c10::nullopt));
  });
}

void RegisterMath(Napi::Env env, Napi::Object e) {
  ExportAll(env, e, {
                       {"unary", UnaryOp},
                       {"binary", BinaryOp},
                       {"where", Where},
                       {"maskedFill", MaskedFill},
                       {"clamp", Clamp},
                       {"reduce", Reduce},
                       {"maxMinDim", MaxMinDim},
                       {"argMaxMin", ArgMaxMin},
                       {"topk", Topk},
                       {"sort", Sort},
                       {"matmul", Matmul},
                       {"bmm", Bmm},
                       {"linear", Linear},
                   });
}

}  // namespace pt

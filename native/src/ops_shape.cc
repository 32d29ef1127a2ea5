// Shape and indexing ops. Views share storage exactly as in PyTorch (reshape/view/permute/transpose/narrow...).
#include "common.h"

namespace pt {

#define SHAPE_OP(fn, op, expr)                                \
  static Napi::Value fn(const Napi::CallbackInfo& info) {     \
    return Guard(info, op, [&]() -> Napi::Value { return expr; }); \
  }

SHAPE_OP(Reshape, "reshape", Wrap(info, ArgTensor(info, 0).reshape(ArgInts(info, 1))))
SHAPE_OP(View, "view", Wrap(info, ArgTensor(info, 0).view(ArgInts(info, 1))))
SHAPE_OP(Permute, "permute", Wrap(info, ArgTensor(info, 0).permute(ArgInts(info, 1))))
SHAPE_OP(Transpose, "transpose", Wrap(info, ArgTensor(info, 0).transpose(ArgInt(info, 1), ArgInt(info, 2))))
SHAPE_OP(Cat, "cat", Wrap(info, at::cat(ArgTensorList(info, 0), ArgInt(info, 1))))
SHAPE_OP(Stack, "stack", Wrap(info, at::stack(ArgTensorList(info, 0), ArgInt(info, 1))))
SHAPE_OP(Narrow, "narrow", Wrap(info, ArgTensor(info, 0).narrow(ArgInt(info, 1), ArgInt(info, 2), ArgInt(info, 3))))
SHAPE_OP(Unsqueeze, "unsqueeze", Wrap(info, ArgTensor(info, 0).unsqueeze(ArgInt(info, 1))))
SHAPE_OP(Expand, "expand", Wrap(info, ArgTensor(info, 0).expand(ArgInts(info, 1))))
SHAPE_OP(Repeat, "repeat", Wrap(info, ArgTensor(info, 0).repeat(ArgInts(info, 1))))
SHAPE_OP(Flatten, "flatten", Wrap(info, ArgTensor(info, 0).flatten(ArgInt(info, 1), ArgInt(info, 2))))
SHAPE_OP(Select, "select", Wrap(info, ArgTensor(info, 0).select(ArgInt(info, 1), ArgInt(info, 2))))
SHAPE_OP(Gather, "gather", Wrap(info, at::gather(ArgTensor(info, 0), ArgInt(info, 1), ArgTensor(info, 2))))
SHAPE_OP(IndexSelect, "indexSelect", Wrap(info, at::index_select(ArgTensor(info, 0), ArgInt(info, 1), ArgTensor(info, 2))))
SHAPE_OP(Tril, "tril", Wrap(info, at::tril(ArgTensor(info, 0), ArgInt(info, 1))))
SHAPE_OP(Triu, "triu", Wrap(info, at::triu(ArgTensor(info, 0), ArgInt(info, 1))))

static Napi::Value Squeeze(const Napi::CallbackInfo& info) {
  return Guard(info, "squeeze", [&]() -> Napi::Value {
    at::Tensor& t = ArgTensor(info, 0);
    return Wrap(info, IsAbsent(info, 1) ? t.squeeze() : t.squeeze(ArgInt(info, 1)));
  });
}

// slice(t, dim, start, end, step): Python's t[..., start:end:step] on one dim.
static Napi::Value Slice(const Napi::CallbackInfo& info) {
  return Guard(info, "slice", [&]() -> Napi::Value {
    c10::optional<int64_t> start, end;
    if (!IsAbsent(info, 2)) start = ArgInt(info, 2);
    if (!IsAbsent(info, 3)) end = ArgInt(info, 3);
    int64_t step = IsAbsent(info, 4) ? 1 : ArgInt(info, 4);
    return Wrap(info, at::slice(ArgTensor(info, 0), ArgInt(info, 1), start, end, step));
  });
}

// split(t, sizeOrSizes, dim): a number gives equal chunks (last may be smaller), an array gives exact sizes.
static Napi::Value Split(const Napi::CallbackInfo& info) {
  return Guard(info, "split", [&]() -> Napi::Value {
    at::Tensor& t = ArgTensor(info, 0);
    int64_t dim = ArgInt(info, 2);
    if (info[1].IsArray()) return WrapList(info, at::split_with_sizes(t, ArgInts(info, 1), dim));
    return WrapList(info, at::split(t, ArgInt(info, 1), dim));
  });
}

static Napi::Value IndexTensor(const Napi::CallbackInfo& info) {
  // Boolean-mask or integer-array selection along dim 0, as t[mask] / t[idx] in Python.
  return Guard(info, "index", [&]() -> Napi::Value {
    c10::List<c10::optional<at::Tensor>> idx;
    idx.push_back(ArgTensor(info, 1));
    return Wrap(info, at::index(ArgTensor(info, 0), idx));
  });
}

void RegisterShape(Napi::Env env, Napi::Object e) {
  ExportAll(env, e, {
                       {"reshape", Reshape},
                       {"view", View},
                       {"permute", Permute},
                       {"transpose", Transpose},
                       {"cat", Cat},
                       {"stack", Stack},
                       {"narrow", Narrow},
                       {"unsqueeze", Unsqueeze},
                       {"squeeze", Squeeze},
                       {"expand", Expand},
                       {"repeat", Repeat},
                       {"flatten", Flatten},
                       {"select", Select},
                       {"slice", Slice},
                       {"split", Split},
                       {"gather", Gather},
                       {"indexSelect", IndexSelect},
                       {"index", IndexTensor},
                       {"tril", Tril},
                       {"triu", Triu},
                   });
}

}  // namespace pt

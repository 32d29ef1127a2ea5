// Optimisers: libtorch's AdamW and SGD behind one JS handle, with param groups and a settable learning rate.
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <memory>

#include "common.h"

namespace pt {

class OptimizerHandle : public Napi::ObjectWrap<OptimizerHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "OptimizerHandle",
                       {InstanceMethod("step", &OptimizerHandle::Step), InstanceMethod("zeroGrad", &OptimizerHandle::ZeroGrad),
                        InstanceMethod("setLr", &OptimizerHandle::SetLr), InstanceMethod("getLr", &OptimizerHandle::GetLr),
                        InstanceMethod("dispose", &OptimizerHandle::Dispose)});
  }

  // new OptimizerHandle(kind, groups: [{params, lr, weightDecay}], options)
  explicit OptimizerHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<OptimizerHandle>(info) {
    Guard(info, "optimizer", [&]() -> Napi::Value {
      std::string kind = ArgString(info, 0);
      if (!info[1].IsArray()) throw ArgError("argument 1 must be an array of parameter groups");
      Napi::Array groups = info[1].As<Napi::Array>();
      Napi::Object o = info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object::New(info.Env());
      auto num = [&](const Napi::Object& obj, const char* k, double d) {
        Napi::Value v = obj.Get(k);
        return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : d;
      };
      auto flag = [&](const Napi::Object& obj, const char* k) { return obj.Get(k).ToBoolean().Value(); };
      std::vector<torch::optim::OptimizerParamGroup> pgs;
      for (uint32_t i = 0; i < groups.Length(); ++i) {
        Napi::Object g = groups.Get(i).As<Napi::Object>();
        Napi::Array ps = g.Get("params").As<Napi::Array>();
        std::vector<at::Tensor> params;
        for (uint32_t j = 0; j < ps.Length(); ++j) {
          at::Tensor* t = FindTensor(info.Env(), ps.Get(j));
          if (t == nullptr) throw ArgError("group " + std::to_string(i) + " param " + std::to_string(j) + " is not a live Tensor");
          params.push_back(*t);
        }
        double lr = num(g, "lr", num(o, "lr", 1e-3));
        double wd = num(g, "weightDecay", num(o, "weightDecay", kind == "adamw" ? 0.01 : 0.0));
        if (kind == "adamw") {
          auto opts = std::make_unique<torch::optim::AdamWOptions>(lr);
          opts->betas({num(o, "beta1", 0.9), num(o, "beta2", 0.999)}).eps(num(o, "eps", 1e-8)).weight_decay(wd).amsgrad(flag(o, "amsgrad"));
          pgs.emplace_back(params, std::move(opts));
        } else if (kind == "sgd") {
          auto opts = std::make_unique<torch::optim::SGDOptions>(lr);
          opts->momentum(num(o, "momentum", 0)).dampening(num(o, "dampening", 0)).weight_decay(wd).nesterov(flag(o, "nesterov"));
          pgs.emplace_back(params, std::move(opts));
        } else {
          throw ArgError("unknown optimizer '" + kind + "' (use adamw or sgd)");
        }
      }
      if (kind == "adamw") opt_ = std::make_unique<torch::optim::AdamW>(pgs, torch::optim::AdamWOptions(num(o, "lr", 1e-3)));
      else opt_ = std::make_unique<torch::optim::SGD>(pgs, torch::optim::SGDOptions(num(o, "lr", 1e-3)));
      return info.Env().Undefined();
    });
  }

 private:
  std::unique_ptr<torch::optim::Optimizer> opt_;

  torch::optim::Optimizer& Get() {
    if (!opt_) throw ArgError("optimizer was disposed");
    return *opt_;
  }

  Napi::Value Step(const Napi::CallbackInfo& info) {
    return Guard(info, "optimizer.step", [&]() -> Napi::Value {
      Get().step();
      return info.Env().Undefined();
    });
  }

  Napi::Value ZeroGrad(const Napi::CallbackInfo& info) {
    return Guard(info, "optimizer.zeroGrad", [&]() -> Napi::Value {
      for (auto& g : Get().param_groups())
        for (auto& p : g.params()) p.mutable_grad().reset();
      return info.Env().Undefined();
    });
  }

  // setLr(lr, groupIndex?) — schedules call this every step.
  Napi::Value SetLr(const Napi::CallbackInfo& info) {
    return Guard(info, "optimizer.setLr", [&]() -> Napi::Value {
      double lr = ArgDouble(info, 0);
      auto& groups = Get().param_groups();
      for (size_t i = 0; i < groups.size(); ++i) {
        if (!IsAbsent(info, 1) && static_cast<int64_t>(i) != ArgInt(info, 1)) continue;
        groups[i].options().set_lr(lr);
      }
      return info.Env().Undefined();
    });
  }

  Napi::Value GetLr(const Napi::CallbackInfo& info) {
    return Guard(info, "optimizer.getLr", [&]() -> Napi::Value {
      size_t i = IsAbsent(info, 0) ? 0 : static_cast<size_t>(ArgInt(info, 0));
      return Napi::Number::New(info.Env(), Get().param_groups().at(i).options().get_lr());
    });
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    opt_.reset();
    return info.Env().Undefined();
  }
};

void RegisterOptim(Napi::Env env, Napi::Object e) {
  Napi::Function ctor = OptimizerHandle::Define(env);
  e.Set("OptimizerHandle", ctor);
}

}  // namespace pt

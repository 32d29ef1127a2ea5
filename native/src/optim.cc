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
                        InstanceMethod("state", &OptimizerHandle::State), InstanceMethod("loadState", &OptimizerHandle::LoadState),
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

  // Parameters in group order: the order state() reports and loadState() expects.
  std::vector<at::Tensor> Params() {
    std::vector<at::Tensor> out;
    for (auto& g : Get().param_groups())
      for (auto& p : g.params()) out.push_back(p);
    return out;
  }

  static std::string Key(const at::Tensor& p) { return c10::guts::to_string(p.unsafeGetTensorImpl()); }

  // state() -> per parameter (group order) null before its first step, else {step, tensors: [ids]}:
  // AdamW [exp_avg, exp_avg_sq(, max_exp_avg_sq)], SGD [momentum_buffer]. Tensors are fresh copies owned by JS.
  Napi::Value State(const Napi::CallbackInfo& info) {
    return Guard(info, "optimizer.state", [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      auto& st = Get().state();
      auto params = Params();
      Napi::Array out = Napi::Array::New(env, params.size());
      for (size_t i = 0; i < params.size(); ++i) {
        auto it = st.find(Key(params[i]));
        if (it == st.end()) {
          out.Set(i, env.Null());
          continue;
        }
        Napi::Object o = Napi::Object::New(env);
        Napi::Array ts = Napi::Array::New(env);
        if (auto* a = dynamic_cast<torch::optim::AdamWParamState*>(it->second.get())) {
          o.Set("step", Napi::Number::New(env, static_cast<double>(a->step())));
          ts.Set(0u, Wrap(info, a->exp_avg().clone()));
          ts.Set(1u, Wrap(info, a->exp_avg_sq().clone()));
          if (a->max_exp_avg_sq().defined()) ts.Set(2u, Wrap(info, a->max_exp_avg_sq().clone()));
        } else if (auto* s = dynamic_cast<torch::optim::SGDParamState*>(it->second.get())) {
          o.Set("step", Napi::Number::New(env, 0));
          if (s->momentum_buffer().defined()) ts.Set(0u, Wrap(info, s->momentum_buffer().clone()));
        }
        o.Set("tensors", ts);
        out.Set(i, o);
      }
      return out;
    });
  }

  // loadState(entries) — the inverse of state(); shapes must match the parameters.
  Napi::Value LoadState(const Napi::CallbackInfo& info) {
    return Guard(info, "optimizer.loadState", [&]() -> Napi::Value {
      if (!info[0].IsArray()) throw ArgError("argument 0 must be the array state() returned");
      Napi::Array entries = info[0].As<Napi::Array>();
      auto params = Params();
      if (entries.Length() != params.size())
        throw ArgError("state has " + std::to_string(entries.Length()) + " entries but the optimizer has " +
                       std::to_string(params.size()) + " parameters");
      bool adamw = dynamic_cast<torch::optim::AdamW*>(&Get()) != nullptr;
      auto& st = Get().state();
      for (uint32_t i = 0; i < entries.Length(); ++i) {
        Napi::Value v = entries.Get(i);
        std::string key = Key(params[i]);
        if (v.IsNull() || v.IsUndefined()) {
          st.erase(key);
          continue;
        }
        Napi::Object o = v.As<Napi::Object>();
        Napi::Array ts = o.Get("tensors").As<Napi::Array>();
        auto tensorAt = [&](uint32_t j) {
          at::Tensor* t = FindTensor(info.Env(), ts.Get(j));
          if (t == nullptr) throw ArgError("entry " + std::to_string(i) + " tensor " + std::to_string(j) + " is not a live Tensor");
          if (!t->sizes().equals(params[i].sizes()))
            throw ArgError("entry " + std::to_string(i) + " has shape " + Describe(*t) + " but the parameter is " + Describe(params[i]));
          return t->detach().clone();
        };
        if (adamw) {
          auto s = std::make_unique<torch::optim::AdamWParamState>();
          s->step(static_cast<int64_t>(o.Get("step").As<Napi::Number>().Int64Value()));
          s->exp_avg(tensorAt(0));
          s->exp_avg_sq(tensorAt(1));
          if (ts.Length() > 2) s->max_exp_avg_sq(tensorAt(2));
          st[key] = std::move(s);
        } else {
          auto s = std::make_unique<torch::optim::SGDParamState>();
          if (ts.Length() > 0) s->momentum_buffer(tensorAt(0));
          st[key] = std::move(s);
        }
      }
      return info.Env().Undefined();
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

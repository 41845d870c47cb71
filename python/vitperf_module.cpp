// The compiled half of the Python module (vitperf._vitperf): each query takes its fields as
// text, exactly as the command line's flags do, goes through the same resolution
// (predict/model_request.h) and the same JSON printers, and hands the JSON text back; the
// Python half (vitperf/__init__.py) turns keyword arguments into text and the JSON into dicts.
// Bad input throws std::invalid_argument, which pybind11 raises as ValueError with the message.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "model/hardware_profile.h"
#include "model/strict_json.h"
#include "predict/best_output.h"
#include "predict/catalog_output.h"
#include "predict/model_request.h"
#include "predict/predict_output.h"
#include "predict/validation_output.h"
#include "predict/validation_run.h"

namespace py = pybind11;

namespace vitperf {
namespace {

using Fields = std::map<std::string, std::string>;

// Takes the fields one by one; whatever is left at the end was not understood.
class FieldReader {
 public:
  FieldReader(const char* call, Fields fields) : call_(call), fields_(std::move(fields)) {}

  std::optional<std::string> Take(const std::string& name) {
    known_.push_back(name);
    const auto it = fields_.find(name);
    if (it == fields_.end()) return std::nullopt;
    std::string value = it->second;
    fields_.erase(it);
    return value;
  }
  void Take(const std::string& name, std::string* into) {
    if (auto v = Take(name)) *into = *v;
  }
  void Take(const std::string& name, std::optional<std::string>* into) {
    if (auto v = Take(name)) *into = *v;
  }
  std::optional<double> Number(const std::string& name) {
    const auto v = Take(name);
    if (!v) return std::nullopt;
    size_t used = 0;
    double value = 0;
    try {
      value = std::stod(*v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (v->empty() || used != v->size())
      throw std::invalid_argument(name + ": '" + *v + "' is not a number");
    return value;
  }
  std::optional<int> Integer(const std::string& name) {
    const auto v = Take(name);
    if (!v) return std::nullopt;
    size_t used = 0;
    long long value = 0;
    try {
      value = std::stoll(*v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (v->empty() || used != v->size() || value < -(1LL << 31) || value >= (1LL << 31))
      throw std::invalid_argument(name + ": '" + *v + "' is not an integer");
    return static_cast<int>(value);
  }
  bool Switch(const std::string& name) {
    const auto v = Take(name);
    if (!v || *v == "off") return false;
    if (*v == "on") return true;
    throw std::invalid_argument(name + ": '" + *v + "' is not one of True, False");
  }
  // Every field was used, or one line naming the first unknown one and the accepted names.
  void Finish() const {
    if (fields_.empty()) return;
    std::string accepted;
    for (const auto& k : known_) accepted += (accepted.empty() ? "" : ", ") + k;
    throw std::invalid_argument(fields_.begin()->first + ": not a keyword of vitperf." + call_ +
                                " (accepted: " + accepted + ")");
  }

 private:
  const char* call_;
  Fields fields_;
  std::vector<std::string> known_;
};

ModelRequest ReadModel(FieldReader& r) {
  ModelRequest m;
  if (auto model = r.Take("model")) {
    m.model = *model;
    m.model_given = true;
  }
  if (auto config = r.Take("config"))
    m.config = ParseStrictJson(*config, "config").get<ViTConfig>();
  r.Take("config_file", &m.config_file);
  r.Take("hf_config", &m.hf_config_file);
  for (auto [name, field] : std::vector<std::pair<const char*, std::optional<std::string>*>>{
           {"res", &m.res},
           {"height", &m.height},
           {"width", &m.width},
           {"patch", &m.patch},
           {"dim", &m.dim},
           {"depth", &m.depth},
           {"heads", &m.heads},
           {"classes", &m.classes},
           {"mlp_ratio", &m.mlp_ratio},
           {"mlp_hidden", &m.mlp_hidden},
           {"registers", &m.registers}})
    r.Take(name, field);
  for (auto [name, field] :
       std::vector<std::pair<const char*, std::string*>>{{"precision", &m.precision},
                                                         {"autocast", &m.autocast},
                                                         {"attention", &m.attention},
                                                         {"output", &m.output},
                                                         {"class_token", &m.class_token},
                                                         {"pooling", &m.pooling},
                                                         {"mlp", &m.mlp},
                                                         {"mlp_norm", &m.mlp_norm},
                                                         {"layer_scale", &m.layer_scale},
                                                         {"pre_norm", &m.pre_norm},
                                                         {"patch_bias", &m.patch_bias},
                                                         {"qk_norm", &m.qk_norm},
                                                         {"qkv_bias", &m.qkv_bias},
                                                         {"qkv_fused", &m.qkv_fused},
                                                         {"pos_embed", &m.pos_embed},
                                                         {"rope", &m.rope},
                                                         {"rel_pos_bias", &m.rel_pos_bias},
                                                         {"final_norm", &m.final_norm}})
    r.Take(name, field);
  return m;
}

PipelineRequest ReadPipeline(FieldReader& r) {
  PipelineRequest p;
  r.Take("execution", &p.execution);
  r.Take("compile_mode", &p.compile_mode);
  r.Take("input", &p.input);
  r.Take("host_memory", &p.host_memory);
  r.Take("pipeline", &p.pipeline);
  r.Take("numa", &p.numa);
  r.Take("start", &p.start);
  p.queue_depth = r.Integer("queue_depth");
  p.producer_threads = r.Integer("producer_threads");
  p.compute_only = r.Switch("compute_only");
  return p;
}

std::string PyPredict(const Fields& fields, const std::vector<std::string>& argv) {
  FieldReader r("predict", fields);
  PredictQuery q;
  const ModelRequest model = ReadModel(r);
  const PipelineRequest pipeline = ReadPipeline(r);
  const std::string gpu = r.Take("gpu").value_or("h100");
  const auto batch = r.Take("batch");
  q.latency_slo_ms = r.Number("latency_slo");
  q.memory_limit_gib = r.Number("memory_limit");
  q.operators = r.Switch("operators");
  r.Finish();
  // In the command line's order, so that the first bad field is the one it would name.
  q.config = ResolveModel(model);
  q.options = ResolvePipeline(pipeline, PipelineMode::overlapped);
  q.profile = LoadProfile(gpu);
  if (batch) q.batches = ParseBatchList(*batch);
  return PredictJson(RunPredict(std::move(q)), argv).dump();
}

std::string PyBest(const Fields& fields, const std::vector<std::string>& argv) {
  FieldReader r("best", fields);
  BestQuery q;
  const ModelRequest model = ReadModel(r);
  const std::string gpu = r.Take("gpu").value_or("h100");
  q.latency_slo_ms = r.Number("latency_slo");
  q.memory_limit_gib = r.Number("memory_limit");
  q.price_per_hour = r.Number("price_per_hour");
  if (auto top = r.Integer("top")) q.top = *top;
  r.Finish();
  q.model = ResolveModel(model);
  q.profile = LoadProfile(gpu);
  q.precision_given = !model.precision.empty();
  return BestJson(RunBest(std::move(q)), argv).dump();
}

// The JSON and the warnings reading the data gave (records skipped).
std::pair<std::string, std::vector<std::string>> PyValidate(const std::string& profile,
                                                            const std::vector<std::string>& data,
                                                            const Fields& fields,
                                                            const std::vector<std::string>& argv) {
  FieldReader r("validate", fields);
  const auto max_mape = r.Number("max_mape");
  const auto max_regret = r.Number("max_regret");
  const double near_best = r.Number("near_best").value_or(1.0);
  r.Finish();
  if (data.empty()) throw std::invalid_argument("data: name at least one measurement file");
  ValidateRequest request;
  request.profile = profile;
  request.data = data;
  request.near_best = near_best;
  request.max_mape_pct = max_mape;
  request.max_regret_pct = max_regret;
  RunMessages messages;
  // The plain validation: no split, so no refit (the module does not link Ceres).
  const ValidationOutcome outcome = RunValidation(request, nullptr, &messages);
  return {ValidationJson(outcome, argv).dump(), messages.warnings};
}

}  // namespace
}  // namespace vitperf

PYBIND11_MODULE(_vitperf, m) {
  m.doc() = "vitperf's C++ queries; use the vitperf package, which wraps these.";
  m.def("predict", &vitperf::PyPredict, py::arg("fields"), py::arg("argv"));
  m.def("best", &vitperf::PyBest, py::arg("fields"), py::arg("argv"));
  m.def("validate", &vitperf::PyValidate, py::arg("profile"), py::arg("data"), py::arg("fields"),
        py::arg("argv"));
  m.def("models",
        [](const std::vector<std::string>& argv) { return vitperf::ModelsJson(argv).dump(); });
  m.def("gpus",
        [](const std::vector<std::string>& argv) { return vitperf::GpusJson(argv).dump(); });
}

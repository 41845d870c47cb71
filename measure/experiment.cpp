#include "measure/experiment.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "measure/autocast_scope.h"
#include "model/build_info.h"
#include "model/closest_names.h"
#include "model/fnv1a.h"
#include "model/input_file.h"
#include "model/presets.h"
#include "model/strict_json.h"

namespace vitperf::measure {
namespace {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

// ---- value parsing, one rule per kind of key ----

int ParseInt(const std::string& key, const std::string& text, int min_value) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  constexpr long long kMax = 1'000'000'000;
  if (used == 0 || used != text.size())
    throw std::invalid_argument(key + ": '" + text + "' is not an integer (accepted: " +
                                std::to_string(min_value) + " to " + std::to_string(kMax) + ")");
  if (v < min_value || v > kMax)
    throw std::invalid_argument(key + ": " + text + " is outside the accepted " +
                                std::to_string(min_value) + " to " + std::to_string(kMax));
  return static_cast<int>(v);
}

double ParsePositiveDouble(const std::string& key, const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !(v > 0) || !std::isfinite(v))
    throw std::invalid_argument(key + ": '" + text + "' is not a finite positive number");
  return v;
}

bool ParseBool(const std::string& key, const std::string& text) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  throw std::invalid_argument(key + ": '" + text + "' is not one of true, false");
}

// Applies one key=value to a point's config and options.
using Setter = std::function<void(const std::string& text, ViTConfig&, PipelineOptions&)>;

struct KeyRule {
  const char* key;
  Setter set;
};

template <typename E>
Setter EnumSetter(E ViTConfig::*field) {
  return [field](const std::string& t, ViTConfig& c, PipelineOptions&) {
    c.*field = ParseEnumOrThrow<E>(t);
  };
}
template <typename E>
Setter EnumSetter(E PipelineOptions::*field) {
  return [field](const std::string& t, ViTConfig&, PipelineOptions& o) {
    o.*field = ParseEnumOrThrow<E>(t);
  };
}
Setter IntSetter(const char* key, int ViTConfig::*field, int min_value) {
  return [=](const std::string& t, ViTConfig& c, PipelineOptions&) {
    c.*field = ParseInt(key, t, min_value);
  };
}
Setter IntSetter(const char* key, int PipelineOptions::*field, int min_value) {
  return [=](const std::string& t, ViTConfig&, PipelineOptions& o) {
    o.*field = ParseInt(key, t, min_value);
  };
}

// Keys other than "model" and "batch" (handled by the expansion itself), in the order they
// are applied to a point: "res" before the explicit sides so that an explicit side wins.
const std::vector<KeyRule>& Rules() {
  static const std::vector<KeyRule> rules = {
      {"res", [](const std::string& t, ViTConfig& c,
                 PipelineOptions&) { c.image_height = c.image_width = ParseInt("res", t, 1); }},
      {"image_height", IntSetter("image_height", &ViTConfig::image_height, 1)},
      {"image_width", IntSetter("image_width", &ViTConfig::image_width, 1)},
      {"patch", IntSetter("patch", &ViTConfig::patch, 1)},
      {"channels", IntSetter("channels", &ViTConfig::channels, 1)},
      {"dim", IntSetter("dim", &ViTConfig::dim, 1)},
      {"depth", IntSetter("depth", &ViTConfig::depth, 1)},
      {"heads", IntSetter("heads", &ViTConfig::heads, 1)},
      {"mlp_ratio", [](const std::string& t, ViTConfig& c,
                       PipelineOptions&) { c.mlp_ratio = ParsePositiveDouble("mlp_ratio", t); }},
      {"classes", IntSetter("classes", &ViTConfig::classes, 0)},
      {"class_token", [](const std::string& t, ViTConfig& c,
                         PipelineOptions&) { c.class_token = ParseBool("class_token", t); }},
      {"pooling", EnumSetter(&ViTConfig::pooling)},
      {"output", EnumSetter(&ViTConfig::output)},
      {"precision", EnumSetter(&ViTConfig::precision)},
      {"autocast", [](const std::string& t, ViTConfig& c,
                      PipelineOptions&) { c.autocast = ParseBool("autocast", t); }},
      {"attention", EnumSetter(&ViTConfig::attention)},
      {"execution", EnumSetter(&PipelineOptions::execution)},
      {"input", EnumSetter(&PipelineOptions::input)},
      {"host_memory", EnumSetter(&PipelineOptions::host_memory)},
      {"pipeline", EnumSetter(&PipelineOptions::pipeline)},
      {"queue_depth", IntSetter("queue_depth", &PipelineOptions::queue_depth, 1)},
      {"numa", EnumSetter(&PipelineOptions::numa)},
      {"producer_threads", IntSetter("producer_threads", &PipelineOptions::producer_threads, 1)},
      {"compute_only", [](const std::string& t, ViTConfig&,
                          PipelineOptions& o) { o.compute_only = ParseBool("compute_only", t); }},
      {"compile_mode", EnumSetter(&PipelineOptions::compile_mode)},
      {"start", EnumSetter(&PipelineOptions::start)},
      {"normalize_on", EnumSetter(&PipelineOptions::normalize_on)},
  };
  return rules;
}

// Keys that change the architecture: a preset with one of them changed is a custom model.
bool IsGeometryKey(const std::string& key) {
  return key == "patch" || key == "dim" || key == "depth" || key == "heads" || key == "mlp_ratio" ||
         key == "channels" || key == "classes" || key == "class_token";
}

std::string UnknownKeyMessage(const std::string& where, const std::string& key,
                              const std::vector<std::string>& accepted) {
  std::string list;
  for (const auto& k : accepted) list += (list.empty() ? "" : ", ") + k;
  return where + "unknown key '" + key + "' (closest: " + ClosestNames(key, accepted, 1) +
         "; accepted: " + list + ")";
}

// ---- micro-probe parameter rules ----

struct ProbeRule {
  const char* probe;
  std::vector<const char*> params;    // accepted
  std::vector<const char*> required;  // the rest have the probe's defaults
};
const std::vector<ProbeRule>& ProbeRules() {
  // Parameter names and units as documented in model/measurement_record.h.
  static const std::vector<ProbeRule> rules = {
      {"matmul", {"m", "n", "k", "precision"}, {"m", "n", "k"}},
      {"device_copy", {"bytes"}, {"bytes"}},
      {"strided_copy", {"bytes", "run_elements"}, {"bytes"}},
      {"gelu", {"bytes"}, {"bytes"}},
      {"attention", {"batch", "tokens", "bias"}, {"batch", "tokens"}},
      {"h2d", {"bytes", "host_memory", "numa"}, {"bytes"}},
      {"d2h", {"bytes", "host_memory", "numa"}, {"bytes"}},
      {"staging", {"bytes", "idle_ms", "h2d"}, {"bytes"}},
      {"launch", {"execution"}, {}},
  };
  return rules;
}

void CheckProbeParam(const std::string& where, const std::string& key, const nlohmann::json& v) {
  auto text = [&]() { return v.is_string() ? v.get<std::string>() : v.dump(); };
  if (key == "run_elements") {
    if (!v.is_number_integer() || (v.get<long long>() != 1 && v.get<long long>() != 64))
      throw std::invalid_argument(where + key + ": '" + text() + "' must be 1 or 64");
  } else if (key == "m" || key == "n" || key == "k" || key == "bytes" || key == "batch" ||
             key == "tokens") {
    if (!v.is_number_integer() || v.get<long long>() <= 0)
      throw std::invalid_argument(where + key + ": '" + text() + "' is not a positive integer");
  } else if (key == "h2d" || key == "bias") {
    if (!v.is_boolean())
      throw std::invalid_argument(where + key + ": '" + text() + "' must be true or false");
  } else if (key == "idle_ms") {
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1000)
      throw std::invalid_argument(where + key + ": '" + text() +
                                  "' is not a number of milliseconds in [0, 1000]");
  } else {
    if (!v.is_string())
      throw std::invalid_argument(where + key + ": '" + text() + "' must be a string");
    try {
      if (key == "precision") ParseEnumOrThrow<Precision>(text());
      if (key == "host_memory") ParseEnumOrThrow<HostMemory>(text());
      if (key == "numa") ParseEnumOrThrow<NumaBinding>(text());
      if (key == "execution") ParseEnumOrThrow<ExecutionMode>(text());
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + e.what());
    }
  }
}

// ---- experiment file parsing ----

std::string ScalarText(const ordered_json& v, const std::string& where) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  throw std::invalid_argument(where + ": expected a string, number or boolean, got " +
                              v.type_name());
}

void RejectUnknown(const ordered_json& j, const std::string& where,
                   const std::vector<std::string>& accepted) {
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(accepted.begin(), accepted.end(), it.key()) == accepted.end())
      throw std::invalid_argument(UnknownKeyMessage(where + ": ", it.key(), accepted));
}

void CheckAxisKey(const std::string& key, const std::string& where) {
  const auto& accepted = AcceptedKeys();
  if (std::find(accepted.begin(), accepted.end(), key) == accepted.end())
    throw std::invalid_argument(UnknownKeyMessage(where + ": ", key, accepted));
}

// "fixed": {key: scalar} and "axes": {key: [scalars] | "pow2" | "pow2:N"} into axes.
void ParseSettings(const ordered_json& block, const std::string& where, std::vector<Axis>* out) {
  if (!block.is_object()) throw std::invalid_argument(where + ": expected a JSON object");
  RejectUnknown(block, where, {"fixed", "axes"});
  if (auto f = block.find("fixed"); f != block.end()) {
    if (!f->is_object()) throw std::invalid_argument(where + ".fixed: expected a JSON object");
    for (auto it = f->begin(); it != f->end(); ++it) {
      CheckAxisKey(it.key(), where + ".fixed");
      out->push_back({it.key(), {ScalarText(*it, where + ".fixed." + it.key())}});
    }
  }
  if (auto a = block.find("axes"); a != block.end()) {
    if (!a->is_object()) throw std::invalid_argument(where + ".axes: expected a JSON object");
    for (auto it = a->begin(); it != a->end(); ++it) {
      const std::string path = where + ".axes." + it.key();
      CheckAxisKey(it.key(), where + ".axes");
      Axis axis{it.key(), {}};
      if (it->is_array()) {
        for (const auto& v : *it) axis.values.push_back(ScalarText(v, path));
      } else {
        axis.values.push_back(ScalarText(*it, path));  // a scalar ("pow2") is a one-value axis
      }
      if (axis.values.empty()) throw std::invalid_argument(path + ": empty sweep (no values)");
      for (auto& existing : *out)
        if (existing.key == axis.key)
          throw std::invalid_argument(path + ": also given under fixed");
      out->push_back(std::move(axis));
    }
  }
}

// Replaces same-named axes or appends new ones.
void MergeAxes(const std::vector<Axis>& extra, std::vector<Axis>* axes) {
  for (const auto& e : extra) {
    auto it =
        std::find_if(axes->begin(), axes->end(), [&](const Axis& a) { return a.key == e.key; });
    if (it != axes->end())
      it->values = e.values;
    else
      axes->push_back(e);
  }
}

std::vector<int> BatchValues(const Axis& axis, const std::string& where, bool* pow2) {
  *pow2 = false;
  std::vector<int> out;
  for (const auto& v : axis.values) {
    if (v.rfind("pow2", 0) == 0) {
      if (axis.values.size() != 1)
        throw std::invalid_argument(where + "batch: 'pow2' must be the only value");
      int max_batch = kPow2DefaultMaxBatch;
      if (v != "pow2") {
        if (v.size() < 6 || v[4] != ':')
          throw std::invalid_argument(where + "batch: '" + v +
                                      "' is not a list of integers, 'pow2' or 'pow2:MAX'");
        max_batch = ParseInt("batch", v.substr(5), 1);
      }
      *pow2 = true;
      for (long long b = 1; b <= max_batch; b *= 2) out.push_back(static_cast<int>(b));
      return out;
    }
    try {
      out.push_back(ParseInt("batch", v, 1));
    } catch (const std::invalid_argument&) {
      throw std::invalid_argument(where + "batch: '" + v +
                                  "' is not a positive integer, 'pow2' or 'pow2:MAX'");
    }
  }
  return out;
}

std::string JoinValues(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out;
  for (const auto& [k, v] : kv) out += (out.empty() ? "" : " ") + k + "=" + v;
  return out;
}

// Points an experiment expands to, counted before expanding (saturating in a double): a
// 10^8-point cross product is refused before it takes memory.
double CountPoints(const ExperimentSpec& spec, bool cpu) {
  double total = 0;
  for (const auto& probe : spec.probes) {
    nlohmann::json params = probe.params;
    if (cpu) params.update(probe.cpu_params);
    double combos = 1;
    for (const auto& v : params) combos *= v.is_array() ? static_cast<double>(v.size()) : 1.0;
    total += combos;
  }
  for (const auto& sweep : spec.sweeps) {
    std::vector<Axis> axes = sweep.axes;
    if (cpu) MergeAxes(sweep.cpu_axes, &axes);
    double combos = 1;
    for (const auto& a : axes) {
      if (a.key == "batch" && a.values.size() == 1 && a.values[0].rfind("pow2", 0) == 0)
        combos *= 31;  // at most 2^0 .. 2^30
      else
        combos *= static_cast<double>(a.values.size());
    }
    total += combos;
  }
  return total;
}

}  // namespace

const std::vector<std::string>& AcceptedKeys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k = {"model", "batch"};
    for (const auto& r : Rules()) k.push_back(r.key);
    return k;
  }();
  return keys;
}

std::string PlannedPoint::Label() const {
  std::ostringstream s;
  if (kind == Kind::probe) {
    s << "probe " << probe;
    for (auto it = params.begin(); it != params.end(); ++it)
      s << " " << it.key() << "=" << (it->is_string() ? it->get<std::string>() : it->dump());
    return s.str();
  }
  s << config.Label() << " b=" << batch << " " << ToString(options.execution);
  if (options.execution == ExecutionMode::compiled && options.compile_mode != CompileMode::standard)
    s << "(" << ToString(options.compile_mode) << ")";
  // Only what differs from the defaults, to keep the progress line short.
  const PipelineOptions d;
  if (config.attention != AttentionImpl::fused) s << " " << ToString(config.attention) << "-attn";
  if (options.compute_only) s << " compute-only";
  if (options.input != d.input) s << " " << ToString(options.input);
  if (options.host_memory != d.host_memory) s << " " << ToString(options.host_memory);
  if (options.pipeline != d.pipeline)
    s << " " << ToString(options.pipeline) << "/q" << options.queue_depth;
  if (options.numa != d.numa) s << " numa=" << ToString(options.numa);
  if (options.start != d.start) s << " start=" << ToString(options.start);
  if (options.normalize_on != d.normalize_on)
    s << " normalize_on=" << ToString(options.normalize_on);
  return s.str();
}

std::vector<std::string> ShippedExperiments() {
  std::vector<std::string> names;
  const fs::path dir = fs::path(DataDir()) / "experiments";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

ExperimentSpec LoadExperiment(const std::string& name_or_path) {
  fs::path path(name_or_path);
  const bool looks_like_path = name_or_path == "-" || name_or_path.find('/') != std::string::npos ||
                               path.extension() == ".json";
  if (!looks_like_path) {
    path = fs::path(DataDir()) / "experiments" / (name_or_path + ".json");
    if (!fs::exists(path)) {
      const auto names = ShippedExperiments();
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      throw std::invalid_argument("experiment: unknown experiment '" + name_or_path +
                                  "' (closest: " + ClosestNames(name_or_path, names, 1) +
                                  "; shipped: " + list + "; or give a path to a .json file)");
    }
  }
  return ParseExperiment(ReadInputFile(path.string(), "experiment", kMaxSpecFileBytes),
                         name_or_path == "-" ? "experiment (standard input)" : path.string());
}

ExperimentSpec ParseExperiment(const std::string& json_text, const std::string& source) {
  const ordered_json j = ParseStrictJson<ordered_json>(json_text, source);
  const std::string where = source + ": ";
  if (!j.is_object()) throw std::invalid_argument(where + "expected a JSON object");
  RejectUnknown(j, source,
                {"schema", "schema_version", "name", "description", "timing", "probes", "sweeps"});
  if (!j.contains("schema") || !j["schema"].is_string() || j["schema"] != kExperimentSchema)
    throw std::invalid_argument(where + "schema: expected \"" + kExperimentSchema + "\"");
  if (!j.contains("schema_version") || !j["schema_version"].is_number_integer())
    throw std::invalid_argument(where + "schema_version: missing or not an integer");
  if (j["schema_version"].get<int>() > kExperimentSchemaVersion)
    throw std::invalid_argument(where + "schema_version " + j["schema_version"].dump() +
                                " is newer than this vitperf reads (" +
                                std::to_string(kExperimentSchemaVersion) + ")");
  ExperimentSpec spec;
  spec.source = source;
  if (!j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty())
    throw std::invalid_argument(where + "name: missing or not a string");
  spec.name = j["name"].get<std::string>();
  if (j.contains("description")) spec.description = ScalarText(j["description"], "description");

  if (j.contains("timing")) {
    const auto& t = j["timing"];
    const std::string tw = source + ": timing";
    if (!t.is_object()) throw std::invalid_argument(tw + ": expected a JSON object");
    RejectUnknown(t, tw, {"warmup", "min_repeats", "target_spread", "time_cap_s", "min_time_s"});
    auto number = [&](const char* key, double min_value) -> std::optional<double> {
      if (!t.contains(key)) return std::nullopt;
      if (!t[key].is_number() || t[key].get<double>() < min_value)
        throw std::invalid_argument(tw + "." + key +
                                    ": expected a number >= " + nlohmann::json(min_value).dump());
      return t[key].get<double>();
    };
    auto integer = [&](const char* key, int min_value) -> std::optional<int> {
      if (!t.contains(key)) return std::nullopt;
      if (!t[key].is_number_integer() || t[key].get<long long>() < min_value ||
          t[key].get<long long>() > 1'000'000)
        throw std::invalid_argument(tw + "." + key + ": expected an integer from " +
                                    std::to_string(min_value) + " to 1000000");
      return t[key].get<int>();
    };
    spec.timing.warmup = integer("warmup", 0);
    spec.timing.min_repeats = integer("min_repeats", 1);
    spec.timing.target_spread = number("target_spread", 0);
    spec.timing.time_cap_s = number("time_cap_s", 0.001);
    spec.timing.min_time_s = number("min_time_s", 0);
  }

  if (j.contains("probes")) {
    if (!j["probes"].is_array()) throw std::invalid_argument(where + "probes: expected a list");
    int index = 0;
    for (const auto& p : j["probes"]) {
      const std::string pw = source + ": probes[" + std::to_string(index++) + "]";
      if (!p.is_object()) throw std::invalid_argument(pw + ": expected a JSON object");
      RejectUnknown(p, pw, {"probe", "params", "devices", "cpu"});
      ProbeSpec probe;
      if (!p.contains("probe") || !p["probe"].is_string())
        throw std::invalid_argument(pw + ".probe: missing or not a string");
      probe.probe = p["probe"].get<std::string>();
      const ProbeRule* rule = nullptr;
      std::vector<std::string> names;
      for (const auto& r : ProbeRules()) {
        names.push_back(r.probe);
        if (probe.probe == r.probe) rule = &r;
      }
      if (!rule)
        throw std::invalid_argument(pw + ".probe: '" + probe.probe + "' is not one of " +
                                    [&] {
                                      std::string l;
                                      for (auto& n : names) l += (l.empty() ? "" : ", ") + n;
                                      return l;
                                    }() +
                                    " (closest: " + ClosestNames(probe.probe, names, 1) + ")");
      if (p.contains("params")) {
        if (!p["params"].is_object())
          throw std::invalid_argument(pw + ".params: expected a JSON object");
        std::vector<std::string> accepted(rule->params.begin(), rule->params.end());
        RejectUnknown(p["params"], pw + ".params", accepted);
        for (auto it = p["params"].begin(); it != p["params"].end(); ++it) {
          const std::string kw = pw + ".params.";
          if (it->is_array()) {
            if (it->empty())
              throw std::invalid_argument(kw + it.key() + ": empty sweep (no values)");
            for (const auto& v : *it) CheckProbeParam(kw, it.key(), nlohmann::json(v));
          } else {
            CheckProbeParam(kw, it.key(), nlohmann::json(*it));
          }
        }
        probe.params = nlohmann::json::parse(p["params"].dump());
      }
      if (p.contains("cpu")) {
        const std::string cw = pw + ".cpu";
        if (!p["cpu"].is_object()) throw std::invalid_argument(cw + ": expected a JSON object");
        RejectUnknown(p["cpu"], cw, {"params"});
        if (p["cpu"].contains("params")) {
          const auto& cp = p["cpu"]["params"];
          if (!cp.is_object()) throw std::invalid_argument(cw + ".params: expected a JSON object");
          std::vector<std::string> accepted(rule->params.begin(), rule->params.end());
          RejectUnknown(cp, cw + ".params", accepted);
          for (auto it = cp.begin(); it != cp.end(); ++it) {
            if (it->is_array() && it->empty())
              throw std::invalid_argument(cw + ".params." + it.key() + ": empty sweep (no values)");
            for (const auto& v : it->is_array() ? *it : ordered_json::array({*it}))
              CheckProbeParam(cw + ".params.", it.key(), nlohmann::json(v));
          }
          probe.cpu_params = nlohmann::json::parse(cp.dump());
        }
      }
      for (const char* key : rule->required)
        if (!probe.params.contains(key))
          throw std::invalid_argument(pw + ".params." + key + ": missing (probe " + probe.probe +
                                      " needs it)");
      if (p.contains("devices")) {
        if (!p["devices"].is_array() || p["devices"].empty())
          throw std::invalid_argument(pw + ".devices: expected a non-empty list of cpu, cuda");
        for (const auto& d : p["devices"]) {
          if (!d.is_string() || (d != "cpu" && d != "cuda"))
            throw std::invalid_argument(pw + ".devices: '" + ScalarText(d, pw) +
                                        "' is not one of cpu, cuda");
          probe.devices.push_back(d.get<std::string>());
        }
      }
      spec.probes.push_back(std::move(probe));
    }
  }

  if (j.contains("sweeps")) {
    if (!j["sweeps"].is_array()) throw std::invalid_argument(where + "sweeps: expected a list");
    int index = 0;
    std::set<std::string> names;
    for (const auto& s : j["sweeps"]) {
      std::string sw = source + ": sweeps[" + std::to_string(index++) + "]";
      if (!s.is_object()) throw std::invalid_argument(sw + ": expected a JSON object");
      RejectUnknown(s, sw, {"name", "description", "fixed", "axes", "cpu"});
      SweepSpec sweep;
      if (!s.contains("name") || !s["name"].is_string())
        throw std::invalid_argument(sw + ".name: missing or not a string");
      sweep.name = s["name"].get<std::string>();
      if (!names.insert(sweep.name).second)
        throw std::invalid_argument(sw + ".name: '" + sweep.name + "' is used twice");
      sw = source + ": sweep '" + sweep.name + "'";
      ordered_json settings = ordered_json::object();
      if (s.contains("fixed")) settings["fixed"] = s["fixed"];
      if (s.contains("axes")) settings["axes"] = s["axes"];
      ParseSettings(settings, sw, &sweep.axes);
      if (s.contains("cpu")) ParseSettings(s["cpu"], sw + " cpu", &sweep.cpu_axes);
      spec.sweeps.push_back(std::move(sweep));
    }
  }
  if (spec.probes.empty() && spec.sweeps.empty())
    throw std::invalid_argument(where + "empty experiment: no probes and no sweeps");
  return spec;
}

Override ParseOverride(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw std::invalid_argument("override '" + text + "': expected key=value or key=v1,v2");
  Override o;
  o.key = text.substr(0, eq);
  std::vector<std::string> accepted = AcceptedKeys();
  accepted.push_back("sweep");
  accepted.push_back("probes");
  if (std::find(accepted.begin(), accepted.end(), o.key) == accepted.end())
    throw std::invalid_argument(UnknownKeyMessage("override: ", o.key, accepted));
  const std::string values = text.substr(eq + 1);
  std::size_t start = 0;
  while (start <= values.size()) {
    const auto comma = values.find(',', start);
    const std::string v =
        values.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (v.empty())
      throw std::invalid_argument("override " + o.key + ": empty sweep ('" + text +
                                  "' has an empty value)");
    o.values.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return o;
}

void ApplyOverrides(const std::vector<Override>& overrides, bool cpu_device, ExperimentSpec* spec) {
  if (cpu_device) {
    for (auto& s : spec->sweeps) {
      MergeAxes(s.cpu_axes, &s.axes);
      s.cpu_axes.clear();
    }
  }
  for (const auto& o : overrides) {
    if (o.key == "probes") {
      if (o.values != std::vector<std::string>{"none"})
        throw std::invalid_argument("override probes: '" + o.values.front() +
                                    "' is not one of none");
      spec->probes.clear();
    } else if (o.key == "sweep" && o.values == std::vector<std::string>{"none"}) {
      spec->sweeps.clear();  // the micro-probes alone, e.g. to add them to a run
    } else if (o.key == "sweep") {
      std::vector<SweepSpec> kept;
      std::vector<std::string> names;
      for (const auto& s : spec->sweeps) names.push_back(s.name);
      for (const auto& want : o.values) {
        auto it = std::find(names.begin(), names.end(), want);
        if (it == names.end())
          throw std::invalid_argument("override sweep: '" + want + "' is not a sweep of " +
                                      spec->name + " (closest: " + ClosestNames(want, names, 1) +
                                      ")");
        kept.push_back(spec->sweeps[it - names.begin()]);
      }
      spec->sweeps = std::move(kept);
    } else {
      for (auto& s : spec->sweeps) MergeAxes({Axis{o.key, o.values}}, &s.axes);
    }
  }
}

std::string PointId(const PlannedPoint& point, const std::string& device) {
  std::string canonical;
  if (point.kind == PlannedPoint::Kind::probe) {
    canonical = "probe|" + device + "|" + point.probe + "|" + point.params.dump();
  } else {
    nlohmann::json config = point.config;
    canonical = "pipeline|" + device + "|" + config.dump() + "|" + std::to_string(point.batch) +
                "|" + nlohmann::json(point.options).dump();
  }
  char text[24];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(Fnv1a64(canonical)));
  return (point.kind == PlannedPoint::Kind::probe ? "pr-" : "pl-") + std::string(text);
}

std::vector<PlannedPoint> ExpandExperiment(const ExperimentSpec& spec, const std::string& device,
                                           std::size_t max_points) {
  std::vector<PlannedPoint> points;
  std::set<std::string> seen;
  const bool cpu = device == "cpu";
  if (const double count = CountPoints(spec, cpu); count > static_cast<double>(max_points)) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", count);
    throw std::invalid_argument("experiment: " + spec.name + " expands to up to " + text +
                                " points, more than the limit of " + std::to_string(max_points) +
                                " (accepted: 1 to " + std::to_string(max_points) +
                                "; narrow the sweep, or raise the limit with --max-points)");
  }
  auto add = [&](PlannedPoint p) {
    p.id = PointId(p, device);
    // A point listed by two sweeps is measured once.
    if (seen.insert(p.id).second) points.push_back(std::move(p));
  };

  for (const auto& spec_probe : spec.probes) {
    ProbeSpec probe = spec_probe;
    if (cpu) probe.params.update(probe.cpu_params);
    // Cartesian product over list-valued params, keys in (sorted) JSON order.
    std::vector<nlohmann::json> combos = {nlohmann::json::object()};
    for (auto it = probe.params.begin(); it != probe.params.end(); ++it) {
      std::vector<nlohmann::json> next;
      const nlohmann::json values = it->is_array() ? *it : nlohmann::json::array({*it});
      for (const auto& c : combos)
        for (const auto& v : values) {
          nlohmann::json n = c;
          n[it.key()] = v;
          next.push_back(std::move(n));
        }
      combos = std::move(next);
    }
    for (auto& params : combos) {
      PlannedPoint p;
      p.kind = PlannedPoint::Kind::probe;
      p.sweep = "probes";
      p.probe = probe.probe;
      p.params = std::move(params);
      p.devices = probe.devices;
      add(std::move(p));
    }
  }

  int pow2_groups = 0;
  for (const auto& sweep : spec.sweeps) {
    std::vector<Axis> axes = sweep.axes;
    if (cpu) MergeAxes(sweep.cpu_axes, &axes);
    const std::string where = "sweep '" + sweep.name + "': ";
    Axis batch_axis{"batch", {"1"}};
    std::vector<Axis> outer;
    for (const auto& a : axes) {
      if (a.values.empty()) throw std::invalid_argument(where + a.key + ": empty sweep");
      if (a.key == "batch")
        batch_axis = a;
      else
        outer.push_back(a);
    }
    bool pow2 = false;
    const std::vector<int> batches = BatchValues(batch_axis, where, &pow2);

    std::vector<std::size_t> at(outer.size(), 0);  // odometer, last axis fastest
    while (true) {
      std::vector<std::pair<std::string, std::string>> chosen;
      for (std::size_t i = 0; i < outer.size(); ++i)
        chosen.emplace_back(outer[i].key, outer[i].values[at[i]]);
      const std::string point_where = where + "point {" + JoinValues(chosen) + "}: ";

      ViTConfig config;
      PipelineOptions options;
      bool custom_geometry = false, has_model = false, has_dim = false, has_heads = false;
      try {
        for (const auto& [k, v] : chosen)
          if (k == "model") {
            config = PresetByName(v);
            has_model = true;
          }
        for (const auto& rule : Rules())
          for (const auto& [k, v] : chosen)
            if (k == rule.key) {
              const ViTConfig before_set = config;
              rule.set(v, config, options);
              if (IsGeometryKey(k) && nlohmann::json(config) != nlohmann::json(before_set))
                custom_geometry = true;
              has_dim |= k == "dim";
              has_heads |= k == "heads";
            }
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(point_where + e.what());
      }
      // compile_mode multiplies with execution in a grid but describes compiled points only:
      // the eager and graph points it multiplies out are one point each (deduplicated by id).
      if (options.execution != ExecutionMode::compiled)
        options.compile_mode = CompileMode::standard;
      // A custom width keeps the standard 64-wide heads unless heads is given.
      if (has_dim && !has_heads) config.heads = std::max(1, config.dim / 64);
      if (custom_geometry || !has_model) {
        config.name = "vit_p" + std::to_string(config.patch) + "_d" + std::to_string(config.depth) +
                      "_w" + std::to_string(config.dim);
        if (has_heads) config.name += "_h" + std::to_string(config.heads);
      }
      std::string why;
      if (!config.IsValid(&why)) throw std::invalid_argument(point_where + why);
      if (!options.IsValid(&why)) throw std::invalid_argument(point_where + why);
      // What this LibTorch cannot run under autocast on this device fails the plan, not a point.
      why = AutocastUnsupportedReason(config, options.execution, !cpu);
      if (!why.empty()) throw std::invalid_argument(point_where + why);

      const int group = pow2 ? pow2_groups++ : -1;
      for (int b : batches) {
        PlannedPoint p;
        p.kind = PlannedPoint::Kind::pipeline;
        p.sweep = sweep.name;
        p.config = config;
        p.batch = b;
        p.options = options;
        p.pow2_group = group;
        add(std::move(p));
      }

      bool done = true;
      for (std::size_t k = outer.size(); k-- > 0;) {
        if (++at[k] < outer[k].values.size()) {
          done = false;
          break;
        }
        at[k] = 0;
      }
      if (done) break;
    }
  }
  return points;
}

}  // namespace vitperf::measure

#include "predict/catalog_output.h"

#include <ostream>

#include "model/evaluate.h"
#include "model/expected_error.h"
#include "model/operators.h"
#include "model/parameter_count.h"
#include "model/presets.h"
#include "model/timm_zoo.h"
#include "predict/json_envelope.h"
#include "predict/text_table.h"

namespace vitperf {
namespace {

// The variants a zoo model uses, in a few words: "no-cls reg4 mean ls fc-norm".
std::string Variants(const ViTConfig& c) {
  std::string s;
  auto add = [&](bool on, const std::string& word) {
    if (on) s += (s.empty() ? "" : " ") + word;
  };
  add(!c.class_token, "no-cls");
  add(c.register_tokens > 0, "reg" + std::to_string(c.register_tokens));
  add(c.pooling != Pooling::cls, ToString(c.pooling));
  add(c.mlp != MlpKind::gelu, ToString(c.mlp));
  add(c.mlp_norm, "mlp-norm");
  add(c.layer_scale, "ls");
  add(c.pre_norm, "pre-norm");
  add(c.qk_norm, "qk-norm");
  add(c.qkv_bias != QkvBias::qkv, "qkv-bias:" + ToString(c.qkv_bias));
  add(!c.qkv_fused, "qkv-apart");
  add(c.pos_embed != PosEmbed::learned, "pos:" + ToString(c.pos_embed));
  add(c.rope, "rope");
  add(c.rel_pos_bias, "rel-pos");
  add(c.final_norm == FinalNorm::pooled, "fc-norm");
  return s.empty() ? "-" : s;
}

// Builds the table and the JSON together; prints the table to `text`, or, when null, hands
// the JSON back.
void ListModels(const std::vector<std::string>& argv, std::ostream* text,
                nlohmann::json* json_out) {
  nlohmann::json out = JsonEnvelope("models", kCatalogSchemaVersion, argv);
  TextTable table(
      {"model", "timm name", "res", "patch", "dim", "depth", "heads", "params", "GMAC/image"});
  for (const auto& preset : ModelPresets()) {
    const ViTConfig& c = preset.config;
    OperatorList ops;
    BuildOperators(c, 1, ForwardOptions{}, &ops);
    const long long params = CountParameters(c).Total();
    const double gmacs = ops.MatmulMacs() * 1e-9;
    table.AddRow({preset.name, preset.timm_name, std::to_string(c.image_height),
                  std::to_string(c.patch), std::to_string(c.dim), std::to_string(c.depth),
                  std::to_string(c.heads), std::to_string(params), Fixed(gmacs, 2)});
    out["models"].push_back({{"name", preset.name},
                             {"timm_name", preset.timm_name},
                             {"config", c},
                             {"parameters", params},
                             {"gmacs_per_image", gmacs}});
  }
  // The zoo: read from data/models/timm_zoo.json, which scripts/timm_zoo.py writes from timm.
  const TimmZoo* zoo = ShippedTimmZoo();
  TextTable zoo_table({"family", "timm name", "tag", "res", "patch", "dim", "depth", "heads",
                       "variants", "params", "GMAC/image"});
  if (zoo) {
    out["timm_zoo"] = {{"timm_version", zoo->timm_version},
                       {"torch_version", zoo->torch_version},
                       {"date", zoo->date},
                       {"models", nlohmann::json::array()}};
    for (const ZooModel& m : zoo->models) {
      const ViTConfig& c = m.config;
      OperatorList ops;
      BuildOperators(c, 1, ForwardOptions{}, &ops);
      const double gmacs = ops.MatmulMacs() * 1e-9;
      const std::string res =
          c.image_height == c.image_width
              ? std::to_string(c.image_height)
              : std::to_string(c.image_height) + "x" + std::to_string(c.image_width);
      zoo_table.AddRow({m.family, m.timm_name, m.pretrained_tag, res, std::to_string(c.patch),
                        std::to_string(c.dim), std::to_string(c.depth), std::to_string(c.heads),
                        Variants(c), std::to_string(CountParameters(c).Total()), Fixed(gmacs, 2)});
      out["timm_zoo"]["models"].push_back({{"family", m.family},
                                           {"timm_name", m.timm_name},
                                           {"pretrained_tag", m.pretrained_tag},
                                           {"config", c},
                                           {"parameters", CountParameters(c).Total()},
                                           {"gmacs_per_image", gmacs}});
    }
  }
  if (!text) {
    *json_out = std::move(out);
    return;
  }
  std::ostream& os = *text;
  table.Print(os);
  os << "\nAny preset takes --res, --patch, --dim, --depth, --heads, --mlp-ratio "
        "overrides, or give --config FILE.json.\n";
  if (!zoo) {
    os << "\nNo timm zoo (" << ShippedTimmZooPath()
       << "): run scripts/timm_zoo.py where timm is installed.\n";
    return;
  }
  os << "\ntimm zoo, read from timm " << zoo->timm_version << " (torch " << zoo->torch_version
     << ") on " << zoo->date
     << " by scripts/timm_zoo.py; --model takes the timm name, with or without its tag:\n";
  zoo_table.Print(os);
}

void ListGpus(const std::vector<std::string>& argv, std::ostream* text, nlohmann::json* json_out) {
  nlohmann::json out = JsonEnvelope("gpus", kCatalogSchemaVersion, argv);
  TextTable table({"gpu", "device", "arch", "SMs", "memory", "bf16 TFLOP/s", "mem GB/s", "link",
                   "$/h", "calibrated", "expected error"});
  for (const auto& p : ShippedProfiles()) {
    const ExpectedError e = ExpectedErrorFor(p);
    table.AddRow({p.name, p.display_name, p.architecture_name, std::to_string(p.multiprocessors),
                  Fixed(p.memory_gib, 1) + " GiB", Fixed(p.MatrixTflops(Precision::bf16), 0),
                  Fixed(p.memory_bandwidth_gbs, 0), p.host_link,
                  p.price_per_hour_usd ? Fixed(*p.price_per_hour_usd, 2) : "-",
                  p.calibrated ? "yes" : "no (datasheet)",
                  e.mape > 0 ? Fixed(e.mape * 100, 0) + "% (" + e.basis + ")" : "-"});
    out["gpus"].push_back(
        {{"name", p.name},
         {"aliases", p.aliases},
         {"display_name", p.display_name},
         {"architecture", p.architecture_name},
         {"calibrated", p.calibrated},
         {"expected_error", {{"basis", e.basis}, {"mape", e.mape}, {"how", e.how}}},
         {"profile", p}});
  }
  if (!text) {
    *json_out = std::move(out);
    return;
  }
  std::ostream& os = *text;
  table.Print(os);
  os << "\nexpected error: held-out throughput MAPE by how the profile was obtained "
        "(data/accuracy/expected_error.json, scripts/expected_error.py): calibrated = "
        "5-fold on the GPU's own data; same_architecture = another GPU of its "
        "architecture calibrated; other_architecture = datasheet only, against "
        "published tables.\n";
}

}  // namespace

nlohmann::json ModelsJson(const std::vector<std::string>& argv) {
  nlohmann::json out;
  ListModels(argv, nullptr, &out);
  return out;
}

void PrintModels(std::ostream& out) { ListModels({}, &out, nullptr); }

nlohmann::json GpusJson(const std::vector<std::string>& argv) {
  nlohmann::json out;
  ListGpus(argv, nullptr, &out);
  return out;
}

void PrintGpus(std::ostream& out) { ListGpus({}, &out, nullptr); }

}  // namespace vitperf

// `vitperf models` and `vitperf gpus`: what can be predicted, on what.
#include <iostream>

#include "cli/commands.h"
#include "cli/run_meta.h"
#include "model/evaluate.h"
#include "model/expected_error.h"
#include "model/operators.h"
#include "model/parameter_count.h"
#include "model/presets.h"
#include "predict/text_table.h"

namespace vitperf::cli {
namespace {

void ListModels(bool json) {
  nlohmann::json out = JsonEnvelope("models", 1);
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
  if (json) {
    std::cout << out.dump(2) << "\n";
    return;
  }
  table.Print(std::cout);
  std::cout << "\nAny preset takes --res, --patch, --dim, --depth, --heads, --mlp-ratio "
               "overrides, or give --config FILE.json.\n";
}

void ListGpus(bool json) {
  nlohmann::json out = JsonEnvelope("gpus", 1);
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
  if (json) {
    std::cout << out.dump(2) << "\n";
    return;
  }
  table.Print(std::cout);
  std::cout << "\nexpected error: held-out throughput MAPE by how the profile was obtained "
               "(data/accuracy/expected_error.json, scripts/expected_error.py): calibrated = "
               "5-fold on the GPU's own data; same_architecture = another GPU of its "
               "architecture calibrated; other_architecture = datasheet only, against "
               "published tables.\n";
}

}  // namespace

void AddCatalogCommands(CLI::App& app) {
  auto json_models = std::make_shared<bool>(false), json_gpus = std::make_shared<bool>(false);
  CLI::App* models = app.add_subcommand("models", "List the named ViT presets");
  models->add_flag("--json", *json_models, "schema-versioned JSON");
  models->callback([json_models] { ListModels(*json_models); });
  CLI::App* gpus = app.add_subcommand("gpus", "List the shipped hardware profiles");
  gpus->add_flag("--json", *json_gpus, "schema-versioned JSON");
  gpus->callback([json_gpus] { ListGpus(*json_gpus); });
}

}  // namespace vitperf::cli

// `vitperf models` and `vitperf gpus`: what can be predicted, on what.
#include <iostream>

#include "cli/commands.h"
#include "cli/run_meta.h"
#include "predict/catalog_output.h"

namespace vitperf::cli {

void AddCatalogCommands(CLI::App& app) {
  auto json_models = std::make_shared<bool>(false), json_gpus = std::make_shared<bool>(false);
  CLI::App* models = app.add_subcommand("models", "List the named ViT presets and the timm zoo");
  models->add_flag("--json", *json_models, "schema-versioned JSON");
  models->callback([json_models] {
    if (*json_models)
      std::cout << ModelsJson(Invocation()).dump(2) << "\n";
    else
      PrintModels(std::cout);
  });
  CLI::App* gpus = app.add_subcommand("gpus", "List the shipped hardware profiles");
  gpus->add_flag("--json", *json_gpus, "schema-versioned JSON");
  gpus->callback([json_gpus] {
    if (*json_gpus)
      std::cout << GpusJson(Invocation()).dump(2) << "\n";
    else
      PrintGpus(std::cout);
  });
}

}  // namespace vitperf::cli

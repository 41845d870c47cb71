#include "model/timm_zoo.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "model/build_info.h"
#include "model/strict_json.h"

namespace vitperf {
namespace {

ZooModel ReadModel(const nlohmann::json& j, const std::string& context) {
  ZooModel m;
  StrictObject o(j, context);
  nlohmann::json config, by_operator, input_size;
  std::string model_class, counted_on;
  double published_gmacs = 0;
  o.Required("family", m.family)
      .Required("timm_name", m.timm_name)
      .Required("pretrained_tag", m.pretrained_tag)
      .Required("config", config)
      .Required("parameters", m.parameters)
      .Required("macs_per_image", m.macs_per_image)
      .Optional("model_class", model_class)
      .Optional("input_size", input_size)
      .Optional("macs_counted_on", counted_on)
      .Optional("macs_by_operator", by_operator)
      .Optional("published_infer_gmacs", published_gmacs);
  o.RejectUnknownKeys();
  try {
    m.config = config.get<ViTConfig>();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(context + "." + e.what());
  }
  if (m.config.name != m.timm_name)
    throw std::invalid_argument(context + ".config.name: '" + m.config.name +
                                "' differs from timm_name '" + m.timm_name + "'");
  if (m.parameters <= 0 || !(m.macs_per_image > 0))
    throw std::invalid_argument(context + ": parameters and macs_per_image must be positive");
  return m;
}

}  // namespace

TimmZoo LoadTimmZoo(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("timm zoo: cannot open '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
  if (j.is_discarded()) throw std::invalid_argument("timm zoo " + path + ": not valid JSON");
  TimmZoo zoo;
  zoo.path = path;
  StrictObject o(j, "timm zoo " + path);
  int schema = 0;
  std::string generated_by, python_version;
  nlohmann::json models = nlohmann::json::array(), failures = nlohmann::json::array();
  o.Required("schema_version", schema)
      .Required("timm_version", zoo.timm_version)
      .Required("torch_version", zoo.torch_version)
      .Required("date", zoo.date)
      .Required("models", models)
      .Optional("generated_by", generated_by)
      .Optional("python_version", python_version)
      .Optional("macs_source", zoo.macs_source)
      .Optional("failures", failures);
  o.RejectUnknownKeys();
  if (schema != 1)
    throw std::invalid_argument("timm zoo " + path + ": schema_version " + std::to_string(schema) +
                                " is not 1");
  if (!models.is_array()) throw std::invalid_argument("timm zoo " + path + ": models: not a list");
  for (size_t i = 0; i < models.size(); ++i) {
    zoo.models.push_back(ReadModel(models[i], "timm zoo models[" + std::to_string(i) + "]"));
    for (size_t k = 0; k + 1 < zoo.models.size(); ++k)
      if (zoo.models[k].timm_name == zoo.models.back().timm_name)
        throw std::invalid_argument("timm zoo " + path + ": " + zoo.models.back().timm_name +
                                    " listed twice");
  }
  for (const auto& f : failures) zoo.failures.push_back(f.dump());
  return zoo;
}

std::string ShippedTimmZooPath() {
  return (std::filesystem::path(DataDir()) / "models" / "timm_zoo.json").string();
}

const TimmZoo* ShippedTimmZoo() {
  // Read once: the file is part of the shipped data and does not change while we run.
  static const TimmZoo* zoo = []() -> const TimmZoo* {
    const std::string path = ShippedTimmZooPath();
    if (!std::filesystem::exists(path)) return nullptr;
    return new TimmZoo(LoadTimmZoo(path));
  }();
  return zoo;
}

const ZooModel* FindZooModel(const TimmZoo& zoo, const std::string& name) {
  for (const ZooModel& m : zoo.models)
    if (name == m.timm_name || name == m.FullName()) return &m;
  return nullptr;
}

}  // namespace vitperf

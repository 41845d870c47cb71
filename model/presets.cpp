#include "model/presets.h"

#include <stdexcept>

#include "model/closest_names.h"
#include "model/timm_zoo.h"

namespace vitperf {
namespace {

ViTConfig Make(const char* name, int patch, int dim, int depth, int heads, int resolution = 224) {
  ViTConfig c;
  c.name = name;
  c.image_height = c.image_width = resolution;
  c.patch = patch;
  c.dim = dim;
  c.depth = depth;
  c.heads = heads;
  return c;
}

}  // namespace

const std::vector<ModelPreset>& ModelPresets() {
  // Architectures from timm's vision_transformer.py model definitions.
  static const std::vector<ModelPreset> presets = {
      {"vit_ti16", "vit_tiny_patch16_224", Make("vit_ti16", 16, 192, 12, 3)},
      {"vit_s16", "vit_small_patch16_224", Make("vit_s16", 16, 384, 12, 6)},
      {"vit_s32", "vit_small_patch32_224", Make("vit_s32", 32, 384, 12, 6)},
      {"vit_b8", "vit_base_patch8_224", Make("vit_b8", 8, 768, 12, 12)},
      {"vit_b16", "vit_base_patch16_224", Make("vit_b16", 16, 768, 12, 12)},
      {"vit_b32", "vit_base_patch32_224", Make("vit_b32", 32, 768, 12, 12)},
      {"vit_l16", "vit_large_patch16_224", Make("vit_l16", 16, 1024, 24, 16)},
      {"vit_l32", "vit_large_patch32_224", Make("vit_l32", 32, 1024, 24, 16)},
      {"vit_h14", "vit_huge_patch14_224", Make("vit_h14", 14, 1280, 32, 16)},
  };
  return presets;
}

ViTConfig PresetByName(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& p : ModelPresets()) {
    if (name == p.name || name == p.timm_name) return p.config;
    names.push_back(p.name);
  }
  // Then the timm zoo (data/models/timm_zoo.json), by timm name with or without its tag.
  if (const TimmZoo* zoo = ShippedTimmZoo()) {
    if (const ZooModel* m = FindZooModel(*zoo, name)) return m->config;
    for (const ZooModel& m : zoo->models) names.push_back(m.timm_name);
  }
  throw std::invalid_argument("model: unknown model '" + name + "' (closest: " +
                              ClosestNames(name, names) + "; see `vitperf models`)");
}

}  // namespace vitperf

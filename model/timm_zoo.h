// The timm model zoo: architectures, exact parameter counts and counted MACs of the ViTs people
// run (CLIP, DINOv2, SigLIP, EVA02, BEiT, DeiT, ...), as scripts/timm_zoo.py read them from timm's
// own model definitions into data/models/timm_zoo.json. Nothing in it is typed by hand.
#pragma once

#include <string>
#include <vector>

#include "model/vit_config.h"

namespace vitperf {

struct ZooModel {
  std::string family;          // "CLIP", "DINOv2", ...
  std::string timm_name;       // timm's architecture name, e.g. "vit_base_patch16_clip_224"
  std::string pretrained_tag;  // the tag it was built with (sets the head width), e.g. "openai"
  ViTConfig config;            // named timm_name, bf16, fused attention
  long long parameters = 0;    // sum of numel over timm's model.parameters()
  double macs_per_image = 0;   // FlopCounterMode FLOPs / 2 at the model's input size
  std::string FullName() const { return timm_name + "." + pretrained_tag; }
};

struct TimmZoo {
  std::string path;  // the file it was read from
  std::string timm_version, torch_version, date, macs_source;
  std::vector<ZooModel> models;
  std::vector<std::string> failures;  // models the script could not read, with the reason
};

// Reads a zoo file; throws std::invalid_argument naming the file and the field.
TimmZoo LoadTimmZoo(const std::string& path);

// DataDir()/models/timm_zoo.json.
std::string ShippedTimmZooPath();

// The shipped zoo, read once; nullptr while scripts/timm_zoo.py has not been run (no file).
const TimmZoo* ShippedTimmZoo();

// The zoo model called `name` (timm name, or timm name with its pretrained tag); nullptr if none.
const ZooModel* FindZooModel(const TimmZoo& zoo, const std::string& name);

}  // namespace vitperf

// Predicts ViT-B/16 on the H100 profile through the installed library and prints the data
// directory it read with the JSON (schema vitperf.predict) on one line each.
#include <iostream>

#include "model/build_info.h"
#include "model/hardware_profile.h"
#include "model/presets.h"
#include "predict/predict_output.h"

int main() {
  vitperf::PredictQuery q;
  q.config = vitperf::PresetByName("vit_b16");
  q.profile = vitperf::LoadProfile("h100");
  q.batches = {1, 64};
  std::cout << vitperf::DataDir() << "\n"
            << vitperf::PredictJson(vitperf::RunPredict(q), {"consumer"}).dump() << "\n";
  return 0;
}

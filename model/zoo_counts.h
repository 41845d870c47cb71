// vitperf's counts against the timm zoo's: the exact parameter count and the counted MACs of
// every model, as a list of disagreements (empty when vitperf counts every model as timm does).
#pragma once

#include <string>
#include <vector>

#include "model/timm_zoo.h"

namespace vitperf {

// MACs may differ by this share: FlopCounterMode and vitperf count the same matrix products,
// but timm's published figures (where a zoo file carries them) round to 0.01 GMAC.
inline constexpr double kZooMacsTolerance = 0.005;

// One line per disagreement: "<timm name>: parameters <vitperf> != timm <timm>" or MACs off by
// more than kZooMacsTolerance.
std::vector<std::string> ZooCountMismatches(const TimmZoo& zoo);

}  // namespace vitperf

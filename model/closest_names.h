// "Did you mean" suggestions for unknown names (models, GPUs, experiment keys).
#pragma once

#include <string>
#include <vector>

namespace vitperf {

// Levenshtein distance, case-insensitive.
int EditDistance(const std::string& a, const std::string& b);

// Up to `limit` candidates closest to `name`, best first, joined by ", ".
std::string ClosestNames(const std::string& name, const std::vector<std::string>& candidates,
                         int limit = 3);

}  // namespace vitperf

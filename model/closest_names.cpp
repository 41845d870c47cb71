#include "model/closest_names.h"

#include <algorithm>
#include <cctype>

namespace vitperf {

int EditDistance(const std::string& a, const std::string& b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string ClosestNames(const std::string& name, const std::vector<std::string>& candidates,
                         int limit) {
  std::vector<std::pair<int, std::string>> scored;
  for (const auto& c : candidates) scored.emplace_back(EditDistance(name, c), c);
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::string out;
  for (int i = 0; i < limit && i < static_cast<int>(scored.size()); ++i)
    out += (i ? ", " : "") + scored[i].second;
  return out;
}

}  // namespace vitperf

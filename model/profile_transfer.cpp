#include "model/profile_transfer.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <utility>

namespace vitperf {

HardwareProfile TransferCoefficients(const HardwareProfile& source, const HardwareProfile& target) {
  HardwareProfile out = target;
  out.coefficients = source.coefficients;
  const double h2d = target.link_h2d_gbs / source.link_h2d_gbs;
  const double d2h = target.link_d2h_gbs / source.link_d2h_gbs;
  out.coefficients[Coef::h2d_pinned_gbs] *= h2d;
  out.coefficients[Coef::h2d_pageable_gbs] *= h2d;
  out.coefficients[Coef::d2h_pinned_gbs] *= d2h;
  out.coefficients[Coef::d2h_pageable_gbs] *= d2h;
  out.coefficient_errors = CoefficientValues<double>{};
  out.calibrated = false;
  out.fit =
      nlohmann::json{{"coefficients_from", source.name},
                     {"rule", "efficiencies copied; link bandwidths scaled by nominal link ratio"}};
  return out;
}

std::vector<std::string> ApplyHostProbes(const std::vector<ProbeRecord>& probes,
                                         HardwareProfile* profile) {
  // Median of the eager launch probes, and of each pageable copy probe at its largest size
  // (small copies are latency-bound; the coefficients are bandwidths). Data from several runs
  // hold several of each.
  std::vector<double> launch_us;
  std::map<std::string, std::pair<double, std::vector<double>>> copy;  // probe -> (bytes, GB/s)
  for (const ProbeRecord& r : probes) {
    if (r.status != PointStatus::ok || !(r.value > 0)) continue;
    if (r.probe == "launch" && r.params.value("execution", "") == "eager")
      launch_us.push_back(r.value);
    if ((r.probe == "h2d" || r.probe == "d2h") && r.params.value("host_memory", "") == "pageable") {
      auto& [bytes, values] = copy[r.probe];
      const double b = r.params.value("bytes", 0.0);
      if (b > bytes) {  // a larger size than seen so far: only its values count
        values.clear();
        bytes = b;
      }
      if (b == bytes) values.push_back(r.value);
    }
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  };
  std::vector<std::string> set;
  auto assign = [&](Coef c, double value) {
    profile->coefficients[c] = value;
    std::ostringstream text;
    text << Info(c).name << "=" << value;
    set.push_back(text.str());
  };
  if (!launch_us.empty()) assign(Coef::dispatch_us, median(launch_us));
  if (!copy["h2d"].second.empty()) assign(Coef::h2d_pageable_gbs, median(copy["h2d"].second));
  if (!copy["d2h"].second.empty()) assign(Coef::d2h_pageable_gbs, median(copy["d2h"].second));
  if (!set.empty()) profile->fit["host_probes"] = set;
  return set;
}

}  // namespace vitperf

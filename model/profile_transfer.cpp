#include "model/profile_transfer.h"

#include <map>
#include <sstream>
#include <utility>

#include "model/median.h"

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
  // The source host's launch probe goes along: dispatch can then be rescaled to another host.
  if (ReferenceLaunchUs(source) > 0) out.fit["host_reference"] = source.fit["host_reference"];
  return out;
}

HostProbeMedians MedianHostProbes(const std::vector<ProbeRecord>& probes) {
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
  HostProbeMedians m;
  m.launch_eager_us = Median(launch_us);
  m.h2d_pageable_gbs = Median(copy["h2d"].second);
  m.d2h_pageable_gbs = Median(copy["d2h"].second);
  return m;
}

double ReferenceLaunchUs(const HardwareProfile& profile, const char* key) {
  const nlohmann::json& fit = profile.fit;
  if (!fit.is_object() || !fit.contains("host_reference")) return 0;
  const nlohmann::json& ref = fit["host_reference"];
  if (!ref.is_object() || !ref.contains(key) || !ref[key].is_number()) return 0;
  const double us = ref[key].get<double>();
  return us > 0 ? us : 0;
}

std::vector<std::string> ApplyHostProbes(const std::vector<ProbeRecord>& probes,
                                         HardwareProfile* profile, double point_launch_us) {
  const HostProbeMedians m = MedianHostProbes(probes);
  std::vector<std::string> set;
  auto assign = [&](Coef c, double value) {
    profile->coefficients[c] = value;
    std::ostringstream text;
    text << Info(c).name << "=" << value;
    set.push_back(text.str());
  };
  // The host's speed relative to the fitted host's: from the launch probes taken around every
  // point when both sides have them (the state the points ran in), else from the launch probes.
  const double point_reference = ReferenceLaunchUs(*profile, "point_launch_us");
  const double probe_reference = ReferenceLaunchUs(*profile);
  double ratio = 0;
  if (point_launch_us > 0 && point_reference > 0)
    ratio = point_launch_us / point_reference;
  else if (m.launch_eager_us > 0 && probe_reference > 0)
    ratio = m.launch_eager_us / probe_reference;
  if (ratio > 0) {
    // Every fitted cost that is host CPU time scales with the host's speed.
    for (Coef c : kHostTimeCoefficients) assign(c, profile->coefficients[c] * ratio);
  } else if (m.launch_eager_us > 0) {
    assign(Coef::dispatch_us, m.launch_eager_us);
  }
  if (m.h2d_pageable_gbs > 0) assign(Coef::h2d_pageable_gbs, m.h2d_pageable_gbs);
  if (m.d2h_pageable_gbs > 0) assign(Coef::d2h_pageable_gbs, m.d2h_pageable_gbs);
  if (!set.empty()) profile->fit["host_probes"] = set;
  return set;
}

}  // namespace vitperf

#include "predict/cost.h"

#include <cmath>
#include <stdexcept>

namespace vitperf {

std::optional<HourlyPrice> ResolvePrice(const HardwareProfile& profile,
                                        std::optional<double> override_usd_per_hour) {
  if (override_usd_per_hour) {
    if (!(*override_usd_per_hour > 0) || !std::isfinite(*override_usd_per_hour))
      throw std::invalid_argument("price-per-hour: must be a positive number of USD");
    return HourlyPrice{*override_usd_per_hour, "--price-per-hour"};
  }
  if (profile.price_per_hour_usd)
    return HourlyPrice{*profile.price_per_hour_usd, profile.price_source.empty()
                                                        ? "profile " + profile.name
                                                        : profile.price_source};
  return std::nullopt;
}

double CostPerMillionImages(double usd_per_hour, double throughput_ips) {
  if (!(throughput_ips > 0)) return std::nan("");
  return usd_per_hour / 3600.0 / throughput_ips * 1e6;
}

}  // namespace vitperf

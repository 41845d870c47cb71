// What an image costs: the GPU's hourly price spread over the images it processes.
#pragma once

#include <optional>
#include <string>

#include "model/hardware_profile.h"

namespace vitperf {

struct HourlyPrice {
  double usd_per_hour = 0;
  std::string source;  // "--price-per-hour" or the profile's price_source
};

// The override when given (must be positive, else std::invalid_argument), else the profile's
// price; empty when neither exists.
std::optional<HourlyPrice> ResolvePrice(const HardwareProfile& profile,
                                        std::optional<double> override_usd_per_hour);

// [USD per 10^6 images] = price [USD/h] / 3600 [s/h] / throughput [images/s] * 1e6.
// NaN when the throughput is not positive.
double CostPerMillionImages(double usd_per_hour, double throughput_ips);

}  // namespace vitperf

// The median of a sample, shared by the fit's error summary and the host-probe references.
#pragma once

#include <vector>

namespace vitperf {

// Middle value (mean of the two middle values for an even count); 0 for an empty sample.
double Median(std::vector<double> values);

}  // namespace vitperf

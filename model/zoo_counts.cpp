#include "model/zoo_counts.h"

#include <cmath>
#include <sstream>

#include "model/operators.h"
#include "model/parameter_count.h"

namespace vitperf {

std::vector<std::string> ZooCountMismatches(const TimmZoo& zoo) {
  std::vector<std::string> out;
  for (const ZooModel& m : zoo.models) {
    const long long params = CountParameters(m.config).Total();
    if (params != m.parameters) {
      std::ostringstream s;
      s << m.FullName() << ": parameters " << params << " != timm " << m.parameters << " ("
        << params - m.parameters << ")";
      out.push_back(s.str());
    }
    OperatorList ops;
    BuildOperators(m.config, 1, ForwardOptions{}, &ops);
    const double share = ops.MatmulMacs() / m.macs_per_image - 1;
    if (!(std::abs(share) <= kZooMacsTolerance)) {
      std::ostringstream s;
      s << m.FullName() << ": MACs " << ops.MatmulMacs() << " vs counted " << m.macs_per_image
        << " (" << share * 100 << "%)";
      out.push_back(s.str());
    }
  }
  return out;
}

}  // namespace vitperf

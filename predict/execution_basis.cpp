#include "predict/execution_basis.h"

#include <vector>

#include "model/coefficients.h"

namespace vitperf {

std::optional<std::string> ExecutionModeCaveat(const HardwareProfile& profile,
                                               const PipelineOptions& options) {
  if (options.execution != ExecutionMode::compiled) return std::nullopt;
  std::vector<Coef> terms{Coef::compiled_extern_us, Coef::compiled_launch_us};
  if (options.compile_mode == CompileMode::max_autotune)
    terms.push_back(Coef::template_matmul_efficiency);
  std::string missing;
  for (Coef c : terms)
    if (!profile.calibrated || !profile.coefficient_informed[static_cast<int>(c)])
      missing += (missing.empty() ? "" : ", ") + std::string(Info(c).name);
  if (missing.empty()) return std::nullopt;
  return "no fitted compiled-execution terms on this GPU (" + missing +
         " at the architecture's priors): calibrate with compiled points (experiment "
         "rq3_compiled) before trusting compiled figures";
}

}  // namespace vitperf

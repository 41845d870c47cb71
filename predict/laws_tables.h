// The scaling laws as tables for people: aligned text for `vitperf laws`, Markdown for the
// report. One renderer so both say the same thing.
#pragma once

#include <ostream>
#include <vector>

#include "model/hardware_profile.h"
#include "predict/measured_laws.h"
#include "predict/scaling_laws.h"

namespace vitperf {

void PrintScalingLaws(const ScalingLaws& laws, const HardwareProfile& profile,
                      const LawsOptions& options, std::ostream& out, bool markdown);

void PrintMeasuredLaws(const std::vector<MeasuredLaw>& laws, double tolerance, std::ostream& out,
                       bool markdown);

}  // namespace vitperf

// The person-readable summary of a fit: per-coefficient table (prior, fitted, error, unit,
// whether the data informed it), dropped points and the fit's figures.
#pragma once

#include <ostream>

#include "fit/fit_coefficients.h"

namespace vitperf {

// max_dropped: how many dropped points to list by id (the rest are counted).
void PrintFitReport(std::ostream& out, const FitResult& result, int max_dropped = 10);

}  // namespace vitperf

// The Ceres fits `vitperf validate` hands to predict/'s RunValidation (predict/validation_run.h)
// for its held-out splits, its cross-GPU transfer and its move to the data's host.
#pragma once

#include "predict/validation_run.h"

namespace vitperf {

ProfileRefitter CeresProfileRefitter();

}  // namespace vitperf

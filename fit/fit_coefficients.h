// Fits a hardware profile's coefficients to measurements with Ceres: robust log-ratio residuals
// per observation, weak priors toward the datasheet, bounds from the coefficient table, and
// standard errors from the covariance of the data residuals.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fit/observations.h"
#include "model/hardware_profile.h"
#include "model/measurement_record.h"

namespace vitperf {

enum class RobustLoss { huber, cauchy, none };
template <>
struct EnumNames<RobustLoss> {
  static constexpr const char* kField = "loss";
  static constexpr std::array<std::pair<RobustLoss, const char*>, 3> kNames{{
      {RobustLoss::huber, "huber"},
      {RobustLoss::cauchy, "cauchy"},
      {RobustLoss::none, "none"},
  }};
};

struct FitOptions {
  ObservationOptions observations;
  RobustLoss loss = RobustLoss::cauchy;
  // [log units] residuals beyond this (about 10%) count linearly (Huber) or less (Cauchy).
  double loss_scale = 0.1;
  // Weight of each prior residual w * log(c / prior); 0.01 means one point at 1% error weighs as
  // much as a coefficient 100% (e-fold) away from its datasheet value.
  double prior_weight = 0.01;
  // A coefficient is informed by the data when the norm of its column in the Jacobian of the
  // data residuals (d log predicted / d log coefficient, robustified) reaches this: a 10% change
  // of the coefficient moves the predictions by at least 0.5% in root-sum-square.
  double informed_threshold = 0.05;
  int max_iterations = 200;
  // Ablation (what a coefficient buys held out): fitted coefficients held at the base profile's
  // value, and architecture constants fitted as if they were this GPU's.
  std::vector<Coef> frozen;
  std::vector<Coef> also_fitted;
  // Starting values; the base profile's coefficients when empty (tests start elsewhere).
  std::optional<CoefficientValues<double>> start;

  bool IsValid(std::string* why) const;
};

struct CoefficientFit {
  Coef coefficient = Coef::matmul_efficiency;
  double value = 0;
  double error = 0;  // one standard error; 0 when not informed or not determined
  double prior = 0;  // datasheet prior
  double start = 0;
  bool informed = false;   // some observation moves it (else it keeps the base profile's value)
  bool determined = true;  // not in the null space of the data Jacobian
};

// The fit set's error for one kind of observation (period, compute, kernel_time, ...).
struct KindError {
  ObservationKind kind = ObservationKind::period;
  int observations = 0;
  double mape = 0, median_ape = 0;  // [fraction]
};

struct FitResult {
  CoefficientValues<double> coefficients;
  CoefficientValues<double> errors;
  std::vector<CoefficientFit> per_coefficient;  // in table order
  ObservationSet observations;
  double initial_cost = 0, final_cost = 0;  // Ceres cost (data and priors), first and last solve
  int iterations = 0;
  std::string termination;  // Ceres termination type and message of the last solve
  bool converged = false;
  bool rank_deficient = false;           // covariance needed the pseudo-inverse
  int degrees_of_freedom = 0;            // observations minus informed coefficients
  double residual_scale = 0;             // [log units] RMS data residual used to scale the errors
  double mape = 0, median_ape = 0;       // of the fit set, over all observations [fraction]
  std::vector<KindError> error_by_kind;  // the same per kind present, in the kinds' order
  std::vector<std::string> warnings;
};

// Throws std::invalid_argument for a dataset with no usable points or a device mismatch.
FitResult FitCoefficients(const HardwareProfile& base, const MeasurementSet& data,
                          const FitOptions& options);

}  // namespace vitperf

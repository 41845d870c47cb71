#include "fit/fit_coefficients.h"

#include <ceres/ceres.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <stdexcept>

#include "fit/residuals.h"
#include "model/median.h"

namespace vitperf {
namespace {

// Coefficients whose lower bound is 0 get this share of their upper bound as a floor instead:
// the fit works on logarithms, and a 1e-6 fraction is zero for every practical purpose.
constexpr double kFloorFraction = 1e-6;
// A singular value under this share of the largest marks a direction the data do not fix.
constexpr double kNullSpaceRelative = 1e-6;
// A coefficient with more than this share of its weight in null-space directions is undetermined.
constexpr double kNullSpaceShare = 0.1;

double LowerBound(const CoefficientInfo& info) {
  return std::max(info.lower, info.upper * kFloorFraction);
}

double Clamp(double v, const CoefficientInfo& info) {
  return std::min(std::max(v, LowerBound(info)), info.upper);
}

// The cost functions and loss, owned here and shared by the problems built from them.
struct Residuals {
  std::vector<std::unique_ptr<ceres::CostFunction>> data;
  std::vector<std::unique_ptr<ceres::LossFunction>> data_losses;  // per data residual
  std::vector<std::unique_ptr<ceres::CostFunction>> priors;
  std::unique_ptr<ceres::LossFunction> loss;
};

class ProblemBuilder {
 public:
  ProblemBuilder(Residuals* residuals, double* log_c) : r_(residuals), log_c_(log_c) {}

  // with_priors: the fitting problem; without: the data alone, for the Jacobian and covariance.
  // frozen: coefficients held constant (a SubsetManifold; nullptr when none).
  std::unique_ptr<ceres::Problem> Build(bool with_priors, const std::vector<int>& frozen) {
    ceres::Problem::Options o;
    o.cost_function_ownership = ceres::DO_NOT_TAKE_OWNERSHIP;
    o.loss_function_ownership = ceres::DO_NOT_TAKE_OWNERSHIP;
    o.manifold_ownership = ceres::DO_NOT_TAKE_OWNERSHIP;
    auto problem = std::make_unique<ceres::Problem>(o);
    problem->AddParameterBlock(log_c_, kNumCoefficients);
    for (std::size_t i = 0; i < r_->data.size(); ++i)
      problem->AddResidualBlock(r_->data[i].get(), r_->data_losses[i].get(), log_c_);
    if (with_priors)
      for (auto& cost : r_->priors) problem->AddResidualBlock(cost.get(), nullptr, log_c_);
    for (int i = 0; i < kNumCoefficients; ++i) {
      const CoefficientInfo& info = CoefficientTable()[i];
      problem->SetParameterLowerBound(log_c_, i, std::log(LowerBound(info)));
      problem->SetParameterUpperBound(log_c_, i, std::log(info.upper));
    }
    if (!frozen.empty()) {
      manifold_ = std::make_unique<ceres::SubsetManifold>(kNumCoefficients, frozen);
      problem->SetManifold(log_c_, manifold_.get());
    }
    return problem;
  }

 private:
  Residuals* r_;
  double* log_c_;
  std::unique_ptr<ceres::Manifold> manifold_;
};

Eigen::MatrixXd DenseJacobian(ceres::Problem* problem, double* cost) {
  ceres::CRSMatrix crs;
  problem->Evaluate(ceres::Problem::EvaluateOptions(), cost, nullptr, nullptr, &crs);
  Eigen::MatrixXd j = Eigen::MatrixXd::Zero(crs.num_rows, crs.num_cols);
  for (int row = 0; row < crs.num_rows; ++row)
    for (int at = crs.rows[row]; at < crs.rows[row + 1]; ++at)
      j(row, crs.cols[at]) = crs.values[at];
  return j;
}

ceres::Solver::Summary Solve(ceres::Problem* problem, const FitOptions& options) {
  ceres::Solver::Options so;
  so.linear_solver_type = ceres::DENSE_QR;
  so.max_num_iterations = options.max_iterations;
  so.function_tolerance = 1e-10;
  so.parameter_tolerance = 1e-10;
  so.logging_type = ceres::SILENT;
  so.minimizer_progress_to_stdout = false;
  ceres::Solver::Summary summary;
  ceres::Solve(so, problem, &summary);
  return summary;
}

}  // namespace

bool FitOptions::IsValid(std::string* why) const {
  auto fail = [&](const std::string& m) {
    if (why) *why = m;
    return false;
  };
  if (!(loss_scale > 0 && std::isfinite(loss_scale)))
    return fail("loss-scale: must be a finite positive number of log units (e.g. 0.1)");
  if (!(prior_weight >= 0 && std::isfinite(prior_weight)))
    return fail("prior-weight: must be a finite number, 0 or more (e.g. 0.01)");
  if (!(informed_threshold > 0)) return fail("informed-threshold: must be positive");
  if (max_iterations < 1) return fail("max-iterations: must be at least 1");
  return true;
}

FitResult FitCoefficients(const HardwareProfile& base, const MeasurementSet& data,
                          const FitOptions& options) {
  std::string why;
  if (!options.IsValid(&why)) throw std::invalid_argument(why);
  FitResult result;
  result.observations = CollectObservations(data, base, options.observations);
  const ObservationSet& obs = result.observations;
  result.warnings = obs.warnings;
  if (obs.observations.empty()) {
    std::string message =
        "no usable points: " + std::to_string(data.pipeline.size() + data.probes.size()) +
        " records read, none usable";
    if (!obs.dropped.empty())
      message +=
          " (first dropped: " + obs.dropped.front().id + ": " + obs.dropped.front().reason + ")";
    throw std::invalid_argument(message);
  }

  const CoefficientValues<double> prior = base.DatasheetCoefficients();
  const CoefficientValues<double> start = options.start.value_or(base.coefficients);
  std::array<double, kNumCoefficients> log_c{};
  for (int i = 0; i < kNumCoefficients; ++i)
    log_c[i] = std::log(Clamp(start.v[i], CoefficientTable()[i]));

  Residuals residuals;
  for (const Observation& o : obs.observations)
    residuals.data.emplace_back(MakeObservationCost(o, base));
  for (int i = 0; i < kNumCoefficients; ++i)
    residuals.priors.emplace_back(MakePriorCost(
        static_cast<Coef>(i), Clamp(prior.v[i], CoefficientTable()[i]), options.prior_weight));
  if (options.loss == RobustLoss::huber)
    residuals.loss = std::make_unique<ceres::HuberLoss>(options.loss_scale);
  if (options.loss == RobustLoss::cauchy)
    residuals.loss = std::make_unique<ceres::CauchyLoss>(options.loss_scale);
  // A point pooled from n runs counts as n observations of the robust loss.
  for (const Observation& o : obs.observations)
    residuals.data_losses.emplace_back(std::make_unique<ceres::ScaledLoss>(
        residuals.loss.get(), static_cast<double>(o.runs), ceres::DO_NOT_TAKE_OWNERSHIP));

  // Architecture constants are not this GPU's to fit: they stay at the base profile's values.
  const auto listed = [](const std::vector<Coef>& list, int i) {
    return std::find(list.begin(), list.end(), static_cast<Coef>(i)) != list.end();
  };
  const auto is_fitted = [&](int i) {
    return (CoefficientTable()[i].fitted() && !listed(options.frozen, i)) ||
           listed(options.also_fitted, i);
  };
  std::vector<int> constants;
  for (int i = 0; i < kNumCoefficients; ++i)
    if (!is_fitted(i)) {
      constants.push_back(i);
      log_c[i] = std::log(Clamp(base.coefficients.v[i], CoefficientTable()[i]));
    }

  // Pass 1: every fitted coefficient free. Those the data cannot move stay where the priors
  // hold them.
  ProblemBuilder builder(&residuals, log_c.data());
  // The data's gradient at the start too: a coefficient the data drive towards zero (a gap of
  // 0.07 us) loses its gradient at the solution but is informed all the same.
  double start_cost = 0;
  const Eigen::MatrixXd start_jacobian = DenseJacobian(builder.Build(false, {}).get(), &start_cost);
  auto first = builder.Build(true, constants);
  const ceres::Solver::Summary s1 = Solve(first.get(), options);
  result.initial_cost = s1.initial_cost;
  result.iterations = static_cast<int>(s1.iterations.size());

  // Which coefficients the data inform, at the solution or at the start.
  double data_cost = 0;
  Eigen::MatrixXd jacobian = DenseJacobian(builder.Build(false, {}).get(), &data_cost);
  std::vector<int> frozen, informed;
  for (int i = 0; i < kNumCoefficients; ++i) {
    if (is_fitted(i) && (jacobian.col(i).norm() >= options.informed_threshold ||
                         start_jacobian.col(i).norm() >= options.informed_threshold))
      informed.push_back(i);
    else
      frozen.push_back(i);
  }
  // Uninformed coefficients keep the base profile's values (the datasheet prior for an
  // uncalibrated profile), not whatever a vanishing gradient drifted them to.
  for (int i : frozen) log_c[i] = std::log(Clamp(base.coefficients.v[i], CoefficientTable()[i]));

  // Pass 2: only the informed coefficients move.
  ceres::Solver::Summary last = s1;
  if (!informed.empty()) {
    auto second = builder.Build(true, frozen);
    last = Solve(second.get(), options);
    result.iterations += static_cast<int>(last.iterations.size());
  }
  result.final_cost = last.final_cost;
  // A "converged" solve whose cost is not finite converged to nothing (--loss-scale inf did).
  result.converged = last.termination_type == ceres::CONVERGENCE && std::isfinite(last.final_cost);
  result.termination =
      std::string(ceres::TerminationTypeToString(last.termination_type)) + ": " + last.message;

  // Standard errors: covariance of the data residuals over the informed coefficients, scaled by
  // the residual variance (Ceres returns (J'J)^-1 for unit-variance residuals).
  std::vector<double> variance(kNumCoefficients, 0.0);
  std::vector<bool> determined(kNumCoefficients, true);
  if (!informed.empty()) {
    auto data_problem = builder.Build(false, frozen);
    const Eigen::MatrixXd j = DenseJacobian(data_problem.get(), &data_cost);
    const int n = static_cast<int>(obs.observations.size());
    result.degrees_of_freedom = n - static_cast<int>(informed.size());
    const double scale2 =
        result.degrees_of_freedom > 0 ? 2 * data_cost / result.degrees_of_freedom : 0;
    result.residual_scale = std::sqrt(scale2);

    Eigen::JacobiSVD<Eigen::MatrixXd> svd(j, Eigen::ComputeFullV);
    const Eigen::VectorXd sv = svd.singularValues();
    const Eigen::MatrixXd& v = svd.matrixV();
    for (int t = 0; t < static_cast<int>(informed.size()); ++t) {
      double null_share = 0;
      for (int s = 0; s < v.cols(); ++s) {
        const double sigma = s < sv.size() ? sv(s) : 0.0;
        if (sigma <= kNullSpaceRelative * sv(0)) null_share += v(t, s) * v(t, s);
      }
      if (null_share > kNullSpaceShare) determined[informed[t]] = false;
    }

    // Ask for the pseudo-inverse straight away when the SVD above found a null space (Ceres
    // would otherwise refuse, and log the refusal); the retry covers borderline conditioning.
    bool null_space = false;
    for (int i : informed) null_space |= !determined[i];
    ceres::Covariance::Options co;
    co.algorithm_type = ceres::DENSE_SVD;
    if (null_space) co.null_space_rank = -1;
    auto covariance = std::make_unique<ceres::Covariance>(co);
    const std::vector<std::pair<const double*, const double*>> blocks{{log_c.data(), log_c.data()}};
    bool ok = covariance->Compute(blocks, data_problem.get());
    if (!ok && !null_space) {
      co.null_space_rank = -1;  // Moore-Penrose pseudo-inverse: drop the undetermined directions
      covariance = std::make_unique<ceres::Covariance>(co);
      ok = covariance->Compute(blocks, data_problem.get());
      result.rank_deficient = true;
    }
    if (ok && scale2 > 0) {
      std::vector<double> c(kNumCoefficients * kNumCoefficients);
      covariance->GetCovarianceBlock(log_c.data(), log_c.data(), c.data());
      for (int i : informed) variance[i] = c[i * kNumCoefficients + i] * scale2;
    } else if (!ok) {
      result.warnings.push_back("covariance could not be computed; standard errors are unknown");
    } else {
      result.warnings.push_back(
          "as many informed coefficients as observations; standard errors "
          "are unknown");
    }
    for (int i : informed)
      if (!determined[i]) result.rank_deficient = true;
  }

  for (int i = 0; i < kNumCoefficients; ++i) {
    CoefficientFit f;
    f.coefficient = static_cast<Coef>(i);
    // Clamped: at a bound, exp(log(upper)) may round just past it (exp(log(100)) is
    // 100.00000000000004), and a profile with a coefficient out of its range does not load.
    f.value = Clamp(std::exp(log_c[i]), CoefficientTable()[i]);
    f.prior = prior.v[i];
    f.start = start.v[i];
    f.informed = std::find(informed.begin(), informed.end(), i) != informed.end();
    f.determined = f.informed && determined[i];
    // d c = c * d log c: the delta method from the log parameters back to the coefficient.
    f.error = f.determined ? f.value * std::sqrt(std::max(variance[i], 0.0)) : 0.0;
    result.coefficients.v[i] = f.value;
    result.errors.v[i] = f.error;
    result.per_coefficient.push_back(f);
  }

  // Fit error figures: residual r = log(predicted / measured), so |exp(r) - 1| is the APE.
  std::vector<double> ape;
  std::map<ObservationKind, std::vector<double>> ape_by_kind;
  for (size_t i = 0; i < residuals.data.size(); ++i) {
    const double* parameters[] = {log_c.data()};
    double r = 0;
    residuals.data[i]->Evaluate(parameters, &r, nullptr);
    ape.push_back(std::abs(std::expm1(r)));
    ape_by_kind[obs.observations[i].kind].push_back(ape.back());
  }
  auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double a : v) sum += a;
    return sum / static_cast<double>(v.size());
  };
  result.mape = mean(ape);
  result.median_ape = Median(ape);
  for (const auto& [kind, apes] : ape_by_kind)
    result.error_by_kind.push_back({kind, static_cast<int>(apes.size()), mean(apes), Median(apes)});
  return result;
}

}  // namespace vitperf

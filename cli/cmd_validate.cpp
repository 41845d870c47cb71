// `vitperf validate`: predictions against measurements, point by point and in summary, with
// optional held-out configs (refitting on the rest, needs Ceres), bounds that set the exit
// status for CI, and JUnit XML. The flags; the run is predict/validation_run.h's.
#include <iostream>

#include "cli/commands.h"
#include "cli/run_meta.h"
#include "cli/warnings.h"
#include "predict/validation_run.h"
#ifdef VITPERF_HAVE_FIT
#include "fit/validation_refit.h"
#endif

namespace vitperf::cli {
namespace {

struct ValidateFlags {
  ValidateRequest request;
  std::string junit;  // the JUnit XML report to write
  bool json = false;
};

void RunValidate(const ValidateFlags& f) {
#ifdef VITPERF_HAVE_FIT
  const ProfileRefitter refitter = CeresProfileRefitter();
  const ProfileRefitter* refits = &refitter;
#else
  const ProfileRefitter* refits = nullptr;  // no Ceres: splits and transfers refuse
#endif
  const ValidationOutcome outcome = WithMessages(
      [&](RunMessages* messages) { return RunValidation(f.request, refits, messages); });
  if (!f.junit.empty()) WriteValidationJunit(f.junit, outcome);
  if (f.json)
    std::cout << ValidationJson(outcome, Invocation()).dump(2) << "\n";
  else
    PrintValidation(std::cout, outcome);
  if (!outcome.passed) throw ExitStatus{kExitCheckFailed};
}

}  // namespace

void AddValidateCommand(CLI::App& app) {
  auto flags = std::make_shared<ValidateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Compare a profile's predictions with measurements; fail when a bound is exceeded");
  cmd->add_option("--profile", flags->request.profile,
                  "profile: a name (see `vitperf gpus`) or a .json file")
      ->required();
  cmd->add_option("--data", flags->request.data, "measurement files (JSONL)")->required();
  cmd->add_option("--run", flags->request.runs,
                  "keep only these runs of --data (run ids, as in the records' provenance.run_id; "
                  "repeatable)");
  cmd->add_option("--coefficients-from", flags->request.coefficients_from,
                  "predict with another (calibrated) profile's coefficients moved onto --profile's "
                  "datasheet: the cross-GPU check");
  cmd->add_option("--transfer-from", flags->request.transfer_from,
                  "cross-GPU check: calibrate this datasheet profile (the source GPU) on "
                  "--transfer-data, then predict --profile's GPU from its datasheet and the "
                  "source's fitted coefficients");
  cmd->add_option("--transfer-data", flags->request.transfer_data,
                  "the source GPU's measurement files (JSONL), with --transfer-from");
  cmd->add_option("--freeze", flags->request.freeze,
                  "comma-separated fitted coefficients held at the profile's value in a refit "
                  "(what each buys held out)");
  cmd->add_flag("--freeze-at-default", flags->request.freeze_at_default,
                "hold --freeze's coefficients at the coefficient table's generic default (a GPU "
                "whose architecture has no measured priors) instead of the profile's value");
  cmd->add_option("--free", flags->request.free,
                  "comma-separated architecture constants fitted in a refit as if they were the "
                  "GPU's own");
  cmd->add_flag("--host-probes-from-data", flags->request.host_probes_from_data,
                "move the host side to the host that ran the data: pageable copy rates from its "
                "probes, host CPU costs (dispatch, sync, ...) scaled by its launch probes "
                "(per-point ones when both sides have them), staging copy rates and cache refitted "
                "to its staging probes; the GPU side stays the profile's");
  cmd->add_flag("--host-state-from-data", flags->request.host_state_from_data,
                "scale each eager point's dispatch by the host speed recorded with it "
                "(host_launch_us, relative to the profile's reference state): the model's error "
                "with the host's drift taken out");
  cmd->add_option("--host-state-scope", flags->request.host_state_scope,
                  "with --host-state-from-data: point (each point's own recorded state, the "
                  "default) or run (its run's median: the host's speed during the run known, its "
                  "drift within the run not)");
  cmd->add_option("--holdout", flags->request.holdout,
                  "comma-separated config names (e.g. vit_l16) kept out of a refit and validated "
                  "(needs Ceres)");
  cmd->add_option("--holdout-fraction", flags->request.holdout_fraction,
                  "share of configs (a config: everything but the batch) held out of a refit");
  cmd->add_option("--kfold", flags->request.kfold,
                  "K-fold cross-validation over configs (refits K times)");
  cmd->add_option("--max-mape", flags->request.max_mape_pct,
                  "[%] exit 1 when the MAPE exceeds this");
  cmd->add_option("--max-regret", flags->request.max_regret_pct,
                  "[%] exit 1 when the worst best-batch regret (batches compared over the runs "
                  "that measured both) exceeds this");
  cmd->add_option("--near-best", flags->request.near_best,
                  "the model picks the smallest batch within this share of its best throughput "
                  "(1.0: its best; 0.95: what `vitperf best` picks)");
  cmd->add_option("--junit", flags->junit, "write a JUnit XML report (one testcase per check)");
  cmd->add_flag("--allow-device-mismatch", flags->request.allow_device_mismatch,
                "let a refit use points from a device other than the profile's");
  cmd->add_flag("--json", flags->json, "print JSON (schema vitperf.validation)");
  cmd->footer(
      "Examples:\n  vitperf validate --profile my-h100.json --data h100.jsonl --max-mape 15\n"
      "  vitperf validate --profile h100 --data h100.jsonl --kfold 5 --junit validate.xml\n"
      "  vitperf validate --profile data/hardware/h200.json --data h200.jsonl \\\n"
      "      --transfer-from data/hardware/h100-sxm.json --transfer-data h100.jsonl\n"
      "Exit status: 0 within bounds, 1 a bound exceeded, 2 bad input.");
  cmd->callback([flags] { RunValidate(*flags); });
}

}  // namespace vitperf::cli

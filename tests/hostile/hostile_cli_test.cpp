// Hostile and careless input on every command (issue 25): each case runs the binary and
// asserts its exit status, that a refusal is one line on stderr naming the field, and that no
// output carries a NaN, an infinity or a negative quantity.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include "tests/cli/run_command.h"
#include "tests/hostile/fixtures.h"

namespace vitperf::hostile {
namespace {

using testing::LineCount;

struct Case {
  std::string name;  // test name: letters, digits and underscores
  std::string args;  // shell words after the binary; {T} is the fixture folder
  int exit_code = 2;
  std::string needle;        // stderr must contain it (empty: anything)
  std::string stdout_to;     // where stdout goes instead of a captured file (e.g. /dev/full)
  int max_stderr_lines = 1;  // for exit 0 (a refusal is always exactly one line)
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

std::string Expand(std::string text) {
  for (std::size_t at; (at = text.find("{T}")) != std::string::npos;) text.replace(at, 3, Dir());
  for (std::size_t at; (at = text.find("{S}")) != std::string::npos;)
    text.replace(at, 3, VITPERF_SOURCE_DIR);
  return text;
}

testing::CommandResult RunCase(const Case& c) {
  static int calls = 0;
  const std::string base = Path("run-" + std::to_string(getpid()) + "-" + std::to_string(++calls));
  const std::string out = c.stdout_to.empty() ? base + ".out" : c.stdout_to;
  const std::string command = std::string(VITPERF_BINARY) + " " + Expand(c.args) + " >" + out +
                              " 2>" + base + ".err </dev/null";
  testing::CommandResult r;
  const int status = std::system(command.c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (c.stdout_to.empty()) r.out = testing::ReadWholeFile(out);
  r.err = testing::ReadWholeFile(base + ".err");
  return r;
}

// Keys whose values may be negative by meaning (exponents, correlations, signed errors).
bool MayBeNegative(const std::string& key) {
  static const std::vector<std::string> keys = {
      "exponent", "spearman", "error",     "signed",      "log",       "delta", "change",  "bias",
      "residual", "slope",    "intercept", "coefficient", "r_squared", "gain",  "relative"};
  for (const auto& k : keys)
    if (key.find(k) != std::string::npos) return true;
  return false;
}

// Every number finite, and non-negative unless its key says it may be signed.
void ExpectSaneJson(const nlohmann::json& j, const std::string& path, const std::string& key) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      ExpectSaneJson(it.value(), path + "." + it.key(), it.key());
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) ExpectSaneJson(j[i], path, key);
  } else if (j.is_number()) {
    const double v = j.get<double>();
    EXPECT_TRUE(std::isfinite(v)) << path;
    if (!MayBeNegative(key) && path.find(".argv") == std::string::npos) {
      EXPECT_GE(v, 0) << path;
    }
  }
}

void ExpectSaneOutput(const std::string& out) {
  static const std::regex kNonFinite("(^|[^a-z_])(nan|inf|infinity)([^a-z_]|$)", std::regex::icase);
  EXPECT_FALSE(std::regex_search(out, kNonFinite)) << out.substr(0, 2000);
  if (!out.empty() && out[0] == '{') {
    const auto j = nlohmann::json::parse(out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "stdout is not JSON: " << out.substr(0, 500);
    ExpectSaneJson(j, "", "");
  } else {
    // A negative quantity in a table: a minus sign before a number that starts a cell. Signed
    // relative errors ("-12.5%", validate's worst points) are not quantities.
    static const std::regex kNegative("(^|[ \\t(])-[0-9.]+([^0-9.%]|$)");
    EXPECT_FALSE(std::regex_search(out, kNegative)) << out.substr(0, 2000);
  }
}

class HostileCase : public ::testing::TestWithParam<Case> {};

TEST_P(HostileCase, Run) {
  WriteFixtures();
  const Case& c = GetParam();
  const testing::CommandResult r = RunCase(c);
  SCOPED_TRACE("vitperf " + Expand(c.args));
  EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
  if (c.exit_code != 0) {
    EXPECT_EQ(LineCount(r.err), 1) << r.err;
  } else {
    EXPECT_LE(LineCount(r.err), c.max_stderr_lines) << r.err;
  }
  if (!c.needle.empty()) {
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << r.err;
  }
  if (c.exit_code == 2) {
    EXPECT_EQ(r.out, "") << "a refusal prints nothing on stdout";
  }
  ExpectSaneOutput(r.out);
}

std::string Id(const std::string& text) {
  std::string out;
  for (char ch : text) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out;
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  auto add = [&](std::string name, std::string args, int exit_code, std::string needle = "") {
    cases.push_back({Id(name), std::move(args), exit_code, std::move(needle), "", 1});
  };
  const std::string D =
      std::string("{S}/") + kDataset + " --run " + kDatasetRun;  // the same run as the fixtures

  // ---- numeric flags: NaN, infinities, signs, zero, junk ----
  struct Flag {
    std::string command, flag, field;
    std::vector<std::string> bad;
  };
  const std::vector<std::string> non_positive = {"nan", "inf", "-inf", "-1", "0", "abc"};
  const std::vector<Flag> flags = {
      {"predict", "--latency-slo", "latency-slo", non_positive},
      {"predict", "--memory-limit", "memory-limit", {"nan", "inf", "-1", "0", "1e30", "abc"}},
      {"predict --execution compiled", "--compile-mode", "compile_mode", {"bogus", "autotune"}},
      // max-autotune names how a compiled model was built: without --execution compiled, refused.
      {"predict", "--compile-mode", "compile_mode", {"max-autotune"}},
      {"best --model vit_s16", "--memory-limit", "memory-limit", {"nan", "inf", "-1", "0", "1e30"}},
      {"best --model vit_s16", "--latency-slo", "latency-slo", {"nan", "inf", "-1", "0"}},
      {"best --model vit_s16", "--top", "top", {"0", "-3"}},
      {"laws", "--tolerance", "tolerance", non_positive},
      {"laws", "--saturation", "saturation", {"nan", "0", "-1", "2"}},
      {"laws", "--crossover-batch", "crossover-batch", {"0", "-1"}},
      {"laws", "--grid-res", "grid-res", {"0", "-32", "100"}},
      {"laws", "--latency-slo", "latency-slo", {"nan", "inf", "0"}},
      {"report -o {T}/report_out", "--tolerance", "tolerance", non_positive},
      {"report -o {T}/report_out", "--band", "band", {"nan", "0", "1", "-1"}},
      {"validate --profile h200 --data " + D, "--max-mape", "max-mape", {"nan", "-1"}},
      {"validate --profile h200 --data " + D, "--max-regret", "max-regret", {"nan", "-1"}},
      {"validate --profile h200 --data " + D, "--near-best", "near-best", {"nan", "0", "1.5"}},
      {"validate --profile h200 --data " + D,
       "--holdout-fraction",
       "holdout-fraction",
       {"nan", "0", "1", "-0.5"}},
      {"validate --profile h200 --data " + D, "--kfold", "kfold", {"0", "1", "100000"}},
      {"fit " + D + " --base h200 -o {T}/fit_out.json",
       "--loss-scale",
       "loss-scale",
       {"nan", "inf", "-1", "0"}},
      {"fit " + D + " --base h200 -o {T}/fit_out.json",
       "--prior-weight",
       "prior-weight",
       {"nan", "inf", "-1"}},
      {"measure -e quick_test --device cpu --dry-run",
       "--point-time-limit",
       "point-time-limit",
       {"nan", "inf", "-1", "0"}},
      {"measure -e quick_test --device cpu --dry-run", "--max-points", "max-points", {"0", "2"}},
      {"regimes", "--batch", "batch", {"0", "-2"}},
  };
  for (const Flag& f : flags)
    for (const std::string& v : f.bad)
      add(f.command.substr(0, f.command.find(' ')) + f.flag + "_" + v,
          f.command + " " + f.flag + " " + v, 2, f.field);

  // ---- integer lists: the field named, the limit told apart from a wrong type ----
  add("predict_batch_over_limit", "predict --batch 16777217", 2, "batch: 16777217 is out of range");
  add("predict_batch_word", "predict --batch eight", 2, "batch: 'eight' is not an integer");
  add("predict_batch_zero", "predict --batch 0", 2, "batch: 0 is out of range");
  add("predict_batch_huge", "predict --batch 99999999999999999999", 2, "out of range");
  add("predict_batch_empty", "predict --batch ,", 2, "batch: empty list");
  add("regimes_y_values_zero", "regimes --y-values 0", 2, "y-values: 0 is out of range");
  add("regimes_x_values_zero", "regimes --x-values 0", 2, "x-values: 0 is out of range");
  add("regimes_x_values_word", "regimes --x-values a,b", 2, "x-values: 'a' is not an integer");
  add("regimes_y_values_over", "regimes --y-values 16777217", 2, "y-values");

  // ---- memory budget above the device, and the search limit ----
  add("predict_t4_memory_above_device", "predict --gpu t4 --memory-limit 100", 2,
      "memory-limit: 100 GiB is not accepted (accepted: above 0, up to t4's usable");
  add("best_t4_memory_above_device", "best --model vit_s16 --gpu t4 --memory-limit 100", 2,
      "memory-limit");
  add("predict_t4_memory_within", "predict --gpu t4 --memory-limit 10 --json", 0);
  add("predict_tiny_model_search_limit",
      "predict --gpu h200 --res 16 --patch 16 --dim 64 --heads 1 --depth 1 --batch 1 --json", 0);

  // ---- input files that are not regular files, or too large ----
  struct FileFlag {
    std::string name, prefix, suffix, field;
  };
  const std::vector<FileFlag> file_flags = {
      {"predict_gpu", "predict --gpu ", "", "profile"},
      {"validate_profile", "validate --data " + D + " --profile ", "", "profile"},
      {"validate_coefficients_from",
       "validate --data " + D + " --profile h200 --coefficients-from ", "", "profile"},
      {"predict_config", "predict --config ", "", "config"},
      {"fit_base", "fit " + D + " -o {T}/fit_out.json --base ", "", "profile"},
      {"measure_experiment", "measure --device cpu --dry-run -e ", "", "experiment"},
      {"fit_data", "fit --base h200 -o {T}/fit_out.json ", "", "data"},
      {"validate_data", "validate --profile h200 --data ", "", "data"},
      {"laws_data", "laws --gpu h200 --data ", "", "data"},
      {"report_data", "report --gpu h200 -o {T}/report_out --data ", "", "data"},
      {"topo_xml", "topo --topology-xml ", "", "topology-xml"},
  };
  const std::vector<std::pair<std::string, std::string>> bad_files = {
      {"missing", "{T}/no_such_file.json|no such file"},
      {"directory", "{T}/a_directory|is a directory"},
      {"dev_zero", "/dev/zero|not a regular file"},
      {"fifo", "{T}/a_fifo|not a regular file"},
      {"huge", "{T}/huge.json|larger than the"},
  };
  for (const FileFlag& f : file_flags)
    for (const auto& [kind, spec] : bad_files) {
      const std::string path = spec.substr(0, spec.find('|'));
      const std::string needle = f.field + ": '" + path + "' ";
      add(f.name + "_" + kind, f.prefix + path + f.suffix, 2,
          kind == "missing" ? f.field + ": no such file" : spec.substr(spec.find('|') + 1));
      (void)needle;
    }
  // Garbage, empty, duplicate keys and deep nesting in every JSON reader.
  const std::vector<FileFlag> json_flags = {
      {"predict_gpu", "predict --gpu ", "", "profile"},
      {"predict_config", "predict --config ", "", "config"},
      {"measure_experiment", "measure --device cpu --dry-run -e ", "", "experiment"},
      {"fit_base", "fit " + D + " -o {T}/fit_out.json --base ", "", "profile"},
  };
  for (const FileFlag& f : json_flags) {
    add(f.name + "_garbage", f.prefix + "{T}/garbage.bin", 2, "malformed JSON");
    add(f.name + "_empty", f.prefix + "{T}/empty.json", 2, "malformed JSON");
    add(f.name + "_dup_key", f.prefix + "{T}/dup_key.json", 2, "duplicate key 'a'");
    add(f.name + "_deep", f.prefix + "{T}/deep.json", 2, "nested deeper than 64 levels");
    add(f.name + "_not_object", f.prefix + "{T}/not_object.json", 2, "expected a JSON object");
  }

  // ---- profiles: strict reading ----
  const std::vector<std::pair<std::string, std::string>> profiles = {
      {"p_sm_bool", "multiprocessors: expected an integer, got boolean"},
      {"p_sm_frac", "multiprocessors: expected an integer, got 40.5"},
      {"p_sm_string", "multiprocessors: expected an integer, got string"},
      {"p_sm_zero", "multiprocessors: must be positive"},
      {"p_sm_huge", "multiprocessors: 1000000000000.0 is outside"},
      {"p_version_frac", "schema_version: expected an integer, got 1.5"},
      {"p_version_2", "schema_version: 2 is not supported"},
      {"p_version_0", "schema_version: 0 is not supported"},
      {"p_schema", "profile.schema: expected 'vitperf.hardware'"},
      {"p_reserved_neg", "memory_reserved_gib: must be 0 or more"},
      {"p_workspace_neg", "workspace_mib: must be 0 or more"},
      {"p_l2_neg", "l2_mib: must be 0 or more"},
      {"p_memory_zero", "memory_gib: must exceed memory_reserved_gib"},
      {"p_memory_huge", "memory_gib: must exceed memory_reserved_gib, up to 1048576"},
      {"p_memory_neg", "memory_gib: must exceed memory_reserved_gib"},
      {"p_memory_bool", "memory_gib: expected a number, got boolean"},
      {"p_bandwidth_zero", "memory_bandwidth_gbs: must be positive"},
      {"p_bandwidth_string", "memory_bandwidth_gbs: expected a number, got string"},
      {"p_calibrated_bare", "profile.calibrated: unknown key"},
      {"p_coef_unknown", "profile.coefficients: unknown key"},
      {"p_coef_range", "profile.coefficients: unknown key"},
      {"p_coef_bool", "profile.coefficients: unknown key"},
      {"p_tflops_missing", "matrix_tflops.bf16: missing"},
      {"p_tflops_neg", "matrix_tflops.bf16: must be positive"},
      {"p_tile_frac", "matmul_tile: expected [rows, columns]"},
      {"p_link_zero", "h2d_gbs and d2h_gbs must be positive"},
      {"p_copy_engines", "copy_engines: must be at least 1"},
      {"p_unknown_key", "memory_gb: unknown key"},
      {"p_price_neg", "price_per_hour_usd: must be positive"},
      {"p_name_empty", "name: must not be empty"},
      {"p_kind", "kind: 'tpu' is not one of gpu, cpu"},
      {"p_dup_key", "duplicate key 'memory_gib'"},
      {"p_truncated", "malformed JSON"},
      {"p_overflow", "malformed JSON: number overflow parsing '1e400'"},
  };
  for (const auto& [file, needle] : profiles) {
    add("predict_" + file, "predict --gpu {T}/" + file + ".json", 2, needle);
    add("validate_" + file, "validate --data " + D + " --profile {T}/" + file + ".json", 2, needle);
  }

  // ---- configs ----
  add("config_ok", "predict --config {T}/c_ok.json --gpu h200 --json", 0);
  add("config_depth_bool", "predict --config {T}/c_depth_bool.json", 2,
      "depth: expected an integer, got boolean");
  add("config_depth_string", "predict --config {T}/c_depth_string.json", 2,
      "depth: expected an integer, got string");
  add("config_patch_zero", "predict --config {T}/c_patch_zero.json", 2, "patch");
  add("config_unknown_key", "predict --config {T}/c_unknown_key.json", 2, "widht: unknown key");
  add("config_dup_key", "predict --config {T}/c_dup_key.json", 2, "duplicate key 'dim'");

  // ---- experiments and sweeps ----
  add("experiment_truncated", "measure --device cpu --dry-run -e {T}/e_truncated.json", 2,
      "malformed JSON");
  add("experiment_dup_key", "measure --device cpu --dry-run -e {T}/e_dup_key.json", 2,
      "duplicate key 'name'");
  add("experiment_warmup_frac", "measure --device cpu --dry-run -e {T}/e_warmup_frac.json", 2,
      "timing.warmup: expected an integer");
  add("experiment_empty", "measure --device cpu --dry-run -e {T}/e_empty.json", 2,
      "empty experiment");
  add("experiment_version", "measure --device cpu --dry-run -e {T}/e_version.json", 2,
      "schema_version 9 is newer");
  add("experiment_huge_sweep", "measure --device cpu --dry-run -e {T}/e_huge.json", 2,
      "more than the limit of 100000");
  add("experiment_huge_override",
      "measure --device cpu --dry-run -e quick_test "
      "depth=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30 "
      "classes=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30 "
      "queue_depth=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29 "
      "res=224,256,288,320",
      2, "--max-points");
  add("experiment_max_points_small", "measure --device cpu --dry-run -e quick_test --max-points 3",
      2, "more than the limit of 3");
  add("experiment_override_limit", "measure --device cpu --dry-run -e quick_test depth=2000000000",
      2, "depth: 2000000000 is outside the accepted 1 to 1000000000");
  add("experiment_override_word", "measure --device cpu --dry-run -e quick_test depth=deep", 2,
      "depth: 'deep' is not an integer");
  add("measure_dry_run_json", "measure --device cpu --dry-run -e quick_test --json", 0);
  add("measure_dry_run_text", "measure --device cpu --dry-run -e quick_test", 0);
  add("calibrate_takes_json", "calibrate --json -o {T}/cal.json --base no_such_gpu", 2,
      "gpu: unknown GPU 'no_such_gpu'");

  // ---- datasets: damaged records skipped with one summary line, the rest used ----
  const std::vector<std::pair<std::string, std::string>> datasets = {
      {"d_empty_id", "id: empty"},
      {"d_tiny_throughput", "throughput_ips: outside"},
      {"d_huge_latency", "latency.median_ms: outside"},
      {"d_batch_frac", "batch: expected an integer, got 64.5"},
      {"d_batch_bool", "batch: expected an integer, got boolean"},
      {"d_batch_zero", "batch: outside [1, 16777216]"},
      {"d_throughput_neg", "throughput_ips: outside"},
      {"d_throughput_zero", "throughput_ips: outside"},
      {"d_throughput_string", "throughput_ips: expected a number, got string"},
      {"d_stage_neg", "stage_ms.compute: outside"},
      {"d_peak_huge", "peak_memory_bytes: outside"},
      {"d_id_two_points", "id: names two different points"},
      {"d_device", "device: 'tpu:0' is not one of cpu, cuda, cuda:N"},
      {"d_kind", "kind: not one of provenance, pipeline, probe"},
      {"d_status", "status"},
      {"d_config_frac", "dim: expected an integer, got 768.5"},
      {"d_garbage_tail", "data: skipped 17 records (17x malformed or truncated line)"},
      {"d_not_object", "data: skipped 2 records (2x not a JSON object)"},
      {"d_dup_key", "duplicate key"},
      {"d_torn", "malformed or truncated line"},
      {"d_overflow", "malformed or truncated line"},
      {"d_probe_params", "params.execution: expected a string"},
  };
  for (const auto& [file, needle] : datasets) {
    const std::string path = "{T}/" + file + ".jsonl";
    add("validate_" + file, "validate --profile h200 --json --data " + path, 0, needle);
    add("laws_" + file, "laws --gpu h200 --json --data " + path, 0, needle);
    add("fit_" + file, "fit --base h200 --json -o {T}/fit_" + file + ".json " + path, 0, needle);
  }
  add("report_d_empty_id", "report --gpu h200 -o {T}/report_out --json --data {T}/d_empty_id.jsonl",
      0, "id: empty");
  add("validate_only_garbage", "validate --profile h200 --data {T}/d_only_garbage.jsonl", 2,
      "no pipeline records");
  add("fit_only_garbage", "fit --base h200 -o {T}/fit_g.json {T}/d_only_garbage.jsonl", 2,
      "no usable points");
  // Wrong schema or version: not a dataset at all, bad input.
  for (const std::string file : {"d_schema", "d_version", "d_version_frac"}) {
    add("validate_" + file, "validate --profile h200 --data {T}/" + file + ".jsonl", 2, "schema");
    add("laws_" + file, "laws --gpu h200 --data {T}/" + file + ".jsonl", 2, "schema");
    add("fit_" + file, "fit --base h200 -o {T}/fit_s.json {T}/" + file + ".jsonl", 2, "schema");
  }
  add("validate_garbage_file", "validate --profile h200 --data {T}/garbage.bin", 2,
      "no pipeline records");
  add("validate_device_mismatch", "validate --profile t4 --data " + D, 0,
      "data measured on NVIDIA H200, not on t4");
  add("validate_device_mismatch_allowed",
      "validate --profile t4 --allow-device-mismatch --json --data " + D, 0);
  add("fit_device_mismatch", "fit --base t4 -o {T}/fit_t4.json " + D, 2, "mismatch");

  // ---- failed writes exit non-zero ----
  auto full = [&](std::string name, std::string args) {
    cases.push_back(
        {Id(name), std::move(args), 1, "cannot write to standard output", "/dev/full", 1});
  };
  full("predict_stdout_full", "predict");
  full("predict_json_stdout_full", "predict --json");
  full("models_stdout_full", "models");
  full("gpus_stdout_full", "gpus --json");
  full("laws_stdout_full", "laws");
  full("regimes_stdout_full", "regimes");
  full("validate_stdout_full", "validate --profile h200 --data " + D);
  add("fit_output_full", "fit " + D + " --base h200 -o /dev/full", 1,
      "output: writing '/dev/full' failed");
  add("validate_junit_full", "validate --profile h200 --data " + D + " --junit /dev/full", 1,
      "junit: writing '/dev/full' failed");
  add("validate_junit_fifo", "validate --profile h200 --data " + D + " --junit {T}/a_fifo", 2,
      "junit: '" + Dir() + "/a_fifo' is a FIFO that no process reads");
  add("fit_output_fifo", "fit " + D + " --base h200 -o {T}/a_fifo", 2,
      "FIFO that no process reads");
  add("measure_output_full", "measure -e quick_test --device cpu -o /dev/full probes=none", 1,
      "/dev/full");
  add("report_output_not_dir", "report --gpu h200 -o /dev/full", 1,
      "report: cannot create /dev/full");

  // ---- --resume: provenance and whole last records ----
  add("resume_other_device", "measure -e ci_cpu --device cpu --resume -o {T}/d_copy.jsonl", 2,
      "resume: ");
  add("resume_directory", "measure -e ci_cpu --device cpu --resume -o {T}/a_directory", 2,
      "output: '" + Dir() + "/a_directory' is a directory");
  add("resume_fifo", "measure -e ci_cpu --device cpu --resume -o {T}/a_fifo", 2,
      "is not a regular file");
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Issue25, HostileCase, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

// The issue's examples about the model config: checked arithmetic of counts, strict config
// numbers, --model beside --config, --depth ''.
std::vector<Case> ConfigCountCases() {
  return {
      {"res_overflow", "predict --res 2147483632 --batch 1", 2, "res", "", 1},
      {"res_negative_start", "predict --res 741456 --batch 1", 2, "res", "", 1},
      {"res_wraps", "predict --res 1048576 --batch 1", 2, "res", "", 1},
      {"config_dim_frac", "predict --config {T}/c_dim_frac.json", 2, "dim", "", 1},
      {"model_beside_config", "predict --model vit_l16 --config {T}/c_ok.json", 2, "model", "", 1},
      {"depth_empty", "predict --depth ''", 2, "depth", "", 1},
  };
}
INSTANTIATE_TEST_SUITE_P(ConfigCounts, HostileCase, ::testing::ValuesIn(ConfigCountCases()),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

TEST(HostileSuite, HasAtLeast200Cases) { EXPECT_GE(Cases().size(), 200u); }

// The search limit of the largest fitting batch is never reported as that batch.
TEST(HostileSuite, LargestBatchIsNeverTheSearchLimit) {
  const std::string tiny = "predict --gpu h200 --res 16 --patch 16 --dim 64 --heads 1 --depth 1";
  const auto json = testing::RunVitperf(tiny + " --batch 1 --json", "tiny");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_TRUE(j["largest_fitting_batch"].is_null());
  EXPECT_EQ(j["largest_fitting_batch_above"], 1 << 20);
  const auto text = testing::RunVitperf(tiny + " --batch 1", "tiny");
  EXPECT_NE(text.out.find("largest batch that fits: more than 1048576 (not searched further)"),
            std::string::npos)
      << text.out;
  // A model that fills the device still gets its number.
  const auto b16 = testing::RunVitperf("predict --gpu t4 --memory-limit 10 --json", "b16");
  ASSERT_EQ(b16.exit_code, 0) << b16.err;
  const auto k = nlohmann::json::parse(b16.out);
  EXPECT_GT(k["largest_fitting_batch"].get<int>(), 1);
  EXPECT_FALSE(k.contains("largest_fitting_batch_above"));
}

// measure and calibrate take --json like every other command.
TEST(HostileSuite, MeasureDryRunPrintsJson) {
  const auto r = testing::RunVitperf("measure --device cpu --dry-run -e quick_test --json", "dry");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "vitperf.measure");
  EXPECT_EQ(j["points"].size(), j["planned"].get<std::size_t>());
  EXPECT_GT(j["planned"].get<int>(), 0);
}

}  // namespace
}  // namespace vitperf::hostile

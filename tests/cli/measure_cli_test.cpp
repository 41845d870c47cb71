// End-to-end tests of `vitperf measure` and `vitperf topo` on the CPU: the real LibTorch probes
// on tiny ViTs (experiment ci_cpu), resume after a SIGKILL, shards, and bad input.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

namespace {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out, err;
};

std::string Tmp(const std::string& name) {
  const fs::path p = fs::path(VITPERF_TEST_TMP) / ("measure_cli_" + name);
  fs::remove(p);
  return p.string();
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs the vitperf binary with `args` (shell words), capturing stdout and stderr.
Result Vitperf(const std::string& args, const std::string& tag) {
  const std::string out = Tmp(tag + ".stdout"), err = Tmp(tag + ".stderr");
  const std::string cmd = std::string(VITPERF_BINARY) + " " + args + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(out);
  r.err = Slurp(err);
  return r;
}

bool HasMeasure() {
  static const bool has = Vitperf("measure --help", "help").code == 0;
  return has;
}

std::vector<nlohmann::json> Lines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));  // throws if torn
  return out;
}

// Ids listed by --dry-run (second column of the table).
std::vector<std::string> DryRunIds(const std::string& args, const std::string& tag) {
  const Result r = Vitperf("measure --dry-run " + args, tag);
  EXPECT_EQ(r.code, 0) << r.err;
  std::vector<std::string> ids;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string index, id;
    words >> index >> id;
    if (id.rfind("pl-", 0) == 0 || id.rfind("pr-", 0) == 0) ids.push_back(id);
  }
  return ids;
}

int LineCount(const std::string& path) {
  std::ifstream in(path);
  int n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

#define REQUIRE_MEASURE() \
  if (!HasMeasure()) GTEST_SKIP() << "vitperf built without measure/ (no LibTorch)"

TEST(MeasureCli, CiCpuExperimentWritesAConsistentDataset) {
  REQUIRE_MEASURE();
  const std::string out = Tmp("ci.jsonl");
  const Result r = Vitperf("measure --experiment ci_cpu --device cpu -o " + out, "ci");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("vitperf measure: "), std::string::npos);
  EXPECT_NE(r.err.find("[1/"), std::string::npos) << "progress lines on stderr";

  const auto lines = Lines(out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0]["kind"], "provenance");
  EXPECT_EQ(lines[0]["experiment"], "ci_cpu");
  EXPECT_FALSE(lines[0]["git_revision"].get<std::string>().empty());
  EXPECT_FALSE(lines[0]["time_utc"].get<std::string>().empty());
  // Its run: this process unless VITPERF_RUN_ID names one, "<host>-<UTC date>-<HHMM>".
  EXPECT_NE(lines[0]["run_id"].get<std::string>().find(
                lines[0]["time_utc"].get<std::string>().substr(0, 10)),
            std::string::npos);
  if (std::ifstream("/proc/sys/kernel/random/boot_id"))
    EXPECT_EQ(lines[0]["host_boot_id"].get<std::string>().size(), 36u) << "a UUID";
  EXPECT_GE(lines[0]["numa"]["nodes"].get<int>(), 1);
  EXPECT_EQ(lines[0]["cupti"], "detach") << "the CUPTI mode changes eager timings: recorded";
  std::set<std::string> ids;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& j = lines[i];
    EXPECT_EQ(j["schema"], "vitperf.measurement") << i;
    EXPECT_EQ(j["schema_version"], 1) << i;
    if (i == 0) continue;
    EXPECT_NE(j["kind"], "provenance") << "one provenance line per run";
    EXPECT_TRUE(ids.insert(j["id"].get<std::string>()).second) << "duplicate id at line " << i;
    const std::string status = j["status"];
    if (status != "ok") {
      EXPECT_FALSE(j["message"].get<std::string>().empty()) << "no reason for " << status;
    }
    EXPECT_EQ(j["provenance"]["experiment"], "ci_cpu");
    EXPECT_EQ(j["device"], "cpu");
  }
  const auto planned = DryRunIds("-e ci_cpu --device cpu", "ci_dry");
  EXPECT_EQ(ids, std::set<std::string>(planned.begin(), planned.end()));
  // At least the tiny ViT points must really have run.
  int ok_pipeline = 0;
  for (const auto& j : lines)
    if (j["kind"] == "pipeline" && j["status"] == "ok") {
      ++ok_pipeline;
      EXPECT_GT(j["throughput_ips"].get<double>(), 0);
    }
  EXPECT_GE(ok_pipeline, 4);
}

TEST(MeasureCli, ResumeAfterSigkillMeasuresEachPointOnce) {
  REQUIRE_MEASURE();
  const std::string out = Tmp("resume.jsonl");
  const std::string args = "measure -e ci_cpu --device cpu sweep=tiny probes=none -o " + out;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string cmd = std::string(VITPERF_BINARY) + " " + args + " 2>/dev/null";
    execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill it hard once two points are on disk (provenance + 2 lines).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (LineCount(out) < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_GE(LineCount(out), 3);
  // A kill mid-write leaves a torn tail; make sure there is one to repair.
  { std::ofstream(out, std::ios::app) << R"({"schema": "vitperf.measurement", "kind": "pip)"; }

  const Result r = Vitperf(args + " --resume", "resume");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("removed a torn last line"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("already done"), std::string::npos) << r.err;

  std::map<std::string, int> count;
  for (const auto& j : Lines(out))
    if (j["kind"] != "provenance") ++count[j["id"].get<std::string>()];
  const auto planned = DryRunIds("-e ci_cpu --device cpu sweep=tiny probes=none", "resume_dry");
  ASSERT_EQ(count.size(), planned.size());
  for (const auto& id : planned) EXPECT_EQ(count[id], 1) << id;
}

TEST(MeasureCli, ShardsSplitThePointsDisjointly) {
  REQUIRE_MEASURE();
  const std::string base = "-e scaling_study --device cpu";
  const auto all = DryRunIds(base, "shard_all");
  const auto s0 = DryRunIds(base + " --shard 0/2", "shard0");
  const auto s1 = DryRunIds(base + " --shard 1/2", "shard1");
  ASSERT_FALSE(all.empty());
  std::set<std::string> joined(s0.begin(), s0.end());
  for (const auto& id : s1) EXPECT_TRUE(joined.insert(id).second) << "in both shards: " << id;
  EXPECT_EQ(joined, std::set<std::string>(all.begin(), all.end()));
  EXPECT_EQ(s0.size() + s1.size(), all.size());
}

TEST(MeasureCli, BadInputIsOneLineAndExit2BeforeMeasuring) {
  REQUIRE_MEASURE();
  const std::string bad_json = Tmp("bad.json");
  { std::ofstream(bad_json) << R"({"schema": "vitperf.experiment", "schema_version": 1,)"; }
  const std::string empty_sweep = Tmp("empty.json");
  {
    std::ofstream(empty_sweep)
        << R"({"schema": "vitperf.experiment", "schema_version": 1, "name": "e",
               "sweeps": [{"name": "s", "axes": {"depth": []}}]})";
  }
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"-e ci_cpu bacth=4", "unknown key 'bacth' (closest: batch"},
      {"-e ci_cpu precision=fp33", "precision: 'fp33' is not one of fp32, tf32, fp16, bf16"},
      {"-e ci_cpu batch=", "empty sweep"},
      {"-e ci_cpu depth=6,,12", "empty sweep"},
      {"-e " + empty_sweep, "empty sweep"},
      {"-e " + bad_json, "malformed JSON"},
      {"-e no_such_experiment", "unknown experiment 'no_such_experiment'"},
      {"-e ci_cpu --device tpu", "tpu"},
      {"-e ci_cpu --shard 3/2", "shard"},
      {"-e ci_cpu patch=7", "patch: 7 does not divide the image"},
      {"-e ci_cpu --cupti finalize", "cupti: 'finalize' is not one of detach, keep-attached, off"},
      {"-e rq3_compiled compile_mode=fast",
       "compile_mode: 'fast' is not one of default, max-autotune"},
      {"-e rq3_compiled --aoti-prepare", "aoti-dir: --aoti-prepare needs the folder"},
      {"-e ci_cpu --aoti-prepare --aoti-dir " + Tmp("no_compiled_dir"),
       "has no compiled point (accepted: an experiment or override with execution=compiled)"},
  };
  int index = 0;
  for (const auto& [args, expected] : cases) {
    const std::string out = Tmp("bad" + std::to_string(index) + ".jsonl");
    const std::string device = args.find("--device") == std::string::npos ? "--device cpu " : "";
    const Result r =
        Vitperf("measure " + device + args + " -o " + out, "bad" + std::to_string(index++));
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << "\n" << r.err;
    EXPECT_FALSE(fs::exists(out)) << "output created for: " << args;
  }
}

// The RQ3 grid on the CPU: its tiny stand-in runs eager, and every compiled point (default and
// max-autotune) is recorded as skipped with one line saying why, never crashing the run.
TEST(MeasureCli, Rq3CompiledRunsOnTheCpuWithCompiledPointsSkippedCleanly) {
  REQUIRE_MEASURE();
  const std::string out = Tmp("rq3.jsonl");
  const Result r = Vitperf("measure -e rq3_compiled --device cpu -o " + out, "rq3");
  ASSERT_EQ(r.code, 0) << r.err;
  int eager_ok = 0, compiled_skipped = 0;
  std::set<std::string> modes;
  for (const auto& j : Lines(out)) {
    if (j["kind"] != "pipeline") continue;
    const auto& o = j["options"];
    if (o["execution"] == "eager") {
      EXPECT_EQ(j["status"], "ok") << j["message"];
      EXPECT_FALSE(o.contains("compile_mode")) << "eager records stay as they were";
      eager_ok += j["status"] == "ok";
    }
    if (o["execution"] != "compiled") continue;
    modes.insert(o["compile_mode"].get<std::string>());
    EXPECT_EQ(j["status"], "skipped");
    const std::string message = j["message"];
    // LibTorch < 2.6 (Debian's 1.13): no loader. A newer LibTorch: no --aoti-dir given.
    const bool old_torch =
        message.rfind("compiled execution needs LibTorch ≥ 2.6 with AOTInductor; this build has ",
                      0) == 0;
    const bool no_dir = message.rfind("no package folder: pass --aoti-dir DIR", 0) == 0;
    EXPECT_TRUE(old_torch || no_dir) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
    compiled_skipped += j["status"] == "skipped";
  }
  EXPECT_GE(eager_ok, 2);
  EXPECT_GE(compiled_skipped, 3);
  EXPECT_EQ(modes, (std::set<std::string>{"default", "max-autotune"}));
}

TEST(MeasureCli, AotiPrepareWritesWeightsAndOneRequestPerModelAndMode) {
  REQUIRE_MEASURE();
  // Not Tmp(): it removes files only, and an earlier run leaves a folder here.
  const std::string dir = (fs::path(VITPERF_TEST_TMP) / "measure_cli_aoti_prepare").string();
  fs::remove_all(dir);
  const Result r = Vitperf(
      "measure -e rq3_compiled --device cpu --aoti-dir " + dir + " --aoti-prepare", "aoti_prepare");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 AOTInductor package requests"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("python3 scripts/aoti_compile.py " + dir), std::string::npos) << r.out;
  std::multiset<std::string> kinds;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    for (const char* suffix : {".request.json", ".weights.json", ".weights.bin"})
      if (name.size() > std::strlen(suffix) &&
          name.compare(name.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
        kinds.insert(suffix);
  }
  EXPECT_EQ(kinds.count(".request.json"), 2u);  // default and max-autotune of the tiny model
  EXPECT_EQ(kinds.count(".weights.json"), 1u);  // one set of weights for both
  EXPECT_EQ(kinds.count(".weights.bin"), 1u);
  EXPECT_FALSE(fs::exists(Tmp("aoti_prepare.jsonl")));
}

TEST(MeasureCli, ExistingOutputNeedsResume) {
  REQUIRE_MEASURE();
  const std::string out = Tmp("existing.jsonl");
  { std::ofstream(out) << "{}\n"; }
  const Result r = Vitperf("measure -e ci_cpu --device cpu -o " + out, "existing");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--resume"), std::string::npos) << r.err;
  EXPECT_EQ(Slurp(out), "{}\n");
}

TEST(TopoCli, PrintsNodesGpusAndPlansFromAnXmlTopology) {
  REQUIRE_MEASURE();
  const std::string xml =
      std::string(VITPERF_SOURCE_DIR) + "/tests/data/topologies/two_socket_2gpu.xml";
  const Result text = Vitperf("topo --topology-xml " + xml, "topo");
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("2 nodes"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("0000:ca:00.0"), std::string::npos) << text.out;

  const Result json = Vitperf("topo --json --topology-xml " + xml, "topo_json");
  ASSERT_EQ(json.code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["schema"], "vitperf.topology");
  EXPECT_EQ(j["schema_version"], 1);
  ASSERT_EQ(j["gpus"].size(), 2u);
  EXPECT_EQ(j["gpus"][1]["local_node"], 1);
  EXPECT_EQ(j["plans"][1]["request"], "remote");
  EXPECT_EQ(j["plans"][1]["node"], 1);

  const std::string one =
      std::string(VITPERF_SOURCE_DIR) + "/tests/data/topologies/one_node_1gpu.xml";
  const Result single = Vitperf("topo --topology-xml " + one, "topo_one");
  ASSERT_EQ(single.code, 0) << single.err;
  EXPECT_NE(single.out.find("one NUMA node: remote binding not applicable"), std::string::npos)
      << single.out;
}

}  // namespace

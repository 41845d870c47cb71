// The sweep runner's bookkeeping: shards, resume and torn lines, OOM series, NUMA skips, signals.
// The probe functions here are test doubles that return a fixed status per point so the runner's
// decisions can be checked without a GPU; the real probes run in tests/cli/measure_cli_test.cpp.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "measure/jsonl_appender.h"
#include "measure/shard_merge.h"
#include "measure/sweep_runner.h"

namespace vitperf::measure {
namespace {

namespace fs = std::filesystem;

std::string TempFile(const std::string& name) {
  const fs::path p = fs::path(VITPERF_TEST_TMP) / ("sweep_" + name);
  fs::remove(p);
  return p.string();
}

std::string Topology(const std::string& file) {
  return std::string(VITPERF_SOURCE_DIR) + "/tests/data/topologies/" + file;
}

ExperimentSpec Spec(const std::string& sweeps) {
  return ParseExperiment(
      R"({"schema": "vitperf.experiment", "schema_version": 1, "name": "t", "sweeps": )" + sweeps +
          "}",
      "t.json");
}

// A stand-in device: out of memory from `oom_batch` up, ok below; calls counted.
struct DoubleProbes {
  int oom_batch = 1 << 30;
  int calls = 0;
  std::function<void(int)> on_call;  // called with the call number
  ProbeFunctions Functions() {
    ProbeFunctions f;
    f.pipeline = [this](const ViTConfig& c, int batch, const PipelineOptions& o,
                        const ProbeContext& ctx) {
      ++calls;
      if (on_call) on_call(calls);
      PipelineRecord r;
      r.config = c;
      r.batch = batch;
      r.options = o;
      r.status = batch >= oom_batch ? PointStatus::oom : PointStatus::ok;
      if (r.status == PointStatus::oom) r.message = "out of memory (test double)";
      if (r.status == PointStatus::ok) r.throughput_ips = 1000.0 * batch;  // a readable record
      return r;
    };
    f.micro = [this](const std::string& probe, const nlohmann::json& params, const ProbeContext&) {
      ++calls;
      ProbeRecord r;
      r.probe = probe;
      r.params = params;
      return r;
    };
    f.device_info = [](const std::string& device) {
      nlohmann::json j{{"device", device}, {"name", "test double"}};
      if (device != "cpu") j["pci_bus_id"] = "00000000:01:00.0";
      return j;
    };
    return f;
  }
};

std::vector<nlohmann::json> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

SweepOptions Options(const std::string& output, const std::string& device = "cpu") {
  SweepOptions o;
  o.device = device;
  o.output = output;
  static std::ostringstream sink;  // progress lines are not under test here
  o.log = &sink;
  o.handle_signals = false;
  return o;
}

TEST(Sweep, ShardsPartitionThePointList) {
  const auto spec = Spec(R"([{"name": "s", "axes": {"model": ["vit_ti16", "vit_s16", "vit_b16"],
                                                     "batch": [1, 2, 4]}}])");
  const auto points = ExpandExperiment(spec, "cpu");
  std::set<std::string> all, seen;
  for (const auto& p : points) all.insert(p.id);
  std::size_t total = 0;
  for (int i = 0; i < 2; ++i) {
    SweepOptions o = Options("unused");
    o.shard_index = i;
    o.shard_count = 2;
    SweepRunner runner(spec, points, o, {});
    for (const auto* p : runner.ShardPoints()) {
      EXPECT_TRUE(seen.insert(p->id).second) << "point in two shards: " << p->id;
      ++total;
    }
  }
  EXPECT_EQ(seen, all);
  EXPECT_EQ(total, points.size());
  int i = -1, n = -1;
  ParseShard("1/3", &i, &n);
  EXPECT_EQ(i, 1);
  EXPECT_EQ(n, 3);
  EXPECT_THROW(ParseShard("2/2", &i, &n), std::invalid_argument);
  EXPECT_THROW(ParseShard("a/b", &i, &n), std::invalid_argument);
}

TEST(Sweep, Pow2SeriesStopsAtTheFirstOom) {
  const auto spec =
      Spec(R"([{"name": "s", "axes": {"model": ["vit_ti16", "vit_s16"], "batch": "pow2:64"}}])");
  DoubleProbes probes;
  probes.oom_batch = 8;
  const std::string out = TempFile("pow2.jsonl");
  SweepRunner runner(spec, ExpandExperiment(spec, "cuda:0"), Options(out, "cuda:0"),
                     probes.Functions());
  const SweepSummary s = runner.Run();
  EXPECT_EQ(s.planned, 14);
  EXPECT_EQ(s.ok, 6);       // 1, 2, 4 per model
  EXPECT_EQ(s.oom, 2);      // 8 per model
  EXPECT_EQ(s.skipped, 6);  // 16, 32, 64 per model
  EXPECT_EQ(probes.calls, 8);
  const auto lines = ReadLines(out);
  ASSERT_EQ(lines.size(), 15u);
  EXPECT_EQ(lines[0]["kind"], "provenance");
  EXPECT_EQ(lines[5]["batch"], 16);
  EXPECT_EQ(lines[5]["status"], "skipped");
  EXPECT_EQ(lines[5]["message"], "larger than the first OOM batch (8)");
  EXPECT_EQ(lines[5]["provenance"]["experiment"], "t");
}

TEST(Sweep, ResumeRepairsATornLineAndMeasuresEachPointOnce) {
  const auto spec =
      Spec(R"([{"name": "s", "axes": {"model": ["vit_ti16"], "batch": [1, 2, 4, 8]}}])");
  const auto points = ExpandExperiment(spec, "cpu");
  const std::string out = TempFile("resume.jsonl");
  {
    // A run killed after two points: two whole records and half of the third.
    DoubleProbes first;
    auto partial = points;
    partial.resize(2);
    SweepRunner(spec, partial, Options(out), first.Functions()).Run();
    std::ofstream torn(out, std::ios::app);
    torn << R"({"schema": "vitperf.measurement", "schema_version": 1, "kind": "pipel)";
  }
  std::ostringstream log;
  SweepOptions o = Options(out);
  o.resume = true;
  o.log = &log;
  DoubleProbes second;
  const SweepSummary s = SweepRunner(spec, points, o, second.Functions()).Run();
  EXPECT_EQ(s.already_done, 2);
  EXPECT_EQ(s.ok, 2);
  EXPECT_EQ(second.calls, 2);
  EXPECT_NE(log.str().find("removed a torn last line"), std::string::npos) << log.str();

  std::map<std::string, int> seen;
  int provenance = 0;
  for (const auto& j : ReadLines(out)) {  // throws on a torn line
    if (j["kind"] == "provenance")
      ++provenance;
    else
      ++seen[j["id"].get<std::string>()];
  }
  EXPECT_EQ(provenance, 2);  // one per run
  ASSERT_EQ(seen.size(), points.size());
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id;
}

// 2026-12-05: compiled points skipped for want of their AOTInductor packages stayed skipped on
// a resumed run after the packages were built.
TEST(Sweep, ResumeTriesSkippedPointsAgainButNotTheRunnersOwnSkips) {
  const auto spec = Spec(R"([{"name": "s", "axes": {"model": ["vit_ti16"], "batch": "pow2:16"}}])");
  const auto points = ExpandExperiment(spec, "cuda:0");
  const std::string out = TempFile("resume_skipped.jsonl");
  DoubleProbes first;
  first.oom_batch = 8;  // 16 is then skipped by the runner: larger than the first OOM batch
  auto no_package = first.Functions();
  auto measured = no_package.pipeline;
  no_package.pipeline = [&](const ViTConfig& c, int batch, const PipelineOptions& o,
                            const ProbeContext& ctx) {
    PipelineRecord r = measured(c, batch, o, ctx);
    if (batch == 2) {
      r.status = PointStatus::skipped;
      r.message = "no AOTInductor package (test double)";
    }
    return r;
  };
  SweepRunner(spec, points, Options(out, "cuda:0"), no_package).Run();

  SweepOptions o = Options(out, "cuda:0");
  o.resume = true;
  DoubleProbes second;
  second.oom_batch = 8;
  const SweepSummary s = SweepRunner(spec, points, o, second.Functions()).Run();
  EXPECT_EQ(second.calls, 1);  // batch 2 only
  EXPECT_EQ(s.ok, 1);
  EXPECT_EQ(s.already_done, 4);  // 1, 4, 8 (oom) and 16 (skipped after the OOM)
  std::map<int, std::vector<std::string>> statuses;
  for (const auto& j : ReadLines(out))
    if (j["kind"] == "pipeline") statuses[j["batch"].get<int>()].push_back(j["status"]);
  EXPECT_EQ(statuses[2], (std::vector<std::string>{"skipped", "ok"}));
  EXPECT_EQ(statuses[16], (std::vector<std::string>{"skipped"}));

  // As a shard, the file is whole: the skipped record the resume measured again is no duplicate.
  const std::string merged = TempFile("resume_skipped_merged.jsonl");
  const MergeSummary whole = MergeShards(spec, points, "cuda:0", {out}, merged);
  EXPECT_TRUE(whole.Complete()) << whole.Brief();
  // The same shard twice is: every measured point is there twice.
  const std::string twice = TempFile("resume_skipped_twice.jsonl");
  const MergeSummary doubled = MergeShards(spec, points, "cuda:0", {out, out}, twice);
  EXPECT_EQ(doubled.duplicated.size(), 4u) << doubled.Brief();  // 1, 2, 4, 8; not 16 (skipped)
  EXPECT_FALSE(fs::exists(twice));
}

TEST(Sweep, ExistingOutputWithoutResumeIsRefusedUntouched) {
  const auto spec = Spec(R"([{"name": "s", "fixed": {"model": "vit_ti16"}}])");
  const std::string out = TempFile("exists.jsonl");
  { std::ofstream(out) << "precious\n"; }
  DoubleProbes probes;
  SweepRunner runner(spec, ExpandExperiment(spec, "cpu"), Options(out), probes.Functions());
  EXPECT_THROW(runner.Run(), std::invalid_argument);
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "precious\n");
  EXPECT_EQ(probes.calls, 0);
}

TEST(Sweep, NotApplicableBindingsAndDeviceLimitedProbesAreSkippedWithReasons) {
  auto spec = ParseExperiment(
      R"({"schema": "vitperf.experiment", "schema_version": 1, "name": "t",
          "probes": [{"probe": "h2d", "params": {"bytes": 1024}, "devices": ["cuda"]}],
          "sweeps": [{"name": "s", "fixed": {"model": "vit_ti16"},
                      "axes": {"numa": ["none", "remote"]}}]})",
      "t.json");
  const std::string out = TempFile("numa.jsonl");
  SweepOptions o = Options(out, "cpu");
  o.topology_xml = Topology("one_node_1gpu.xml");
  DoubleProbes probes;
  const SweepSummary s =
      SweepRunner(spec, ExpandExperiment(spec, "cpu"), o, probes.Functions()).Run();
  EXPECT_EQ(s.ok, 1);
  EXPECT_EQ(s.skipped, 2);
  const auto lines = ReadLines(out);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["numa"]["nodes"], 1);
  EXPECT_EQ(lines[1]["message"], "probe h2d runs on cuda only");
  EXPECT_EQ(lines[3]["message"], "one NUMA node: remote binding not applicable");
  EXPECT_EQ(lines[3]["provenance"]["binding"]["request"], "remote");
  EXPECT_EQ(lines[3]["provenance"]["binding"]["applicable"], false);
}

TEST(Sweep, StopSignalEndsTheRunAfterTheCurrentPoint) {
  const auto spec =
      Spec(R"([{"name": "s", "axes": {"model": ["vit_ti16"], "batch": [1, 2, 4, 8]}}])");
  const std::string out = TempFile("signal.jsonl");
  DoubleProbes probes;
  probes.on_call = [](int call) {
    if (call == 2) std::raise(SIGINT);
  };
  SweepOptions o = Options(out);
  o.handle_signals = true;
  const SweepSummary s =
      SweepRunner(spec, ExpandExperiment(spec, "cpu"), o, probes.Functions()).Run();
  EXPECT_TRUE(s.interrupted);
  EXPECT_EQ(s.ok, 2);
  EXPECT_EQ(s.not_run, 2);
  EXPECT_EQ(ReadLines(out).size(), 3u);  // provenance + two whole records
  // The previous disposition is back: SIGINT would terminate a plain process again.
  struct sigaction now {};
  sigaction(SIGINT, nullptr, &now);
  EXPECT_EQ(now.sa_handler, SIG_DFL);
}

TEST(Sweep, ProbeExceptionsBecomeErrorRecords) {
  const auto spec = Spec(R"([{"name": "s", "axes": {"model": ["vit_ti16"], "batch": [1, 2]}}])");
  const std::string out = TempFile("throws.jsonl");
  DoubleProbes probes;
  ProbeFunctions f = probes.Functions();
  f.pipeline = [](const ViTConfig&, int batch, const PipelineOptions&,
                  const ProbeContext&) -> PipelineRecord {
    if (batch == 1) throw std::runtime_error("kernel exploded");
    PipelineRecord r;
    r.batch = batch;
    return r;
  };
  const SweepSummary s = SweepRunner(spec, ExpandExperiment(spec, "cpu"), Options(out), f).Run();
  EXPECT_EQ(s.error, 1);
  EXPECT_EQ(s.ok, 1);
  const auto lines = ReadLines(out);
  EXPECT_EQ(lines[1]["status"], "error");
  EXPECT_EQ(lines[1]["message"], "kernel exploded");
}

TEST(JsonlAppender, AppendsWholeLinesAndRepairsOnlyATornTail) {
  const std::string out = TempFile("appender.jsonl");
  EXPECT_EQ(RepairTornTail(out), "");  // absent file: nothing to do
  {
    JsonlAppender a(out);
    a.Append("{\"a\":1}");
    a.Append("{\"b\":2}");
    EXPECT_THROW(a.Append("two\nlines"), std::runtime_error);
  }
  EXPECT_EQ(RepairTornTail(out), "");
  { std::ofstream(out, std::ios::app) << "{\"c\":"; }
  const std::string warning = RepairTornTail(out);
  EXPECT_NE(warning.find("removed a torn last line (5 bytes"), std::string::npos) << warning;
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "{\"a\":1}\n{\"b\":2}\n");
  // A file that is one torn line becomes empty.
  { std::ofstream(out) << "{\"only\":"; }
  RepairTornTail(out);
  EXPECT_EQ(fs::file_size(out), 0u);
}

// Issue 25: --resume keeps a whole last record that only lacks its newline, and refuses a file
// of another device or experiment without touching it.
TEST(Sweep, ResumeKeepsAWholeLastRecordWithoutItsNewline) {
  const auto spec = Spec(R"([{"name": "s", "axes": {"model": ["vit_ti16"], "batch": [1, 2, 4]}}])");
  const auto points = ExpandExperiment(spec, "cpu");
  const std::string out = TempFile("no_newline.jsonl");
  {
    DoubleProbes first;
    auto partial = points;
    partial.resize(2);
    SweepRunner(spec, partial, Options(out), first.Functions()).Run();
    fs::resize_file(out, fs::file_size(out) - 1);  // the last record's '\n'
  }
  std::ostringstream log;
  SweepOptions o = Options(out);
  o.resume = true;
  o.log = &log;
  DoubleProbes second;
  const SweepSummary s = SweepRunner(spec, points, o, second.Functions()).Run();
  EXPECT_EQ(s.already_done, 2) << log.str();
  EXPECT_EQ(second.calls, 1);
  EXPECT_NE(log.str().find("lacked its trailing newline; added it"), std::string::npos)
      << log.str();
  EXPECT_EQ(ReadLines(out).size(), 5u);  // two provenances, three records, all whole
}

TEST(Sweep, ResumeRefusesAFileOfAnotherDeviceOrExperiment) {
  const auto spec = Spec(R"([{"name": "s", "axes": {"model": ["vit_ti16"], "batch": [1, 2]}}])");
  const std::string out = TempFile("other_device.jsonl");
  DoubleProbes probes;
  SweepRunner(spec, ExpandExperiment(spec, "cuda:0"), Options(out, "cuda:0"), probes.Functions())
      .Run();
  const auto size = fs::file_size(out);
  SweepOptions o = Options(out);
  o.resume = true;
  const std::string why = [&] {
    try {
      SweepRunner(spec, ExpandExperiment(spec, "cpu"), o, probes.Functions()).Run();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  }();
  EXPECT_NE(why.find("resume: " + out + " holds records of experiment 't' on cuda:0"),
            std::string::npos)
      << why;
  EXPECT_EQ(fs::file_size(out), size);  // untouched

  auto other = Spec(R"([{"name": "s", "axes": {"model": ["vit_ti16"], "batch": [1, 2]}}])");
  other.name = "another";
  SweepOptions same_device = Options(out, "cuda:0");
  same_device.resume = true;
  EXPECT_THROW(
      SweepRunner(other, ExpandExperiment(other, "cuda:0"), same_device, probes.Functions()).Run(),
      std::invalid_argument);
  EXPECT_EQ(fs::file_size(out), size);
}

TEST(Sweep, DurationsReadLikeAClock) {
  EXPECT_EQ(FormatDuration(42.4), "42s");
  EXPECT_EQ(FormatDuration(80), "1m20s");
  EXPECT_EQ(FormatDuration(3 * 3600 + 5 * 60), "3h05m");
}

}  // namespace
}  // namespace vitperf::measure

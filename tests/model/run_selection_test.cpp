// Selecting runs of a dataset by the run id in each record's provenance, and the one hash.
#include <gtest/gtest.h>

#include "model/fnv1a.h"
#include "model/run_selection.h"

namespace vitperf {
namespace {

PipelineRecord RecordOfRun(const std::string& id, const std::string& run) {
  PipelineRecord r;
  r.id = id;
  if (!run.empty()) r.provenance = {{"run_id", run}};
  return r;
}

TEST(RunSelection, KeepsTheListedRunsOnly) {
  MeasurementSet data;
  data.pipeline = {RecordOfRun("a", "h200-2026-11-24-1720"), RecordOfRun("b", "h200-2026-11-23-2325"),
                   RecordOfRun("c", "")};
  ProbeRecord probe;
  probe.provenance = {{"run_id", "h200-2026-11-23-2325"}};
  data.probes = {probe};
  data.provenance = {{{"kind", "provenance"}, {"run_id", "h200-2026-11-24-1720"}},
                     {{"kind", "provenance"}, {"run_id", "h200-2026-11-23-2325"}}};
  EXPECT_EQ(KeepRuns({"h200-2026-11-24-1720"}, &data), 3);
  ASSERT_EQ(data.pipeline.size(), 1u);
  EXPECT_EQ(data.pipeline[0].id, "a");
  EXPECT_TRUE(data.probes.empty());
  ASSERT_EQ(data.provenance.size(), 1u);
  EXPECT_EQ(RunIdOf(data.provenance[0]), "h200-2026-11-24-1720");
}

TEST(RunSelection, NoRunListedKeepsEverything) {
  MeasurementSet data;
  data.pipeline = {RecordOfRun("a", "x"), RecordOfRun("b", "")};
  EXPECT_EQ(KeepRuns({}, &data), 0);
  EXPECT_EQ(data.pipeline.size(), 2u);
}

TEST(RunSelection, AnUnknownRunNamesTheFlagAndTheRunsHeld) {
  MeasurementSet data;
  data.pipeline = {RecordOfRun("a", "h100-2026-11-24-0048")};
  try {
    KeepRuns({"h100-2026-11-24-0049"}, &data);
    FAIL() << "no throw";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("run: no record of run 'h100-2026-11-24-0049'"), std::string::npos) << what;
    EXPECT_NE(what.find("h100-2026-11-24-0048"), std::string::npos) << what;
  }
}

TEST(Fnv1a, KnownAnswers) {
  // The project's offset basis (model/fnv1a.h says why it is not FNV's published one): these
  // values are baked into the point ids and input fingerprints of the shipped data.
  EXPECT_EQ(Fnv1a64Hex(""), "14650fb0739d0383");
  EXPECT_EQ(Fnv1a64Hex("a"), "44bd8ad473cd9906");
  EXPECT_EQ(Fnv1a64("foobar"), 0x88fad7c0a8ff07f2ull);
}

}  // namespace
}  // namespace vitperf

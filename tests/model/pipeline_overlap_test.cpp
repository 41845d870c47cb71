// How the overlapped pipeline combines its stages: with pageable host buffers the copies block
// the thread that queues them; when one thread queued every stage (records before
// kStageThreadsSince), H2D, forward pass and D2H ran back to back and only host preprocessing
// overlapped them; with a thread per stage, or pinned buffers, every stage overlaps.
#include <gtest/gtest.h>

#include "model/coefficients.h"
#include "model/measurement_record.h"
#include "model/pipeline.h"
#include "model/presets.h"

namespace vitperf {
namespace {

// One batch of stages with round numbers: 6 ms forward, 5 ms pageable H2D (80 MB at 16 GB/s),
// 7 ms host normalisation (56 MB at 8 GB/s), no fixed costs and perfect overlap.
struct Stages {
  CoefficientValues<double> c = DefaultCoefficients();
  ForwardTime<double> forward;
  TransferVolume io;
  PipelineOptions o;

  Stages() {
    for (Coef k : {Coef::sync_us, Coef::copy_latency_us, Coef::host_batch_us,
                   Coef::overlapped_forward_slowdown})
      c[k] = 0;
    c[Coef::overlap_efficiency] = 1;
    c[Coef::h2d_pageable_gbs] = c[Coef::h2d_pinned_gbs] = 16;
    c[Coef::d2h_pageable_gbs] = c[Coef::d2h_pinned_gbs] = 16;
    c[Coef::host_normalize_gbs] = 8;
    forward.device_s = forward.total_s = 6e-3;
    forward.compute_bound_s = 6e-3;
    io.h2d_bytes = 80e6;
    io.d2h_bytes = 0;
    io.host_staged_bytes = 56e6;
    io.host_normalizes = true;
    o.input = InputFormat::float32;
    o.pipeline = PipelineMode::overlapped;
    o.queue_depth = 4;  // deep enough that Little's law does not bind
  }
  PipelineTime<double> Time() const {
    return TimePipeline(forward, io, o, HostSide{}, CoefficientView<double>{c.v.data()});
  }
};

TEST(PipelineOverlap, PageableCopiesSerialiseWithTheForwardPassWhenOneThreadQueuesAll) {
  Stages s;
  s.o.host_memory = HostMemory::pageable;
  s.o.stage_threads = false;
  const PipelineTime<double> p = s.Time();
  ASSERT_NEAR(p.h2d_s, 5e-3, 1e-12);
  ASSERT_NEAR(p.preprocess_s, 7e-3, 1e-12);
  // H2D + forward + D2H = 11 ms per batch, although no single stage takes more than 7 ms.
  EXPECT_NEAR(p.period_s, 11e-3, 1e-12);
  EXPECT_EQ(p.regime, Regime::compute);
  // A deeper queue does not help: the issuing thread, not the ring of buffers, is the limit.
  s.o.queue_depth = 8;
  EXPECT_NEAR(s.Time().period_s, 11e-3, 1e-12);
}

TEST(PipelineOverlap, AnOverlappedForwardRunsSlowerThanAloneASequentialOneDoesNot) {
  Stages s;
  s.c[Coef::overlapped_forward_slowdown] = 0.02;
  s.o.host_memory = HostMemory::pinned;
  EXPECT_NEAR(s.Time().compute_s, 6e-3 * 1.02, 1e-12);
  s.o.pipeline = PipelineMode::sequential;
  EXPECT_NEAR(s.Time().compute_s, 6e-3, 1e-12);
  s.o.pipeline = PipelineMode::overlapped;
  s.o.compute_only = true;  // the forward alone, as compute-only points time it
  EXPECT_NEAR(s.Time().compute_s, 6e-3, 1e-12);
}

TEST(PipelineOverlap, PageableCopiesOverlapWithAThreadPerStage) {
  Stages s;
  s.o.host_memory = HostMemory::pageable;
  ASSERT_TRUE(s.o.stage_threads);  // the ring measure/ runs today
  // The blocking 5 ms H2D holds up only its own thread: the slowest stage, 7 ms of host
  // preprocessing, sets the period, as with pinned buffers.
  EXPECT_NEAR(s.Time().period_s, 7e-3, 1e-12);
  EXPECT_EQ(s.Time().regime, Regime::preprocess);
}

// A record says how its pipeline was queued by when it was measured.
TEST(PipelineOverlap, RecordsBeforeTheStageThreadsRanOneIssuingThread) {
  PipelineRecord r;
  r.config = PresetByName("vit_b16");
  r.batch = 256;
  r.options.pipeline = PipelineMode::overlapped;
  r.options.queue_depth = 4;
  auto read_at = [&](const char* time_utc) {
    nlohmann::json j = r;
    j["provenance"] = {{"time_utc", time_utc}};
    return j.get<PipelineRecord>().options.stage_threads;
  };
  EXPECT_FALSE(read_at("2026-12-02T15:40:00Z"));
  EXPECT_TRUE(read_at(kStageThreadsSince));
  EXPECT_TRUE(read_at("2026-12-04T20:44:36Z"));
  EXPECT_TRUE(nlohmann::json(r).get<PipelineRecord>().options.stage_threads);  // no provenance
  // Never written: a record's options (and so its point id) are what they always were.
  EXPECT_FALSE(nlohmann::json(r.options).contains("stage_threads"));
}

TEST(PipelineOverlap, RecordsBeforeTheModelDtypeNormalisationRanThreeKernels) {
  PipelineRecord r;
  r.config = PresetByName("vit_b16");
  r.batch = 256;
  auto read_at = [&](const char* time_utc) {
    nlohmann::json j = r;
    j["provenance"] = {{"time_utc", time_utc}};
    return j.get<PipelineRecord>().options.normalize_in_model_dtype;
  };
  EXPECT_FALSE(read_at("2026-12-05T03:43:28Z"));  // the RQ5 run of that morning
  EXPECT_TRUE(read_at(kNormalizeInModelDtypeSince));
  EXPECT_TRUE(nlohmann::json(r).get<PipelineRecord>().options.normalize_in_model_dtype);
  EXPECT_FALSE(nlohmann::json(r.options).contains("normalize_in_model_dtype"));
}

TEST(PipelineOverlap, PinnedCopiesOverlapEveryStage) {
  Stages s;
  s.o.host_memory = HostMemory::pinned;
  const PipelineTime<double> p = s.Time();
  // The slowest stage alone: host preprocessing, 7 ms.
  EXPECT_NEAR(p.period_s, 7e-3, 1e-12);
  EXPECT_EQ(p.regime, Regime::preprocess);
}

TEST(PipelineOverlap, PreprocessingStillOverlapsThePageableChain) {
  Stages s;
  s.o.host_memory = HostMemory::pageable;
  s.c[Coef::host_normalize_gbs] = 2;  // 28 ms of preprocessing: longer than the 11 ms chain
  const PipelineTime<double> p = s.Time();
  EXPECT_NEAR(p.period_s, 28e-3, 1e-12);
  EXPECT_EQ(p.regime, Regime::preprocess);
}

TEST(PipelineOverlap, PageableChainDominatedByCopiesIsTransferBound) {
  Stages s;
  s.o.host_memory = HostMemory::pageable;
  s.c[Coef::h2d_pageable_gbs] = 8;  // 10 ms H2D against the 6 ms forward pass
  s.o.stage_threads = false;
  const PipelineTime<double> p = s.Time();
  EXPECT_NEAR(p.period_s, 16e-3, 1e-12);
  EXPECT_EQ(p.regime, Regime::transfer);
  // With a thread per stage the copy alone sets the pace, and it is still the bound.
  s.o.stage_threads = true;
  const PipelineTime<double> q = s.Time();
  EXPECT_NEAR(q.period_s, 10e-3, 1e-12);
  EXPECT_EQ(q.regime, Regime::transfer);
}

}  // namespace
}  // namespace vitperf

// Pooling of repeated measurements of one point. The eager (host-bound) points on the VM hosts
// move by up to 1.7x from one process to the next (the host's speed, not the GPU's), so a
// dataset may hold the same point from several runs; fit and validate then see one point whose
// timings are the long-run averages over its runs, instead of several that disagree.
//
// Why averages and not medians: the host is in a fast or a slow state for seconds to minutes,
// so a point's runs are bimodal, and the median of two or three of them is one mode or the
// other, a coin toss from point to point. What a user gets from such a host over an hour is
// images over total time, the mean of the periods; that is also the estimate that moves
// smoothly with the share of slow runs (three runs of one GPU, 5-fold: overhead regime 10.9% with
// medians, 7.4% with long-run averages; compute regime 4.9% / 4.8%).
#pragma once

#include <string>
#include <vector>

#include "model/measurement_record.h"

namespace vitperf {

// The device a record was measured on (its provenance's device name, else its device string):
// the same point id on two GPUs is two points.
std::string MeasuredDeviceName(const PipelineRecord& record);

// The run a record comes from: the host's boot (provenance "host_boot_id", one per stint on
// the GPU host, whatever processes it ran) where recorded, else the measuring process (its
// "time_utc", one per `vitperf measure` process); empty when the record carries neither.
std::string RunKey(const PipelineRecord& record);

// Images over total time when every run processes the same number of batches: the harmonic
// mean of the runs' throughputs [images/s] (the mean of their periods). A run that timed
// nothing (<= 0) says nothing; 0 when none timed anything.
double LongRunThroughput(const std::vector<double>& run_throughputs_ips);

// The record's per-run throughputs: run_throughputs when it pools several runs, else its own
// run, {RunKey(record), throughput_ips}.
std::vector<RunThroughput> RunThroughputs(const PipelineRecord& record);

// One record per (point id, device). Among the ok records of a point, the throughput is images
// over total time (the harmonic mean of the runs' throughputs), every other timing (stage times,
// latency and compute statistics, host_launch_us) the mean over the runs, the peak memory the
// largest, wall_s and repeats the sums; the kernel breakdown and provenance are the first run's;
// `pooled_runs` counts them, and `run_throughputs` lists each run's (run key, throughput) that
// timed something (two records of one point from the same run give two entries). A point with
// one ok record, or with none, keeps its first record (run_throughputs left empty).
// Order: first appearance.
std::vector<PipelineRecord> PoolRepeatedPoints(const std::vector<PipelineRecord>& records);

// Replaces the set's pipeline records by their pooled form; returns how many records were merged
// into another (0: no point was measured twice).
int PoolRepeatedPoints(MeasurementSet* data);

}  // namespace vitperf

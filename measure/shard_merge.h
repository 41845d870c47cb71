// Merging the shards of one experiment (`vitperf measure --shard i/n`, e.g. the tasks of a
// Slurm job array) into one file, after checking that every planned point is there exactly
// once: a shard lost, run twice, or run with other settings must not pass as a whole sweep.
#pragma once

#include <string>
#include <vector>

#include "measure/experiment.h"

namespace vitperf::measure {

struct MergeSummary {
  int shards = 0;                    // files read
  int planned = 0;                   // points of the experiment on the device
  int records = 0;                   // point records written (probe and pipeline)
  std::vector<std::string> missing;  // planned points with no final record ("id label")
  // planned points measured more than once (skipped records, which a resumed shard tries
  // again, do not count)
  std::vector<std::string> duplicated;
  std::vector<std::string> unplanned;  // records whose id the experiment does not plan
  bool Complete() const { return missing.empty() && duplicated.empty() && unplanned.empty(); }
  // "3 shards, 14 points, each present once" or what is wrong, on one line.
  std::string Brief() const;
};

// Checks `shards` (JSONL files of `measure --shard`) against `points` (the expanded experiment
// on `device`) and, when complete, writes their lines to `output` (provenance lines kept, so
// each record still names the task that measured it). Throws std::invalid_argument naming the
// file for an unreadable shard, a skipped line, a record of another device or experiment, or
// an existing output; an incomplete merge writes nothing and returns the summary.
MergeSummary MergeShards(const ExperimentSpec& spec, const std::vector<PlannedPoint>& points,
                         const std::string& device, const std::vector<std::string>& shards,
                         const std::string& output);

}  // namespace vitperf::measure

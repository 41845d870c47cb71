// Selecting runs within a dataset. One file holds every run of one experiment on one GPU; each
// record's provenance names its run ("run_id": the machine, the UTC date and the start time of
// the run, "<gpu>-2026-11-24-1720"), so runs are told apart by their records, not by files.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/measurement_record.h"

namespace vitperf {

// The run id a provenance block names, or "" when it names none.
std::string RunIdOf(const nlohmann::json& provenance);

// Keeps the records and provenance lines of the listed runs only (none listed: keeps all).
// Returns how many records were dropped. A listed run with no record in the data throws
// std::invalid_argument naming --run and the runs the data hold.
int KeepRuns(const std::vector<std::string>& run_ids, MeasurementSet* data);

}  // namespace vitperf

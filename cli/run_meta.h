// The "meta" block of every JSON output: how it was produced (argv, version, git revision,
// profile), kept apart from the schema version of the payload.
#pragma once

#include <nlohmann/json.hpp>

#include "model/hardware_profile.h"

namespace vitperf::cli {

// Called once by main with the process arguments.
void RecordInvocation(int argc, char** argv);

// {"argv": [...], "version": ..., "git_revision": ..., "profile": ..., "calibrated": ...}
nlohmann::json MetaBlock(const HardwareProfile* profile = nullptr);

// {"schema": "vitperf.<name>", "schema_version": version, "meta": MetaBlock(profile)}
nlohmann::json JsonEnvelope(const std::string& name, int version,
                            const HardwareProfile* profile = nullptr);

}  // namespace vitperf::cli

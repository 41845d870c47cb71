// The envelope of every JSON output: the schema name and version of the payload, and a "meta"
// block saying how it was produced (the command line or the Python call, version, git revision,
// profile). Built here, not in cli/, so the command line and the Python module print the same.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/hardware_profile.h"

namespace vitperf {

// {"argv": argv, "version": ..., "git_revision": ..., "profile": ..., "calibrated": ...}
nlohmann::json MetaBlock(const std::vector<std::string>& argv,
                         const HardwareProfile* profile = nullptr);

// {"schema": "vitperf.<name>", "schema_version": version, "meta": MetaBlock(argv, profile)}
nlohmann::json JsonEnvelope(const std::string& name, int version,
                            const std::vector<std::string>& argv,
                            const HardwareProfile* profile = nullptr);

}  // namespace vitperf

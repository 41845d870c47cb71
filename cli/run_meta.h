// The command line's side of the JSON "meta" block: the process arguments, recorded once by
// main and passed to the library's envelope (predict/json_envelope.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/hardware_profile.h"

namespace vitperf::cli {

// Called once by main with the process arguments.
void RecordInvocation(int argc, char** argv);
const std::vector<std::string>& Invocation();

// The library's MetaBlock and JsonEnvelope with this process's arguments.
nlohmann::json MetaBlock(const HardwareProfile* profile = nullptr);
nlohmann::json JsonEnvelope(const std::string& name, int version,
                            const HardwareProfile* profile = nullptr);

}  // namespace vitperf::cli

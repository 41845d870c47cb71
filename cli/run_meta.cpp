#include "cli/run_meta.h"

#include "predict/json_envelope.h"

namespace vitperf::cli {
namespace {
std::vector<std::string>& Argv() {
  static std::vector<std::string> argv;
  return argv;
}
}  // namespace

void RecordInvocation(int argc, char** argv) { Argv().assign(argv, argv + argc); }

const std::vector<std::string>& Invocation() { return Argv(); }

nlohmann::json MetaBlock(const HardwareProfile* profile) {
  return vitperf::MetaBlock(Argv(), profile);
}

nlohmann::json JsonEnvelope(const std::string& name, int version, const HardwareProfile* profile) {
  return vitperf::JsonEnvelope(name, version, Argv(), profile);
}

}  // namespace vitperf::cli

#include "cli/run_meta.h"

#include <string>
#include <vector>

#include "model/build_info.h"

namespace vitperf::cli {
namespace {
std::vector<std::string>& Argv() {
  static std::vector<std::string> argv;
  return argv;
}
}  // namespace

void RecordInvocation(int argc, char** argv) { Argv().assign(argv, argv + argc); }

nlohmann::json MetaBlock(const HardwareProfile* profile) {
  nlohmann::json meta{{"argv", Argv()}, {"version", VersionString()}, {"git_revision", GitRevision()}};
  if (profile) {
    meta["profile"] = profile->name;
    meta["device"] = profile->display_name;
    meta["calibrated"] = profile->calibrated;
  }
  return meta;
}

nlohmann::json JsonEnvelope(const std::string& name, int version, const HardwareProfile* profile) {
  return nlohmann::json{{"schema", "vitperf." + name},
                        {"schema_version", version},
                        {"meta", MetaBlock(profile)}};
}

}  // namespace vitperf::cli

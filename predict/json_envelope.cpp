#include "predict/json_envelope.h"

#include "model/build_info.h"

namespace vitperf {

nlohmann::json MetaBlock(const std::vector<std::string>& argv, const HardwareProfile* profile) {
  nlohmann::json meta{
      {"argv", argv}, {"version", VersionString()}, {"git_revision", GitRevision()}};
  if (profile) {
    meta["profile"] = profile->name;
    meta["device"] = profile->display_name;
    meta["calibrated"] = profile->calibrated;
  }
  return meta;
}

nlohmann::json JsonEnvelope(const std::string& name, int version,
                            const std::vector<std::string>& argv, const HardwareProfile* profile) {
  return nlohmann::json{{"schema", "vitperf." + name},
                        {"schema_version", version},
                        {"meta", MetaBlock(argv, profile)}};
}

}  // namespace vitperf

// Facts fixed at build time: version, git revision, where the shipped data lives.
#pragma once

#include <string>

namespace vitperf {

std::string VersionString();  // "0.1.0"
std::string GitRevision();    // short hash of the source tree at configure time
// The data/ folder: $VITPERF_DATA_DIR if set, else the source tree's data/ folder.
std::string DataDir();

}  // namespace vitperf

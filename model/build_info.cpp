#include "model/build_info.h"

#include <cstdlib>

// Generated at every build (cmake/git_revision.cmake); installed beside this file.
#include "vitperf_git_revision.h"

namespace vitperf {

std::string VersionString() { return VITPERF_VERSION; }
std::string GitRevision() { return VITPERF_GIT_REVISION; }
std::string DataDir() {
  const char* env = std::getenv("VITPERF_DATA_DIR");
  return (env && *env) ? env : VITPERF_DEFAULT_DATA_DIR;
}

}  // namespace vitperf

#include "model/build_info.h"

#include <cstdlib>

// In the build tree the revision is generated at every build (cmake/git_revision.cmake); an
// installed package's config defines it when the consuming project compiles this file.
#ifndef VITPERF_GIT_REVISION
#include "vitperf_git_revision.h"
#endif

namespace vitperf {

std::string VersionString() { return VITPERF_VERSION; }
std::string GitRevision() { return VITPERF_GIT_REVISION; }
std::string DataDir() {
  const char* env = std::getenv("VITPERF_DATA_DIR");
  return (env && *env) ? env : VITPERF_DEFAULT_DATA_DIR;
}

}  // namespace vitperf

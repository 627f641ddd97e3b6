#include "common/version.h"

#ifndef WOOLLY_VERSION
#define WOOLLY_VERSION "0.0.0"
#endif
#ifndef WOOLLY_BUILD_TYPE
#define WOOLLY_BUILD_TYPE "unknown"
#endif
#ifndef WOOLLY_GIT_REV
#define WOOLLY_GIT_REV "unknown"
#endif

namespace woolly {

std::string_view version() { return WOOLLY_VERSION; }

std::string_view build_info() {
  static const char kInfo[] = "g++ " __VERSION__ ", " WOOLLY_BUILD_TYPE ", rev " WOOLLY_GIT_REV;
  return kInfo;
}

}  // namespace woolly

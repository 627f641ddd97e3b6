#pragma once

#include <string_view>

namespace woolly {

std::string_view version();     // e.g. "0.1.0"
std::string_view build_info();  // compiler, build type, git revision when known

}  // namespace woolly

// param.hpp: a program's parameters (`--param key=value` on the command line).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gorewind {

// param_string() is the parameter's text, or fallback when it was not given.
std::string param_string(std::string_view key, std::string_view fallback);
// param_int() is the parameter as an integer; throws Error when it is not one.
std::int64_t param_int(std::string_view key, std::int64_t fallback);

}  // namespace gorewind

// build_fingerprint.hpp: which build recorded a run.
#pragma once

#include <string>

namespace gorewind::record {

// build_fingerprint() names the running binary: gorewind's version, the
// compiler, and the executable's GNU build id (or, when it has none, a
// digest of its bytes). The same binary gives the same fingerprint on
// every run; a rebuild with other code gives another.
std::string build_fingerprint();

}  // namespace gorewind::record

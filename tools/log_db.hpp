// log_db.hpp: the --db option of the commands that use the event log.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace gorewind::cli {

// kDefaultDb is the log a command uses without --db: in the current directory.
inline constexpr const char* kDefaultDb = "gorewind.db";

// add_db_option() declares --db FILE, bound to path.
inline void add_db_option(CLI::App& sub, std::string& path) {
  sub.add_option("--db", path, "The event log (an SQLite file)")->type_name("FILE")->capture_default_str();
}

}  // namespace gorewind::cli

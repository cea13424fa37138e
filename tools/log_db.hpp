// log_db.hpp: the --db option of the commands that use the event log, and
// what a command that writes to a log says before migrating it.
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

// announce_migration() prints one line on stderr when the log at path is of
// an older schema version, which the command about to write to it will
// migrate. Readers never migrate; a writer says so first. Silent for a
// missing file or one that is not a log (the writer reports those).
void announce_migration(const std::string& path);

}  // namespace gorewind::cli

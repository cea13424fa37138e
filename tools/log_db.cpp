// log_db.cpp: telling the user before a command migrates a log.
#include "log_db.hpp"

#include <iostream>

#include <gorewind/storage/schema.hpp>
#include <gorewind/storage/storage_error.hpp>

namespace gorewind::cli {

void announce_migration(const std::string& path) {
  int version = 0;
  try {
    version = storage::log_version(path);
  } catch (const storage::StorageError&) {
    return;  // missing, new or not a log: the writer creates it or refuses it
  }
  if (version < storage::kSchemaVersion)
    std::cerr << "gorewind: note: migrating '" << path << "' from event log schema version " << version << " to "
              << storage::kSchemaVersion << " (older builds of gorewind will not open it again)\n";
}

}  // namespace gorewind::cli

// sqlite_api.hpp: SQLite's C API for the sources that the gorewind
// libraries and the sqlite3 shell's loadable extension (target
// gorewind_sqlite) both compile: in the extension its calls go through the
// routines the loading SQLite hands over, as SQLite requires.
#pragma once

#ifdef GOREWIND_SQLITE_EXTENSION
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3
#else
#include <sqlite3.h>
#endif

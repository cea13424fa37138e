// output_file.hpp: the rule every command that writes a file keeps (export
// -o, merge OUT): its output is none of its inputs, so a slip of the
// keyboard cannot truncate the event log it is reading.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gorewind::cli {

// refuse_output_over_inputs() throws UsageError, naming option, when output
// is one of inputs or one of the -wal, -shm and -journal files SQLite keeps
// beside an input. Files are compared by device and inode, so a symlink, a
// hard link or another relative path to an input is that input. An output
// that does not exist yet is none of them. Call it before opening output.
void refuse_output_over_inputs(std::string_view option, const std::string& output,
                               const std::vector<std::string>& inputs);

}  // namespace gorewind::cli

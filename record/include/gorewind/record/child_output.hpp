// child_output.hpp: the program's stdout and stderr on their way out of a
// supervised child, so that what it printed is kept with its run (the last
// lines before a crash are evidence too) and still seen live.
//
//   record::ChildOutput output;           // before fork(): two pipes
//   // in the child:  output.in_child();   fd 1 and 2 now write into them
//   // in the parent: output.in_parent();
//   for (storage::OutputChunk& c : output.read()) ...   // echoed as well
//
// The child's writes go into the pipes as they are made: stdio's stdout
// is made unbuffered (stderr is already), so a printf is in the pipe when
// it returns, and a crash right after it loses nothing. What a program
// keeps in a buffer of its own (std::cout after sync_with_stdio(false))
// reaches the pipe only when that buffer is flushed, and is lost with a
// crash, as it would be with a terminal.
#pragma once

#include <vector>

#include <gorewind/storage/output_chunk.hpp>

namespace gorewind::record {

class ChildOutput {
 public:
  // ChildOutput() makes the two pipes (close-on-exec, room for 1 MiB each
  // where the system allows). Throws Error when it cannot.
  ChildOutput();
  // ~ChildOutput() closes whichever ends are still open.
  ~ChildOutput();
  ChildOutput(const ChildOutput&) = delete;
  ChildOutput& operator=(const ChildOutput&) = delete;

  // in_child() is called in the child before the program runs: fd 1 and 2
  // become the pipes' write ends, stdout goes unbuffered, and the read ends
  // are closed.
  void in_child();
  // in_parent() is called in the parent after the fork: it closes the
  // write ends and makes reading nonblocking.
  void in_parent();

  // read() is what the pipes hold now, stdout's first, each stream's bytes
  // in one chunk (seq 0: the caller knows when), and echoes them to this
  // process's own stdout and stderr. It never waits, and takes at most 1
  // MiB a stream, so that a child printing without pause cannot hold the
  // caller. Once the child has ended, one call takes everything it
  // printed: its writes were complete, and a pipe holds no more than that.
  std::vector<storage::OutputChunk> read();

 private:
  // Each stream's pipe: [0] the read end, [1] the write end; -1 once closed.
  int out_[2] = {-1, -1};
  int err_[2] = {-1, -1};
  bool echo_out_ = true;  // cleared when our own stdout refuses bytes
  bool echo_err_ = true;
};

}  // namespace gorewind::record

// cli_support.hpp: running the gorewind CLI from a test. The binary comes
// from GOREWIND_BIN (set by ctest).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "log_support.hpp"

extern char** environ;

namespace gorewind::test {

inline std::string bin() {
  const char* b = std::getenv("GOREWIND_BIN");
  return b ? b : "";
}

// Process is the CLI started with args, its output going to files and its
// stdin read from the file in (when given). A wrapper command (looked up in
// PATH) runs the CLI when given: wrapper..., the binary, args...
class Process {
 public:
  Process(const TempDir& dir, const std::vector<std::string>& args, const std::string& in = {},
          const std::vector<std::string>& wrapper = {})
      : out_(dir.file("out." + std::to_string(++count_))), err_(dir.file("err." + std::to_string(count_))) {
    std::vector<std::string> all = wrapper;
    all.push_back(bin());
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (!in.empty()) posix_spawn_file_actions_addopen(&fa, 0, in.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawnp(&pid_, all[0].c_str(), &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  // wait() returns the exit code (-1 when killed by a signal).
  int wait() {
    int status = 0;
    if (pid_ <= 0 || waitpid(pid_, &status, 0) != pid_) return -1;
    pid_ = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void kill() { ::kill(pid_, SIGKILL); }
  pid_t pid() const { return pid_; }
  std::string out() const { return slurp(out_); }
  std::vector<std::string> err() const {
    std::vector<std::string> lines;
    std::istringstream in(slurp(err_));
    for (std::string l; std::getline(in, l);)
      if (l.find("AddressSanitizer") == std::string::npos && l.find("ASan doesn't fully support") == std::string::npos)
        lines.push_back(l);
    return lines;
  }

 private:
  static std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static inline int count_ = 0;
  std::string out_, err_;
  pid_t pid_ = -1;
};

struct Cli {
  int code;
  std::string out;
  std::vector<std::string> err;
};

inline Cli cli(const TempDir& dir, const std::vector<std::string>& args, const std::string& in = {},
               const std::vector<std::string>& wrapper = {}) {
  Process p(dir, args, in, wrapper);
  const int code = p.wait();
  return Cli{code, p.out(), p.err()};
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// ShellRun is a shell command's exit status (as pclose() gives it; 0: it
// exited 0) and its standard output.
struct ShellRun {
  int code;
  std::string out;
};

inline ShellRun run_shell(const std::string& command) {
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return {-1, ""};
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, p)) > 0;) out.append(buffer, n);
  return {pclose(p), out};
}

// RecordedLog is a log in a fresh directory, for runs recorded by the CLI
// and the commands that read them: run() adds --db.
struct RecordedLog {
  TempDir dir;
  std::string db = dir.file("log.db");
  Cli run(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(db);
    return cli(dir, args);
  }
};

}  // namespace gorewind::test

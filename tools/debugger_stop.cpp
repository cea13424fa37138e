#include "debugger_stop.hpp"

#include <csignal>
#include <fstream>
#include <iostream>
#include <string>

#include <gorewind/site.hpp>

namespace gorewind::cli {

bool debugger_attached() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("TracerPid:", 0) == 0) return line.find_first_not_of(" \t0", 10) != std::string::npos;
  return false;
}

void StopAtSeq::on_event(const Event& e) {
  if (e.seq != seq_) return;
  reached_ = true;
  std::cerr << "gorewind: stopped at seq " << e.seq << ": g" << e.gid << " " << to_string(e.kind);
  if (e.site.file_name()[0] != '\0') std::cerr << " at " << e.site.file_name() << ":" << e.site.line();
  std::cerr << "; the frames below gorewind's are the goroutine's own ('up' to reach them), "
               "'continue' finishes the replay"
            << std::endl;
  std::raise(SIGTRAP);
}

}  // namespace gorewind::cli

// gmp_dump.hpp: Go's scheduler at one seq (GmpState) as text, in the words
// of Go's schedtrace with scheddetail (GODEBUG=schedtrace=1,scheddetail=1),
// or as JSON. Shared by `state` and `diff`.
//
//   scheduler: gomaxprocs=2 idleprocs=1 threads=3 spinningthreads=0 idlethreads=1 runqueue=1 [g5]
//     P0: status=running m=0 curg=g2 runnext=g4 runqsize=1 [g6] schedtick=7 clock=2ms
//     P1: status=idle m=1 curg=- runnext=- runqsize=0 [] schedtick=0 clock=0s
//     M0: p=0 curg=g2
//     M1: p=1 curg=- (idle)
//     M2: p=-1 curg=g3 (syscall)
//     G2: m=0 lastp=0 gopc=scenarios/x.cpp:12 startpc=...
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include <gorewind/gmp_state.hpp>

namespace gorewind::cli {

// machine_status() is what M m of s does: "running" its P's goroutine,
// "syscall" (in a goroutine's system call, without a P), "spinning"
// (looking for work for its P, Go's word) or "idle".
std::string_view machine_status(const MachineState& m, const GmpState& s);

// write_gmp_text() prints s: a summary line, then a line per P, per M and
// per goroutine. Nothing for an empty state (gorewind's own model).
void write_gmp_text(std::ostream& out, const GmpState& s);

// gmp_json() is s as one JSON object, "null" for an empty state. Keys:
// gomaxprocs, procs [{id, status (running, scheduling: between two
// goroutines with work to take, idle), m, curg, runnext, runq, schedtick,
// clock_ns}], machines [{id, p, curg, status (running, syscall, spinning:
// looking for work for its P, idle)}], global_queue,
// goroutines [{id, m, last_p, gopc, startpc}]; 0 is no goroutine and -1
// no P or M.
std::string gmp_json(const GmpState& s);

}  // namespace gorewind::cli

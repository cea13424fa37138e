// state_diff_view.hpp: two states compared (replay::StateDiff) as text, side
// by side with the entries that differ marked, or as JSON. Shared by `diff`
// and `state --vs`.
//
//   state            run 1                        run 2
//   vtime            0s                           0s
// * g2 loader        running  scenarios/f.cpp:40  runnable  scenarios/f.cpp:38
#pragma once

#include <ostream>
#include <string>

#include <gorewind/replay/state_diff.hpp>

namespace gorewind::cli {

// write_state_diff_text() prints one line per entity of d: a `*` when it
// differs, its label, then each side's fields (`-` where it is absent),
// under a header line naming the sides title_a and title_b.
void write_state_diff_text(std::ostream& out, const replay::StateDiff& d, const std::string& title_a,
                           const std::string& title_b);

// state_diff_json() is the entities of d that differ as a JSON array, no
// newline: [{kind, identity, label_a, label_b, fields [names that differ],
// a {field: text} or null, b likewise}].
std::string state_diff_json(const replay::StateDiff& d);

}  // namespace gorewind::cli

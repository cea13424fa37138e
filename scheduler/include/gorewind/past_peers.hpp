// past_peers.hpp: who used a channel's side lately. A goroutine blocked on
// a channel is most likely waiting for one of the goroutines that used its
// other side before: the wait-for graph names them (wait_for_graph.hpp),
// so that a cycle through a channel and a lock is seen.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include <gorewind/event.hpp>

namespace gorewind {

// PastPeers is the last kSize distinct goroutines that completed a send (or
// a receive) on one channel, most recent first, exited ones included;
// unused places are 0. The live runtime and the StateBuilder both call
// note() at each Send (Recv) event of a goroutine, so they agree.
struct PastPeers {
  static constexpr std::size_t kSize = 4;
  std::array<Gid, kSize> gids{};

  // note() puts gid first, keeping the others in order.
  void note(Gid gid) {
    if (gids[0] == gid) return;
    std::size_t i = 1;
    while (i + 1 < kSize && gids[i] != gid) ++i;
    for (; i > 0; --i) gids[i] = gids[i - 1];
    gids[0] = gid;
  }
  friend bool operator==(const PastPeers&, const PastPeers&) = default;
};

}  // namespace gorewind

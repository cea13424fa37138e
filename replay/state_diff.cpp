#include <gorewind/replay/state_diff.hpp>

#include <map>

namespace gorewind::replay {
namespace {

std::string object_label(std::string_view kind, const std::string& name, std::uint32_t id) {
  return std::string(kind) + " " + (name.empty() ? "#" + std::to_string(id) : name);
}

// gid_list() is a list of goroutines as text ("[g2 g3]") and as key ("[1.1 1.2]").
StateField gid_list(std::string name, const std::vector<Gid>& gids, const RunIdentity& ids) {
  StateField f{std::move(name), "[", "["};
  for (std::size_t i = 0; i < gids.size(); ++i) {
    f.text += (i ? " g" : "g") + std::to_string(gids[i]);
    f.key += (i ? " " : "") + ids.path(gids[i]);
  }
  f.text += "]";
  f.key += "]";
  return f;
}

StateField plain(std::string name, std::string value) {
  StateField f{std::move(name), std::move(value), {}};
  f.key = f.text;
  return f;
}

std::vector<StateField> goroutine_fields(const GoroutineInfo& g, const RunIdentity& ids) {
  StateField state = plain("state", std::string(to_string(g.status)));
  if (g.status == GoroutineStatus::Blocked) {
    state.text = state.key = std::string(to_string(g.reason));
    if (g.obj != 0) {
      const std::string name = ids.object_name(g.obj);
      state.text += " on " + (name.empty() ? "#" + std::to_string(g.obj) : name);
      state.key += " on " + ids.object(g.obj);
    }
  }
  std::vector<StateField> f{plain("name", g.name), std::move(state), plain("site", g.site)};
  if (!g.offering.empty()) f.push_back(plain("offering", g.offering));
  return f;
}

std::vector<StateField> channel_fields(const ChannelInfo& c, const RunIdentity& ids) {
  std::string buffer = "[";
  for (std::size_t i = 0; i < c.buffer.size(); ++i) buffer += (i ? " " : "") + c.buffer[i];
  return {plain("cap", std::to_string(c.cap)), plain("closed", c.closed ? "closed" : "open"),
          plain("buffer", buffer + "]"), gid_list("senders", c.senders, ids),
          gid_list("receivers", c.receivers, ids)};
}

std::vector<StateField> lock_fields(const LockInfo& l, const RunIdentity& ids) {
  StateField owner = l.owner == 0 ? plain("owner", "unlocked")
                                  : StateField{"owner", "held by g" + std::to_string(l.owner), ids.path(l.owner)};
  std::vector<StateField> f{std::move(owner)};
  if (l.kind == ObjKind::RWMutex) f.push_back(plain("readers", std::to_string(l.readers)));
  f.push_back(gid_list("waiters", l.waiters, ids));
  return f;
}

std::vector<StateField> wait_group_fields(const WaitGroupInfo& w, const RunIdentity& ids) {
  return {plain("counter", std::to_string(w.counter)), gid_list("waiters", w.waiters, ids)};
}

// one_gid() is a goroutine as text (g2, - for none) and as key (its spawn path).
StateField one_gid(std::string name, Gid g, const RunIdentity& ids) {
  if (g == 0) return StateField{std::move(name), "-", "-"};
  return StateField{std::move(name), "g" + std::to_string(g), ids.path(g)};
}

std::vector<StateField> proc_fields(const ProcState& p, const RunIdentity& ids) {
  return {one_gid("curg", p.curg, ids),         plain("m", std::to_string(p.m)),
          one_gid("runnext", p.runnext, ids),   gid_list("runq", p.runq, ids),
          plain("schedtick", std::to_string(p.schedtick)), plain("clock_ns", std::to_string(p.clock_ns))};
}

std::vector<StateField> placement_fields(const GoroutinePlace& g) {
  return {plain("m", std::to_string(g.m)), plain("lastp", std::to_string(g.last_p)),
          plain("gopc", g.gopc.empty() ? "-" : g.gopc), plain("startpc", g.startpc.empty() ? "-" : g.startpc)};
}

// Side is one entity of one state, ready to be matched with the other's.
struct Side {
  std::string identity;
  std::string label;
  std::vector<StateField> fields;
};

std::vector<std::string> differing_fields(const std::vector<StateField>& a, const std::vector<StateField>& b) {
  std::vector<std::string> out;
  std::map<std::string, const StateField*> by_name;
  for (const StateField& f : b) by_name[f.name] = &f;
  for (const StateField& f : a) {
    auto it = by_name.find(f.name);
    if (it == by_name.end() || it->second->key != f.key) out.push_back(f.name);
    if (it != by_name.end()) by_name.erase(it);
  }
  for (const StateField& f : b)
    if (by_name.count(f.name)) out.push_back(f.name);
  return out;
}

// pair_up() matches two sides' entities by identity: a's in order, with
// their match, then b's that had none.
void pair_up(EntityKind kind, std::vector<Side> as, std::vector<Side> bs, std::vector<EntityPair>& out) {
  std::map<std::string, std::size_t> in_b;
  for (std::size_t i = 0; i < bs.size(); ++i) in_b.emplace(bs[i].identity, i);
  std::vector<bool> used(bs.size(), false);
  for (Side& a : as) {
    EntityPair p;
    p.kind = kind;
    p.identity = a.identity;
    p.label_a = a.label;
    if (auto it = in_b.find(a.identity); it != in_b.end() && !used[it->second]) {
      used[it->second] = true;
      Side& b = bs[it->second];
      p.label_b = b.label;
      p.differing = differing_fields(a.fields, b.fields);
      p.b = std::move(b.fields);
    }
    p.a = std::move(a.fields);
    out.push_back(std::move(p));
  }
  for (std::size_t i = 0; i < bs.size(); ++i) {
    if (used[i]) continue;
    EntityPair p;
    p.kind = kind;
    p.identity = bs[i].identity;
    p.label_b = bs[i].label;
    p.b = std::move(bs[i].fields);
    out.push_back(std::move(p));
  }
}

template <class Info, class Make>
std::vector<Side> sides(const std::vector<Info>& infos, Make make) {
  std::vector<Side> out;
  out.reserve(infos.size());
  for (const Info& i : infos) out.push_back(make(i));
  return out;
}

}  // namespace

std::string_view to_string(EntityKind k) {
  switch (k) {
    case EntityKind::Clock: return "clock";
    case EntityKind::Goroutine: return "goroutine";
    case EntityKind::Channel: return "channel";
    case EntityKind::Lock: return "lock";
    case EntityKind::WaitGroup: return "wait_group";
    case EntityKind::Watched: return "watched";
    case EntityKind::Proc: return "p";
    case EntityKind::Machine: return "m";
    case EntityKind::GlobalQueue: return "global_queue";
    case EntityKind::Placement: return "placement";
  }
  return "?";
}

std::size_t StateDiff::differences() const {
  std::size_t n = 0;
  for (const EntityPair& p : entities) n += p.differs() ? 1 : 0;
  return n;
}

StateDiff diff_states(const RuntimeState& a, const RunIdentity& ids_a, const RuntimeState& b,
                      const RunIdentity& ids_b) {
  StateDiff d;
  auto clock = [](const RuntimeState& s) {
    return std::vector<Side>{Side{"vtime", "vtime", {plain("vtime_ns", std::to_string(s.vtime_ns))}}};
  };
  pair_up(EntityKind::Clock, clock(a), clock(b), d.entities);

  auto goroutines = [](const RuntimeState& s, const RunIdentity& ids) {
    return sides(s.goroutines, [&](const GoroutineInfo& g) {
      return Side{ids.path(g.gid), "g" + std::to_string(g.gid) + " " + g.name, goroutine_fields(g, ids)};
    });
  };
  pair_up(EntityKind::Goroutine, goroutines(a, ids_a), goroutines(b, ids_b), d.entities);

  auto channels = [](const RuntimeState& s, const RunIdentity& ids) {
    return sides(s.channels, [&](const ChannelInfo& c) {
      return Side{ids.object(c.id), object_label("chan", c.name, c.id), channel_fields(c, ids)};
    });
  };
  pair_up(EntityKind::Channel, channels(a, ids_a), channels(b, ids_b), d.entities);

  auto locks = [](const RuntimeState& s, const RunIdentity& ids) {
    return sides(s.locks, [&](const LockInfo& l) {
      return Side{ids.object(l.id), object_label(l.kind == ObjKind::RWMutex ? "rwmutex" : "mutex", l.name, l.id),
                  lock_fields(l, ids)};
    });
  };
  pair_up(EntityKind::Lock, locks(a, ids_a), locks(b, ids_b), d.entities);

  auto wait_groups = [](const RuntimeState& s, const RunIdentity& ids) {
    return sides(s.wait_groups, [&](const WaitGroupInfo& w) {
      return Side{ids.object(w.id), object_label("waitgroup", w.name, w.id), wait_group_fields(w, ids)};
    });
  };
  pair_up(EntityKind::WaitGroup, wait_groups(a, ids_a), wait_groups(b, ids_b), d.entities);

  auto watched = [](const RuntimeState& s) {
    std::vector<Side> out;
    for (const auto& [name, value] : s.watched) out.push_back(Side{name, name, {plain("value", value)}});
    return out;
  };
  pair_up(EntityKind::Watched, watched(a), watched(b), d.entities);
  return d;
}

void diff_gmp(const GmpState& a, const RunIdentity& ids_a, const GmpState& b, const RunIdentity& ids_b,
              StateDiff& d) {
  if (a.procs.empty() && b.procs.empty()) return;
  auto procs = [](const GmpState& s, const RunIdentity& ids) {
    return sides(s.procs, [&](const ProcState& p) {
      return Side{"P" + std::to_string(p.id), "P" + std::to_string(p.id), proc_fields(p, ids)};
    });
  };
  pair_up(EntityKind::Proc, procs(a, ids_a), procs(b, ids_b), d.entities);
  auto machines = [](const GmpState& s, const RunIdentity& ids) {
    return sides(s.machines, [&](const MachineState& m) {
      return Side{"M" + std::to_string(m.id), "M" + std::to_string(m.id),
                  {plain("p", std::to_string(m.p)), one_gid("curg", m.curg, ids)}};
    });
  };
  pair_up(EntityKind::Machine, machines(a, ids_a), machines(b, ids_b), d.entities);
  auto global = [](const GmpState& s, const RunIdentity& ids) {
    return std::vector<Side>{Side{"global", "global queue", {gid_list("runq", s.global, ids)}}};
  };
  pair_up(EntityKind::GlobalQueue, global(a, ids_a), global(b, ids_b), d.entities);
  auto places = [](const GmpState& s, const RunIdentity& ids) {
    return sides(s.goroutines, [&](const GoroutinePlace& g) {
      return Side{ids.path(g.gid), "G" + std::to_string(g.gid), placement_fields(g)};
    });
  };
  pair_up(EntityKind::Placement, places(a, ids_a), places(b, ids_b), d.entities);
}

}  // namespace gorewind::replay

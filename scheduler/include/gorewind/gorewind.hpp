// gorewind.hpp: everything a program written against gorewind needs.
//
//   #include <gorewind/gorewind.hpp>
//   namespace gr = gorewind;
#pragma once

#include <gorewind/channel.hpp>
#include <gorewind/cond.hpp>
#include <gorewind/context.hpp>
#include <gorewind/dfs_strategy.hpp>
#include <gorewind/error.hpp>
#include <gorewind/event.hpp>
#include <gorewind/explore.hpp>
#include <gorewind/fifo_strategy.hpp>
#include <gorewind/goroutine.hpp>
#include <gorewind/mutex.hpp>
#include <gorewind/observer.hpp>
#include <gorewind/once.hpp>
#include <gorewind/outcome.hpp>
#include <gorewind/param.hpp>
#include <gorewind/pct_strategy.hpp>
#include <gorewind/portfolio_strategy.hpp>
#include <gorewind/pos_strategy.hpp>
#include <gorewind/race.hpp>
#include <gorewind/rand.hpp>
#include <gorewind/random_strategy.hpp>
#include <gorewind/run.hpp>
#include <gorewind/rw_mutex.hpp>
#include <gorewind/scenario.hpp>
#include <gorewind/schedule_script.hpp>
#include <gorewind/select.hpp>
#include <gorewind/shared.hpp>
#include <gorewind/site.hpp>
#include <gorewind/gmp_state.hpp>
#include <gorewind/state.hpp>
#include <gorewind/strategy.hpp>
#include <gorewind/surw_strategy.hpp>
#include <gorewind/time.hpp>
#include <gorewind/timer.hpp>
#include <gorewind/trace.hpp>
#include <gorewind/trace_hasher.hpp>
#include <gorewind/value.hpp>
#include <gorewind/wait_group.hpp>

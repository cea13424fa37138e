// dot_graph.hpp: a wait-for graph in Graphviz's DOT language, for
// `gorewind export <run> --format dot`. Blocked goroutines are boxes (red:
// nothing can wake them), the objects they wait on are ellipses, a solid
// arrow goes from a goroutine to what it waits on and a dashed one from an
// object to each goroutine that could wake it, labelled with its role.
// Goroutines that could wake one but are not blocked are dashed boxes.
#pragma once

#include <string>

#include <gorewind/wait_for_graph.hpp>

namespace gorewind::cli {

// dot_graph() is graph as one DOT digraph; title labels it (the run, its
// outcome and the seq). Nodes and edges come in a fixed order, so the same
// graph always gives the same text.
std::string dot_graph(const WaitForGraph& graph, const std::string& title);

}  // namespace gorewind::cli

// libFuzzer target for the .tosa reader, the graph validator and the batch widening a model load
// may apply (engine/graph/batched_graph.h): any input must be either loaded or refused with a
// status, never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/graph/batched_graph.h"
#include "engine/graph/graph_signature.h"
#include "engine/graph/tosa_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<std::shared_ptr<const inferd::graph::Graph>> graph =
      inferd::graph::LoadTosaGraph(std::span<const uint8_t>(data, size));
  if (graph.ok()) {
    // What model loading does next with a graph that passed.
    (void)inferd::graph::MainBlockSignature(**graph);
    // A tosa_vulkan model that batches: the graph widened to a batch, or refused with a status.
    (void)inferd::graph::BatchedGraph(**graph, 3);
  }
  return 0;
}

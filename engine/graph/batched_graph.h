// A graph that runs several requests at once. A model that batches is written for one item: its
// inputs and outputs have a leading dimension of 1. BatchedGraph widens that dimension to `items`
// in every tensor computed from the inputs, so that a backend can run a whole batch as one pass
// over the graph (every operator once, over all the items) instead of one pass per item; on a GPU
// that is the difference between a dispatch of one image's work and one of the batch's.
//
// The leading dimension must be a batch dimension all the way through: each operator with an
// input computed from the graph's inputs must treat its items independently. Taken:
// - elementwise operators, CLAMP, CAST, RESCALE, TABLE, NEGATE, IDENTITY and the activations,
//   whose other data operands are either computed from the inputs too or broadcast (leading
//   dimension 1); their parameters (shifts, zero points, multipliers, tables) constant;
// - CONV2D, CONV3D, DEPTHWISE_CONV2D, TRANSPOSE_CONV2D, AVG_POOL2D, MAX_POOL2D and RESIZE over
//   constant weights and parameters;
// - RESHAPE from and to a leading dimension of 1 (its shape widened);
// - MATMUL of two computed operands, or of a computed A by a constant B: A [N,H,C] is viewed as
//   [1,N*H,C] (two RESHAPEs around the MATMUL), since TOSA's MATMUL needs the same N on both
//   sides;
// - the reductions, ARGMAX and REVERSE along an axis other than 0, CONCAT of computed operands
//   along one, TRANSPOSE keeping dimension 0 first;
// - PAD without padding along dimension 0, SLICE of the whole of it (its size widened), TILE that
//   does not repeat it.
// Anything else (control flow, variables, GATHER, SCATTER, FFT, a constant graph output, ...) is
// refused with UNIMPLEMENTED naming the operator, and the backend runs batches item by item.
#pragma once

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "engine/graph/graph.h"

namespace inferd::graph {

// `graph` (validated) for `items` (at least 2) items at once, validated in turn. Item i's inputs
// and outputs are the i-th slices of the widened ones, which hold the items one after another.
absl::StatusOr<std::shared_ptr<const Graph>> BatchedGraph(const Graph& graph, int64_t items);

}  // namespace inferd::graph

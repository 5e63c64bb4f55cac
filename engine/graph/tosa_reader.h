// Decodes .tosa files (TOSA 1.0 FlatBuffers, file identifier "TOSA") into the graph IR.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "engine/graph/graph.h"

namespace inferd::graph {

// Decodes untrusted bytes: verifies the FlatBuffers structure, the file identifier and the
// version (1.0.x, draft or not), then builds the IR, resolving every tensor and block name to
// its id. Never reads outside `bytes`. Does not run ValidateGraph: the result is well-formed
// (every id valid) but not yet checked for shapes, types and attributes.
// Errors are InvalidArgument and name the block, operator and tensor involved.
absl::StatusOr<std::shared_ptr<const Graph>> ReadTosaGraph(std::span<const uint8_t> bytes);

// ReadTosaGraph followed by ValidateGraph with default options: what model loading calls.
absl::StatusOr<std::shared_ptr<const Graph>> LoadTosaGraph(std::span<const uint8_t> bytes);

// Reads the file at `path` and runs LoadTosaGraph on its bytes. NotFound when it cannot be read.
absl::StatusOr<std::shared_ptr<const Graph>> LoadTosaFile(const std::string& path);

}  // namespace inferd::graph

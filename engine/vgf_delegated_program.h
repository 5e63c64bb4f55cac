// ExecuTorch programs whose delegate is VgfBackend (ExecuTorch's Arm VGF backend: the delegate's
// processed data is a VGF file) on the backends that run TOSA graphs (tosa_cpu, tosa_vulkan).
// The model loader decodes the payload's GRAPH segment into the graph IR (open dimensions taken
// from the delegate's tensor sizes in the program), validates it, and hands the backend that graph
// with the delegate's integer tensors named as the VGF names them; the quantize / dequantize steps
// at the program's float edges run on the host (engine/executorch/executorch_loader.h).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/backend.h"
#include "engine/graph/graph.h"

namespace inferd {

inline constexpr char kVgfBackendId[] = "VgfBackend";

// True when `bytes` is an ExecuTorch program (not necessarily a valid one) delegated to VgfBackend.
bool IsVgfDelegatedProgram(std::span<const uint8_t> bytes);

// The payload decoded once per model version and shared by its instances (and, on tosa_cpu, their
// packed weights, which the backend keeps per graph).
struct VgfPayloadCache {
  std::shared_ptr<const graph::Graph> graph;
  std::vector<std::string> input_names;  // the graph's, by delegate input position
  std::vector<std::string> output_names;
};

// One instance of `request` (whose model_bytes are the .pte) on `backend`. With `cache`, the first
// call decodes the payload into it and later calls take it from there.
absl::StatusOr<std::unique_ptr<Executable>> LoadVgfDelegatedProgram(
    Backend& backend, const BackendLoadRequest& request, VgfPayloadCache* cache = nullptr);

}  // namespace inferd

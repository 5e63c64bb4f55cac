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

#include "absl/status/statusor.h"
#include "engine/backend.h"

namespace inferd {

inline constexpr char kVgfBackendId[] = "VgfBackend";

// True when `bytes` is an ExecuTorch program (not necessarily a valid one) delegated to VgfBackend.
bool IsVgfDelegatedProgram(std::span<const uint8_t> bytes);

// One instance of `request` (whose model_bytes are the .pte) on `backend`.
absl::StatusOr<std::unique_ptr<Executable>> LoadVgfDelegatedProgram(
    Backend& backend, const BackendLoadRequest& request);

}  // namespace inferd

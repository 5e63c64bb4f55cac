// Runs TOSA conformance folders on the CPU backend or the Vulkan backend: loads test.tosa through
// the model-loading path (LoadTosaFile, then GraphExecutor::Create or GraphProgram::Create on the
// default Vulkan device), feeds input-N.npy and judges every output with its compliance rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/graph/dtype.h"
#include "engine/graph/op.h"

namespace inferd::conformance {

enum class Backend { kCpu, kVulkan };

// "cpu" / "vulkan" (the --backend values); nullopt for other names, or "vulkan" in a build without
// the Vulkan backend.
std::optional<Backend> ParseBackend(const std::string& name);

struct RunOptions {
  Backend backend = Backend::kCpu;
  // A graph the backend refuses with UNIMPLEMENTED is skipped rather than failed.
  bool skip_unsupported = false;
  // Folders run at once.
  int jobs = 1;
  // Failing elements described per output.
  size_t max_reported = 3;
  // Vulkan: run the exact 32-bit variants of the 64-bit integer shaders, as on a device without
  // shaderInt64 (--vulkan-no-int64).
  bool vulkan_no_int64 = false;
  // Round trip through VGF before running (--via-vgf): the graph is written as a VGF file and read
  // back with the VGF reader and decoder; a graph the writer refuses (control flow, variables,
  // CUSTOM, rank-0 tensors, ...) is skipped with the writer's reason.
  bool via_vgf = false;
};

enum class Outcome { kPassed, kFailed, kSkipped };

struct FolderReport {
  std::filesystem::path dir;
  Outcome outcome = Outcome::kFailed;
  // The operator under test: the first main-block operator other than CONST / CONST_SHAPE (CONST
  // when there is no other); nullopt when the file cannot be read at all.
  std::optional<graph::Op> op;
  // desc.json's test_requirements.extensions_required ("tosa-ext-bf16", ...); empty for a test of
  // the profiles alone.
  std::vector<std::string> extensions;
  // Why it failed or was skipped, one line each ("<tensor>[index]: got .., expected .., bound ..").
  std::vector<std::string> messages;
};

FolderReport RunFolder(const std::filesystem::path& dir, const RunOptions& options);

// RunFolder on each of `dirs`, `options.jobs` at a time; reports in the order of `dirs`.
std::vector<FolderReport> RunFolders(const std::vector<std::filesystem::path>& dirs,
                                     const RunOptions& options);

// Judges one output of folder `dir` (its bytes in the executor's layout, element type `dtype`)
// against the folder's expected files under the compliance mode its desc.json gives the output.
// The failure lines ("<output>[index]: got .., expected .., bound .."); empty when it complies.
std::vector<std::string> CompareOutput(const std::filesystem::path& dir, const std::string& output,
                                       graph::DType dtype, std::span<const uint8_t> bytes,
                                       size_t max_reported = 3);

struct Totals {
  size_t passed = 0;
  size_t failed = 0;
  size_t skipped = 0;
};
Totals Count(const std::vector<FolderReport>& reports);

// "N passed, M failed" plus ", K skipped" when any were skipped.
std::string Summary(const Totals& totals);

}  // namespace inferd::conformance

// Reads the shared TOSA conformance folders (never copied into the repository) for the CPU backend
// tests: where the set is, which folders an operator has, and what each folder's desc.json asks.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace inferd::cpu::testing {

// $INFERD_TOSA_CONFORMANCE_DIR, else <repo>/../shared/tosa-conformance; nullopt when that
// directory does not exist.
std::optional<std::filesystem::path> ConformanceDir();

// The test folders of one operator group, e.g. "tensor/conv2d_3x3" or "ew_binary/add": the folders
// under <root>/operators/<group>/ holding a test.tosa, sorted.
std::vector<std::filesystem::path> CaseDirs(const std::filesystem::path& root,
                                            const std::string& group);

// The operator groups under <root>/operators/<category>/ whose names start with `prefix`, as
// "<category>/<name>", sorted.
std::vector<std::string> GroupsWithPrefix(const std::filesystem::path& root,
                                          const std::string& category, const std::string& prefix);

struct ConformanceOutput {
  std::string name;             // graph output tensor; expected values in expected-<name>.npy
  std::string mode;             // compliance mode: EXACT, ULP, DOT_PRODUCT, FP_SPECIAL, ...
  double ksb = 0;               // DOT_PRODUCT: the dot product's kernel size bound
  double reduce_product_n = 0;  // REDUCE_PRODUCT: how many values each result multiplies
  double relative_scale = 0;    // RELATIVE: relative_info.scale
};

struct ConformanceCase {
  std::filesystem::path dir;
  std::vector<std::string> input_names;  // graph input tensors, fed from input_files
  std::vector<std::string> input_files;
  std::vector<ConformanceOutput> outputs;
  bool expected_failure = false;
};

// Parses <dir>/desc.json.
absl::StatusOr<ConformanceCase> ReadCase(const std::filesystem::path& dir);

}  // namespace inferd::cpu::testing

// One TOSA conformance test folder as described by its desc.json: which inputs to feed, which
// outputs to compare and under which compliance rule.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/conformance/compliance.h"

namespace inferd::conformance {

struct TestOutput {
  std::string name;  // graph output tensor
  ComplianceInfo compliance;
  // expected-<name>.npy, expected-precise-<name>.npy, bounds_expected-precise-<name>.npy.
  std::filesystem::path expected_file;
  std::filesystem::path precise_file;
  std::filesystem::path bounds_file;
};

struct TestFolder {
  std::filesystem::path dir;
  std::filesystem::path tosa_file;
  std::vector<std::string> input_names;  // graph input tensors, fed from input_files
  std::vector<std::filesystem::path> input_files;
  std::vector<TestOutput> outputs;
  bool expected_failure = false;
  // test_requirements.extensions_required.
  std::vector<std::string> extensions;
};

// Parses <dir>/desc.json. InvalidArgument for malformed JSON, mismatched ifm lists or a
// compliance mode this runner does not know.
absl::StatusOr<TestFolder> ReadTestFolder(const std::filesystem::path& dir);

// Every folder at or below each of `roots` that holds a desc.json, sorted and without duplicates.
std::vector<std::filesystem::path> FindTestFolders(const std::vector<std::filesystem::path>& roots);

}  // namespace inferd::conformance

// Reader for ExecuTorch bundled programs (.bpte, schema: bundled_program.fbs): the program's bytes
// (a .pte, served as it is) and, per method, test cases with inputs and expected outputs, which
// inferd runs at load (bundled_self_test.h). The FlatBuffer is verified before it is read and
// every tensor's byte count is checked against its type and sizes, so arbitrary bytes are refused
// with a reason. The bundle carries no tolerances (ExecuTorch's runtime takes them as arguments).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/data_type.h"
#include "engine/shape.h"

namespace inferd::executorch {

struct BundledTensor {
  DataType dtype = DataType::kInvalid;
  Shape sizes;
  std::span<const uint8_t> data;  // row-major; points into the file
};

struct BundledTestCase {
  std::vector<BundledTensor> inputs;
  std::vector<BundledTensor> expected_outputs;
};

struct BundledTestSuite {
  std::string method;
  std::vector<BundledTestCase> cases;
};

struct BundledProgram {
  uint32_t version = 0;
  std::span<const uint8_t> program;  // the .pte inside; points into the file
  std::vector<BundledTestSuite> suites;
};

// True when bytes 4..7 carry a bundled program identifier ("BP" and two digits).
bool LooksLikeBundledProgram(std::span<const uint8_t> bytes);

// Parses and validates; INVALID_ARGUMENT saying what is wrong and where otherwise.
absl::StatusOr<BundledProgram> ParseBundledProgram(std::span<const uint8_t> bytes);

}  // namespace inferd::executorch

// ExecuTorch files for tests, written by the project's own tools (ExecuTorch is not packaged for
// Debian): programs by tools/executorch_pte.py around a payload, bundled programs by
// tools/executorch_bpte.py. A failing tool fails the calling test.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace inferd::executorch::testing {

// A .pte around `payload` with the tool's options (e.g. {"--input", "Float:1,4@0.5,0"}); inputs
// Char:1,8,8,1 and output Char:1,10 unless `args` gives --input.
std::vector<uint8_t> GenerateProgram(const std::vector<uint8_t>& payload,
                                     std::vector<std::string> args = {});

// A .bpte of `program` with the test cases in `cases_json` (the tool's JSON form).
std::vector<uint8_t> GenerateBundle(const std::vector<uint8_t>& program,
                                    const std::string& cases_json);

// One tensor of a test case in the tool's JSON form.
std::string TensorJson(const std::string& scalar_type, const std::vector<int64_t>& sizes,
                       const std::vector<double>& values);

}  // namespace inferd::executorch::testing

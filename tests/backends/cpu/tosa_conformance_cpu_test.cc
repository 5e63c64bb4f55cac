// Runs the CPU backend's graph executor on the shared TOSA conformance folders of the operators it
// implements and compares with the reference model's results: integers exactly, FP32 per the
// folder's compliance mode (DOT_PRODUCT within a bound derived from the error-bound file for now).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "backends/cpu/graph_executor.h"
#include "client/npy.h"
#include "engine/graph/graph.h"
#include "engine/graph/tosa_reader.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/conformance_case.h"
#include "tests/conformance/conformance_runner.h"

namespace inferd::cpu {
namespace {

namespace fs = std::filesystem;
using testing::ConformanceCase;
using testing::ConformanceOutput;

constexpr char kSkipMessage[] =
    "TOSA conformance set not found; set INFERD_TOSA_CONFORMANCE_DIR or place it at "
    "<repo>/../shared/tosa-conformance";

absl::StatusOr<Tensor> ReadNpy(const fs::path& path) { return ReadNpyFile(path.string()); }

// Compares one FP32 output under its desc.json compliance mode with the one comparison
// implementation, tests/conformance/compliance.h (via conformance::CompareOutput).
absl::Status CompareFp32(const ConformanceCase& c, const ConformanceOutput& out,
                         std::span<const float> got) {
  const std::vector<std::string> failures = conformance::CompareOutput(
      c.dir, out.name, graph::DType::kFp32,
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(got.data()), got.size_bytes()));
  if (failures.empty()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(failures.front(), ", mode ", out.mode));
}

absl::Status CompareExact(const ConformanceCase& c, const ConformanceOutput& out,
                          std::span<const uint8_t> got, size_t element_bytes) {
  auto expected = ReadNpy(c.dir / ("expected-" + out.name + ".npy"));
  if (!expected.ok()) return expected.status();
  std::span<const uint8_t> want = expected->bytes();
  if (want.size() != got.size()) {
    return absl::InternalError(absl::StrCat("expected ", want.size(), " bytes, got ", got.size()));
  }
  for (size_t i = 0; i < got.size(); i += element_bytes) {
    if (std::memcmp(got.data() + i, want.data() + i, element_bytes) != 0) {
      int64_t g = 0, w = 0;
      std::memcpy(&g, got.data() + i, element_bytes);
      std::memcpy(&w, want.data() + i, element_bytes);
      const int shift = 64 - 8 * static_cast<int>(element_bytes);  // sign-extend for the message
      return absl::InternalError(absl::StrCat(out.name, "[", i / element_bytes,
                                              "] = ", (g << shift) >> shift, ", expected ",
                                              (w << shift) >> shift));
    }
  }
  return absl::OkStatus();
}

absl::Status RunCase(const fs::path& dir) {
  absl::StatusOr<ConformanceCase> c = testing::ReadCase(dir);
  if (!c.ok()) return c.status();
  auto graph = graph::LoadTosaFile((dir / "test.tosa").string());
  if (!graph.ok()) return graph.status();
  auto executor = GraphExecutor::Create(*graph);
  if (!executor.ok()) return executor.status();
  const graph::Block& main = (*graph)->main_block();

  std::vector<Tensor> input_tensors;
  std::vector<std::span<const uint8_t>> inputs;
  for (graph::TensorId id : main.inputs) {
    const std::string& name = (*graph)->tensor(id).name;
    size_t k = 0;
    while (k < c->input_names.size() && c->input_names[k] != name) ++k;
    if (k == c->input_names.size()) {
      return absl::InternalError(absl::StrCat("no input file for graph input '", name, "'"));
    }
    auto tensor = ReadNpy(dir / c->input_files[k]);
    if (!tensor.ok()) return tensor.status();
    input_tensors.push_back(*std::move(tensor));
  }
  for (const Tensor& t : input_tensors) inputs.push_back(t.bytes());

  std::vector<std::vector<uint8_t>> output_storage;
  std::vector<std::span<uint8_t>> outputs;
  for (graph::TensorId id : main.outputs) {
    output_storage.emplace_back((*executor)->StorageBytes(id));
  }
  for (auto& storage : output_storage) outputs.emplace_back(storage);
  if (absl::Status status = (*executor)->Run(inputs, outputs); !status.ok()) return status;

  for (const ConformanceOutput& out : c->outputs) {
    size_t k = 0;
    while (k < main.outputs.size() && (*graph)->tensor(main.outputs[k]).name != out.name) ++k;
    if (k == main.outputs.size()) {
      return absl::InternalError(absl::StrCat("graph has no output '", out.name, "'"));
    }
    const graph::DType dtype = (*graph)->tensor(main.outputs[k]).dtype;
    absl::Status status;
    if (dtype == graph::DType::kFp32) {
      status = CompareFp32(
          *c, out,
          std::span<const float>(reinterpret_cast<const float*>(output_storage[k].data()),
                                 output_storage[k].size() / sizeof(float)));
    } else {
      status = CompareExact(*c, out, output_storage[k], StorageElementBytes(dtype));
    }
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

struct OperatorGroup {
  const char* label;
  const char* category;
  const char* prefix;  // folder-name prefix of the operator's groups in `category`
};

class CpuConformanceTest : public ::testing::TestWithParam<OperatorGroup> {};

TEST_P(CpuConformanceTest, MatchesReferenceModel) {
  const std::optional<fs::path> root = testing::ConformanceDir();
  if (!root.has_value()) GTEST_SKIP() << kSkipMessage;
  const OperatorGroup& op = GetParam();
  const std::vector<std::string> groups = testing::GroupsWithPrefix(*root, op.category, op.prefix);
  if (groups.empty()) GTEST_SKIP() << "no " << op.label << " folders under " << *root;
  int passed = 0, failed = 0;
  for (const std::string& group : groups) {
    for (const fs::path& dir : testing::CaseDirs(*root, group)) {
      const absl::Status status = RunCase(dir);
      if (status.ok()) {
        ++passed;
      } else {
        ++failed;
        ADD_FAILURE() << dir.filename().string() << ": " << status;
      }
    }
  }
  std::cout << op.label << ": " << passed << " conformance folders pass, " << failed << " fail\n";
  EXPECT_GT(passed + failed, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Operators, CpuConformanceTest,
    ::testing::Values(
        OperatorGroup{"conv2d", "tensor", "conv2d_"},
        OperatorGroup{"depthwise_conv2d", "tensor", "depthwise_conv2d_"},
        OperatorGroup{"matmul", "tensor", "matmul"},
        OperatorGroup{"max_pool2d", "tensor", "max_pool2d"},
        OperatorGroup{"avg_pool2d", "tensor", "avg_pool2d"},
        OperatorGroup{"rescale", "type_conversion", "rescale"},
        OperatorGroup{"add", "ew_binary", "add"}, OperatorGroup{"sub", "ew_binary", "sub"},
        OperatorGroup{"mul", "ew_binary", "mul"}, OperatorGroup{"table", "ew_binary", "table"},
        OperatorGroup{"clamp", "activation", "clamp"},
        OperatorGroup{"reshape", "data_layout", "reshape"},
        OperatorGroup{"transpose", "data_layout", "transpose"},
        OperatorGroup{"arithmetic_right_shift", "ew_binary", "arithmetic_"},
        OperatorGroup{"bitwise_and", "ew_binary", "bitwise_and"},
        OperatorGroup{"bitwise_or", "ew_binary", "bitwise_or"},
        OperatorGroup{"bitwise_xor", "ew_binary", "bitwise_xor"},
        OperatorGroup{"intdiv", "ew_binary", "intdiv"},
        OperatorGroup{"logical_and", "ew_binary", "logical_and"},
        OperatorGroup{"logical_left_shift", "ew_binary", "logical_left_shift"},
        OperatorGroup{"logical_or", "ew_binary", "logical_or"},
        OperatorGroup{"logical_right_shift", "ew_binary", "logical_right_shift"},
        OperatorGroup{"logical_xor", "ew_binary", "logical_xor"},
        OperatorGroup{"maximum", "ew_binary", "maximum"},
        OperatorGroup{"minimum", "ew_binary", "minimum"}, OperatorGroup{"pow", "ew_binary", "pow"},
        OperatorGroup{"abs", "ew_unary", "abs"},
        OperatorGroup{"bitwise_not", "ew_unary", "bitwise_not"},
        OperatorGroup{"ceil", "ew_unary", "ceil"}, OperatorGroup{"clz", "ew_unary", "clz"},
        OperatorGroup{"cos", "ew_unary", "cos"}, OperatorGroup{"exp", "ew_unary", "exp"},
        OperatorGroup{"floor", "ew_unary", "floor"}, OperatorGroup{"log", "ew_unary", "log"},
        OperatorGroup{"logical_not", "ew_unary", "logical_not"},
        OperatorGroup{"negate", "ew_unary", "negate"},
        OperatorGroup{"reciprocal", "ew_unary", "reciprocal"},
        OperatorGroup{"rsqrt", "ew_unary", "rsqrt"}, OperatorGroup{"sin", "ew_unary", "sin"},
        OperatorGroup{"select", "ew_ternary", "select"},
        OperatorGroup{"equal", "comparison", "equal"},
        // The "greater" prefix also takes in the greater_equal folders.
        OperatorGroup{"greater", "comparison", "greater"},
        OperatorGroup{"erf", "activation", "erf"},
        OperatorGroup{"sigmoid", "activation", "sigmoid"},
        OperatorGroup{"tanh", "activation", "tanh"},
        OperatorGroup{"cast", "type_conversion", "cast"},
        OperatorGroup{"concat", "data_layout", "concat"},
        OperatorGroup{"pad", "data_layout", "pad"},
        OperatorGroup{"reverse", "data_layout", "reverse"},
        OperatorGroup{"slice", "data_layout", "slice"},
        OperatorGroup{"tile", "data_layout", "tile"},
        OperatorGroup{"reduce_all", "reduction", "reduce_all"},
        OperatorGroup{"reduce_any", "reduction", "reduce_any"},
        OperatorGroup{"reduce_max", "reduction", "reduce_max"},
        OperatorGroup{"reduce_min", "reduction", "reduce_min"},
        OperatorGroup{"reduce_product", "reduction", "reduce_product"},
        OperatorGroup{"reduce_sum", "reduction", "reduce_sum"},
        OperatorGroup{"argmax", "tensor", "argmax"},
        OperatorGroup{"gather", "scatter_gather", "gather"},
        OperatorGroup{"scatter", "scatter_gather", "scatter"},
        OperatorGroup{"conv3d", "tensor", "conv3d_"},
        OperatorGroup{"transpose_conv2d", "tensor", "transpose_conv2d_"},
        OperatorGroup{"resize", "image", "resize"}, OperatorGroup{"fft2d", "tensor", "fft2d"},
        OperatorGroup{"rfft2d", "tensor", "rfft2d"}),
    [](const ::testing::TestParamInfo<OperatorGroup>& info) { return info.param.label; });

}  // namespace
}  // namespace inferd::cpu

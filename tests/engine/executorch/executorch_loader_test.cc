// LoadDelegatedProgram and QuantizedEdgesExecutable, with the engine tests' echo executable as the
// delegate (output i is input i): the backend is handed the payload with the delegate's integer
// tensors, and a batch of floats is quantized on the way in and dequantized on the way out as
// ExecuTorch's kernels do, in the delegate's argument order.
#include "engine/executorch/executorch_loader.h"

#include <gtest/gtest.h>

#include <limits>

#include "absl/synchronization/notification.h"
#include "engine/executorch/quantized_edges_executable.h"
#include "tests/engine/executorch/executorch_files.h"
#include "tests/engine/test_backend.h"

namespace inferd::executorch {
namespace {

using testing::GenerateProgram;

const std::vector<uint8_t> kLoaderPayload(32, 0x11);

BackendLoadRequest Request(std::vector<uint8_t> bytes, std::vector<TensorSpec> inputs,
                           std::vector<TensorSpec> outputs) {
  BackendLoadRequest request;
  request.model_name = "edges";
  request.model_bytes = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  request.max_batch_size = 4;
  request.inputs = std::move(inputs);
  request.outputs = std::move(outputs);
  return request;
}

absl::StatusOr<BatchResult> RunBatch(Executable& executable, std::vector<Tensor> inputs) {
  Batch batch;
  batch.batch_size = inputs[0].shape()[0];
  batch.inputs = std::move(inputs);
  batch.cancellation = std::make_shared<CancellationToken>();
  absl::StatusOr<BatchResult> out = absl::UnknownError("no answer");
  absl::Notification done;
  executable.Execute(std::move(batch), [&](absl::StatusOr<BatchResult> result) {
    out = std::move(result);
    done.Notify();
  });
  done.WaitForNotification();
  return out;
}

TEST(ExecuTorchLoaderTest, RunsTheFloatEdgesOnTheHostAroundTheDelegate) {
  auto control = std::make_shared<::inferd::testing::TestBackendControl>();
  BackendLoadRequest seen;
  const BackendLoadRequest request =
      Request(GenerateProgram(kLoaderPayload,
                              {"--input", "Float:1,4@0.5,1", "--output", "Float:1,4@0.25,-2"}),
              {{"x", DataType::kFp32, {4}}}, {{"y", DataType::kFp32, {4}}});
  auto executable = LoadDelegatedProgram(
      request, "test", {"EthosUBackend"},
      [&](const BackendLoadRequest& delegate_request, const DelegatedProgram& program) {
        seen = delegate_request;
        EXPECT_TRUE(program.HasQuantizedEdges());
        return absl::StatusOr<std::unique_ptr<Executable>>(
            ::inferd::testing::MakeEchoExecutable(control));
      });
  ASSERT_TRUE(executable.ok()) << executable.status();
  ASSERT_NE(seen.model_bytes, nullptr);
  EXPECT_EQ(*seen.model_bytes, kLoaderPayload);
  ASSERT_EQ(seen.inputs.size(), 1u);
  EXPECT_EQ(seen.inputs[0].name, "x");
  EXPECT_EQ(seen.inputs[0].dtype, DataType::kInt8);
  EXPECT_EQ(seen.inputs[0].dims, (Shape{4}));
  ASSERT_EQ(seen.outputs.size(), 1u);
  EXPECT_EQ(seen.outputs[0].dtype, DataType::kInt8);
  EXPECT_EQ(seen.max_batch_size, 4);

  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = Tensor::Allocate(DataType::kFp32, {2, 4});
  const float values[] = {0.0f, 0.25f, 0.75f, -1.0f, 1000.0f, -1000.0f, nan, 2.5f};
  std::copy(std::begin(values), std::end(values), x.mutable_values<float>().begin());
  auto result = RunBatch(**executable, {x});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->outputs.size(), 1u);
  const Tensor& y = result->outputs[0];
  EXPECT_EQ(y.dtype(), DataType::kFp32);
  EXPECT_EQ(y.shape(), (Shape{2, 4}));
  // In: q = clamp(1 + round_even(2 x)); the echo returns q; out: (q + 2) * 0.25.
  const auto got = y.values<float>();
  const std::vector<int> q = {1, 1, 3, -1, 127, -128, 0, 6};
  for (size_t i = 0; i < q.size(); ++i) {
    EXPECT_EQ(got[i], static_cast<float>(q[i] + 2) * 0.25f) << "element " << i;
  }
}

TEST(ExecuTorchLoaderTest, PassesIntegerProgramsStraightThroughAndChecksTheConfig) {
  auto control = std::make_shared<::inferd::testing::TestBackendControl>();
  auto echo = [&](const BackendLoadRequest&, const DelegatedProgram&) {
    return absl::StatusOr<std::unique_ptr<Executable>>(
        ::inferd::testing::MakeEchoExecutable(control));
  };
  const std::vector<uint8_t> bytes =
      GenerateProgram(kLoaderPayload, {"--input", "Char:1,4", "--output", "Char:1,4"});
  auto plain = LoadDelegatedProgram(
      Request(bytes, {{"x", DataType::kInt8, {4}}}, {{"y", DataType::kInt8, {4}}}), "test",
      {"EthosUBackend"}, echo);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(dynamic_cast<const QuantizedEdgesExecutable*>(plain->get()), nullptr);

  auto other = LoadDelegatedProgram(
      Request(bytes, {{"x", DataType::kInt8, {4}}}, {{"y", DataType::kInt8, {4}}}), "tosa_cpu",
      {"VgfBackend"}, echo);
  EXPECT_EQ(other.status().message(),
            "method 'forward' has a delegate for 'EthosUBackend'; the tosa_cpu backend takes "
            "VgfBackend only");
  auto wrong = LoadDelegatedProgram(
      Request(
          GenerateProgram(kLoaderPayload, {"--input", "Float:1,4@0.5,0", "--output", "Char:1,4"}),
          {{"x", DataType::kInt8, {4}}}, {{"y", DataType::kInt8, {4}}}),
      "test", {"EthosUBackend"}, echo);
  EXPECT_TRUE(absl::IsInvalidArgument(wrong.status()));
  EXPECT_NE(wrong.status().message().find("inputs 'x': the program has FP32, the config INT8"),
            absl::string_view::npos)
      << wrong.status();
}

}  // namespace
}  // namespace inferd::executorch

#include "backends/cpu/cpu_backend.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "backends/cpu/graph_executor.h"
#include "engine/graph/graph.h"
#include "engine/graph/graph_validator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/graph_builder.h"

namespace inferd::cpu {
namespace {

using test_graphs::GraphBuilder;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// y = x + [10, 20, 30] on INT32 [1, 3].
std::shared_ptr<const graph::Graph> AddGraph() {
  GraphBuilder b;
  const auto x = b.Input("x", graph::DType::kInt32, {1, 3});
  const auto c = b.Const<int32_t>("c", graph::DType::kInt32, {1, 3}, {10, 20, 30});
  const auto y = b.Tensor("y", graph::DType::kInt32, {1, 3});
  b.Add(graph::Op::kAdd, {}, {x, c}, {y});
  b.Output(y);
  return b.Build();
}

BackendLoadRequest Request(std::shared_ptr<const graph::Graph> graph, int max_batch_size,
                           Shape dims) {
  BackendLoadRequest request;
  request.model_name = "m";
  request.graph = std::move(graph);
  request.max_batch_size = max_batch_size;
  const graph::Graph& g = *request.graph;
  for (graph::TensorId id : g.main_block().inputs) {
    request.inputs.push_back(TensorSpec{g.tensor(id).name, DataType::kInt32, dims});
  }
  for (graph::TensorId id : g.main_block().outputs) {
    request.outputs.push_back(TensorSpec{g.tensor(id).name, DataType::kInt32, dims});
  }
  return request;
}

Tensor Int32Tensor(Shape shape, const std::vector<int32_t>& values) {
  Tensor t = Tensor::Allocate(DataType::kInt32, std::move(shape));
  std::memcpy(t.mutable_bytes().data(), values.data(), values.size() * sizeof(int32_t));
  return t;
}

absl::StatusOr<BatchResult> ExecuteNow(Executable& executable, Batch batch) {
  std::optional<absl::StatusOr<BatchResult>> result;
  executable.Execute(std::move(batch),
                     [&result](absl::StatusOr<BatchResult> r) { result = std::move(r); });
  EXPECT_TRUE(result.has_value()) << "the CPU backend completes before Execute returns";
  return result.value_or(absl::InternalError("no completion"));
}

Batch MakeBatch(std::vector<Tensor> inputs, int64_t batch_size) {
  Batch batch;
  batch.inputs = std::move(inputs);
  batch.batch_size = batch_size;
  batch.cancellation = std::make_shared<CancellationToken>();
  return batch;
}

std::vector<int32_t> Values(const Tensor& t) {
  auto v = t.values<int32_t>();
  return std::vector<int32_t>(v.begin(), v.end());
}

TEST(CpuBackendTest, NameAndDefaultFile) {
  CpuBackend backend;
  EXPECT_EQ(backend.name(), "tosa_cpu");
  EXPECT_EQ(backend.default_model_filename(), "model.tosa");
}

TEST(CpuBackendTest, RunsAGraphWithoutBatching) {
  CpuBackend backend;
  auto executable = backend.Load(Request(AddGraph(), 0, {1, 3}));
  ASSERT_TRUE(executable.ok()) << executable.status();
  auto result = ExecuteNow(**executable, MakeBatch({Int32Tensor({1, 3}, {1, 2, 3})}, 1));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->outputs.size(), 1u);
  EXPECT_THAT(result->outputs[0].shape(), ElementsAre(1, 3));
  EXPECT_THAT(Values(result->outputs[0]), ElementsAre(11, 22, 33));
}

TEST(CpuBackendTest, CpuThreadsParameterSetsTheKernelThreads) {
  CpuBackend backend;
  BackendLoadRequest request = Request(AddGraph(), 0, {1, 3});
  request.parameters["cpu_threads"] = "3";
  auto executable = backend.Load(request);
  ASSERT_TRUE(executable.ok()) << executable.status();
  auto result = ExecuteNow(**executable, MakeBatch({Int32Tensor({1, 3}, {1, 2, 3})}, 1));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Values(result->outputs[0]), ElementsAre(11, 22, 33));
}

TEST(CpuBackendTest, BadCpuThreadsFailsTheLoad) {
  CpuBackend backend;
  for (const char* value : {"0", "-1", "two", "2.5", "", "65"}) {
    BackendLoadRequest request = Request(AddGraph(), 0, {1, 3});
    request.parameters["cpu_threads"] = value;
    auto executable = backend.Load(request);
    ASSERT_FALSE(executable.ok()) << "cpu_threads '" << value << "'";
    EXPECT_EQ(executable.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(executable.status().message(), HasSubstr("cpu_threads"));
  }
}

TEST(CpuBackendTest, BatchedModelRunsTheGraphPerItem) {
  CpuBackend backend;
  auto executable = backend.Load(Request(AddGraph(), 8, {3}));
  ASSERT_TRUE(executable.ok()) << executable.status();
  auto result =
      ExecuteNow(**executable, MakeBatch({Int32Tensor({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})}, 3));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->outputs[0].shape(), ElementsAre(3, 3));
  EXPECT_THAT(Values(result->outputs[0]), ElementsAre(11, 22, 33, 14, 25, 36, 17, 28, 39));
}

// A running sum kept in a variable: each batch item sees the writes of the items before it, and
// the state outlives the batch (docs/tosa-format.md, "Variables").
TEST(CpuBackendTest, VariableStatePersistsAcrossBatchItemsAndBatches) {
  GraphBuilder b;
  const auto x = b.Input("x", graph::DType::kInt32, {1, 3});
  const auto sum =
      b.Tensor("sum", graph::DType::kInt32, {1, 3}, test_graphs::BytesOf<int32_t>({100, 200, 300}));
  b.graph().tensors[sum].variable = true;
  const auto old = b.Tensor("old", graph::DType::kInt32, {1, 3});
  const auto y = b.Tensor("y", graph::DType::kInt32, {1, 3});
  b.Add(graph::Op::kVariable, {}, {}, {sum});
  b.Add(graph::Op::kVariableRead, {}, {sum}, {old});
  b.Add(graph::Op::kAdd, {}, {old, x}, {y});
  b.Add(graph::Op::kVariableWrite, {}, {y}, {sum});
  b.Output(y);
  CpuBackend backend;
  auto executable = backend.Load(Request(b.Build(), 8, {3}));
  ASSERT_TRUE(executable.ok()) << executable.status();
  auto first = ExecuteNow(**executable, MakeBatch({Int32Tensor({2, 3}, {1, 2, 3, 10, 20, 30})}, 2));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(Values(first->outputs[0]), ElementsAre(101, 202, 303, 111, 222, 333));
  auto second = ExecuteNow(**executable, MakeBatch({Int32Tensor({1, 3}, {0, 0, 1})}, 1));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(Values(second->outputs[0]), ElementsAre(111, 222, 334));
}

TEST(CpuBackendTest, BatchingNeedsALeadingDimensionOfOne) {
  GraphBuilder b;
  const auto x = b.Input("x", graph::DType::kInt32, {2, 3});
  const auto y = b.Tensor("y", graph::DType::kInt32, {2, 3});
  b.Add(graph::Op::kIdentity, {}, {x}, {y});
  b.Output(y);
  CpuBackend backend;
  auto executable = backend.Load(Request(b.Build(), 4, {3}));
  ASSERT_FALSE(executable.ok());
  EXPECT_EQ(executable.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(executable.status().message(), HasSubstr("leading dimension of 1"));
}

// FP8 inside a graph with FP32 edges: the round trip through E4M3 rounds to nearest even and
// turns what E4M3 cannot hold into NaN.
TEST(CpuBackendTest, Fp8InsideAGraphRuns) {
  GraphBuilder b;
  const auto x = b.Input("x", graph::DType::kFp32, {4});
  const auto narrow = b.Tensor("narrow", graph::DType::kFp8E4M3, {4});
  const auto y = b.Tensor("y", graph::DType::kFp32, {4});
  b.Add(graph::Op::kCast, {}, {x}, {narrow});
  b.Add(graph::Op::kCast, {}, {narrow}, {y});
  b.Output(y);
  CpuBackend backend;
  BackendLoadRequest request = Request(b.Build(), 0, {4});
  request.inputs[0].dtype = request.outputs[0].dtype = DataType::kFp32;
  auto executable = backend.Load(request);
  ASSERT_TRUE(executable.ok()) << executable.status();
  Tensor input = Tensor::Allocate(DataType::kFp32, {4});
  const float values[] = {1.0f, 1.0625f, 500.0f, -3.0f};
  std::memcpy(input.mutable_bytes().data(), values, sizeof values);
  auto result = ExecuteNow(**executable, MakeBatch({input}, 1));
  ASSERT_TRUE(result.ok()) << result.status();
  const auto output = result->outputs[0].values<float>();
  ASSERT_EQ(output.size(), 4u);
  EXPECT_EQ(output[0], 1.0f);
  EXPECT_EQ(output[1], 1.0f);
  EXPECT_TRUE(std::isnan(output[2]));
  EXPECT_EQ(output[3], -3.0f);
}

TEST(CpuBackendTest, NonTosaModelIsRejected) {
  CpuBackend backend;
  BackendLoadRequest request;
  request.model_name = "m";
  request.model_path = "/models/m/1/model.onnx";
  auto executable = backend.Load(request);
  EXPECT_EQ(executable.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CpuBackendTest, WrongInputSizeIsInvalidArgument) {
  CpuBackend backend;
  auto executable = backend.Load(Request(AddGraph(), 0, {1, 3}));
  ASSERT_TRUE(executable.ok());
  auto result = ExecuteNow(**executable, MakeBatch({Int32Tensor({1, 2}, {1, 2})}, 1));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CpuBackendTest, CancelledBatchCompletesWithCancelled) {
  CpuBackend backend;
  auto executable = backend.Load(Request(AddGraph(), 0, {1, 3}));
  ASSERT_TRUE(executable.ok());
  Batch batch = MakeBatch({Int32Tensor({1, 3}, {1, 2, 3})}, 1);
  batch.cancellation->Cancel();
  EXPECT_EQ(ExecuteNow(**executable, std::move(batch)).status().code(),
            absl::StatusCode::kCancelled);
}

TEST(CpuBackendTest, IntegerOverflowFailsTheInferenceNamingTheOperator) {
  CpuBackend backend;
  auto executable = backend.Load(Request(AddGraph(), 0, {1, 3}));
  ASSERT_TRUE(executable.ok());
  auto result = ExecuteNow(**executable, MakeBatch({Int32Tensor({1, 3}, {INT32_MAX, 0, 0})}, 1));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(result.status().message(), HasSubstr("model 'm'"));
  EXPECT_THAT(result.status().message(), HasSubstr("ADD"));
}

// RESCALE whose zero points arrive as graph inputs: operand values are read at run time.
TEST(GraphExecutorTest, RescaleReadsOperandValuesAtRunTime) {
  GraphBuilder b;
  const auto x = b.Input("x", graph::DType::kInt8, {1, 4});
  const auto input_zp = b.Input("input_zp", graph::DType::kInt8, {1});
  const auto multiplier =
      b.Const<int32_t>("multiplier", graph::DType::kInt32, {1}, {1 << 30});  // x 1/2
  const auto shift = b.Const<int8_t>("shift", graph::DType::kInt8, {1}, {31});
  const auto output_zp = b.Const<int8_t>("output_zp", graph::DType::kInt8, {1}, {-1});
  const auto y = b.Tensor("y", graph::DType::kInt8, {1, 4});
  graph::RescaleAttr attr;
  attr.scale32 = true;
  attr.rounding_mode = graph::RoundingMode::kSingleRound;
  b.Add(graph::Op::kRescale, attr, {x, multiplier, shift, input_zp, output_zp}, {y});
  b.Output(y);
  auto executor = GraphExecutor::Create(b.Build());
  ASSERT_TRUE(executor.ok()) << executor.status();

  const int8_t in[4] = {1, 3, -3, 100};
  int8_t out[4] = {};
  for (int8_t zp : {0, -1}) {
    const int8_t zp_value[1] = {zp};
    const std::span<const uint8_t> inputs[2] = {{reinterpret_cast<const uint8_t*>(in), 4},
                                                {reinterpret_cast<const uint8_t*>(zp_value), 1}};
    const std::span<uint8_t> outputs[1] = {{reinterpret_cast<uint8_t*>(out), 4}};
    ASSERT_TRUE((*executor)->Run(inputs, outputs).ok());
    if (zp == 0) {
      // (1, 3, -3, 100) / 2 rounded half up, minus 1.
      EXPECT_THAT(out, ElementsAre(0, 1, -2, 49));
    } else {
      // (2, 4, -2, 101) / 2 - 1.
      EXPECT_THAT(out, ElementsAre(0, 1, -2, 50));
    }
  }
}

// A chain long enough for the memory plan to reuse buffers, run twice to show runs are repeatable.
TEST(GraphExecutorTest, ChainReusesArenaAndRepeats) {
  GraphBuilder b;
  graph::TensorId current = b.Input("x", graph::DType::kFp32, {1, 256});
  const auto two = b.Const<float>("two", graph::DType::kFp32, {1, 1}, {2.0f});
  for (int i = 0; i < 6; ++i) {
    const auto next = b.Tensor("t" + std::to_string(i), graph::DType::kFp32, {1, 256});
    b.Add(graph::Op::kMul, {},
          {current, two, b.Const<int8_t>("s" + std::to_string(i), graph::DType::kInt8, {1}, {0})},
          {next});
    current = next;
  }
  b.Output(current);
  auto executor = GraphExecutor::Create(b.Build());
  ASSERT_TRUE(executor.ok()) << executor.status();
  EXPECT_LE((*executor)->arena_bytes(), 3u * 1024u);  // not 7 buffers of 1 KiB
  std::vector<float> in(256), out(256);
  for (int i = 0; i < 256; ++i) in[i] = static_cast<float>(i);
  for (int run = 0; run < 2; ++run) {
    const std::span<const uint8_t> inputs[1] = {
        {reinterpret_cast<const uint8_t*>(in.data()), in.size() * 4}};
    const std::span<uint8_t> outputs[1] = {
        {reinterpret_cast<uint8_t*>(out.data()), out.size() * 4}};
    ASSERT_TRUE((*executor)->Run(inputs, outputs).ok());
    for (int i = 0; i < 256; ++i) ASSERT_EQ(out[i], 64.0f * i);
  }
}

}  // namespace
}  // namespace inferd::cpu

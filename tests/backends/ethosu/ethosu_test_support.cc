#include "tests/backends/ethosu/ethosu_test_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "backends/cpu/cpu_backend.h"
#include "backends/ethosu/payload/vela_bin_stream.h"
#include "engine/graph/tosa_reader.h"
#include "tests/engine/executorch/executorch_files.h"

namespace inferd::ethosu::testing {

std::shared_ptr<const std::vector<uint8_t>> DigitsInt8Bytes() {
  std::ifstream in(std::string(INFERD_SOURCE_DIR) + "/examples/models/digits_int8/1/model.tosa",
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << "examples/models/digits_int8/1/model.tosa is missing";
  return std::make_shared<const std::vector<uint8_t>>(std::istreambuf_iterator<char>(in),
                                                      std::istreambuf_iterator<char>());
}

BackendLoadRequest DigitsInt8Request(int64_t max_batch_size) {
  BackendLoadRequest request;
  request.model_name = "digits_int8";
  request.model_bytes = DigitsInt8Bytes();
  auto graph = graph::LoadTosaGraph(*request.model_bytes);
  EXPECT_TRUE(graph.ok()) << graph.status();
  if (graph.ok()) request.graph = *graph;
  request.max_batch_size = max_batch_size;
  request.inputs = {{"images", DataType::kInt8, {8, 8, 1}}};
  request.outputs = {{"scores", DataType::kInt8, {10}}};
  return request;
}

::testing::AssertionResult MatchesCpuReference(const Tensor& scores, const Tensor& images) {
  const Tensor expected = CpuReferenceScores(images);
  if (std::equal(scores.bytes().begin(), scores.bytes().end(), expected.bytes().begin(),
                 expected.bytes().end())) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "scores differ from the CPU backend's";
}

std::vector<uint8_t> GeneratePte(const std::vector<uint8_t>& stream,
                                 std::vector<std::string> args) {
  return executorch::testing::GenerateProgram(stream, std::move(args));
}

std::shared_ptr<TargetPool> PoolWithTcpTarget(const std::string& name, const std::string& address) {
  auto pool = std::make_shared<TargetPool>();
  TargetConfig config;
  config.name = name;
  config.kind = "tcp";
  config.address = address;
  const absl::Status status = pool->AddTarget(config);
  EXPECT_TRUE(status.ok()) << status;
  return pool;
}

std::vector<uint8_t> DigitsLikeVelaStream(uint32_t scratch) {
  const std::vector<uint8_t> cmd = {'C', 'O', 'P', '1', 0, 0, 0, 0, 1, 2, 3};
  const std::vector<uint8_t> weights(100, 9);
  VelaIo in;
  in.shape = {1, 8, 8, 1};
  in.element_size = 1;
  VelaIo out;
  out.shape = {1, 1, 1, 10};
  out.element_size = 1;
  out.offset = 64;
  return BuildVelaBinStream(cmd, weights, scratch, {in}, {out});
}

Tensor DigitsImages(int64_t n, uint32_t seed) {
  Tensor images = Tensor::Allocate(DataType::kInt8, {n, 8, 8, 1});
  uint32_t state = seed * 2654435761u + 1;
  for (int8_t& value : images.mutable_values<int8_t>()) {
    state = state * 1664525u + 1013904223u;
    value = static_cast<int8_t>(state >> 24);
  }
  return images;
}

Tensor CpuReferenceScores(const Tensor& images) {
  auto graph = graph::LoadTosaGraph(*DigitsInt8Bytes());
  EXPECT_TRUE(graph.ok()) << graph.status();
  BackendLoadRequest request;
  request.model_name = "digits_int8";
  request.graph = *graph;
  request.model_bytes = DigitsInt8Bytes();
  request.max_batch_size = 64;
  request.inputs = {{"images", DataType::kInt8, {8, 8, 1}}};
  request.outputs = {{"scores", DataType::kInt8, {10}}};
  cpu::CpuBackend backend;
  auto executable = backend.Load(request);
  EXPECT_TRUE(executable.ok()) << executable.status();
  Batch batch;
  batch.inputs = {images};
  batch.batch_size = images.shape()[0];
  batch.cancellation = std::make_shared<CancellationToken>();
  Tensor scores;
  (*executable)->Execute(std::move(batch), [&](absl::StatusOr<BatchResult> result) {
    EXPECT_TRUE(result.ok()) << result.status();
    if (result.ok()) scores = result->outputs[0];
  });
  return scores;
}

AgentOptions SmallNpuAgentOptions() {
  AgentOptions options;
  options.extra_executors = INFERD_TP_EXEC_ETHOSU;
  options.dram_bytes = 1 << 20;
  options.sram_bytes = 1 << 16;
  return options;
}

RunningAgent StartAgent(AgentOptions options, int port) {
  RunningAgent agent;
  agent.core = std::make_shared<AgentCore>(options);
  agent.server = std::make_unique<AgentServer>(agent.core);
  const absl::Status status = agent.server->Start("127.0.0.1", port);
  EXPECT_TRUE(status.ok()) << status;
  return agent;
}

absl::StatusOr<BatchResult> ExecuteAndWait(Executable& executable, const Tensor& input,
                                           absl::Duration deadline_in) {
  Batch batch;
  batch.inputs = {input};
  batch.batch_size = input.shape().empty() ? 1 : input.shape()[0];
  batch.cancellation = std::make_shared<CancellationToken>();
  batch.deadline = absl::Now() + deadline_in;
  std::promise<absl::StatusOr<BatchResult>> promise;
  executable.Execute(std::move(batch), [&](absl::StatusOr<BatchResult> result) {
    promise.set_value(std::move(result));
  });
  return promise.get_future().get();
}

}  // namespace inferd::ethosu::testing

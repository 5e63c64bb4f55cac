#include "tests/backends/ethosu/ethosu_test_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <iterator>

#include "absl/time/clock.h"
#include "backends/cpu/cpu_backend.h"
#include "engine/graph/tosa_reader.h"

namespace inferd::ethosu::testing {

std::shared_ptr<const std::vector<uint8_t>> DigitsInt8Bytes() {
  std::ifstream in(std::string(INFERD_SOURCE_DIR) + "/examples/models/digits_int8/1/model.tosa",
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << "examples/models/digits_int8/1/model.tosa is missing";
  return std::make_shared<const std::vector<uint8_t>>(std::istreambuf_iterator<char>(in),
                                                      std::istreambuf_iterator<char>());
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

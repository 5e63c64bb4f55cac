// Shared by the ethosu tests: the digits_int8 example graph, its CPU-backend reference outputs,
// and a host agent served on a loopback port.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "backends/ethosu/host_agent/agent_core.h"
#include "backends/ethosu/host_agent/agent_server.h"
#include "backends/ethosu/target_pool.h"
#include "engine/backend.h"
#include "engine/tensor.h"
#include "gtest/gtest.h"

namespace inferd::ethosu::testing {

// examples/models/digits_int8/1/model.tosa.
std::shared_ptr<const std::vector<uint8_t>> DigitsInt8Bytes();

// Deterministic int8 images [n,8,8,1].
Tensor DigitsImages(int64_t n, uint32_t seed = 1);

// Scores [n,10] from the tosa_cpu backend for the same images.
Tensor CpuReferenceScores(const Tensor& images);

// Runs one batch of `input` (rows = batch size) on `executable` and waits for its completion;
// `deadline_in` becomes the batch's deadline (infinite when not given).
absl::StatusOr<BatchResult> ExecuteAndWait(Executable& executable, const Tensor& input,
                                           absl::Duration deadline_in = absl::InfiniteDuration());

// A load request for the digits_int8 graph (inputs [8,8,1] int8, outputs [10] int8).
BackendLoadRequest DigitsInt8Request(int64_t max_batch_size);

// Whether `scores` are byte for byte the CPU backend's scores for `images`.
::testing::AssertionResult MatchesCpuReference(const Tensor& scores, const Tensor& images);

// A small, well-formed Vela bin stream shaped like digits: int8 [1,8,8,1] in, int8 [1,10] out.
std::vector<uint8_t> DigitsLikeVelaStream(uint32_t scratch = 4096);

// `stream` wrapped into an ExecuTorch program by tools/executorch_pte.py, with the generator's
// `args` (digits-like IO unless they give --input).
std::vector<uint8_t> GeneratePte(const std::vector<uint8_t>& stream,
                                 std::vector<std::string> args = {});

// A pool with one TCP target `name` at `address`.
std::shared_ptr<TargetPool> PoolWithTcpTarget(const std::string& name, const std::string& address);

// A host agent that claims an Ethos-U executor with 1 MiB of DRAM and 64 KiB of SRAM: a target
// that a network with a larger scratch does not fit (networks for the NPU it refuses at load).
AgentOptions SmallNpuAgentOptions();

// A host agent on 127.0.0.1:<port> (0: any free port).
struct RunningAgent {
  std::shared_ptr<AgentCore> core;
  std::unique_ptr<AgentServer> server;
  std::string address() const { return "127.0.0.1:" + std::to_string(server->port()); }
};
RunningAgent StartAgent(AgentOptions options = {}, int port = 0);

}  // namespace inferd::ethosu::testing

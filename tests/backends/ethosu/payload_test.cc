// Vela bin stream parsing, and the ethosu backend's use of it: IO validated against the config,
// scratch size checked against the target's memory before anything is sent.
#include <gtest/gtest.h>

#include <future>

#include "absl/time/clock.h"
#include "backends/ethosu/ethosu_backend.h"
#include "backends/ethosu/payload/vela_bin_stream.h"
#include "tests/backends/ethosu/ethosu_test_support.h"

namespace inferd::ethosu {
namespace {

std::vector<uint8_t> DigitsLikeStream(uint32_t scratch = 4096) {
  return testing::DigitsLikeVelaStream(scratch);
}

TEST(VelaBinStreamTest, ParsesWhatItBuilds) {
  const auto bytes = DigitsLikeStream();
  EXPECT_TRUE(LooksLikeVelaBinStream(bytes));
  EXPECT_EQ(bytes.size() % 16, 0u);
  auto stream = ParseVelaBinStream(bytes);
  ASSERT_TRUE(stream.ok()) << stream.status();
  EXPECT_EQ(stream->scratch_size, 4096u);
  EXPECT_EQ(stream->cmd_data.size(), 11u);
  EXPECT_EQ(stream->weight_data.size(), 100u);
  ASSERT_EQ(stream->inputs.size(), 1u);
  EXPECT_EQ(stream->inputs[0].bytes(), 64);
  ASSERT_EQ(stream->outputs.size(), 1u);
  EXPECT_EQ(stream->outputs[0].offset, 64);
}

TEST(VelaBinStreamTest, ReadsSixDimensionalIoEntries) {
  // ExecuTorch's Arm backend writes 6-D IO shapes since 2025; the block size tells them apart.
  const std::vector<uint8_t> cmd = {'C', 'O', 'P', '1'};
  VelaIo in;
  in.rank = 6;
  in.shape = {1, 1, 1, 8, 8, 1};
  in.element_size = 1;
  VelaIo out;
  out.rank = 6;
  out.shape = {1, 1, 1, 1, 1, 10};
  out.element_size = 2;
  out.offset = 64;
  const auto bytes = BuildVelaBinStream(cmd, {}, 256, {in, in}, {out}, /*io_rank=*/6);
  auto stream = ParseVelaBinStream(bytes);
  ASSERT_TRUE(stream.ok()) << stream.status();
  ASSERT_EQ(stream->inputs.size(), 2u);
  EXPECT_EQ(stream->inputs[1].rank, 6);
  EXPECT_EQ(stream->inputs[1].bytes(), 64);
  ASSERT_EQ(stream->outputs.size(), 1u);
  EXPECT_EQ(stream->outputs[0].bytes(), 20);
  EXPECT_EQ(stream->outputs[0].offset, 64);
}

TEST(VelaBinStreamTest, RefusesMalformedStreams) {
  const auto good = DigitsLikeStream();
  auto expect_error = [](std::vector<uint8_t> bytes, std::string_view fragment) {
    auto stream = ParseVelaBinStream(bytes);
    ASSERT_FALSE(stream.ok());
    EXPECT_NE(stream.status().message().find(std::string(fragment)), absl::string_view::npos)
        << stream.status();
  };
  expect_error({}, "too short");
  auto truncated = good;
  truncated.resize(truncated.size() - 32);  // drops the end block
  expect_error(truncated, "vela_end_stream");
  auto bad_magic = good;
  bad_magic[32 + 32] = 'X';  // first byte of cmd_data
  expect_error(bad_magic, "COP1");
  auto huge_block = good;
  huge_block[32 + 16 + 3] = 0x7F;  // cmd_data size
  expect_error(huge_block, "runs past the end");
  auto unaligned = good;
  unaligned.push_back(0);
  expect_error(unaligned, "multiple of 16");
  auto wrong_first = good;
  wrong_first[0] = 'X';
  expect_error(wrong_first, "does not start");
  // An IO count larger than the block.
  const std::vector<uint8_t> cmd = {'C', 'O', 'P', '2'};
  VelaIo io;
  io.shape = {1, 1, 1, 1};
  io.element_size = 3;
  expect_error(BuildVelaBinStream(cmd, {}, 0, {io}, {}), "element size 3");
}

BackendLoadRequest VelaRequest(std::shared_ptr<const std::vector<uint8_t>> bytes) {
  BackendLoadRequest request;
  request.model_name = "digits_vela";
  request.model_bytes = std::move(bytes);
  request.max_batch_size = 0;
  request.inputs = {{"images", DataType::kInt8, {1, 8, 8, 1}}};
  request.outputs = {{"scores", DataType::kInt8, {1, 10}}};
  return request;
}

TEST(EthosuBackendVelaTest, ChecksIoAgainstTheConfig) {
  auto agent = testing::StartAgent();
  EthosuBackend backend(testing::PoolWithTcpTarget("a", agent.address()));
  auto bytes = std::make_shared<const std::vector<uint8_t>>(DigitsLikeStream());
  EXPECT_TRUE(backend.Load(VelaRequest(bytes)).ok());
  auto wrong = VelaRequest(bytes);
  wrong.inputs[0].dims = {1, 4, 4, 1};
  auto status = backend.Load(wrong).status();
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_NE(status.message().find("64 bytes"), absl::string_view::npos) << status;
  auto garbage = VelaRequest(std::make_shared<const std::vector<uint8_t>>(200, 1));
  EXPECT_TRUE(absl::IsInvalidArgument(backend.Load(garbage).status()));
}

absl::StatusOr<BatchResult> RunOnce(Executable& executable) {
  return testing::ExecuteAndWait(executable, Tensor::Allocate(DataType::kInt8, {1, 8, 8, 1}),
                                 absl::Seconds(30));
}

// The same for the stream alone (model.bin) and inside an ExecuTorch program (model.pte).
TEST(EthosuBackendVelaTest, ScratchLargerThanTheTargetIsRefusedWithBothSizes) {
  auto agent = testing::StartAgent(testing::SmallNpuAgentOptions());
  EthosuBackend backend(testing::PoolWithTcpTarget("small", agent.address()));
  const auto stream = DigitsLikeStream(/*scratch=*/8u << 20);
  for (const auto& model : {stream, testing::GeneratePte(stream)}) {
    auto executable =
        backend.Load(VelaRequest(std::make_shared<const std::vector<uint8_t>>(model)));
    ASSERT_TRUE(executable.ok()) << executable.status();
    auto result = RunOnce(**executable);
    ASSERT_TRUE(absl::IsResourceExhausted(result.status())) << result.status();
    EXPECT_NE(result.status().message().find("8388608"), absl::string_view::npos);
    EXPECT_NE(result.status().message().find("1048576"), absl::string_view::npos);
  }
  EXPECT_EQ(agent.core->uploads_completed(), 0u);
}

TEST(EthosuBackendVelaTest, AVelaNetworkNeedsATargetWithAnNpuExecutor) {
  auto agent = testing::StartAgent();  // TOSA on the CPU only
  EthosuBackend backend(testing::PoolWithTcpTarget("cpu-only", agent.address()));
  auto executable =
      backend.Load(VelaRequest(std::make_shared<const std::vector<uint8_t>>(DigitsLikeStream())));
  ASSERT_TRUE(executable.ok());
  auto result = RunOnce(**executable);
  EXPECT_TRUE(absl::IsUnavailable(result.status())) << result.status();
}

}  // namespace
}  // namespace inferd::ethosu

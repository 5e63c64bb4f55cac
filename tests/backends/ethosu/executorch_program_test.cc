// ExecuTorch programs (.pte) delegated to the EthosUBackend: files written by
// tools/executorch_pte.py the way ExecuTorch lays them out are read (engine/executorch), malformed
// ones refused with the reason, and the ethosu backend serves them like the bin stream inside (IO
// checked, scratch checked at dispatch), refusing other delegates and payloads that are no bin
// stream.
#include "engine/executorch/executorch_program.h"

#include <gtest/gtest.h>

#include "backends/ethosu/ethosu_backend.h"
#include "backends/ethosu/payload/vela_bin_stream.h"
#include "tests/backends/ethosu/ethosu_test_support.h"

namespace inferd::ethosu {
namespace {

using executorch::LooksLikeExecuTorchProgram;
using executorch::ParseExecuTorchProgram;
using testing::GeneratePte;

void ExpectRefused(const std::vector<uint8_t>& bytes, std::string_view fragment) {
  auto program = ParseExecuTorchProgram(bytes);
  ASSERT_FALSE(program.ok()) << "accepted; expected a refusal with '" << fragment << "'";
  EXPECT_TRUE(absl::IsInvalidArgument(program.status())) << program.status();
  EXPECT_NE(program.status().message().find(std::string(fragment)), absl::string_view::npos)
      << program.status();
}

TEST(ExecuTorchProgramTest, ReadsTheDelegateBlobFromASegment) {
  const auto stream = testing::DigitsLikeVelaStream(/*scratch=*/12345);
  const auto bytes = GeneratePte(stream);
  ASSERT_FALSE(bytes.empty());
  EXPECT_TRUE(LooksLikeExecuTorchProgram(bytes));
  EXPECT_FALSE(LooksLikeVelaBinStream(bytes));
  auto program = ParseExecuTorchProgram(bytes);
  ASSERT_TRUE(program.ok()) << program.status();
  EXPECT_EQ(program->method, "forward");
  EXPECT_EQ(program->delegate_id, kEthosUBackendId);
  EXPECT_EQ(std::vector<uint8_t>(program->payload.begin(), program->payload.end()), stream);
  EXPECT_EQ(ParseVelaBinStream(program->payload)->scratch_size, 12345u);
  EXPECT_FALSE(program->HasQuantizedEdges());
  ASSERT_EQ(program->inputs.size(), 1u);
  EXPECT_EQ(program->inputs[0].dtype, DataType::kInt8);
  EXPECT_EQ(program->inputs[0].sizes, (std::vector<int64_t>{1, 8, 8, 1}));
  ASSERT_EQ(program->outputs.size(), 1u);
  EXPECT_EQ(program->outputs[0].sizes, (std::vector<int64_t>{1, 10}));
}

TEST(ExecuTorchProgramTest, ReadsInlineDelegateDataWithAndWithoutTheExtendedHeader) {
  const auto stream = testing::DigitsLikeVelaStream();
  for (const auto& args : {std::vector<std::string>{"--inline"},
                           std::vector<std::string>{"--inline", "--no-header"}}) {
    // payload points into the file: keep the bytes alive while it is read (ASan caught a read of
    // a freed temporary here).
    const std::vector<uint8_t> pte = GeneratePte(stream, args);
    auto program = ParseExecuTorchProgram(pte);
    ASSERT_TRUE(program.ok()) << program.status();
    EXPECT_EQ(std::vector<uint8_t>(program->payload.begin(), program->payload.end()), stream);
  }
}

TEST(ExecuTorchProgramTest, RefusesProgramsNotLoweredToOneDelegate) {
  const auto stream = testing::DigitsLikeVelaStream();
  ExpectRefused(GeneratePte(stream, {"--delegates", "0"}), "has no delegate");
  ExpectRefused(GeneratePte(stream, {"--delegates", "2"}), "has 2 EthosUBackend delegates");
  ExpectRefused(GeneratePte(stream, {"--cpu-op", "aten::add"}),
                "operator aten::add.out runs outside the EthosUBackend delegate");
}

TEST(ExecuTorchProgramTest, RefusesMalformedFiles) {
  const auto good = GeneratePte(testing::DigitsLikeVelaStream());
  ASSERT_TRUE(ParseExecuTorchProgram(good).ok());
  ExpectRefused({}, "no ET file identifier");
  auto other_version = good;
  other_version[7] = '3';
  ExpectRefused(other_version, "'ET13' is not supported");
  auto other_header = good;
  other_header[11] = '1';
  ExpectRefused(other_header, "extended header version 'eh01'");
  auto big_program = good;
  big_program[16 + 3] = 0x10;  // program size beyond the file
  ExpectRefused(big_program, "program size");
  auto truncated = good;
  truncated.resize(truncated.size() - 256);  // cuts into the segment
  ExpectRefused(truncated, "runs past the end of the file");
  auto bad_root = good;
  bad_root[2] = 0x7F;  // root offset far outside the program
  ExpectRefused(bad_root, "FlatBuffer is malformed");
}

BackendLoadRequest PteRequest(std::shared_ptr<const std::vector<uint8_t>> bytes) {
  BackendLoadRequest request;
  request.model_name = "digits_pte";
  request.model_path = "model.pte";
  request.model_bytes = std::move(bytes);
  request.inputs = {{"images", DataType::kInt8, {1, 8, 8, 1}}};
  request.outputs = {{"scores", DataType::kInt8, {1, 10}}};
  return request;
}

TEST(EthosuBackendPteTest, ChecksTheProgramsIoAgainstTheConfig) {
  auto agent = testing::StartAgent();
  EthosuBackend backend(testing::PoolWithTcpTarget("a", agent.address()));
  auto bytes =
      std::make_shared<const std::vector<uint8_t>>(GeneratePte(testing::DigitsLikeVelaStream()));
  EXPECT_TRUE(backend.Load(PteRequest(bytes)).ok());
  auto wrong_type = PteRequest(bytes);
  wrong_type.inputs[0].dtype = DataType::kUint8;
  auto status = backend.Load(wrong_type).status();
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_NE(status.message().find("the program has INT8"), absl::string_view::npos) << status;
  auto wrong_count = PteRequest(bytes);
  wrong_count.outputs.push_back({"extra", DataType::kInt8, {1}});
  EXPECT_TRUE(absl::IsInvalidArgument(backend.Load(wrong_count).status()));
}

TEST(EthosuBackendPteTest, RefusesOtherDelegatesAndPayloadsThatAreNoBinStream) {
  auto agent = testing::StartAgent();
  EthosuBackend backend(testing::PoolWithTcpTarget("a", agent.address()));
  auto other = std::make_shared<const std::vector<uint8_t>>(
      GeneratePte(testing::DigitsLikeVelaStream(), {"--backend-id", "XnnpackBackend"}));
  auto status = backend.Load(PteRequest(other)).status();
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_NE(status.message().find("delegate for 'XnnpackBackend'; the ethosu backend takes "
                                  "EthosUBackend only"),
            absl::string_view::npos)
      << status;
  auto not_a_stream =
      std::make_shared<const std::vector<uint8_t>>(GeneratePte(std::vector<uint8_t>(96, 7)));
  status = backend.Load(PteRequest(not_a_stream)).status();
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_NE(status.message().find("EthosUBackend delegate's data: vela bin stream"),
            absl::string_view::npos)
      << status;
}

// The engine decodes VGF files (and VgfBackend programs) into graphs; targets take .tosa files, so
// such a graph is refused rather than sent as if the VGF's bytes were one.
TEST(EthosuBackendPteTest, RefusesAGraphDecodedFromAnotherFormat) {
  auto agent = testing::StartAgent();
  EthosuBackend backend(testing::PoolWithTcpTarget("a", agent.address()));
  BackendLoadRequest request = testing::DigitsInt8Request(0);
  EXPECT_TRUE(backend.Load(request).ok());
  request.model_path = "model.vgf";
  request.model_bytes = std::make_shared<const std::vector<uint8_t>>(64, 1);
  auto status = backend.Load(request).status();
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_NE(status.message().find("model.vgf holds a graph in another format than .tosa"),
            absl::string_view::npos)
      << status;
}

}  // namespace
}  // namespace inferd::ethosu

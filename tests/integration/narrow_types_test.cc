// Models with narrow float types at their edges, through the real daemon: BF16 inputs and outputs
// travel as Triton's BF16 datatype (raw bfloat16 bit patterns); a graph with an FP8 input, which
// KServe has no datatype for, fails its load with a message that says so and the daemon keeps
// serving.
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/time/time.h"
#include "client/inference_client.h"
#include "gtest/gtest.h"
#include "tests/engine/graph/tosa_builder.h"
#include "tests/integration/daemon_process.h"

namespace inferd::testing {
namespace {
namespace fs = std::filesystem;
using client::InferenceClient;
using client::NamedTensor;
using graph::testing::FbBlock;
using graph::testing::FbGraph;

void WriteModel(const fs::path& model_dir, const FbGraph& g) {
  fs::create_directories(model_dir / "1");
  const std::vector<uint8_t> bytes = graph::testing::Serialize(g);
  std::ofstream(model_dir / "1" / "model.tosa", std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> Bf16Bytes(const std::vector<uint16_t>& bits) {
  std::vector<uint8_t> out(bits.size() * 2);
  std::memcpy(out.data(), bits.data(), out.size());
  return out;
}

// out = in + 0.5, BF16 [1, 4].
FbGraph Bf16AddGraph() {
  FbBlock main;
  main.tensors = {{"in", tosa::DType::BF16, {1, 4}, std::nullopt},
                  {"half", tosa::DType::BF16, {1, 4}, Bf16Bytes({0x3f00, 0x3f00, 0x3f00, 0x3f00})},
                  {"out", tosa::DType::BF16, {1, 4}, std::nullopt}};
  main.ops = {{tosa::Op::CONST, {}, {"half"}, nullptr, std::nullopt},
              {tosa::Op::ADD, {"in", "half"}, {"out"}, nullptr, std::nullopt}};
  main.inputs = {"in"};
  main.outputs = {"out"};
  FbGraph g;
  g.blocks.push_back(std::move(main));
  return g;
}

// FP8E4M3 [4] -> CAST -> FP16 [4]: fine inside a graph, but not as a model input.
FbGraph Fp8InputGraph() {
  FbBlock main;
  main.tensors = {{"in", tosa::DType::FP8E4M3, {4}, std::nullopt},
                  {"out", tosa::DType::FP16, {4}, std::nullopt}};
  main.ops = {{tosa::Op::CAST, {"in"}, {"out"}, nullptr, std::nullopt}};
  main.inputs = {"in"};
  main.outputs = {"out"};
  FbGraph g;
  g.blocks.push_back(std::move(main));
  return g;
}

TEST(NarrowTypesTest, Bf16ServesAndFp8EdgesAreRefusedByName) {
  const fs::path repository =
      fs::path(::testing::TempDir()) /
      (std::string("inferd_narrow_types_repository") + "_" + std::to_string(getpid()));
  fs::remove_all(repository);
  WriteModel(repository / "bf16_add", Bf16AddGraph());
  WriteModel(repository / "fp8_input", Fp8InputGraph());

  auto daemon = DaemonProcess::Start(
      {"--model-repository=" + repository.string(), "--model-control-mode=explicit"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto client = InferenceClient::Connect((*daemon)->grpc_address(), absl::Seconds(60));
  ASSERT_TRUE(client != nullptr);

  const absl::Status fp8 = client->Load("fp8_input");
  EXPECT_EQ(fp8.code(), absl::StatusCode::kUnimplemented) << fp8;
  EXPECT_NE(fp8.message().find("FP8E4M3"), std::string::npos) << fp8;
  EXPECT_NE(fp8.message().find("no KServe data type"), std::string::npos) << fp8;

  ASSERT_TRUE(client->Load("bf16_add").ok()) << (*daemon)->Log();
  auto metadata = client->ModelMetadata("bf16_add");
  ASSERT_TRUE(metadata.ok()) << metadata.status();
  EXPECT_EQ(metadata->inputs(0).datatype(), "BF16");
  EXPECT_EQ(metadata->outputs(0).datatype(), "BF16");

  // 1.0, -2.0, 2.5, 0.0 plus 0.5 is 1.5, -1.5, 3.0, 0.5: exact in bfloat16.
  Tensor input = Tensor::Allocate(DataType::kBf16, {1, 4});
  const std::vector<uint8_t> in_bits = Bf16Bytes({0x3f80, 0xc000, 0x4020, 0x0000});
  std::memcpy(input.mutable_bytes().data(), in_bits.data(), in_bits.size());
  auto result = client->Infer("bf16_add", {NamedTensor{"in", input}});
  ASSERT_TRUE(result.ok()) << result.status();
  const Tensor* output = result->Find("out");
  ASSERT_NE(output, nullptr);
  EXPECT_EQ(output->dtype(), DataType::kBf16);
  EXPECT_EQ(output->shape(), (Shape{1, 4}));
  const std::vector<uint8_t> expected = Bf16Bytes({0x3fc0, 0xbfc0, 0x4040, 0x3f00});
  ASSERT_EQ(output->byte_size(), expected.size());
  EXPECT_EQ(std::memcmp(output->bytes().data(), expected.data(), expected.size()), 0);

  EXPECT_EQ((*daemon)->Stop(), 0) << (*daemon)->Log();
  fs::remove_all(repository);
}

}  // namespace
}  // namespace inferd::testing

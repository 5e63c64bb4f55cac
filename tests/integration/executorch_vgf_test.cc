// ExecuTorch programs delegated to VgfBackend through the real daemon, on the CPU and on Vulkan
// (lavapipe): the example digits_int8 graph written as a VGF (the project's VGF writer) inside a
// .pte with float edges (tools/executorch_pte.py), and a bundled .bpte of it. The served FP32
// scores are the trainer's exact integer scores dequantized, byte for byte on both backends, and
// the bundles pass their self-test on the backend they are placed on; a VgfBackend program whose
// payload is no VGF fails its load alone.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/inference_client.h"
#include "engine/executorch/quantize_per_tensor.h"
#include "engine/graph/tosa_reader.h"
#include "engine/graph/vgf/vgf_writer.h"
#include "tests/engine/executorch/executorch_files.h"
#include "tests/integration/daemon_process.h"
#include "tests/integration/digits_data.h"

namespace inferd::testing {
namespace {

namespace fs = std::filesystem;

constexpr double kScoreScale = 0.0625;
constexpr int64_t kScoreZeroPoint = -5;
constexpr int kImages = 16;

std::vector<uint8_t> DigitsVgf() {
  std::ifstream in(SourceDir() + "/examples/models/digits_int8/1/model.tosa", std::ios::binary);
  const std::vector<uint8_t> tosa((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  auto graph = graph::LoadTosaGraph(tosa);
  EXPECT_TRUE(graph.ok()) << graph.status();
  if (!graph.ok()) return {};
  auto vgf = graph::vgf::WriteVgfFile(**graph);
  EXPECT_TRUE(vgf.ok()) << vgf.status();
  return vgf.ok() ? *std::move(vgf) : std::vector<uint8_t>{};
}

// The trainer's integer scores of rows [first, first + count), as the program's float edge gives
// them: dequantized with the output's scale and zero point.
std::vector<float> ExpectedScores(const DigitsData& data, int64_t first, int64_t count) {
  std::vector<float> scores;
  const auto expected = data.expected_int8.values<int8_t>();
  for (int64_t i = first * 10; i < (first + count) * 10; ++i) {
    scores.push_back(executorch::DequantizeValue(expected[i], kScoreScale, kScoreZeroPoint));
  }
  return scores;
}

std::vector<float> FloatImages(const DigitsData& data, int64_t first, int64_t count) {
  const auto pixels = data.images_int8.values<int8_t>();
  return std::vector<float>(pixels.begin() + first * 64, pixels.begin() + (first + count) * 64);
}

std::string Cases(const DigitsData& data) {
  std::vector<std::string> cases;
  for (int64_t row = 0; row < 3; ++row) {
    const std::vector<float> images = FloatImages(data, row, 1);
    const std::vector<float> scores = ExpectedScores(data, row, 1);
    cases.push_back(
        absl::StrCat(R"({"inputs":[)",
                     executorch::testing::TensorJson(
                         "Float", {1, 8, 8, 1}, std::vector<double>(images.begin(), images.end())),
                     R"(],"expected_outputs":[)",
                     executorch::testing::TensorJson(
                         "Float", {1, 10}, std::vector<double>(scores.begin(), scores.end())),
                     "]}"));
  }
  return absl::StrCat("[", absl::StrJoin(cases, ","), "]");
}

void WriteModel(const fs::path& root, const std::string& name, const std::string& backend,
                const std::string& file, const std::vector<uint8_t>& bytes) {
  fs::create_directories(root / name / "1");
  std::ofstream(root / name / "1" / file, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  std::ofstream(root / name / "config.pbtxt") << "name: \"" << name << "\"\nbackend: \"" << backend
                                              << "\"\ndefault_model_filename: \"" << file << R"("
max_batch_size: 16
input [ { name: "images" data_type: TYPE_FP32 dims: [ 8, 8, 1 ] } ]
output [ { name: "scores" data_type: TYPE_FP32 dims: [ 10 ] } ]
)";
}

TEST(ExecuTorchVgfTest, FloatEdgeProgramsAndBundlesServeOnTheCpuAndOnVulkan) {
  auto data = LoadDigitsData();
  ASSERT_TRUE(data.ok()) << data.status();
  const std::vector<uint8_t> vgf = DigitsVgf();
  ASSERT_FALSE(vgf.empty());
  const std::vector<uint8_t> pte = executorch::testing::GenerateProgram(
      vgf, {"--backend-id", "VgfBackend", "--input", "Float:1,8,8,1@1,0", "--output",
            absl::StrCat("Float:1,10@", kScoreScale, ",", kScoreZeroPoint)});
  ASSERT_FALSE(pte.empty());
  const std::vector<uint8_t> bpte = executorch::testing::GenerateBundle(pte, Cases(*data));
  ASSERT_FALSE(bpte.empty());

  const fs::path root = fs::path(::testing::TempDir()) / absl::StrCat("vgf_pte_", ::getpid());
  fs::remove_all(root);
  WriteModel(root, "pte_cpu", "tosa_cpu", "model.pte", pte);
  WriteModel(root, "pte_gpu", "tosa_vulkan", "model.pte", pte);
  WriteModel(root, "bpte_cpu", "tosa_cpu", "model.bpte", bpte);
  WriteModel(root, "bpte_gpu", "tosa_vulkan", "model.bpte", bpte);
  // A VgfBackend program whose payload is no VGF fails its load alone, saying so.
  WriteModel(root, "not_vgf", "tosa_cpu", "model.pte",
             executorch::testing::GenerateProgram(
                 std::vector<uint8_t>(64, 7), {"--backend-id", "VgfBackend", "--input",
                                               "Float:1,8,8,1@1,0", "--output", "Float:1,10@1,0"}));
  auto daemon = DaemonProcess::Start({"--model-repository=" + root.string()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto client = client::InferenceClient::Connect((*daemon)->grpc_address(), absl::Seconds(60));
  ASSERT_NE(client, nullptr);

  auto index = client->RepositoryIndex();
  ASSERT_TRUE(index.ok()) << index.status();
  std::map<std::string, std::string> reasons;
  for (const auto& model : *index) {
    reasons[model.name()] = model.reason();
    EXPECT_EQ(model.state(), model.name() == "not_vgf" ? "UNAVAILABLE" : "READY")
        << model.name() << ": " << model.reason();
  }
  EXPECT_NE(reasons["not_vgf"].find("the VgfBackend delegate's data: "), std::string::npos)
      << reasons["not_vgf"];
  for (const char* bundle : {"bpte_cpu", "bpte_gpu"}) {
    EXPECT_EQ(reasons[bundle],
              "bundled self-test passed: 3 test sets of method 'forward' on 1 instance (rtol "
              "1e-05, atol 1e-08)")
        << bundle;
  }

  const std::vector<float> pixels = FloatImages(*data, 0, kImages);
  Tensor images = Tensor::Allocate(DataType::kFp32, {kImages, 8, 8, 1});
  std::copy(pixels.begin(), pixels.end(), images.mutable_values<float>().begin());
  const std::vector<float> expected = ExpectedScores(*data, 0, kImages);
  for (const char* model : {"pte_cpu", "pte_gpu", "bpte_cpu", "bpte_gpu"}) {
    auto result = client->Infer(model, {{"images", images}});
    ASSERT_TRUE(result.ok()) << model << ": " << result.status();
    const Tensor* scores = result->Find("scores");
    ASSERT_NE(scores, nullptr) << model;
    EXPECT_EQ(scores->shape(), (Shape{kImages, 10})) << model;
    const auto values = scores->values<float>();
    EXPECT_EQ(std::vector<float>(values.begin(), values.end()), expected) << model;
  }
  EXPECT_EQ((*daemon)->Stop(), 0);
  fs::remove_all(root);
}

}  // namespace
}  // namespace inferd::testing

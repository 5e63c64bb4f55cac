// ExecuTorch programs through the real daemon on an NPU: the firmware's agent core with the
// 'ethos-u' executor on the driver's test double (the "NPU" adds the weights to the input bytes)
// serves as the daemon's target over loopback. A .pte with float edges serves FP32 tensors; a
// bundled program (.bpte) runs its test sets through the target at load and serves, with the
// self-test in the repository index and `inferctl list`; a bundle whose expected output is wrong
// fails its load naming the test set, the output and the largest difference, while the other
// models serve on.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/inference_client.h"
#include "engine/executorch/quantize_per_tensor.h"
#include "tests/backends/ethosu/ethosu_test_support.h"
#include "tests/engine/executorch/executorch_files.h"
#include "tests/firmware/npu_test_agent.h"
#include "tests/firmware/vela_fixture.h"
#include "tests/integration/daemon_process.h"

#ifndef INFERCTL_BINARY
#error "INFERCTL_BINARY must name the inferctl under test"
#endif

namespace inferd::firmware::testing {
namespace {

namespace fs = std::filesystem;
using executorch::testing::GenerateBundle;
using executorch::testing::TensorJson;

const char kEdges[] = "Float:1,8,8,1@0.25,-3";
const char kScoreEdges[] = "Float:1,10@0.5,4";

void AddWeightsToInput(const ethosu_test_double_job* job, void* /*context*/) {
  const auto* weights = reinterpret_cast<const uint8_t*>(job->base_addr[0]);
  auto* scratch = reinterpret_cast<uint8_t*>(job->base_addr[1]);
  for (int i = 0; i < 10; ++i) scratch[64 + i] = static_cast<uint8_t>(scratch[i] + weights[i]);
}

std::vector<float> Images(int seed) {
  std::vector<float> pixels(64);
  for (size_t i = 0; i < pixels.size(); ++i) {
    pixels[i] = static_cast<float>((i * 7 + static_cast<size_t>(seed) * 13) % 64) * 1.25f - 40.0f;
  }
  return pixels;
}

// What the model computes: quantize, add the weights as the NPU double does, dequantize.
std::vector<float> Scores(const std::vector<float>& pixels, const std::vector<uint8_t>& weights) {
  std::vector<float> scores(10);
  for (int i = 0; i < 10; ++i) {
    const int64_t quantized = executorch::QuantizeValue(pixels[i], 0.25, -3, -128, 127);
    scores[i] = executorch::DequantizeValue(static_cast<int8_t>(quantized + weights[i]), 0.5, 4);
  }
  return scores;
}

std::string Cases(const std::vector<uint8_t>& weights, float wrong_by) {
  std::vector<std::string> cases;
  for (int seed = 0; seed < 2; ++seed) {
    const std::vector<float> pixels = Images(seed);
    std::vector<float> scores = Scores(pixels, weights);
    if (seed == 1) scores[3] += wrong_by;
    cases.push_back(absl::StrCat(
        R"({"inputs":[)",
        TensorJson("Float", {1, 8, 8, 1}, std::vector<double>(pixels.begin(), pixels.end())),
        R"(],"expected_outputs":[)",
        TensorJson("Float", {1, 10}, std::vector<double>(scores.begin(), scores.end())), "]}"));
  }
  return absl::StrCat("[", absl::StrJoin(cases, ","), "]");
}

void WriteModel(const fs::path& root, const std::string& name, const std::string& file,
                const std::vector<uint8_t>& bytes) {
  fs::create_directories(root / name / "1");
  std::ofstream(root / name / "1" / file, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  std::ofstream(root / name / "config.pbtxt") << "name: \"" << name << R"("
backend: "ethosu"
default_model_filename: ")" << file << R"("
input [ { name: "images" data_type: TYPE_FP32 dims: [ 1, 8, 8, 1 ] } ]
output [ { name: "scores" data_type: TYPE_FP32 dims: [ 1, 10 ] } ]
)";
}

std::string RunInferctl(const std::string& address, const std::string& args) {
  const std::string command = absl::StrCat(INFERCTL_BINARY, " --url ", address, " ", args, " 2>&1");
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  ::pclose(pipe);
  return output;
}

class EthosUDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ethosu_test_double_script script{};
    script.on_finish = AddWeightsToInput;
    ASSERT_TRUE(agent_.Start(script).ok());
  }

  NpuTestAgent agent_;
};

TEST_F(EthosUDaemonTest, FloatEdgesAndBundledProgramsServeAndAWrongBundleFailsAlone) {
  const VelaTestNetwork network = DigitsShapedVelaNetwork();
  const std::vector<uint8_t> pte =
      ethosu::testing::GeneratePte(network.Build(), {"--input", kEdges, "--output", kScoreEdges});
  ASSERT_FALSE(pte.empty());
  const fs::path root = fs::path(::testing::TempDir()) / absl::StrCat("bpte_repo_", ::getpid());
  fs::remove_all(root);
  WriteModel(root, "float_pte", "model.pte", pte);
  WriteModel(root, "bundle_ok", "model.bpte", GenerateBundle(pte, Cases(network.weights, 0)));
  WriteModel(root, "bundle_bad", "model.bpte", GenerateBundle(pte, Cases(network.weights, 1.5f)));
  const fs::path targets = root / "targets.ini";
  std::ofstream(targets) << "[target npu0]\nkind = tcp\naddress = 127.0.0.1:" << agent_.port()
                         << "\n";
  auto daemon = inferd::testing::DaemonProcess::Start(
      {"--model-repository=" + root.string(), "--targets-config=" + targets.string()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto client = client::InferenceClient::Connect((*daemon)->grpc_address(), absl::Seconds(30));
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->ModelReady("float_pte").value_or(false));
  EXPECT_TRUE(client->ModelReady("bundle_ok").value_or(false));
  EXPECT_FALSE(client->ModelReady("bundle_bad").value_or(true));

  auto index = client->RepositoryIndex();
  ASSERT_TRUE(index.ok()) << index.status();
  std::map<std::string, std::string> reasons;
  for (const auto& model : *index) reasons[model.name()] = model.reason();
  EXPECT_EQ(reasons["bundle_ok"],
            "bundled self-test passed: 2 test sets of method 'forward' on 1 instance (rtol 1e-05, "
            "atol 1e-08)");
  EXPECT_NE(reasons["bundle_bad"].find(
                "bundled test set 1 of method 'forward', output 'scores' (instance 0): 1 of 10 "
                "elements differ; largest difference 1.5 at element 3"),
            std::string::npos)
      << reasons["bundle_bad"];
  EXPECT_EQ(reasons["float_pte"], "");

  const std::vector<float> pixels = Images(5);
  Tensor images = Tensor::Allocate(DataType::kFp32, {1, 8, 8, 1});
  std::copy(pixels.begin(), pixels.end(), images.mutable_values<float>().begin());
  for (const char* model : {"float_pte", "bundle_ok"}) {
    auto result = client->Infer(model, {{"images", images}});
    ASSERT_TRUE(result.ok()) << model << ": " << result.status();
    const Tensor* scores = result->Find("scores");
    ASSERT_NE(scores, nullptr);
    const auto values = scores->values<float>();
    EXPECT_EQ(std::vector<float>(values.begin(), values.end()), Scores(pixels, network.weights))
        << model;
  }

  const std::string list = RunInferctl((*daemon)->grpc_address(), "list");
  EXPECT_NE(list.find("bundled self-test passed"), std::string::npos) << list;
  EXPECT_NE(list.find("largest difference 1.5"), std::string::npos) << list;
  EXPECT_EQ((*daemon)->Stop(), 0);
  fs::remove_all(root);
}

}  // namespace
}  // namespace inferd::firmware::testing

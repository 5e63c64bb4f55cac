// The real NSS model (../shared/models/vgf/nss_v0_1_1_int8.vgf, a VGF file) served by the real
// daemon from a version folder holding only model.vgf, on the CPU backend and on Vulkan (lavapipe
// here): on random int8 inputs every output of the two is identical byte for byte. The model's
// spatial dimensions are open in the file; config.pbtxt fixes them.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "inference.grpc.pb.h"
#include "tests/integration/daemon_process.h"

namespace inferd::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kInput[] = "tosa_deserialized_input_0:0";
constexpr int64_t kHeight = 64, kWidth = 64, kChannels = 12;

// $INFERD_VGF_MODELS_DIR, else <repo>/../shared/models/vgf.
fs::path NssPath() {
  const char* env = std::getenv("INFERD_VGF_MODELS_DIR");
  const fs::path dir = env != nullptr && *env
                           ? fs::path(env)
                           : fs::path(SourceDir()) / ".." / "shared" / "models" / "vgf";
  return dir / "nss_v0_1_1_int8.vgf";
}

void WriteModel(const fs::path& repository, const std::string& name, const std::string& backend) {
  fs::create_directories(repository / name / "1");
  // The daemon reads model files inside its repository only, so the test repository holds a copy.
  fs::copy_file(NssPath(), repository / name / "1" / "model.vgf",
                fs::copy_options::overwrite_existing);
  std::ofstream(repository / name / "config.pbtxt")
      << "name: \"" << name << "\"\nbackend: \"" << backend << "\"\nmax_batch_size: 0\n"
      << "input [ { name: \"" << kInput << "\" data_type: TYPE_INT8 dims: [ 1, " << kHeight << ", "
      << kWidth << ", " << kChannels << " ] } ]\n";
}

class VgfServingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::is_regular_file(NssPath())) return;
    repository_ =
        new fs::path(fs::path(::testing::TempDir()) /
                     (std::string("inferd_vgf_repository") + "_" + std::to_string(getpid())));
    fs::remove_all(*repository_);
    WriteModel(*repository_, "nss_cpu", "tosa_cpu");
    WriteModel(*repository_, "nss_gpu", "tosa_vulkan");
    auto daemon = DaemonProcess::Start({"--model-repository=" + repository_->string()});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = daemon->release();
    auto channel = grpc::CreateChannel(daemon_->grpc_address(), grpc::InsecureChannelCredentials());
    stub_ = inference::GRPCInferenceService::NewStub(channel).release();
  }
  static void TearDownTestSuite() {
    if (daemon_ != nullptr) {
      EXPECT_EQ(daemon_->Stop(), 0) << daemon_->Log();
    }
    delete stub_;
    delete daemon_;
    delete repository_;
    stub_ = nullptr;
    daemon_ = nullptr;
  }
  void SetUp() override {
    if (!fs::is_regular_file(NssPath())) {
      GTEST_SKIP() << NssPath() << " is absent (set INFERD_VGF_MODELS_DIR); skipping the NSS test";
    }
    ASSERT_NE(daemon_, nullptr);
  }

  static inference::ModelInferResponse Infer(const std::string& model, const std::string& input) {
    inference::ModelInferRequest request;
    request.set_model_name(model);
    auto* tensor = request.add_inputs();
    tensor->set_name(kInput);
    tensor->set_datatype("INT8");
    for (int64_t d : {int64_t{1}, kHeight, kWidth, kChannels}) tensor->add_shape(d);
    request.add_raw_input_contents(input);
    grpc::ClientContext context;
    inference::ModelInferResponse response;
    const grpc::Status status = stub_->ModelInfer(&context, request, &response);
    EXPECT_TRUE(status.ok()) << model << ": " << status.error_message() << "\n" << daemon_->Log();
    return response;
  }

  static fs::path* repository_;
  static DaemonProcess* daemon_;
  static inference::GRPCInferenceService::Stub* stub_;
};

fs::path* VgfServingTest::repository_ = nullptr;
DaemonProcess* VgfServingTest::daemon_ = nullptr;
inference::GRPCInferenceService::Stub* VgfServingTest::stub_ = nullptr;

TEST_F(VgfServingTest, LoadsModelVgfWhenTheVersionFolderHasNoModelTosa) {
  for (const char* model : {"nss_cpu", "nss_gpu"}) {
    grpc::ClientContext context;
    inference::ModelReadyRequest request;
    request.set_name(model);
    inference::ModelReadyResponse response;
    ASSERT_TRUE(stub_->ModelReady(&context, request, &response).ok());
    EXPECT_TRUE(response.ready()) << model << "\n" << daemon_->Log();
    EXPECT_NE(daemon_->Log().find(absl::StrCat("model '", model,
                                               "' version 1: model.tosa is absent; loading "
                                               "model.vgf")),
              std::string::npos)
        << daemon_->Log();
  }
}

TEST_F(VgfServingTest, MetadataComesFromTheFileAndTheConfig) {
  grpc::ClientContext context;
  inference::ModelMetadataRequest request;
  request.set_name("nss_gpu");
  inference::ModelMetadataResponse response;
  ASSERT_TRUE(stub_->ModelMetadata(&context, request, &response).ok());
  ASSERT_EQ(response.inputs_size(), 1);
  EXPECT_EQ(response.inputs(0).name(), kInput);
  ASSERT_EQ(response.outputs_size(), 6);
  EXPECT_EQ(response.outputs(0).name(), "tosa_deserialized_output_0:0");
  EXPECT_EQ(response.outputs(0).datatype(), "INT8");
  ASSERT_EQ(response.outputs(0).shape_size(), 4);
  EXPECT_EQ(response.outputs(0).shape(1), kHeight);
  EXPECT_EQ(response.outputs(0).shape(3), 4);
}

TEST_F(VgfServingTest, CpuAndVulkanOutputsAreIdenticalOnRandomInputs) {
  std::mt19937 random(20261207);
  std::uniform_int_distribution<int> byte(-128, 127);
  for (int round = 0; round < 3; ++round) {
    std::string input(kHeight * kWidth * kChannels, '\0');
    for (char& c : input) c = static_cast<char>(byte(random));
    const inference::ModelInferResponse cpu = Infer("nss_cpu", input);
    const inference::ModelInferResponse gpu = Infer("nss_gpu", input);
    ASSERT_EQ(cpu.raw_output_contents_size(), 6);
    ASSERT_EQ(gpu.raw_output_contents_size(), 6);
    for (int k = 0; k < 6; ++k) {
      EXPECT_EQ(cpu.outputs(k).name(), gpu.outputs(k).name());
      ASSERT_EQ(cpu.raw_output_contents(k).size(), static_cast<size_t>(kHeight * kWidth * 4));
      EXPECT_TRUE(cpu.raw_output_contents(k) == gpu.raw_output_contents(k))
          << "round " << round << ", output " << cpu.outputs(k).name() << " differs";
    }
    // The outputs depend on the input: not a constant the two backends happen to share.
    if (round == 0) {
      std::string zeros(input.size(), '\0');
      EXPECT_NE(Infer("nss_cpu", zeros).raw_output_contents(0), cpu.raw_output_contents(0));
    }
  }
}

}  // namespace
}  // namespace inferd::testing

// The bundled digits_int8_gpu model (backend tosa_vulkan) through the real daemon and gRPC's own
// client: every held-out image's scores equal digits_int8's (CPU backend) and the trainer's exact
// integer simulation byte for byte, whatever the batch size; a request that does not fit the model
// is refused with a message and the daemon keeps serving. Runs on whatever Vulkan device the
// machine has (lavapipe, which the test command installs).
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "inference.grpc.pb.h"
#include "tests/integration/daemon_process.h"
#include "tests/integration/digits_data.h"

namespace inferd::testing {
namespace {

inference::ModelInferRequest DigitsRequest(const std::string& model, const Tensor& images) {
  inference::ModelInferRequest request;
  request.set_model_name(model);
  auto* input = request.add_inputs();
  input->set_name("images");
  input->set_datatype("INT8");
  for (int64_t d : images.shape()) input->add_shape(d);
  request.add_raw_input_contents(
      std::string(reinterpret_cast<const char*>(images.bytes().data()), images.bytes().size()));
  return request;
}

class VulkanServingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto daemon = DaemonProcess::Start({"--model-repository=" + SourceDir() + "/examples/models"});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = daemon->release();
    auto channel = grpc::CreateChannel(daemon_->grpc_address(), grpc::InsecureChannelCredentials());
    stub_ = inference::GRPCInferenceService::NewStub(channel).release();
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(daemon_->Stop(), 0) << daemon_->Log();
    delete stub_;
    delete daemon_;
  }

  static grpc::Status Infer(const inference::ModelInferRequest& request,
                            inference::ModelInferResponse* response) {
    grpc::ClientContext context;
    return stub_->ModelInfer(&context, request, response);
  }

  static DaemonProcess* daemon_;
  static inference::GRPCInferenceService::Stub* stub_;
};

DaemonProcess* VulkanServingTest::daemon_ = nullptr;
inference::GRPCInferenceService::Stub* VulkanServingTest::stub_ = nullptr;

TEST_F(VulkanServingTest, TheGpuModelIsReadyOnAVulkanDevice) {
  grpc::ClientContext context;
  inference::ModelReadyRequest request;
  request.set_name("digits_int8_gpu");
  inference::ModelReadyResponse response;
  ASSERT_TRUE(stub_->ModelReady(&context, request, &response).ok());
  EXPECT_TRUE(response.ready()) << daemon_->Log();
  EXPECT_NE(daemon_->Log().find("Vulkan device 0: "), std::string::npos) << daemon_->Log();
}

TEST_F(VulkanServingTest, MetricsShowTheMemoryTheModelHoldsOnItsDevice) {
  auto page = HttpGet(daemon_->metrics_port(), "/metrics");
  ASSERT_TRUE(page.ok()) << page.status();
  for (const char* family : {"inferd_gpu_memory_used_bytes{device=\"0\"",
                             "inferd_gpu_memory_total_bytes{device=\"0\""}) {
    const size_t at = page->find(family);
    ASSERT_NE(at, std::string::npos) << family << " missing from:\n" << *page;
    // The value follows the closing brace of the labels; the model's arena and staging are there.
    const size_t value = page->find("} ", at);
    ASSERT_NE(value, std::string::npos);
    EXPECT_GT(std::stod(page->substr(value + 2)), 0.0) << page->substr(at, 200);
  }
}

TEST_F(VulkanServingTest, ScoresEqualTheCpuModelsAndTheTrainersForEveryHeldOutImage) {
  auto digits = LoadDigitsData();
  ASSERT_TRUE(digits.ok()) << digits.status();
  const int64_t count = digits->images_int8.shape()[0];
  // Batches of 1, 7 and 64 in turn, so that single runs and full batches both go through.
  const int64_t sizes[] = {1, 7, 64};
  int64_t first = 0;
  for (int64_t turn = 0; first < count; ++turn) {
    const int64_t rows = std::min(sizes[turn % 3], count - first);
    const Tensor images = Rows(digits->images_int8, first, rows);
    inference::ModelInferResponse on_gpu;
    grpc::Status status = Infer(DigitsRequest("digits_int8_gpu", images), &on_gpu);
    ASSERT_TRUE(status.ok()) << status.error_message();
    inference::ModelInferResponse on_cpu;
    status = Infer(DigitsRequest("digits_int8", images), &on_cpu);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(on_gpu.raw_output_contents_size(), 1);
    EXPECT_EQ(on_gpu.raw_output_contents(0), on_cpu.raw_output_contents(0))
        << "rows from " << first;
    const Tensor expected = Rows(digits->expected_int8, first, rows);
    ASSERT_EQ(on_gpu.raw_output_contents(0).size(), expected.bytes().size());
    EXPECT_EQ(std::memcmp(on_gpu.raw_output_contents(0).data(), expected.bytes().data(),
                          expected.bytes().size()),
              0)
        << "rows from " << first;
    first += rows;
  }
  EXPECT_GT(count, 64);
}

TEST_F(VulkanServingTest, AWrongShapeIsRefusedAndTheModelKeepsServing) {
  Tensor wrong = Tensor::Allocate(DataType::kInt8, {1, 8, 7, 1});
  inference::ModelInferResponse response;
  grpc::Status status = Infer(DigitsRequest("digits_int8_gpu", wrong), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("images"), std::string::npos) << status.error_message();

  Tensor right = Tensor::Allocate(DataType::kInt8, {1, 8, 8, 1});
  status = Infer(DigitsRequest("digits_int8_gpu", right), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

// --vulkan-device-filter hides every device here: the GPU model fails its load naming the filter,
// and the CPU models serve as before.
TEST(VulkanDeviceFilterTest, AFilterThatHidesEveryDeviceFailsOnlyTheGpuModel) {
  auto daemon = DaemonProcess::Start({"--model-repository=" + SourceDir() + "/examples/models",
                                      "--vulkan-device-filter=NoSuchGpu"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto channel = grpc::CreateChannel((*daemon)->grpc_address(), grpc::InsecureChannelCredentials());
  auto stub = inference::GRPCInferenceService::NewStub(channel);
  grpc::ClientContext context;
  inference::RepositoryIndexRequest request;
  inference::RepositoryIndexResponse index;
  ASSERT_TRUE(stub->RepositoryIndex(&context, request, &index).ok());
  std::map<std::string, inference::RepositoryIndexResponse::ModelIndex> models;
  for (const auto& model : index.models()) models[model.name()] = model;
  EXPECT_EQ(models["digits_int8"].state(), "READY");
  EXPECT_EQ(models["digits_int8_gpu"].state(), "UNAVAILABLE");
  EXPECT_NE(models["digits_int8_gpu"].reason().find("--vulkan-device-filter 'NoSuchGpu'"),
            std::string::npos)
      << models["digits_int8_gpu"].reason();
  EXPECT_EQ((*daemon)->Stop(), 0);
}

// --vulkan-pipeline-cache-dir: the first start creates the folder and writes the device's cache
// once the GPU model has loaded; the second start reads it back and serves the same model.
TEST(VulkanPipelineCacheTest, ASecondStartReadsTheCacheTheFirstWrote) {
  const std::filesystem::path root = std::filesystem::temp_directory_path() /
                                     ("inferd_pipeline_cache_daemon_" + std::to_string(getpid()));
  std::filesystem::remove_all(root);
  const std::string folder = (root / "cache").string();
  const std::vector<std::string> args = {"--model-repository=" + SourceDir() + "/examples/models",
                                         "--vulkan-pipeline-cache-dir=" + folder};
  {
    auto first = DaemonProcess::Start(args);
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_NE((*first)->Log().find("no pipeline cache yet"), std::string::npos) << (*first)->Log();
    EXPECT_EQ((*first)->Stop(), 0);
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) files.push_back(entry);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].filename().string().rfind("inferd-pipelines-", 0), 0u) << files[0];

  auto second = DaemonProcess::Start(args);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE((*second)->Log().find("bytes read from " + files[0].string()), std::string::npos)
      << (*second)->Log();
  auto channel = grpc::CreateChannel((*second)->grpc_address(), grpc::InsecureChannelCredentials());
  auto stub = inference::GRPCInferenceService::NewStub(channel);
  grpc::ClientContext context;
  inference::ModelReadyRequest ready_request;
  ready_request.set_name("digits_int8_gpu");
  inference::ModelReadyResponse ready;
  ASSERT_TRUE(stub->ModelReady(&context, ready_request, &ready).ok());
  EXPECT_TRUE(ready.ready());
  EXPECT_EQ((*second)->Stop(), 0);
  std::filesystem::remove_all(root);
}

// A cache folder that cannot be made stops the start with the flag named.
TEST(VulkanPipelineCacheTest, AFolderThatCannotBeMadeStopsTheStart) {
  const std::filesystem::path file = std::filesystem::temp_directory_path() /
                                     ("inferd_pipeline_cache_file_" + std::to_string(getpid()));
  { std::ofstream(file) << "a file, not a folder"; }
  auto daemon = DaemonProcess::Start({"--model-repository=" + SourceDir() + "/examples/models",
                                      "--vulkan-pipeline-cache-dir=" + (file / "cache").string()});
  ASSERT_FALSE(daemon.ok());
  EXPECT_NE(daemon.status().message().find("--vulkan-pipeline-cache-dir="), std::string::npos)
      << daemon.status();
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace inferd::testing

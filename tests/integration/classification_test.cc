// Triton's classification extension through the real daemon: a requested output with
// `classification` = k comes back as BYTES "value:index:label" strings, the top class being the
// plain output's arg max, labels read from the output's label_filename.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "inference.grpc.pb.h"
#include "tests/integration/daemon_process.h"

namespace inferd::testing {
namespace {
namespace fs = std::filesystem;

std::vector<std::string> Strings(const std::string& raw) {
  std::vector<std::string> out;
  for (size_t at = 0; at + 4 <= raw.size();) {
    uint32_t length = 0;
    for (int b = 0; b < 4; ++b) {
      length |= static_cast<uint32_t>(static_cast<uint8_t>(raw[at + b])) << (8 * b);
    }
    out.push_back(raw.substr(at + 4, length));
    at += 4 + length;
  }
  return out;
}

TEST(ClassificationTest, TopClassesWithLabelsFromTheModelFolder) {
  // digits_fp32 with a label file for its scores.
  const fs::path repository =
      fs::path(::testing::TempDir()) /
      (std::string("inferd_classification_repository") + "_" + std::to_string(getpid()));
  fs::remove_all(repository);
  fs::create_directories(repository);
  fs::copy(SourceDir() + "/examples/models/digits_fp32", repository / "digits_fp32",
           fs::copy_options::recursive);
  {
    std::ifstream in(repository / "digits_fp32" / "config.pbtxt");
    std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string anchor = "name: \"scores\"";
    config.insert(config.find(anchor) + anchor.size(), "\n    label_filename: \"digits.txt\"");
    std::ofstream(repository / "digits_fp32" / "config.pbtxt") << config;
    std::ofstream labels(repository / "digits_fp32" / "digits.txt");
    for (const char* name :
         {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}) {
      labels << name << "\n";
    }
  }
  auto daemon = DaemonProcess::Start({"--model-repository=" + repository.string()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto stub = inference::GRPCInferenceService::NewStub(
      grpc::CreateChannel((*daemon)->grpc_address(), grpc::InsecureChannelCredentials()));

  // Two images: a blank one and one with a bright diagonal.
  inference::ModelInferRequest request;
  request.set_model_name("digits_fp32");
  auto* input = request.add_inputs();
  input->set_name("images");
  input->set_datatype("FP32");
  for (int64_t dim : {2, 8, 8, 1}) input->add_shape(dim);
  std::vector<float> pixels(128, 0.0f);
  for (int i = 0; i < 8; ++i) pixels[64 + i * 9] = 16.0f;
  request.add_raw_input_contents(
      std::string(reinterpret_cast<const char*>(pixels.data()), pixels.size() * sizeof(float)));

  auto infer = [&](const inference::ModelInferRequest& r, inference::ModelInferResponse* out) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return stub->ModelInfer(&context, r, out);
  };
  inference::ModelInferResponse plain;
  ASSERT_TRUE(infer(request, &plain).ok());

  inference::ModelInferRequest classify = request;
  auto* wanted = classify.add_outputs();
  wanted->set_name("scores");
  (*wanted->mutable_parameters())["classification"].set_int64_param(3);
  inference::ModelInferResponse classes;
  const grpc::Status status = infer(classify, &classes);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(classes.outputs_size(), 1);
  EXPECT_EQ(classes.outputs(0).datatype(), "BYTES");
  ASSERT_EQ(classes.outputs(0).shape_size(), 2);
  EXPECT_EQ(classes.outputs(0).shape(0), 2);
  EXPECT_EQ(classes.outputs(0).shape(1), 3);
  const std::vector<std::string> top = Strings(classes.raw_output_contents(0));
  ASSERT_EQ(top.size(), 6u);

  const char* names[] = {"zero", "one", "two",   "three", "four",
                         "five", "six", "seven", "eight", "nine"};
  for (int item = 0; item < 2; ++item) {
    std::vector<float> scores(10);
    std::memcpy(scores.data(), plain.raw_output_contents(0).data() + item * 10 * sizeof(float),
                10 * sizeof(float));
    const int best =
        static_cast<int>(std::max_element(scores.begin(), scores.end()) - scores.begin());
    const std::string& first = top[item * 3];
    // "value:index:label" with the arg max's index and label.
    const std::string suffix = ":" + std::to_string(best) + ":" + names[best];
    ASSERT_GE(first.size(), suffix.size()) << first;
    EXPECT_EQ(first.substr(first.size() - suffix.size()), suffix) << first;
  }

  inference::ModelInferRequest negative = request;
  auto* bad = negative.add_outputs();
  bad->set_name("scores");
  (*bad->mutable_parameters())["classification"].set_int64_param(-1);
  inference::ModelInferResponse refused;
  const grpc::Status refusal = infer(negative, &refused);
  EXPECT_EQ(refusal.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refusal.error_message().find("classification"), std::string::npos);

  EXPECT_EQ((*daemon)->Stop(), 0) << (*daemon)->Log();
  fs::remove_all(repository);
}

}  // namespace
}  // namespace inferd::testing

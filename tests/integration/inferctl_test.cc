// inferctl against the real daemon: classification with the stated accuracy, profile, list and
// errors. The README's tour itself is run as written by tests/deploy/test_readme_tour.py.
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "tests/integration/daemon_process.h"
#include "tests/integration/digits_data.h"
#include "tests/integration/tls_fixture.h"

#ifndef INFERCTL_BINARY
#error "INFERCTL_BINARY must name the inferctl under test"
#endif

namespace inferd::testing {
namespace {

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

CommandResult RunInferctl(const std::string& url, const std::string& args) {
  const std::string command = absl::StrFormat("%s --url %s %s 2>&1", INFERCTL_BINARY, url, args);
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  size_t count;
  while ((count = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, count);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(InferctlTest, ClassifiesTheHeldOutDigitsWithTheStatedAccuracy) {
  auto data = LoadDigitsData();
  ASSERT_TRUE(data.ok()) << data.status();
  int64_t correct = 0;
  const int64_t count = data->labels.shape()[0];
  for (int64_t row = 0; row < count; ++row) {
    correct += ArgMax(data->expected_int8, row) == data->labels.values<int64_t>()[row];
  }
  const std::string expected_line = absl::StrFormat("accuracy: %d/%d = %.2f %%", correct, count,
                                                    100.0 * correct / static_cast<double>(count));

  auto daemon = DaemonProcess::Start({"--model-repository=" + SourceDir() + "/examples/models"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const std::string url = (*daemon)->grpc_address();
  const std::string data_dir = SourceDir() + "/examples/data/";

  // More rows than max_batch_size: inferctl splits them into several requests and joins the
  // outputs.
  CommandResult infer = RunInferctl(url, "infer digits_int8 --input images=" + data_dir +
                                             "digits_test_images_int8.npy" + " --labels " +
                                             data_dir + "digits_test_labels.npy --max-values 1");
  EXPECT_EQ(infer.exit_code, 0) << infer.output;
  EXPECT_NE(infer.output.find(expected_line), std::string::npos) << infer.output;
  EXPECT_NE(infer.output.find(absl::StrFormat("scores: INT8 [%d,10]", count)), std::string::npos)
      << infer.output;

  // The operators the 359 images ran through, slowest first, and the totals per type.
  CommandResult profile = RunInferctl(url, "profile digits_int8 --top 2");
  EXPECT_EQ(profile.exit_code, 0) << profile.output;
  EXPECT_NE(profile.output.find(absl::StrFormat("digits_int8 version 1: %d inferences", count)),
            std::string::npos)
      << profile.output;
  EXPECT_NE(profile.output.find("by operator type:"), std::string::npos) << profile.output;
  EXPECT_NE(profile.output.find("CONV2D"), std::string::npos) << profile.output;
  EXPECT_NE(profile.output.find("more (--top N shows more)"), std::string::npos) << profile.output;

  CommandResult list = RunInferctl(url, "list");
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.output.find("digits_fp32      1        READY"), std::string::npos) << list.output;

  CommandResult health = RunInferctl(url, "health digits_fp32");
  EXPECT_EQ(health.exit_code, 0) << health.output;

  // A mistake a user can make: one readable line, non-zero exit.
  std::string zeros = "0";
  for (int i = 1; i < 64; ++i) zeros += ",0";
  CommandResult wrong = RunInferctl(url, "infer digits_int8 --input images=FP32:1,8,8,1:" + zeros);
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.output.find("INVALID_ARGUMENT"), std::string::npos) << wrong.output;
  EXPECT_NE(wrong.output.find("expected datatype INT8"), std::string::npos) << wrong.output;
  EXPECT_EQ(std::count(wrong.output.begin(), wrong.output.end(), '\n'), 1) << wrong.output;

  CommandResult unknown = RunInferctl(url, "metadata no_such_model");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("NOT_FOUND"), std::string::npos) << unknown.output;
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST(InferctlTest, DevicesListsTheVulkanDeviceWithTheGpuModelOnIt) {
  auto daemon = DaemonProcess::Start({"--model-repository=" + SourceDir() + "/examples/models"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  CommandResult devices = RunInferctl((*daemon)->grpc_address(), "devices");
  EXPECT_EQ(devices.exit_code, 0) << devices.output;
  EXPECT_NE(devices.output.find("0  "), std::string::npos) << devices.output;
  EXPECT_NE(devices.output.find("MiB used by inferd"), std::string::npos) << devices.output;
  EXPECT_NE(devices.output.find("instance: digits_int8_gpu version 1 #0"), std::string::npos)
      << devices.output;
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST(InferctlTest, ProfileShowsGpuTimePerOperatorForAGpuModel) {
  auto daemon = DaemonProcess::Start({"--model-repository=" + SourceDir() + "/examples/models"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const std::string url = (*daemon)->grpc_address();
  CommandResult infer = RunInferctl(url, "infer digits_int8_gpu --input images=" + SourceDir() +
                                             "/examples/data/digits_test_images_int8.npy");
  ASSERT_EQ(infer.exit_code, 0) << infer.output;
  // Every entry (53 here), so that what is listed never depends on which operators were
  // the slowest in this run: with --top 40, a loaded machine once ranked the batch pass of 4 out.
  CommandResult profile = RunInferctl(url, "profile digits_int8_gpu --top 1000");
  EXPECT_EQ(profile.exit_code, 0) << profile.output;
  EXPECT_NE(profile.output.find("digits_int8_gpu version 1: 359 inferences in 6 executions"),
            std::string::npos)
      << profile.output;
  // The 359 images went as five full batches of 64, each one pass over the graph widened to the
  // batch (its operators in a block of their own, the batch in their shapes), and a batch of 39 as
  // passes of 32, 4 and 2 (the preferred size and powers of two) and one image alone; the shader
  // names are not operators. A CONV2D and the RESCALE and CLAMP its dispatch took over are one
  // entry, named after all three.
  EXPECT_NE(profile.output.find(" 5  CONV2D+RESCALE+CLAMP #"), std::string::npos) << profile.output;
  EXPECT_NE(profile.output.find(" 1  CONV2D+RESCALE+CLAMP #"), std::string::npos) << profile.output;
  for (const std::string block :
       {"[64x8x8x8] (block main (batch pass of 64))", "[32x8x8x8] (block main (batch pass of 32))",
        "[4x8x8x8] (block main (batch pass of 4))", "[2x8x8x8] (block main (batch pass of 2))",
        "[1x8x8x8]\n"}) {
    EXPECT_NE(profile.output.find(block), std::string::npos) << block << "\n" << profile.output;
  }
  EXPECT_EQ(profile.output.find("(batch pass of 16)"), std::string::npos) << profile.output;
  EXPECT_EQ(profile.output.find("--top N shows more"), std::string::npos) << profile.output;
  EXPECT_NE(profile.output.find("by operator type:"), std::string::npos) << profile.output;
  EXPECT_EQ((*daemon)->Stop(), 0);
}

using InferctlTlsTest = TlsFixture;

TEST_F(InferctlTlsTest, TalksToAMutualTlsDaemonWithItsCertificatesAndIsRefusedWithout) {
  auto daemon = DaemonProcess::Start({"--model-repository=" + SourceDir() + "/examples/models",
                                      "--grpc-use-ssl-mutual=true",
                                      "--grpc-server-cert=" + certificates_->Path("live.pem"),
                                      "--grpc-server-key=" + certificates_->Path("live.key"),
                                      "--grpc-root-cert=" + certificates_->ca_pem()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  // 127.0.0.1:PORT; the server's certificate names IP 127.0.0.1 and DNS localhost.
  const std::string url = (*daemon)->grpc_address();
  const std::string root = " --root-cert " + certificates_->ca_pem();
  const std::string client = " --client-cert " + certificates_->client_pem() + " --client-key " +
                             certificates_->client_key();

  CommandResult health = RunInferctl(url, root + client + " --timeout-ms 20000 health");
  EXPECT_EQ(health.exit_code, 0) << health.output;
  CommandResult infer = RunInferctl(
      url, root + client + " infer digits_int8 --max-values 1 --input images=" + SourceDir() +
               "/examples/data/digits_test_images_int8.npy");
  EXPECT_EQ(infer.exit_code, 0) << infer.output;
  EXPECT_NE(infer.output.find("scores: INT8 [359,10]"), std::string::npos) << infer.output;
  // The name checked can be another one the certificate carries.
  EXPECT_EQ(
      RunInferctl(url, root + client + " --ssl-target-name localhost --timeout-ms 20000 health")
          .exit_code,
      0);

  // Refused: without the CA (gRPC's default roots do not hold it), without a client certificate,
  // in plaintext, and for a name the certificate does not carry.
  for (const std::string& args : {"--ssl" + client, root, std::string(),
                                  root + client + " --ssl-target-name other.example"}) {
    CommandResult refused = RunInferctl(url, args + " --timeout-ms 20000 health");
    EXPECT_EQ(refused.exit_code, 1) << args << "\n" << refused.output;
  }
  // A file that is not there stops inferctl before it connects, naming the flag.
  CommandResult missing = RunInferctl(url, "--root-cert /nonexistent.pem health");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("--root-cert=/nonexistent.pem: cannot read"), std::string::npos)
      << missing.output;
  EXPECT_EQ((*daemon)->Stop(), 0);
}

}  // namespace
}  // namespace inferd::testing

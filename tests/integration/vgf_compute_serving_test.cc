// A VGF model of two segments -- a GRAPH segment and a COMPUTE segment in GLSL, passing data
// through an intermediate of the resource table -- served by the real daemon on Vulkan (lavapipe
// here): batches of requests get the exact integers the two segments compute. The same file
// placed on tosa_cpu fails its load alone, naming the segment, while the rest keeps serving.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "client/inference_client.h"
#include "engine/graph/vgf/vgf_file_writer.h"
#include "tests/engine/graph/vgf/vgf_sequence_fixture.h"
#include "tests/integration/daemon_process.h"

namespace inferd::testing {
namespace {

namespace fs = std::filesystem;
using graph::vgf::testing::ExpectedTwoSegmentOutput;
using graph::vgf::testing::SegmentOrder;

constexpr int kElements = 200;

void WriteModel(const fs::path& root, const std::string& name, const std::string& backend) {
  const std::vector<uint8_t> bytes = graph::vgf::SerializeVgfFile(
      graph::vgf::testing::TwoSegmentFile(SegmentOrder::kGraphThenCompute, kElements));
  fs::create_directories(root / name / "1");
  std::ofstream(root / name / "1" / "model.vgf", std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  std::ofstream(root / name / "config.pbtxt")
      << "name: \"" << name << "\"\nbackend: \"" << backend << "\"\nmax_batch_size: 0\n";
}

TEST(VgfComputeServingTest, GraphAndComputeSegmentsServeOnVulkan) {
  const fs::path root = fs::path(::testing::TempDir()) / absl::StrCat("vgf_compute_", ::getpid());
  fs::remove_all(root);
  WriteModel(root, "two_segments_gpu", "tosa_vulkan");
  WriteModel(root, "two_segments_cpu", "tosa_cpu");
  // lavapipe in Debian 12 has no per-pipeline robustness: the operator opts in for all shaders.
  auto daemon = DaemonProcess::Start(
      {"--model-repository=" + root.string(), "--vulkan-robust-buffer-access=true"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto client = client::InferenceClient::Connect((*daemon)->grpc_address(), absl::Seconds(60));
  ASSERT_NE(client, nullptr);

  auto index = client->RepositoryIndex();
  ASSERT_TRUE(index.ok()) << index.status();
  std::map<std::string, std::pair<std::string, std::string>> states;
  for (const auto& model : *index) states[model.name()] = {model.state(), model.reason()};
  EXPECT_EQ(states["two_segments_gpu"].first, "READY") << states["two_segments_gpu"].second;
  EXPECT_EQ(states["two_segments_cpu"].first, "UNAVAILABLE");
  EXPECT_NE(states["two_segments_cpu"].second.find(
                "VGF COMPUTE segment 'scale_segment' is a compute shader, which runs only on "
                "backend \"tosa_vulkan\""),
            std::string::npos)
      << states["two_segments_cpu"].second;

  std::mt19937 random(20261207);
  std::uniform_int_distribution<int32_t> value(-1000000, 1000000);
  for (int round = 0; round < 3; ++round) {
    std::vector<int32_t> x(kElements);
    for (int32_t& v : x) v = value(random);
    Tensor input = Tensor::Allocate(DataType::kInt32, {1, kElements});
    std::copy(x.begin(), x.end(), input.mutable_values<int32_t>().begin());
    auto result = client->Infer("two_segments_gpu", {{"x", input}});
    ASSERT_TRUE(result.ok()) << result.status() << "\n" << (*daemon)->Log();
    const Tensor* y = result->Find("y");
    ASSERT_NE(y, nullptr);
    EXPECT_EQ(y->shape(), (Shape{1, kElements}));
    const auto values = y->values<int32_t>();
    EXPECT_EQ(std::vector<int32_t>(values.begin(), values.end()),
              ExpectedTwoSegmentOutput(SegmentOrder::kGraphThenCompute, x))
        << "round " << round;
  }
  EXPECT_EQ((*daemon)->Stop(), 0);
  fs::remove_all(root);
}

}  // namespace
}  // namespace inferd::testing

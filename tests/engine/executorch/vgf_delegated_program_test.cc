// ExecuTorch programs delegated to VgfBackend, as the model loader loads them: the payload is
// decoded once per model version and its graph shared by every instance (tosa_cpu keeps packed
// weights per graph), and a payload with a COMPUTE segment is refused off tosa_vulkan naming it.
#include "engine/vgf_delegated_program.h"

#include <gtest/gtest.h>

#include "engine/graph/vgf/vgf_file_writer.h"
#include "tests/engine/executorch/executorch_files.h"
#include "tests/engine/graph/vgf/vgf_sequence_fixture.h"
#include "tests/engine/test_backend.h"

namespace inferd {
namespace {

using graph::vgf::testing::SegmentOrder;

// Records the graph of every load and answers with an echo executable.
class RecordingBackend : public Backend {
 public:
  explicit RecordingBackend(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  std::string_view default_model_filename() const override { return "model.pte"; }
  absl::StatusOr<std::unique_ptr<Executable>> Load(const BackendLoadRequest& request) override {
    graphs.push_back(request.graph);
    names.push_back(request.inputs.empty() ? "" : request.inputs[0].name);
    return ::inferd::testing::MakeEchoExecutable(control_);
  }
  std::vector<std::shared_ptr<const graph::Graph>> graphs;
  std::vector<std::string> names;

 private:
  std::string name_;
  std::shared_ptr<::inferd::testing::TestBackendControl> control_ =
      std::make_shared<::inferd::testing::TestBackendControl>();
};

BackendLoadRequest TwoSegmentProgram() {
  const std::vector<uint8_t> vgf = graph::vgf::SerializeVgfFile(
      graph::vgf::testing::TwoSegmentFile(SegmentOrder::kGraphThenCompute, 8));
  BackendLoadRequest request;
  request.model_name = "two_segments";
  request.model_bytes =
      std::make_shared<const std::vector<uint8_t>>(executorch::testing::GenerateProgram(
          vgf, {"--backend-id", "VgfBackend", "--input", "Int:1,8", "--output", "Int:1,8"}));
  request.inputs = {{"x", DataType::kInt32, {1, 8}}};
  request.outputs = {{"y", DataType::kInt32, {1, 8}}};
  return request;
}

TEST(VgfDelegatedProgramTest, InstancesOfAVersionShareOneDecodedGraph) {
  RecordingBackend backend("tosa_vulkan");
  const BackendLoadRequest request = TwoSegmentProgram();
  ASSERT_FALSE(request.model_bytes->empty());
  VgfPayloadCache cache;
  for (int instance = 0; instance < 3; ++instance) {
    auto executable = LoadVgfDelegatedProgram(backend, request, &cache);
    ASSERT_TRUE(executable.ok()) << executable.status();
  }
  ASSERT_EQ(backend.graphs.size(), 3u);
  ASSERT_NE(backend.graphs[0], nullptr);
  EXPECT_EQ(backend.graphs[1], backend.graphs[0]);
  EXPECT_EQ(backend.graphs[2], backend.graphs[0]);
  EXPECT_EQ(backend.names[2], "x");  // the graph's name of the delegate's input, every time
  // Without a cache, each load decodes its own.
  ASSERT_TRUE(LoadVgfDelegatedProgram(backend, request).ok());
  EXPECT_NE(backend.graphs[3], backend.graphs[0]);
}

TEST(VgfDelegatedProgramTest, ComputeSegmentsAreRefusedOffTheVulkanBackend) {
  RecordingBackend backend("tosa_cpu");
  auto executable = LoadVgfDelegatedProgram(backend, TwoSegmentProgram());
  ASSERT_FALSE(executable.ok());
  EXPECT_EQ(executable.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(executable.status().message().find("VGF COMPUTE segment 'scale_segment' is a compute "
                                               "shader, which runs only on backend "
                                               "\"tosa_vulkan\""),
            std::string::npos)
      << executable.status();
  EXPECT_TRUE(backend.graphs.empty());
}

}  // namespace
}  // namespace inferd

// LoadVgfModelGraph: how model loading fills a VGF's open input dimensions from config.pbtxt and
// what it says when the config cannot.
#include "engine/vgf_model_graph.h"

#include <fstream>
#include <iterator>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/graph/vgf/vgf_shared_files.h"

namespace inferd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class VgfModelGraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto path = graph::vgf::testing::NssModelPath();
    if (!path.has_value()) {
      GTEST_SKIP() << "../shared/models/vgf/nss_v0_1_1_int8.vgf is absent (set "
                      "INFERD_VGF_MODELS_DIR); skipping";
    }
    std::ifstream in(*path, std::ios::binary);
    bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    config_.set_name("nss");
  }
  void DeclareInput(std::vector<int64_t> dims) {
    auto* input = config_.add_input();
    input->set_name("tosa_deserialized_input_0:0");
    input->set_data_type(inference::TYPE_INT8);
    for (int64_t d : dims) input->add_dims(d);
  }
  std::vector<uint8_t> bytes_;
  inference::ModelConfig config_;
};

TEST_F(VgfModelGraphTest, ConfigDimsFillTheOpenDimensions) {
  DeclareInput({1, 16, 24, 12});
  auto graph = LoadVgfModelGraph(bytes_, config_);
  ASSERT_TRUE(graph.ok()) << graph.status();
  const auto& main = (*graph)->main_block();
  EXPECT_THAT((*graph)->tensor(main.inputs[0]).shape, ElementsAre(1, 16, 24, 12));
  EXPECT_THAT((*graph)->tensor(main.outputs[0]).shape, ElementsAre(1, 16, 24, 4));
}

TEST_F(VgfModelGraphTest, BatchingModelsGetABatchDimensionOfOne) {
  config_.set_max_batch_size(4);
  DeclareInput({8, 8, 12});
  auto graph = LoadVgfModelGraph(bytes_, config_);
  ASSERT_TRUE(graph.ok()) << graph.status();
  EXPECT_THAT((*graph)->tensor((*graph)->main_block().inputs[0]).shape, ElementsAre(1, 8, 8, 12));
}

TEST_F(VgfModelGraphTest, AnUndeclaredOpenInputIsRefused) {
  auto graph = LoadVgfModelGraph(bytes_, config_);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(),
              HasSubstr("VGF input 'tosa_deserialized_input_0:0' has shape "
                        "[-1,-1,-1,12] with open dimensions; config.pbtxt must declare this input "
                        "with its dims"));
}

TEST_F(VgfModelGraphTest, VariableConfigDimsAreRefused) {
  DeclareInput({1, -1, -1, 12});
  auto graph = LoadVgfModelGraph(bytes_, config_);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(),
              HasSubstr("config input 'tosa_deserialized_input_0:0' has dims [1,-1,-1,12]; a VGF "
                        "input with open dimensions needs every dim fixed"));
}

TEST_F(VgfModelGraphTest, SizesTheNetworkCannotTakeFailValidation) {
  DeclareInput({1, 12, 12, 12});  // 12 / 4 = 3 rows: the third stride-2 convolution cannot split 3
  auto graph = LoadVgfModelGraph(bytes_, config_);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(), HasSubstr("invalid graph in VGF file: "));
  EXPECT_THAT(graph.status().message(), HasSubstr("(CONV2D): spatial dimension 0: input 3"));
}

}  // namespace
}  // namespace inferd

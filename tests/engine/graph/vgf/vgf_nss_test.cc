// The real NSS model (../shared/models/vgf): read, decoded with a chosen input size, validated.
#include <fstream>
#include <iterator>

#include "engine/graph/graph_validator.h"
#include "engine/graph/vgf/vgf_file.h"
#include "engine/graph/vgf/vgf_graph_decoder.h"
#include "engine/graph/vgf/vgf_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/graph/vgf/vgf_shared_files.h"

namespace inferd::graph::vgf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<uint8_t> ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

class NssTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto path = testing::NssModelPath();
    if (!path.has_value()) {
      GTEST_SKIP() << "../shared/models/vgf/nss_v0_1_1_int8.vgf is absent (set "
                      "INFERD_VGF_MODELS_DIR); skipping the real-model test";
    }
    bytes_ = ReadAll(*path);
  }
  std::vector<uint8_t> bytes_;
};

TEST_F(NssTest, ReadsTheFileTables) {
  auto file = ReadVgfFile(bytes_);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->version.major, 0);
  EXPECT_EQ(file->version.minor, 4);
  EXPECT_EQ(file->version.patch, 0);
  ASSERT_EQ(file->modules.size(), 1u);
  EXPECT_EQ(file->modules[0].type, VgfModuleType::kGraph);
  EXPECT_EQ(file->modules[0].name, "graph_partition_0");
  EXPECT_EQ(file->modules[0].spirv.size(), 6580u);
  ASSERT_EQ(file->segments.size(), 1u);
  EXPECT_EQ(file->segments[0].constants.size(), 25u);
  EXPECT_EQ(file->constants.size(), 25u);
  EXPECT_FALSE(file->legacy_constants);
  EXPECT_EQ(file->inputs.size(), 1u);
  EXPECT_EQ(file->outputs.size(), 6u);
  EXPECT_THAT(file->input_names, ElementsAre("tosa_deserialized_input_0:0"));
  ASSERT_EQ(file->resources.size(), 32u);
  EXPECT_THAT(file->resources[0].shape, ElementsAre(32, 3, 3, 12));
  EXPECT_EQ(file->resources[0].category, VgfResourceCategory::kConstant);
  // Constant 0: int8 [32,3,3,12].
  EXPECT_EQ(file->constants[0].data.size(), 32u * 3 * 3 * 12);
}

TEST_F(NssTest, SignatureLeavesSpatialDimensionsOpen) {
  auto file = ReadVgfFile(bytes_);
  ASSERT_TRUE(file.ok()) << file.status();
  auto signature = ReadVgfSignature(*file);
  ASSERT_TRUE(signature.ok()) << signature.status();
  ASSERT_EQ(signature->inputs.size(), 1u);
  EXPECT_EQ(signature->inputs[0].name, "tosa_deserialized_input_0:0");
  EXPECT_EQ(signature->inputs[0].dtype, DType::kInt8);
  EXPECT_THAT(signature->inputs[0].shape, ElementsAre(-1, -1, -1, 12));  // from the resource table
  EXPECT_EQ(signature->outputs.size(), 6u);
}

TEST_F(NssTest, DecodesWithAGivenInputShape) {
  auto file = ReadVgfFile(bytes_);
  ASSERT_TRUE(file.ok()) << file.status();
  VgfDecodeOptions options;
  options.input_shapes["tosa_deserialized_input_0:0"] = {1, 32, 32, 12};
  auto graph = DecodeVgfGraph(*file, options);
  ASSERT_TRUE(graph.ok()) << graph.status();
  ASSERT_TRUE(ValidateGraph(**graph).ok()) << ValidateGraph(**graph);
  const Block& main = (*graph)->main_block();
  int conv = 0, rescale = 0, resize = 0, table = 0, concat = 0;
  for (const Operator& op : main.operators) {
    conv += op.op == Op::kConv2d;
    rescale += op.op == Op::kRescale;
    resize += op.op == Op::kResize;
    table += op.op == Op::kTable;
    concat += op.op == Op::kConcat;
  }
  EXPECT_EQ(conv, 18);
  EXPECT_EQ(rescale, 18);
  EXPECT_EQ(resize, 8);
  EXPECT_EQ(table, 6);
  EXPECT_EQ(concat, 2);
  ASSERT_EQ(main.inputs.size(), 1u);
  EXPECT_EQ((*graph)->tensor(main.inputs[0]).name, "tosa_deserialized_input_0:0");
  ASSERT_EQ(main.outputs.size(), 6u);
  EXPECT_EQ((*graph)->tensor(main.outputs[5]).name, "tosa_deserialized_output_5:0");
  EXPECT_EQ((*graph)->tensor(main.outputs[0]).dtype, DType::kInt8);
  EXPECT_THAT((*graph)->tensor(main.outputs[0]).shape, ElementsAre(1, 32, 32, 4));
}

TEST_F(NssTest, RefusesAnInputShapeTheResourceTableContradicts) {
  auto file = ReadVgfFile(bytes_);
  ASSERT_TRUE(file.ok()) << file.status();
  VgfDecodeOptions options;
  options.input_shapes["tosa_deserialized_input_0:0"] = {1, 32, 32, 3};
  auto graph = DecodeVgfGraph(*file, options);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(),
              HasSubstr("input 'tosa_deserialized_input_0:0': the shape given for it, "
                        "[1,32,32,3], disagrees with the resource table's [-1,-1,-1,12]"));
}

// NSS decoded, written again by inferd's writer (format 0.4.3) and read back: the same operators on
// the same tensors, the same constant bytes.
TEST_F(NssTest, SurvivesARoundTripThroughTheWriter) {
  auto file = ReadVgfFile(bytes_);
  ASSERT_TRUE(file.ok()) << file.status();
  VgfDecodeOptions options;
  options.input_shapes["tosa_deserialized_input_0:0"] = {1, 16, 16, 12};
  auto graph = DecodeVgfGraph(*file, options);
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto written = WriteVgfFile(**graph);
  ASSERT_TRUE(written.ok()) << written.status();
  auto again = LoadVgfGraph(*written);
  ASSERT_TRUE(again.ok()) << again.status();
  const Graph& a = **graph;
  const Graph& b = **again;
  ASSERT_EQ(a.main_block().operators.size(), b.main_block().operators.size());
  for (size_t i = 0; i < a.main_block().operators.size(); ++i) {
    const Operator& x = a.main_block().operators[i];
    const Operator& y = b.main_block().operators[i];
    ASSERT_EQ(x.op, y.op) << "operator " << i;
    ASSERT_EQ(x.inputs.size(), y.inputs.size()) << "operator " << i;
    for (size_t k = 0; k < x.inputs.size(); ++k) {
      EXPECT_EQ(a.tensor(x.inputs[k]).shape, b.tensor(y.inputs[k]).shape) << "operator " << i;
      EXPECT_EQ(a.tensor(x.inputs[k]).data, b.tensor(y.inputs[k]).data) << "operator " << i;
    }
    EXPECT_EQ(a.tensor(x.outputs[0]).shape, b.tensor(y.outputs[0]).shape) << "operator " << i;
  }
  EXPECT_EQ(b.tensor(b.main_block().outputs[3]).name, "tosa_deserialized_output_3:0");
}

TEST_F(NssTest, RefusesToDecodeWithoutAnInputShape) {
  auto file = ReadVgfFile(bytes_);
  ASSERT_TRUE(file.ok()) << file.status();
  auto graph = DecodeVgfGraph(*file);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(),
              HasSubstr("input 'tosa_deserialized_input_0:0' has rank 4 but no shape in the file"));
}

}  // namespace
}  // namespace inferd::graph::vgf

// Reads the shared TOSA 1.0 conformance files: every one must decode and validate, and a few are
// checked in detail.
#include <filesystem>
#include <memory>
#include <string>
#include <variant>

#include "engine/graph/graph.h"
#include "engine/graph/graph_signature.h"
#include "engine/graph/tosa_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/graph/conformance_files.h"

namespace inferd::graph {
namespace {

using testing::ConformanceDir;
using ::testing::ElementsAre;

constexpr char kSkipMessage[] =
    "TOSA conformance set not found; set INFERD_TOSA_CONFORMANCE_DIR or place it at "
    "<repo>/../shared/tosa-conformance";

// Loads operators/<relative>/test.tosa, or skips when the set or that folder is missing.
#define LOAD_OR_SKIP(graph_var, relative)                                              \
  std::shared_ptr<const Graph> graph_var;                                              \
  {                                                                                    \
    std::optional<std::filesystem::path> dir = ConformanceDir();                       \
    if (!dir.has_value()) GTEST_SKIP() << kSkipMessage;                                \
    const std::filesystem::path path = *dir / "operators" / (relative) / "test.tosa";  \
    if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not in the set";  \
    absl::StatusOr<std::shared_ptr<const Graph>> loaded = LoadTosaFile(path.string()); \
    ASSERT_TRUE(loaded.ok()) << loaded.status();                                       \
    graph_var = *loaded;                                                               \
  }

const Tensor& Named(const Graph& graph, BlockId block, const std::string& name) {
  std::optional<TensorId> id = graph.FindTensor(block, name);
  EXPECT_TRUE(id.has_value()) << name;
  return graph.tensor(id.value_or(0));
}

TEST(TosaConformanceTest, ReadsAndValidatesEveryFile) {
  std::optional<std::filesystem::path> dir = ConformanceDir();
  if (!dir.has_value()) GTEST_SKIP() << kSkipMessage;
  const auto files = testing::AllTestFiles(*dir);
  ASSERT_FALSE(files.empty()) << "no operators/**/test.tosa under " << *dir;
  int failures = 0;
  for (const auto& file : files) {
    absl::StatusOr<std::shared_ptr<const Graph>> graph = LoadTosaFile(file.string());
    if (!graph.ok()) {
      ++failures;
      ADD_FAILURE() << graph.status();
      continue;
    }
    EXPECT_EQ((*graph)->version.major, 1);
    EXPECT_EQ((*graph)->version.minor, 0);
    EXPECT_FALSE((*graph)->main_block().operators.empty()) << file;
  }
  EXPECT_EQ(failures, 0) << "of " << files.size() << " files";
}

TEST(TosaConformanceTest, Conv2dFile) {
  LOAD_OR_SKIP(graph,
               "tensor/conv2d_3x1/"
               "conv2d_3x1_3x31x19x9_f32xf32_accf32_st21_pad0210_dilat12_lclbnd0_s1");
  EXPECT_TRUE(graph->version.draft);
  ASSERT_EQ(graph->regions.size(), 1u);
  EXPECT_EQ(graph->regions[0].name, "main");
  const Block& main = graph->main_block();
  EXPECT_EQ(main.name, "main");
  ASSERT_EQ(main.operators.size(), 4u);
  EXPECT_EQ(main.operators[0].op, Op::kConst);
  const Operator& conv = main.operators[3];
  EXPECT_EQ(conv.op, Op::kConv2d);
  const auto& attr = std::get<Conv2dAttr>(conv.attribute);
  EXPECT_THAT(attr.pad, ElementsAre(0, 2, 1, 0));
  EXPECT_THAT(attr.stride, ElementsAre(2, 1));
  EXPECT_THAT(attr.dilation, ElementsAre(1, 2));
  EXPECT_EQ(attr.acc_type, DType::kFp32);
  EXPECT_FALSE(attr.local_bound);
  ASSERT_EQ(conv.inputs.size(), 5u);
  const Tensor& input = graph->tensor(conv.inputs[0]);
  EXPECT_EQ(input.name, "input-0");
  EXPECT_EQ(input.dtype, DType::kFp32);
  EXPECT_THAT(input.shape, ElementsAre(3, 31, 19, 9));
  const Tensor& weight = graph->tensor(conv.inputs[1]);
  EXPECT_THAT(weight.shape, ElementsAre(2, 3, 1, 9));
  EXPECT_EQ(weight.data.size(), 2u * 3 * 1 * 9 * 4);
  const Tensor& output = graph->tensor(conv.outputs[0]);
  EXPECT_EQ(output.name, "result-0");
  EXPECT_THAT(output.shape, ElementsAre(3, 16, 20, 2));

  const GraphSignature signature = MainBlockSignature(*graph);
  ASSERT_EQ(signature.outputs.size(), 1u);
  EXPECT_EQ(signature.outputs[0].name, "result-0");
  EXPECT_EQ(signature.outputs[0].dtype, DType::kFp32);
  EXPECT_EQ(KServeDatatype(signature.outputs[0].dtype), "FP32");
}

TEST(TosaConformanceTest, RescaleFile) {
  LOAD_OR_SKIP(graph, "type_conversion/rescale/rescale_20x19_i16_outi32_sc1_rmS_pc0_iu0_ou0");
  const Operator& op = graph->main_block().operators.back();
  ASSERT_EQ(op.op, Op::kRescale);
  const auto& attr = std::get<RescaleAttr>(op.attribute);
  EXPECT_TRUE(attr.scale32);
  EXPECT_EQ(attr.rounding_mode, RoundingMode::kSingleRound);
  EXPECT_FALSE(attr.per_channel);
  ASSERT_EQ(op.inputs.size(), 5u);
  EXPECT_EQ(graph->tensor(op.inputs[0]).dtype, DType::kInt16);
  EXPECT_EQ(graph->tensor(op.inputs[1]).dtype, DType::kInt32);  // multiplier
  EXPECT_EQ(graph->tensor(op.inputs[2]).dtype, DType::kInt8);   // shift
  EXPECT_EQ(graph->tensor(op.outputs[0]).dtype, DType::kInt32);
  const GraphSignature signature = MainBlockSignature(*graph);
  ASSERT_EQ(signature.inputs.size(), 1u);
  EXPECT_EQ(signature.inputs[0].name, "input-0");
  EXPECT_THAT(signature.inputs[0].shape, ElementsAre(20, 19));
  EXPECT_EQ(KServeDatatype(signature.inputs[0].dtype), "INT16");
}

TEST(TosaConformanceTest, ReshapeFileTakesItsShapeFromConstShape) {
  LOAD_OR_SKIP(graph, "data_layout/reshape/reshape_6x3x3x5x6_f32_perm0_rank2_out2x810");
  const Block& main = graph->main_block();
  ASSERT_EQ(main.operators.size(), 3u);
  EXPECT_EQ(main.operators[1].op, Op::kConstShape);
  const Tensor& shape = graph->tensor(main.operators[1].outputs[0]);
  EXPECT_EQ(shape.dtype, DType::kShape);
  EXPECT_EQ(shape.data.size(), 16u);  // two int64 values
  EXPECT_EQ(main.operators[2].op, Op::kReshape);
  EXPECT_THAT(graph->tensor(main.operators[2].outputs[0]).shape, ElementsAre(2, 810));
}

TEST(TosaConformanceTest, WhileLoopBodiesSeeTheCallersTensors) {
  std::optional<std::filesystem::path> dir = ConformanceDir();
  if (!dir.has_value()) GTEST_SKIP() << kSkipMessage;
  const std::filesystem::path folder = *dir / "operators" / "control_flow" / "while_loop";
  if (!std::filesystem::is_directory(folder)) GTEST_SKIP() << folder << " is not in the set";
  std::filesystem::path file;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (std::filesystem::exists(entry.path() / "test.tosa")) {
      file = entry.path() / "test.tosa";
      break;
    }
  }
  ASSERT_FALSE(file.empty());
  absl::StatusOr<std::shared_ptr<const Graph>> loaded = LoadTosaFile(file.string());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const Graph& graph = **loaded;
  const Operator& loop = graph.main_block().operators.back();
  ASSERT_EQ(loop.op, Op::kWhileLoop);
  const auto& attr = std::get<WhileLoopAttr>(loop.attribute);
  ASSERT_TRUE(attr.cond_block.has_value());
  ASSERT_TRUE(attr.body_block.has_value());
  EXPECT_EQ(graph.blocks[*attr.cond_block].name, attr.cond_graph);
  EXPECT_EQ(graph.blocks[*attr.body_block].name, attr.body_graph);
  EXPECT_EQ(graph.blocks[*attr.cond_block].parent, Graph::kMainBlock);
  // The condition block compares against a constant the main block declares.
  const Block& cond = graph.blocks[*attr.cond_block];
  ASSERT_EQ(cond.operators.size(), 1u);
  bool reads_outer = false;
  for (TensorId id : cond.operators[0].inputs) {
    reads_outer |= graph.tensor(id).block == Graph::kMainBlock;
  }
  EXPECT_TRUE(reads_outer);
  EXPECT_EQ(graph.tensor(cond.outputs[0]).dtype, DType::kBool);
  (void)Named(graph, *attr.body_block, graph.tensor(loop.inputs[0]).name);
}

TEST(TosaConformanceTest, CondIfFile) {
  LOAD_OR_SKIP(graph, "control_flow/cond_if_binary/cond_if_binary_7x7_f32_cond0");
  const Operator& op = graph->main_block().operators.back();
  ASSERT_EQ(op.op, Op::kCondIf);
  const auto& attr = std::get<CondIfAttr>(op.attribute);
  EXPECT_EQ(attr.then_graph, "THEN_BLOCK");
  EXPECT_EQ(attr.else_graph, "ELSE_BLOCK");
  ASSERT_TRUE(attr.then_block.has_value());
  EXPECT_EQ(graph->blocks[*attr.then_block].operators[0].op, Op::kAdd);
  EXPECT_EQ(graph->blocks[*attr.else_block].operators[0].op, Op::kSub);
}

TEST(TosaConformanceTest, ClampFileKeepsBoundsAsBytes) {
  LOAD_OR_SKIP(graph, "activation/clamp/clamp_39_i8");
  const Operator& op = graph->main_block().operators.back();
  ASSERT_EQ(op.op, Op::kClamp);
  const auto& attr = std::get<ClampAttr>(op.attribute);
  ASSERT_GE(attr.min_val.size(), 1u);
  ASSERT_GE(attr.max_val.size(), 1u);
  EXPECT_LE(static_cast<int8_t>(attr.min_val[0]), static_cast<int8_t>(attr.max_val[0]));
  EXPECT_EQ(attr.nan_mode, NanMode::kPropagate);
}

}  // namespace
}  // namespace inferd::graph

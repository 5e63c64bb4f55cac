// Variables in .tosa files: the reader keeps TosaTensor.variable / variable_name and the initial
// value, and a model load refuses graphs that break the variable rules (engine/graph/
// graph_variables.h) with a message naming the variable.
#include "engine/graph/graph_variables.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/graph/tosa_reader.h"
#include "gtest/gtest.h"
#include "tests/engine/graph/tosa_builder.h"

namespace inferd::graph {
namespace {

using testing::FbBlock;
using testing::FbGraph;
using testing::FbOp;
using testing::Int32Bytes;

// x INT32[2] -> out = VARIABLE_READ(acc) + x; VARIABLE_WRITE(out) -> acc.
FbGraph Accumulator() {
  FbBlock main;
  main.tensors = {
      {"x", tosa::DType::INT32, {2}, std::nullopt},
      {"acc", tosa::DType::INT32, {2}, Int32Bytes({10, 20})},
      {"old", tosa::DType::INT32, {2}, std::nullopt},
      {"out", tosa::DType::INT32, {2}, std::nullopt},
  };
  main.ops = {
      {tosa::Op::VARIABLE, {}, {"acc"}, nullptr, std::nullopt},
      {tosa::Op::VARIABLE_READ, {"acc"}, {"old"}, nullptr, std::nullopt},
      {tosa::Op::ADD, {"old", "x"}, {"out"}, nullptr, std::nullopt},
      {tosa::Op::VARIABLE_WRITE, {"out"}, {"acc"}, nullptr, std::nullopt},
  };
  main.inputs = {"x"};
  main.outputs = {"out"};
  main.variables = {{"acc", "accumulator"}};
  FbGraph graph;
  graph.blocks.push_back(std::move(main));
  return graph;
}

absl::Status Load(const FbGraph& graph) {
  return LoadTosaGraph(testing::Serialize(graph)).status();
}

void ExpectRefused(const FbGraph& graph, const std::string& fragment) {
  const absl::Status status = Load(graph);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_NE(status.message().find(fragment), std::string::npos) << status;
}

TEST(GraphVariablesTest, ReadsTheVariableTensorAndItsInitialValue) {
  absl::StatusOr<std::shared_ptr<const Graph>> graph =
      LoadTosaGraph(testing::Serialize(Accumulator()));
  ASSERT_TRUE(graph.ok()) << graph.status();
  const Tensor& acc = (*graph)->tensor(*(*graph)->FindTensor(0, "acc"));
  EXPECT_TRUE(acc.variable);
  EXPECT_EQ(VariableUid(acc), "accumulator");
  EXPECT_EQ(acc.data, Int32Bytes({10, 20}));
  const Block& main = (*graph)->main_block();
  EXPECT_EQ(VariableAccessOf(**graph, main.operators[0]), VariableAccess::kDeclare);
  EXPECT_EQ(VariableAccessOf(**graph, main.operators[1]), VariableAccess::kRead);
  EXPECT_EQ(VariableAccessOf(**graph, main.operators[2]), VariableAccess::kNone);
  EXPECT_EQ(VariableAccessOf(**graph, main.operators[3]), VariableAccess::kWrite);
}

TEST(GraphVariablesTest, RefusesAWriteOfAnotherType) {
  FbGraph graph = Accumulator();
  graph.blocks[0].tensors.push_back({"wide", tosa::DType::FP32, {2}, std::nullopt});
  graph.blocks[0].ops.insert(graph.blocks[0].ops.end() - 1,
                             FbOp{tosa::Op::CAST, {"out"}, {"wide"}, nullptr, std::nullopt});
  graph.blocks[0].ops.back().inputs = {"wide"};
  ExpectRefused(graph, "writes 'wide' FP32[2] but variable 'accumulator' is INT32[2]");
}

TEST(GraphVariablesTest, RefusesAReadIntoAnotherShape) {
  FbGraph graph = Accumulator();
  graph.blocks[0].tensors[2].shape = {1, 2};
  ExpectRefused(graph, "variable 'accumulator' is INT32[2]");
}

TEST(GraphVariablesTest, RefusesASecondDeclaration) {
  FbGraph graph = Accumulator();
  graph.blocks[0].ops.insert(graph.blocks[0].ops.begin(),
                             FbOp{tosa::Op::VARIABLE, {}, {"acc"}, nullptr, std::nullopt});
  ExpectRefused(graph, "variable 'accumulator' is declared a second time");
}

TEST(GraphVariablesTest, RefusesTwoTensorsOfOneUidThatDisagree) {
  FbGraph graph = Accumulator();
  graph.blocks[0].tensors.push_back({"acc_again", tosa::DType::INT32, {3}, std::nullopt});
  graph.blocks[0].variables["acc_again"] = "accumulator";
  ExpectRefused(graph, "is declared elsewhere as 'acc' INT32[2]");
}

TEST(GraphVariablesTest, RefusesAVariableAsAGraphOutput) {
  FbGraph graph = Accumulator();
  graph.blocks[0].outputs.push_back("acc");
  ExpectRefused(graph, "variable tensor 'acc' cannot be a block input or output");
}

TEST(GraphVariablesTest, RefusesOtherOperatorsOnAVariableTensor) {
  FbGraph graph = Accumulator();
  graph.blocks[0].ops[2].inputs = {"acc", "x"};
  ExpectRefused(graph, "uses variable tensor 'acc' directly");
}

}  // namespace
}  // namespace inferd::graph

// ReconcileConfigWithGraph: a graph input or output KServe has no datatype for (INT4, INT48, FP8)
// fails the load with a message naming the tensor and its type, whether or not the config declares
// it.
#include "engine/graph_model_config.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/graph/graph.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd {
namespace {

using ::testing::HasSubstr;

// in (INT4 or INT8) -> IDENTITY -> out of the same type.
graph::Graph IdentityGraph(graph::DType dtype) {
  graph::Graph g;
  g.blocks.resize(1);
  g.blocks[0].name = "main";
  g.regions.push_back({"main", {0}});
  for (const char* name : {"in", "out"}) {
    graph::Tensor t;
    t.name = name;
    t.dtype = dtype;
    t.shape = {4};
    g.blocks[0].tensors.push_back(static_cast<graph::TensorId>(g.tensors.size()));
    g.tensors.push_back(t);
  }
  g.blocks[0].inputs = {0};
  g.blocks[0].outputs = {1};
  graph::Operator op;
  op.op = graph::Op::kIdentity;
  op.inputs = {0};
  op.outputs = {1};
  g.blocks[0].operators.push_back(op);
  return g;
}

TEST(GraphModelConfigTest, RefusesAnInt4GraphInputNamingIt) {
  inference::ModelConfig config;
  config.set_name("packed");
  const absl::Status status = ReconcileConfigWithGraph(IdentityGraph(graph::DType::kInt4), config);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("graph tensor 'in' of type INT4 has no KServe data type"));
}

TEST(GraphModelConfigTest, RefusesAnInt4GraphTensorTheConfigDeclares) {
  inference::ModelConfig config;
  config.set_name("packed");
  auto* input = config.add_input();
  input->set_name("in");
  input->set_data_type(inference::TYPE_INT8);
  input->add_dims(4);
  auto* output = config.add_output();
  output->set_name("out");
  output->set_data_type(inference::TYPE_INT8);
  output->add_dims(4);
  const absl::Status status = ReconcileConfigWithGraph(IdentityGraph(graph::DType::kInt4), config);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(std::string(status.message()), HasSubstr("'in' of type INT4"));
  // The same graph in INT8 is fine.
  EXPECT_TRUE(ReconcileConfigWithGraph(IdentityGraph(graph::DType::kInt8), config).ok());
}

// KServe v2 has BF16 (Triton's datatype) but nothing for FP8, INT4 or INT48: a graph with those
// at its edges is refused by name; BF16 edges become BF16 model inputs and outputs.
TEST(GraphModelConfigTest, NarrowTypesAtTheEdges) {
  for (const graph::DType type : {graph::DType::kFp8E4M3, graph::DType::kFp8E5M2,
                                  graph::DType::kInt4, graph::DType::kInt48}) {
    inference::ModelConfig config;
    config.set_name("narrow");
    const absl::Status status = ReconcileConfigWithGraph(IdentityGraph(type), config);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented) << graph::DTypeName(type);
    EXPECT_THAT(std::string(status.message()),
                HasSubstr(absl::StrCat("of type ", std::string(graph::DTypeName(type)),
                                       " has no KServe data type")));
    EXPECT_THAT(std::string(status.message()), HasSubstr("may only be inside a graph"));
  }
  inference::ModelConfig config;
  config.set_name("bf16");
  ASSERT_TRUE(ReconcileConfigWithGraph(IdentityGraph(graph::DType::kBf16), config).ok());
  ASSERT_EQ(config.input_size(), 1);
  EXPECT_EQ(config.input(0).data_type(), inference::TYPE_BF16);
  EXPECT_EQ(config.output(0).data_type(), inference::TYPE_BF16);
}

}  // namespace
}  // namespace inferd

// ReadTosaGraph / LoadTosaGraph on files written in memory: what is accepted, and that every
// malformed variant is refused cleanly with a message naming the culprit.
#include "engine/graph/tosa_reader.h"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph/graph_validator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/graph/tosa_builder.h"

namespace inferd::graph {
namespace {

using testing::AddGraph;
using ::testing::ElementsAre;
using testing::FbBlock;
using testing::FbGraph;
using testing::FbOp;
using testing::FbTensor;
using ::testing::HasSubstr;
using testing::Int32Bytes;
using testing::Serialize;

std::string ReadError(const std::vector<uint8_t>& bytes) {
  absl::StatusOr<std::shared_ptr<const Graph>> graph = ReadTosaGraph(bytes);
  EXPECT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(graph.status().message());
}

std::string LoadError(const std::vector<uint8_t>& bytes) {
  absl::StatusOr<std::shared_ptr<const Graph>> graph = LoadTosaGraph(bytes);
  EXPECT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(graph.status().message());
}

TEST(TosaReaderTest, ReadsAValidGraph) {
  absl::StatusOr<std::shared_ptr<const Graph>> graph = LoadTosaGraph(Serialize(AddGraph()));
  ASSERT_TRUE(graph.ok()) << graph.status();
  const Graph& g = **graph;
  EXPECT_EQ(g.version.major, 1);
  EXPECT_EQ(g.version.minor, 0);
  EXPECT_TRUE(g.version.draft);
  ASSERT_EQ(g.blocks.size(), 1u);
  const Block& main = g.main_block();
  ASSERT_EQ(main.operators.size(), 2u);
  EXPECT_EQ(main.operators[1].op, Op::kAdd);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(main.operators[1].attribute));
  ASSERT_EQ(main.operators[1].inputs.size(), 2u);
  EXPECT_EQ(g.tensor(main.operators[1].inputs[0]).name, "in");
  const Tensor& bias = g.tensor(main.operators[1].inputs[1]);
  EXPECT_EQ(bias.name, "bias");
  EXPECT_EQ(bias.dtype, DType::kInt32);
  EXPECT_THAT(bias.shape, ElementsAre(1, 3));
  EXPECT_EQ(bias.data, Int32Bytes({1, 2, 3}));
  ASSERT_EQ(main.inputs.size(), 1u);
  EXPECT_EQ(g.tensor(main.inputs[0]).name, "in");
  EXPECT_EQ(g.tensor(main.outputs[0]).name, "out");
}

TEST(TosaReaderTest, AcceptsAnyPatchLevelOfOneZeroDraftOrNot) {
  FbGraph graph = AddGraph();
  graph.patch = 3;
  graph.draft = false;
  absl::StatusOr<std::shared_ptr<const Graph>> read = ReadTosaGraph(Serialize(graph));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ((*read)->version.patch, 3);
  EXPECT_FALSE((*read)->version.draft);
}

TEST(TosaReaderTest, RefusesOtherVersionsNamingBoth) {
  FbGraph graph = AddGraph();
  graph.major = 0;
  graph.minor = 80;
  graph.patch = 0;
  EXPECT_EQ(ReadError(Serialize(graph)),
            "TOSA version 0.80.0 is not supported; inferd reads 1.0.x");
  graph.major = 1;
  graph.minor = 1;
  EXPECT_THAT(ReadError(Serialize(graph)), HasSubstr("TOSA version 1.1.0 is not supported"));
}

TEST(TosaReaderTest, RefusesAWrongFileIdentifier) {
  std::vector<uint8_t> bytes = Serialize(AddGraph());
  std::memcpy(bytes.data() + 4, "TFL3", 4);
  EXPECT_THAT(ReadError(bytes), HasSubstr("file identifier is 'TFL3', expected 'TOSA'"));
}

TEST(TosaReaderTest, RefusesEmptyAndTinyInputs) {
  EXPECT_THAT(ReadError({}), HasSubstr("too short"));
  EXPECT_THAT(ReadError({'T', 'O', 'S', 'A'}), HasSubstr("too short"));
}

TEST(TosaReaderTest, EveryTruncationFailsCleanly) {
  const std::vector<uint8_t> bytes = Serialize(AddGraph());
  ASSERT_TRUE(ReadTosaGraph(bytes).ok());
  for (size_t length = 0; length < bytes.size(); ++length) {
    const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + length);
    EXPECT_FALSE(LoadTosaGraph(prefix).ok()) << "prefix of " << length << " bytes was accepted";
  }
}

TEST(TosaReaderTest, BitFlipsNeverCrash) {
  // Each flipped byte either still decodes to a graph the validator can judge, or is refused.
  const std::vector<uint8_t> bytes = Serialize(AddGraph());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      std::vector<uint8_t> mutated = bytes;
      mutated[i] ^= mask;
      absl::StatusOr<std::shared_ptr<const Graph>> graph = ReadTosaGraph(mutated);
      if (graph.ok()) (void)ValidateGraph(**graph);
    }
  }
}

TEST(TosaReaderTest, ReadsFromAnUnalignedBuffer) {
  const std::vector<uint8_t> bytes = Serialize(AddGraph());
  std::vector<uint8_t> storage(bytes.size() + 1);
  std::memcpy(storage.data() + 1, bytes.data(), bytes.size());
  absl::StatusOr<std::shared_ptr<const Graph>> graph =
      LoadTosaGraph(std::span<const uint8_t>(storage.data() + 1, bytes.size()));
  EXPECT_TRUE(graph.ok()) << graph.status();
}

TEST(TosaReaderTest, RefusesADanglingTensorName) {
  FbGraph graph = AddGraph();
  graph.blocks[0].ops[1].inputs[1] = "nope";
  EXPECT_EQ(ReadError(Serialize(graph)),
            "block 'main', operator #1 (ADD): input 1 'nope' is not a tensor of the block or of "
            "a block enclosing it");
}

TEST(TosaReaderTest, RefusesADanglingOutputAndBlockIo) {
  FbGraph graph = AddGraph();
  graph.blocks[0].ops[1].outputs = {"missing"};
  EXPECT_THAT(ReadError(Serialize(graph)), HasSubstr("output 0 'missing'"));
  graph = AddGraph();
  graph.blocks[0].inputs = {"ghost"};
  EXPECT_THAT(ReadError(Serialize(graph)), HasSubstr("block 'main': input 'ghost'"));
  graph = AddGraph();
  graph.blocks[0].outputs = {"ghost"};
  EXPECT_THAT(ReadError(Serialize(graph)), HasSubstr("block 'main': output 'ghost'"));
}

TEST(TosaReaderTest, RefusesDuplicateTensorNames) {
  FbGraph graph = AddGraph();
  graph.blocks[0].tensors.push_back({"in", tosa::DType::INT8, {1}, std::nullopt});
  EXPECT_THAT(ReadError(Serialize(graph)), HasSubstr("tensor 'in' is declared twice"));
}

TEST(TosaReaderTest, RefusesUnknownOperatorAndDTypeValues) {
  FbGraph graph = AddGraph();
  graph.blocks[0].ops[1].op = static_cast<tosa::Op>(200);
  graph.blocks[0].ops[1].attribute_type = tosa::Attribute::NONE;
  EXPECT_THAT(ReadError(Serialize(graph)), HasSubstr("unknown operator value 200"));
  graph = AddGraph();
  graph.blocks[0].tensors[2].type = static_cast<tosa::DType>(99);
  EXPECT_THAT(ReadError(Serialize(graph)), HasSubstr("tensor 'out': unknown dtype value 99"));
}

TEST(TosaReaderTest, RefusesTheAttributeOfAnotherOperator) {
  FbGraph graph = AddGraph();
  graph.blocks[0].ops[1].attribute_type = tosa::Attribute::Conv2dAttribute;
  EXPECT_THAT(ReadError(Serialize(graph)),
              HasSubstr("operator #1 (ADD): carries a Conv2dAttribute attribute; expected "
                        "AddAttribute"));
}

TEST(TosaReaderTest, MissingAttributeTablesMeanDefaults) {
  FbGraph graph = AddGraph();
  graph.blocks[0].ops[1].attribute_type = tosa::Attribute::NONE;
  absl::StatusOr<std::shared_ptr<const Graph>> read = LoadTosaGraph(Serialize(graph));
  EXPECT_TRUE(read.ok()) << read.status();
}

TEST(TosaReaderTest, DecodesAttributes) {
  FbGraph graph;
  FbBlock main;
  main.tensors = {{"in", tosa::DType::FP32, {1, 4, 4, 2}, std::nullopt},
                  {"out", tosa::DType::FP32, {1, 2, 2, 2}, std::nullopt}};
  FbOp pool{tosa::Op::MAX_POOL2D, {"in"}, {"out"}, nullptr, std::nullopt};
  pool.attribute = [](flatbuffers::FlatBufferBuilder& fbb) {
    const std::vector<int32_t> kernel = {2, 2};
    return tosa::CreateMaxPool2dAttributeDirect(fbb, &kernel, nullptr, nullptr,
                                                tosa::NanPropagationMode::IGNORE)
        .Union();
  };
  main.ops = {pool};
  main.inputs = {"in"};
  main.outputs = {"out"};
  graph.blocks.push_back(main);
  absl::StatusOr<std::shared_ptr<const Graph>> read = ReadTosaGraph(Serialize(graph));
  ASSERT_TRUE(read.ok()) << read.status();
  const auto& attr = std::get<MaxPool2dAttr>((*read)->main_block().operators[0].attribute);
  EXPECT_THAT(attr.kernel, ElementsAre(2, 2));
  EXPECT_TRUE(attr.stride.empty());
  EXPECT_EQ(attr.nan_mode, NanMode::kIgnore);
  // Stride and pad are missing, which the validator reports.
  EXPECT_THAT(ValidateGraph(**read).message(), HasSubstr("attribute stride has 0 entries"));
}

TEST(TosaReaderTest, RefusesAnUnknownControlFlowBlock) {
  FbGraph graph;
  FbBlock main;
  main.tensors = {{"cond", tosa::DType::BOOL, {}, std::vector<uint8_t>{1}},
                  {"out", tosa::DType::INT32, {1}, std::nullopt}};
  FbOp cond_if{tosa::Op::COND_IF, {"cond"}, {"out"}, nullptr, std::nullopt};
  cond_if.attribute = [](flatbuffers::FlatBufferBuilder& fbb) {
    return tosa::CreateCondIfAttributeDirect(fbb, "THEN", "ELSE").Union();
  };
  main.ops = {{tosa::Op::CONST, {}, {"cond"}, nullptr, std::nullopt}, cond_if};
  main.outputs = {"out"};
  graph.blocks.push_back(main);
  EXPECT_THAT(ReadError(Serialize(graph)),
              HasSubstr("operator #1 (COND_IF): then_graph 'THEN' names no block or region"));
}

TEST(TosaReaderTest, LoadRefusesBadShapesAndConstantSizes) {
  FbGraph graph = AddGraph();
  graph.blocks[0].tensors[1].data = Int32Bytes({1, 2});  // [1,3] needs 12 bytes
  EXPECT_EQ(LoadError(Serialize(graph)),
            "block 'main', tensor 'bias': constant data is 8 bytes but INT32[1,3] needs 12");
  graph = AddGraph();
  graph.blocks[0].tensors[0].shape = {2, -3};
  EXPECT_THAT(LoadError(Serialize(graph)),
              HasSubstr("tensor 'in': shape [2,-3] has a dimension outside [0, 2^31)"));
  graph = AddGraph();
  graph.blocks[0].tensors[2].shape = {2, 4};
  EXPECT_THAT(LoadError(Serialize(graph)),
              HasSubstr("operator #1 (ADD): output 0 'out' INT32[2,4] must have shape [2,3]"));
}

TEST(TosaReaderTest, LoadTosaFileReportsAMissingFile) {
  absl::StatusOr<std::shared_ptr<const Graph>> graph = LoadTosaFile("/nonexistent/model.tosa");
  EXPECT_EQ(graph.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace inferd::graph

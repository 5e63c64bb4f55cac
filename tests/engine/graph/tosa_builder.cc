#include "tests/engine/graph/tosa_builder.h"

#include <cstring>

namespace inferd::graph::testing {
namespace {

flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>> Strings(
    flatbuffers::FlatBufferBuilder& fbb, const std::vector<std::string>& values) {
  return fbb.CreateVectorOfStrings(values);
}

}  // namespace

std::vector<uint8_t> Serialize(const FbGraph& graph) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<tosa::TosaBasicBlock>> blocks;
  for (const FbBlock& block : graph.blocks) {
    std::vector<flatbuffers::Offset<tosa::TosaOperator>> ops;
    for (const FbOp& op : block.ops) {
      flatbuffers::Offset<void> attribute;
      if (op.attribute) {
        attribute = op.attribute(fbb);
      } else {
        attribute = flatbuffers::Offset<void>(fbb.EndTable(fbb.StartTable()));
      }
      const tosa::Attribute type =
          op.attribute_type.value_or(static_cast<tosa::Attribute>(static_cast<uint8_t>(op.op)));
      ops.push_back(tosa::CreateTosaOperator(fbb, op.op, type, attribute, Strings(fbb, op.inputs),
                                             Strings(fbb, op.outputs)));
    }
    std::vector<flatbuffers::Offset<tosa::TosaTensor>> tensors;
    for (const FbTensor& t : block.tensors) {
      flatbuffers::Offset<flatbuffers::Vector<uint8_t>> data;
      if (t.data.has_value()) {
        fbb.ForceVectorAlignment(t.data->size(), sizeof(uint8_t), 8);
        data = fbb.CreateVector(*t.data);
      }
      const auto variable = block.variables.find(t.name);
      const bool is_variable = variable != block.variables.end();
      flatbuffers::Offset<flatbuffers::String> variable_name;
      if (is_variable && !variable->second.empty()) {
        variable_name = fbb.CreateString(variable->second);
      }
      tensors.push_back(tosa::CreateTosaTensor(fbb, fbb.CreateString(t.name),
                                               fbb.CreateVector(t.shape), t.type, data, is_variable,
                                               /*is_unranked=*/false, variable_name));
    }
    blocks.push_back(tosa::CreateTosaBasicBlock(
        fbb, fbb.CreateString(block.name), fbb.CreateVector(ops), fbb.CreateVector(tensors),
        Strings(fbb, block.inputs), Strings(fbb, block.outputs)));
  }
  auto region =
      tosa::CreateTosaRegion(fbb, fbb.CreateString(graph.region), fbb.CreateVector(blocks));
  auto version = tosa::CreateVersion(fbb, graph.major, graph.minor, graph.patch, graph.draft);
  std::vector<flatbuffers::Offset<tosa::TosaRegion>> regions = {region};
  tosa::FinishTosaGraphBuffer(fbb, tosa::CreateTosaGraph(fbb, version, fbb.CreateVector(regions)));
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

std::vector<uint8_t> Int32Bytes(const std::vector<int32_t>& values) {
  std::vector<uint8_t> bytes(values.size() * 4);
  std::memcpy(bytes.data(), values.data(), bytes.size());  // the test hosts are little-endian
  return bytes;
}

FbGraph AddGraph() {
  FbGraph graph;
  FbBlock main;
  main.tensors = {
      {"in", tosa::DType::INT32, {2, 3}, std::nullopt},
      {"bias", tosa::DType::INT32, {1, 3}, Int32Bytes({1, 2, 3})},
      {"out", tosa::DType::INT32, {2, 3}, std::nullopt},
  };
  main.ops = {
      {tosa::Op::CONST, {}, {"bias"}, nullptr, std::nullopt},
      {tosa::Op::ADD, {"in", "bias"}, {"out"}, nullptr, std::nullopt},
  };
  main.inputs = {"in"};
  main.outputs = {"out"};
  graph.blocks.push_back(std::move(main));
  return graph;
}

}  // namespace inferd::graph::testing

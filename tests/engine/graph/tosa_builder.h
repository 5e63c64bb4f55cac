// Writes small .tosa files for tests with the generated FlatBuffers code, including malformed
// ones the reader must refuse.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/graph/tosa_generated.h"

namespace inferd::graph::testing {

struct FbTensor {
  std::string name;
  tosa::DType type = tosa::DType::INT32;
  std::vector<int32_t> shape;
  std::optional<std::vector<uint8_t>> data;
};

struct FbOp {
  tosa::Op op = tosa::Op::UNKNOWN;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  // Writes the attribute table; unset writes an empty table (all fields default).
  std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)> attribute;
  // Union type of the attribute; unset means the one that belongs to `op`.
  std::optional<tosa::Attribute> attribute_type;
};

struct FbBlock {
  std::string name = "main";
  std::vector<FbOp> ops;
  std::vector<FbTensor> tensors;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  // Tensors written as variables (TosaTensor.variable), by name, with their variable_name (may be
  // empty); such a tensor's data is the variable's initial value.
  std::map<std::string, std::string> variables;
};

struct FbGraph {
  int32_t major = 1;
  int32_t minor = 0;
  int32_t patch = 0;
  bool draft = true;
  std::string region = "main";
  std::vector<FbBlock> blocks;
};

std::vector<uint8_t> Serialize(const FbGraph& graph);

// Little-endian bytes of int32 values.
std::vector<uint8_t> Int32Bytes(const std::vector<int32_t>& values);

// main: input 'in' INT32[2,3] + CONST 'bias' INT32[1,3] -> ADD -> output 'out' INT32[2,3].
FbGraph AddGraph();

}  // namespace inferd::graph::testing

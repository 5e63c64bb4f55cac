// Hand-built TOSA graphs for the CPU backend's tests: GraphBuilder for one-block graphs, AddTensor
// / AddOperator for graphs with COND_IF / WHILE_LOOP blocks.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph/graph.h"
#include "engine/graph/graph_validator.h"
#include "gtest/gtest.h"

namespace inferd::cpu::test_graphs {

inline graph::TensorId AddTensor(graph::Graph& g, graph::BlockId block, std::string name,
                                 graph::DType dtype, Shape shape = {1}) {
  graph::Tensor tensor;
  tensor.name = std::move(name);
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  tensor.block = block;
  const auto id = static_cast<graph::TensorId>(g.tensors.size());
  g.tensors.push_back(std::move(tensor));
  g.blocks[block].tensors.push_back(id);
  return id;
}

inline void AddOperator(graph::Graph& g, graph::BlockId block, graph::Op op,
                        std::vector<graph::TensorId> inputs, std::vector<graph::TensorId> outputs,
                        graph::Attribute attribute = {}) {
  graph::Operator o;
  o.op = op;
  o.attribute = std::move(attribute);
  o.inputs = std::move(inputs);
  o.outputs = std::move(outputs);
  g.blocks[block].operators.push_back(std::move(o));
}

// Little-endian bytes of `values`.
template <typename T>
std::vector<uint8_t> BytesOf(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// Builds a one-block graph by hand.
class GraphBuilder {
 public:
  GraphBuilder() {
    graph_.regions.push_back(graph::Region{"main", {0}});
    graph::Block main;
    main.name = "main";
    graph_.blocks.push_back(main);
  }

  graph::TensorId Tensor(const std::string& name, graph::DType dtype, Shape shape,
                         std::vector<uint8_t> data = {}) {
    const graph::TensorId id = AddTensor(graph_, 0, name, dtype, std::move(shape));
    graph_.tensors[id].data = std::move(data);
    return id;
  }

  graph::TensorId Input(const std::string& name, graph::DType dtype, Shape shape) {
    const graph::TensorId id = Tensor(name, dtype, std::move(shape));
    main().inputs.push_back(id);
    return id;
  }

  template <typename T>
  graph::TensorId Const(const std::string& name, graph::DType dtype, Shape shape,
                        const std::vector<T>& values) {
    return ConstBytes(name, dtype, std::move(shape), BytesOf(values));
  }

  // A CONST with its payload as the file holds it (INT4 packed, INT48 in 6 bytes, ...).
  graph::TensorId ConstBytes(const std::string& name, graph::DType dtype, Shape shape,
                             std::vector<uint8_t> bytes) {
    const graph::TensorId id = Tensor(name, dtype, std::move(shape), std::move(bytes));
    Add(graph::Op::kConst, {}, {}, {id});
    return id;
  }

  // A CONST_SHAPE holding `values`.
  graph::TensorId ConstShape(const std::string& name, const std::vector<int64_t>& values) {
    const graph::TensorId id =
        Tensor(name, graph::DType::kShape, {static_cast<int64_t>(values.size())}, BytesOf(values));
    Add(graph::Op::kConstShape, {}, {}, {id});
    return id;
  }

  void Add(graph::Op op, graph::Attribute attribute, std::vector<graph::TensorId> inputs,
           std::vector<graph::TensorId> outputs) {
    AddOperator(graph_, 0, op, std::move(inputs), std::move(outputs), std::move(attribute));
  }

  void Output(graph::TensorId id) { main().outputs.push_back(id); }

  graph::Graph& graph() { return graph_; }

  std::shared_ptr<const graph::Graph> Build() {
    EXPECT_TRUE(graph::ValidateGraph(graph_).ok()) << graph::ValidateGraph(graph_);
    return std::make_shared<const graph::Graph>(graph_);
  }

 private:
  graph::Block& main() { return graph_.blocks[0]; }
  graph::Graph graph_;
};

}  // namespace inferd::cpu::test_graphs

#include "engine/graph_model_config.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "engine/model_config.h"

namespace inferd {
namespace {

struct GraphPort {
  const graph::Tensor* tensor;
  DataType dtype;
};

absl::StatusOr<GraphPort> Port(const graph::Graph& graph, graph::TensorId id,
                               const std::string& model_name) {
  const graph::Tensor& tensor = graph.tensor(id);
  const auto dtype = graph::ToDataType(tensor.dtype);
  if (!dtype.has_value() || tensor.unranked) {
    return absl::UnimplementedError(absl::StrCat(
        "model '", model_name, "': graph tensor '", tensor.name, "' of type ",
        std::string(graph::DTypeName(tensor.dtype)),
        tensor.unranked ? " has no static shape" : " has no KServe data type",
        "; it cannot be a model input or output",
        tensor.unranked ? "" : " (FP8, INT4 and INT48 tensors may only be inside a graph)"));
  }
  return GraphPort{&tensor, *dtype};
}

// The config dims that a graph tensor shape stands for.
Shape DimsFromGraph(const Shape& graph_shape, bool batching) {
  if (!batching || graph_shape.empty()) return graph_shape;
  return Shape(graph_shape.begin() + 1, graph_shape.end());
}

template <typename ConfigTensor>
absl::Status CheckDeclared(const ConfigTensor& declared, const GraphPort& port, bool batching,
                           const std::string& model_name, const char* kind) {
  const DataType declared_type = DataTypeFromConfig(declared.data_type());
  if (declared_type != port.dtype) {
    return absl::InvalidArgumentError(
        absl::StrCat("model '", model_name, "': config ", kind, " '", declared.name(), "' is ",
                     std::string(DataTypeName(declared_type)), " but the graph's tensor is ",
                     std::string(DataTypeName(port.dtype))));
  }
  const Shape& graph_shape = port.tensor->shape;
  const Shape declared_dims(declared.dims().begin(), declared.dims().end());
  const bool shape_ok = batching ? (graph_shape.size() == declared_dims.size() + 1 &&
                                    ShapeMatches(declared_dims, DimsFromGraph(graph_shape, true)))
                                 : ShapeMatches(declared_dims, graph_shape);
  if (!shape_ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model '", model_name, "': config ", kind, " '", declared.name(), "' has dims ",
        ShapeToString(declared_dims), batching ? " (plus the batch dimension)" : "",
        " but the graph's tensor has shape ", ShapeToString(graph_shape)));
  }
  return absl::OkStatus();
}

template <typename ConfigList>
absl::Status Reconcile(const graph::Graph& graph, const std::vector<graph::TensorId>& ports,
                       ConfigList& declared, bool batching, const std::string& model_name,
                       const char* kind) {
  if (declared.empty()) {
    for (graph::TensorId id : ports) {
      auto port = Port(graph, id, model_name);
      if (!port.ok()) return port.status();
      auto* added = declared.Add();
      added->set_name(port->tensor->name);
      added->set_data_type(DataTypeToConfig(port->dtype));
      for (int64_t dim : DimsFromGraph(port->tensor->shape, batching)) added->add_dims(dim);
    }
    return absl::OkStatus();
  }
  if (declared.size() != static_cast<int>(ports.size())) {
    return absl::InvalidArgumentError(absl::StrCat("model '", model_name, "': config declares ",
                                                   declared.size(), " ", kind,
                                                   "s but the graph has ", ports.size()));
  }
  // Config order may differ from graph order; the backend binds by name.
  for (const auto& entry : declared) {
    bool found = false;
    for (graph::TensorId id : ports) {
      if (graph.tensor(id).name != entry.name()) continue;
      auto port = Port(graph, id, model_name);
      if (!port.ok()) return port.status();
      if (auto status = CheckDeclared(entry, *port, batching, model_name, kind); !status.ok()) {
        return status;
      }
      found = true;
    }
    if (!found) {
      return absl::InvalidArgumentError(absl::StrCat("model '", model_name, "': config ", kind,
                                                     " '", entry.name(), "' is not a ", kind,
                                                     " of the graph"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReconcileConfigWithGraph(const graph::Graph& graph, inference::ModelConfig& config) {
  const bool batching = config.max_batch_size() > 0;
  const graph::Block& main = graph.main_block();
  if (auto status =
          Reconcile(graph, main.inputs, *config.mutable_input(), batching, config.name(), "input");
      !status.ok()) {
    return status;
  }
  return Reconcile(graph, main.outputs, *config.mutable_output(), batching, config.name(),
                   "output");
}

}  // namespace inferd

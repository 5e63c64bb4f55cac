// The state of a graph's TOSA variables (EXT-VARIABLE) for one GraphExecutor, i.e. one model
// instance: one buffer per variable uid, filled with its initial value at load and kept across
// runs. VARIABLE_WRITE (or IDENTITY into a variable tensor) copies a value in; VARIABLE_READ (or
// IDENTITY out of one) copies it out, failing with FAILED_PRECONDITION while a variable without an
// initial value was never written, as the specification's REQUIRE(is_written) asks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/cpu/kernel_binding.h"
#include "engine/graph/graph.h"

namespace inferd::cpu {

class VariableStore {
 public:
  // One buffer per variable of `graph` (which passed ValidateGraph). UNIMPLEMENTED for variables
  // of a type the CPU backend cannot hold.
  static absl::StatusOr<std::unique_ptr<VariableStore>> Create(const graph::Graph& graph);

  // Points data[id] of every variable tensor at its variable's buffer.
  void Bind(std::vector<uint8_t*>& data) const;

  // The step of an operator that declares, writes or reads a variable (an empty step for
  // VARIABLE); nullopt for operators that touch no variable.
  std::optional<BoundStep> BindAccess(const graph::Graph& graph, const graph::Operator& op);

  size_t variable_count() const { return variables_.size(); }

 private:
  struct FreeDeleter {
    void operator()(uint8_t* p) const;
  };
  struct Variable {
    std::string uid;
    std::unique_ptr<uint8_t[], FreeDeleter> bytes;
    size_t size = 0;
    bool written = false;  // holds a value: its initial one, or one written since
  };

  Variable* Find(const graph::Tensor& tensor);

  std::vector<std::unique_ptr<Variable>> variables_;  // stable addresses: steps point at them
  std::vector<std::pair<graph::TensorId, Variable*>> tensors_;
};

}  // namespace inferd::cpu

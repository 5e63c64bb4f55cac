// CUSTOM operators on the CPU backend: a registered implementation runs inside a graph and sees
// its implementation_attrs; an operator nobody registered fails the load naming its domain and
// name.
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "backends/cpu/custom_operators.h"
#include "backends/cpu/graph_executor.h"
#include "engine/graph/graph.h"
#include "engine/graph/graph_validator.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/graph_builder.h"

namespace inferd::cpu {
namespace {

using graph::DType;
using graph::Graph;
using graph::Op;
using graph::TensorId;

// y = CUSTOM(x), z = y + x: the custom result feeds an ordinary kernel.
Graph CustomGraph(const std::string& domain, const std::string& name,
                  std::vector<uint8_t> implementation_attrs) {
  test_graphs::GraphBuilder b;
  const TensorId x = b.Input("x", DType::kInt32, {3});
  const TensorId y = b.Tensor("y", DType::kInt32, {3});
  const TensorId z = b.Tensor("z", DType::kInt32, {3});
  b.Add(Op::kCustom, graph::CustomAttr{name, domain, std::move(implementation_attrs)}, {x}, {y});
  b.Add(Op::kAdd, {}, {y, x}, {z});
  b.Output(z);
  return *b.Build();
}

// "test.inferd" / "scale_by_attr": y = x * implementation_attrs[0], INT32 only.
absl::StatusOr<BoundStep> BindScale(const Graph& g, const graph::Operator& op) {
  const auto& attr = std::get<graph::CustomAttr>(op.attribute);
  if (op.inputs.size() != 1 || op.outputs.size() != 1 ||
      g.tensor(op.inputs[0]).dtype != DType::kInt32 || attr.implementation_attrs.size() != 1) {
    return absl::InvalidArgumentError("scale_by_attr takes one INT32 input and a 1-byte factor");
  }
  const int32_t factor = attr.implementation_attrs[0];
  const int64_t count = graph::ElementCount(g.tensor(op.inputs[0])).value_or(0);
  const TensorId in = op.inputs[0], out = op.outputs[0];
  return BoundStep([=](TensorData d) {
    const auto* x = reinterpret_cast<const int32_t*>(d[in]);
    auto* y = reinterpret_cast<int32_t*>(d[out]);
    for (int64_t i = 0; i < count; ++i) y[i] = x[i] * factor;
    return absl::OkStatus();
  });
}

TEST(CustomOperatorTest, RunsARegisteredOperatorWithItsAttributes) {
  CustomOperatorRegistry& registry = CustomOperatorRegistry::Global();
  ASSERT_TRUE(registry.Register("test.inferd", "scale_by_attr", BindScale).ok());
  EXPECT_EQ(registry.Register("test.inferd", "scale_by_attr", BindScale).code(),
            absl::StatusCode::kAlreadyExists);

  const Graph g = CustomGraph("test.inferd", "scale_by_attr", {3});
  ASSERT_TRUE(graph::ValidateGraph(g).ok());
  auto executor = GraphExecutor::Create(std::make_shared<const Graph>(g));
  ASSERT_TRUE(executor.ok()) << executor.status();
  std::vector<int32_t> x = {1, -2, 5}, z(3, 0);
  const std::span<const uint8_t> in(reinterpret_cast<const uint8_t*>(x.data()), 12);
  const std::span<uint8_t> out(reinterpret_cast<uint8_t*>(z.data()), 12);
  ASSERT_TRUE((*executor)->Run({&in, 1}, {&out, 1}).ok());
  EXPECT_EQ(z, (std::vector<int32_t>{4, -8, 20}));  // 3x + x

  // The binder's own checks fail the load.
  auto refused = GraphExecutor::Create(
      std::make_shared<const Graph>(CustomGraph("test.inferd", "scale_by_attr", {})));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);

  ASSERT_TRUE(registry.Unregister("test.inferd", "scale_by_attr").ok());
}

TEST(CustomOperatorTest, AnUnknownOperatorFailsTheLoadNamingDomainAndOperator) {
  const Graph g = CustomGraph("com.example", "frobnicate", {});
  ASSERT_TRUE(graph::ValidateGraph(g).ok());
  auto executor = GraphExecutor::Create(std::make_shared<const Graph>(g));
  ASSERT_EQ(executor.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(executor.status().message().find(
                "custom operator 'frobnicate' of domain 'com.example' is not registered"),
            std::string::npos)
      << executor.status();
}

}  // namespace
}  // namespace inferd::cpu

// The tensor operator family's binder (backends/cpu/bind_tensor_ops.cc) on hand-built operators:
// SHAPE operands read from the graph, run-time zero-point checks, the 16-bit float variants and
// the operators it leaves to others.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "backends/cpu/binding_families.h"
#include "backends/cpu/kernel_binding.h"
#include "backends/cpu/kernels/float_formats.h"
#include "engine/graph/graph.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A graph holding tensors only; each test binds one operator over them and owns their buffers.
class Operands {
 public:
  graph::TensorId Add(graph::DType dtype, Shape shape, std::vector<uint8_t> data = {}) {
    graph::Tensor t;
    t.name = "t" + std::to_string(graph_.tensors.size());
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.data = std::move(data);
    graph_.tensors.push_back(std::move(t));
    buffers_.emplace_back(256, 0);
    return static_cast<graph::TensorId>(graph_.tensors.size() - 1);
  }

  graph::TensorId Shape64(std::vector<int64_t> values) {
    std::vector<uint8_t> bytes(values.size() * sizeof(int64_t));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return Add(graph::DType::kShape, Shape{static_cast<int64_t>(values.size())}, bytes);
  }

  template <typename T>
  void Set(graph::TensorId id, const std::vector<T>& values) {
    std::memcpy(buffers_[id].data(), values.data(), values.size() * sizeof(T));
  }

  template <typename T>
  std::vector<T> Get(graph::TensorId id, size_t count) const {
    std::vector<T> values(count);
    std::memcpy(values.data(), buffers_[id].data(), count * sizeof(T));
    return values;
  }

  absl::Status Run(const graph::Operator& op) {
    std::optional<absl::StatusOr<BoundStep>> bound = BindTensorFamily(graph_, op);
    if (!bound.has_value()) return absl::NotFoundError("not a tensor-family operator");
    return RunStep(*bound);
  }

  // Through BindOperator, as the executor binds: kernel_binding.cc first, then the families.
  absl::Status RunAnyFamily(const graph::Operator& op) { return RunStep(BindOperator(graph_, op)); }

  const graph::Graph& graph() const { return graph_; }

 private:
  absl::Status RunStep(const absl::StatusOr<BoundStep>& step) {
    if (!step.ok()) return step.status();
    std::vector<uint8_t*> pointers;
    for (auto& buffer : buffers_) pointers.push_back(buffer.data());
    return (*step)(TensorData(pointers.data(), pointers.size()));
  }

  graph::Graph graph_;
  std::vector<std::vector<uint8_t>> buffers_;
};

graph::Operator MakeOp(graph::Op op, graph::Attribute attribute,
                       std::vector<graph::TensorId> inputs, std::vector<graph::TensorId> outputs) {
  graph::Operator o;
  o.op = op;
  o.attribute = std::move(attribute);
  o.inputs = std::move(inputs);
  o.outputs = std::move(outputs);
  return o;
}

TEST(BindTensorOpsTest, PadReadsPaddingFromTheShapeOperand) {
  Operands t;
  const auto in = t.Add(graph::DType::kInt8, {2});
  const auto padding = t.Shape64({1, 2});
  const auto value = t.Add(graph::DType::kInt8, {1});
  const auto out = t.Add(graph::DType::kInt8, {5});
  t.Set<int8_t>(in, {3, 4});
  t.Set<int8_t>(value, {-9});
  ASSERT_TRUE(t.Run(MakeOp(graph::Op::kPad, {}, {in, padding, value}, {out})).ok());
  EXPECT_THAT(t.Get<int8_t>(out, 5), ElementsAre(-9, 3, 4, -9, -9));
}

TEST(BindTensorOpsTest, ReduceSumFp16AccumulatesInFp16) {
  Operands t;
  const auto in = t.Add(graph::DType::kFp16, {3});
  const auto out = t.Add(graph::DType::kFp16, {1});
  t.Set<k::Fp16>(in, {k::Narrow<k::Fp16>(2048), k::Narrow<k::Fp16>(1), k::Narrow<k::Fp16>(1)});
  ASSERT_TRUE(t.Run(MakeOp(graph::Op::kReduceSum, graph::ReduceSumAttr{0}, {in}, {out})).ok());
  EXPECT_EQ(k::Widen(t.Get<k::Fp16>(out, 1)[0]), 2048.0);
}

TEST(BindTensorOpsTest, Conv3dFp16RejectsANonZeroZeroPointAtRunTime) {
  Operands t;
  const auto in = t.Add(graph::DType::kFp16, {1, 1, 1, 1, 1});
  const auto weight = t.Add(graph::DType::kFp16, {1, 1, 1, 1, 1});
  const auto bias = t.Add(graph::DType::kFp16, {1});
  const auto izp = t.Add(graph::DType::kFp16, {1});
  const auto wzp = t.Add(graph::DType::kFp16, {1});
  const auto out = t.Add(graph::DType::kFp16, {1, 1, 1, 1, 1});
  graph::Conv3dAttr attr;
  attr.pad = {0, 0, 0, 0, 0, 0};
  attr.stride = {1, 1, 1};
  attr.dilation = {1, 1, 1};
  attr.acc_type = graph::DType::kFp32;
  const graph::Operator op = MakeOp(graph::Op::kConv3d, attr, {in, weight, bias, izp, wzp}, {out});
  t.Set<k::Fp16>(in, {k::Narrow<k::Fp16>(3)});
  t.Set<k::Fp16>(weight, {k::Narrow<k::Fp16>(-2)});
  t.Set<k::Fp16>(bias, {k::Narrow<k::Fp16>(0.5)});
  t.Set<k::Fp16>(wzp, {k::Narrow<k::Fp16>(-0.0)});  // -0 is a zero point of 0
  ASSERT_TRUE(t.Run(op).ok());
  EXPECT_EQ(k::Widen(t.Get<k::Fp16>(out, 1)[0]), -5.5);
  t.Set<k::Fp16>(izp, {k::Narrow<k::Fp16>(1)});
  const absl::Status status = t.Run(op);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("input_zp"));
}

TEST(BindTensorOpsTest, MatmulFloat16ThroughBindOperatorChecksZeroPoints) {
  Operands t;
  // [1,1,2] x [1,2,1]: 1.5 * 2 + (-0.25) * 4 = 2.
  const auto a = t.Add(graph::DType::kBf16, {1, 1, 2});
  const auto b = t.Add(graph::DType::kBf16, {1, 2, 1});
  const auto azp = t.Add(graph::DType::kBf16, {1});
  const auto bzp = t.Add(graph::DType::kBf16, {1});
  const auto out = t.Add(graph::DType::kFp32, {1, 1, 1});
  t.Set<k::Bf16>(a, {k::Narrow<k::Bf16>(1.5), k::Narrow<k::Bf16>(-0.25)});
  t.Set<k::Bf16>(b, {k::Narrow<k::Bf16>(2), k::Narrow<k::Bf16>(4)});
  const graph::Operator op = MakeOp(graph::Op::kMatMul, {}, {a, b, azp, bzp}, {out});
  ASSERT_TRUE(t.RunAnyFamily(op).ok());
  EXPECT_EQ(t.Get<float>(out, 1)[0], 2.0f);
  t.Set<k::Bf16>(bzp, {k::Narrow<k::Bf16>(1)});
  const absl::Status status = t.RunAnyFamily(op);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("B_zp"));
}

TEST(BindTensorOpsTest, Float16Conv2dAndPoolingReachThisFamilyThroughBindOperator) {
  Operands t;
  const auto in = t.Add(graph::DType::kBf16, {1, 1, 2, 1});
  const auto weight = t.Add(graph::DType::kBf16, {1, 1, 2, 1});
  const auto bias = t.Add(graph::DType::kBf16, {1});
  const auto izp = t.Add(graph::DType::kBf16, {1});
  const auto wzp = t.Add(graph::DType::kBf16, {1});
  const auto out = t.Add(graph::DType::kBf16, {1, 1, 1, 1});
  graph::Conv2dAttr attr;
  attr.pad = {0, 0, 0, 0};
  attr.stride = {1, 1};
  attr.dilation = {1, 1};
  attr.acc_type = graph::DType::kFp32;
  t.Set<k::Bf16>(in, {k::Narrow<k::Bf16>(3), k::Narrow<k::Bf16>(4)});
  t.Set<k::Bf16>(weight, {k::Narrow<k::Bf16>(0.5), k::Narrow<k::Bf16>(2)});
  t.Set<k::Bf16>(bias, {k::Narrow<k::Bf16>(1)});
  ASSERT_TRUE(
      t.RunAnyFamily(MakeOp(graph::Op::kConv2d, attr, {in, weight, bias, izp, wzp}, {out})).ok());
  EXPECT_EQ(k::Widen(t.Get<k::Bf16>(out, 1)[0]), 10.5);

  graph::MaxPool2dAttr pool;
  pool.kernel = {1, 2};
  pool.stride = {1, 1};
  pool.pad = {0, 0, 0, 0};
  ASSERT_TRUE(t.RunAnyFamily(MakeOp(graph::Op::kMaxPool2d, pool, {in}, {out})).ok());
  EXPECT_EQ(k::Widen(t.Get<k::Bf16>(out, 1)[0]), 4.0);
}

TEST(BindTensorOpsTest, TypesWithoutAKernelAreUnimplemented) {
  Operands t;
  // ARGMAX has no INT32 form in TOSA 1.0.
  const auto in = t.Add(graph::DType::kInt32, {4});
  const auto out = t.Add(graph::DType::kInt32, {});
  const absl::Status status = t.Run(
      MakeOp(graph::Op::kArgMax, graph::ArgMaxAttr{0, graph::NanMode::kPropagate}, {in}, {out}));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(status.message(), HasSubstr("ARGMAX"));
}

TEST(BindTensorOpsTest, LeavesOtherFamiliesAlone) {
  Operands t;
  const auto a = t.Add(graph::DType::kInt32, {1});
  EXPECT_FALSE(BindTensorFamily(t.graph(), MakeOp(graph::Op::kAdd, {}, {a, a}, {a})).has_value());
}

}  // namespace
}  // namespace inferd::cpu

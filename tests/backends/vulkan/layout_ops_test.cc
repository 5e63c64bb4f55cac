// The data-layout operators on the Vulkan backend against the CPU backend, byte for byte: every
// element width (BOOL and INT8 are 1 byte, INT16 2, INT32 and FP32 4), randomised shapes of rank 1
// to 6 whose sizes do not divide the 64-invocation workgroup.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::BytesOf;
using cpu::test_graphs::GraphBuilder;
using graph::DType;
using graph::Op;
using testing::Count;
using testing::ExpectSameOnBothBackends;
using testing::RandomBytes;

constexpr DType kTypes[] = {DType::kBool, DType::kInt8, DType::kInt16, DType::kInt32, DType::kFp32};

Shape RandomShape(std::mt19937& rng, int rank, int64_t max_dim) {
  std::uniform_int_distribution<int64_t> dim(1, max_dim);
  Shape shape(rank);
  for (int64_t& d : shape) d = dim(rng);
  return shape;
}

std::string Name(Op op, DType dtype, const Shape& shape) {
  std::string s =
      std::string(graph::OpName(op)) + " " + std::string(graph::DTypeName(dtype)) + " [";
  for (int64_t d : shape) s += std::to_string(d) + ",";
  return s + "]";
}

TEST(VulkanLayoutOpsTest, TransposeEveryRankAndType) {
  std::mt19937 rng(21);
  for (DType dtype : kTypes) {
    for (int rank = 1; rank <= 6; ++rank) {
      const Shape shape = RandomShape(rng, rank, rank >= 5 ? 4 : 9);
      std::vector<int32_t> perms(rank);
      std::iota(perms.begin(), perms.end(), 0);
      std::shuffle(perms.begin(), perms.end(), rng);
      Shape out(rank);
      for (int i = 0; i < rank; ++i) out[i] = shape[perms[i]];
      GraphBuilder b;
      const auto x = b.Input("x", dtype, shape);
      const auto y = b.Tensor("y", dtype, out);
      b.Add(Op::kTranspose, graph::TransposeAttr{perms}, {x}, {y});
      b.Output(y);
      ExpectSameOnBothBackends(b, {RandomBytes(rng, dtype, Count(shape))},
                               Name(Op::kTranspose, dtype, shape));
    }
  }
}

TEST(VulkanLayoutOpsTest, SliceTileReverse) {
  std::mt19937 rng(22);
  for (DType dtype : kTypes) {
    for (int rank = 1; rank <= 5; ++rank) {
      const Shape shape = RandomShape(rng, rank, 7);
      {  // SLICE
        std::vector<int64_t> start(rank), size(rank);
        for (int d = 0; d < rank; ++d) {
          start[d] = std::uniform_int_distribution<int64_t>(0, shape[d] - 1)(rng);
          size[d] = std::uniform_int_distribution<int64_t>(1, shape[d] - start[d])(rng);
        }
        GraphBuilder b;
        const auto x = b.Input("x", dtype, shape);
        const auto s = b.ConstShape("start", start);
        const auto z = b.ConstShape("size", size);
        const auto y = b.Tensor("y", dtype, size);
        b.Add(Op::kSlice, {}, {x, s, z}, {y});
        b.Output(y);
        ExpectSameOnBothBackends(b, {RandomBytes(rng, dtype, Count(shape))},
                                 Name(Op::kSlice, dtype, shape));
      }
      {  // TILE
        std::vector<int64_t> multiples(rank);
        Shape out(rank);
        for (int d = 0; d < rank; ++d) {
          multiples[d] = std::uniform_int_distribution<int64_t>(1, 3)(rng);
          out[d] = shape[d] * multiples[d];
        }
        GraphBuilder b;
        const auto x = b.Input("x", dtype, shape);
        const auto m = b.ConstShape("multiples", multiples);
        const auto y = b.Tensor("y", dtype, out);
        b.Add(Op::kTile, {}, {x, m}, {y});
        b.Output(y);
        ExpectSameOnBothBackends(b, {RandomBytes(rng, dtype, Count(shape))},
                                 Name(Op::kTile, dtype, shape));
      }
      for (int axis = 0; axis < rank; ++axis) {  // REVERSE
        GraphBuilder b;
        const auto x = b.Input("x", dtype, shape);
        const auto y = b.Tensor("y", dtype, shape);
        b.Add(Op::kReverse, graph::ReverseAttr{axis}, {x}, {y});
        b.Output(y);
        ExpectSameOnBothBackends(
            b, {RandomBytes(rng, dtype, Count(shape))},
            Name(Op::kReverse, dtype, shape) + " axis " + std::to_string(axis));
      }
    }
  }
}

TEST(VulkanLayoutOpsTest, PadWithAConstantAndAComputedPadValue) {
  std::mt19937 rng(23);
  for (DType dtype : kTypes) {
    for (int rank = 1; rank <= 4; ++rank) {
      const Shape shape = RandomShape(rng, rank, 6);
      std::vector<int64_t> padding(2 * rank);
      Shape out(rank);
      for (int d = 0; d < rank; ++d) {
        padding[2 * d] = std::uniform_int_distribution<int64_t>(0, 3)(rng);
        padding[2 * d + 1] = std::uniform_int_distribution<int64_t>(0, 3)(rng);
        out[d] = shape[d] + padding[2 * d] + padding[2 * d + 1];
      }
      for (bool computed : {false, true}) {
        GraphBuilder b;
        const auto x = b.Input("x", dtype, shape);
        const auto p = b.ConstShape("padding", padding);
        const auto v = computed ? b.Input("pad_const", dtype, {1})
                                : b.ConstBytes("pad_const", dtype, {1}, RandomBytes(rng, dtype, 1));
        const auto y = b.Tensor("y", dtype, out);
        b.Add(Op::kPad, {}, {x, p, v}, {y});
        b.Output(y);
        testing::Buffers inputs = {RandomBytes(rng, dtype, Count(shape))};
        if (computed) inputs.push_back(RandomBytes(rng, dtype, 1));
        ExpectSameOnBothBackends(b, inputs, Name(Op::kPad, dtype, shape));
      }
    }
  }
}

TEST(VulkanLayoutOpsTest, ConcatAlongEveryAxis) {
  std::mt19937 rng(24);
  for (DType dtype : kTypes) {
    for (int rank = 1; rank <= 4; ++rank) {
      for (int axis = 0; axis < rank; ++axis) {
        const Shape base = RandomShape(rng, rank, 5);
        const int count = std::uniform_int_distribution<int>(1, 4)(rng);
        GraphBuilder b;
        std::vector<graph::TensorId> inputs;
        testing::Buffers data;
        Shape out = base;
        out[axis] = 0;
        for (int i = 0; i < count; ++i) {
          Shape shape = base;
          shape[axis] = std::uniform_int_distribution<int64_t>(1, 6)(rng);
          out[axis] += shape[axis];
          inputs.push_back(b.Input("x" + std::to_string(i), dtype, shape));
          data.push_back(RandomBytes(rng, dtype, Count(shape)));
        }
        const auto y = b.Tensor("y", dtype, out);
        b.Add(Op::kConcat, graph::ConcatAttr{axis}, inputs, {y});
        b.Output(y);
        ExpectSameOnBothBackends(b, data,
                                 Name(Op::kConcat, dtype, out) + " axis " + std::to_string(axis));
      }
    }
  }
}

// GATHER with indices that repeat and reach both ends; SCATTER with distinct indices per batch
// (a repeat is an error on the CPU), rows of values_in that no index names left as they are.
TEST(VulkanLayoutOpsTest, GatherAndScatter) {
  std::mt19937 rng(25);
  for (Op op : {Op::kGather, Op::kScatter}) {
    for (DType dtype : kTypes) {
      const int64_t n = 3, k = 11, c = 13, w = 7;
      GraphBuilder b;
      const auto values = b.Input("values", dtype, {n, k, c});
      const auto indices = b.Input("indices", DType::kInt32, {n, w});
      std::vector<int32_t> index;
      testing::Buffers data = {RandomBytes(rng, dtype, n * k * c)};
      graph::TensorId y;
      if (op == Op::kGather) {
        y = b.Tensor("y", dtype, {n, w, c});
        b.Add(op, {}, {values, indices}, {y});
        index = testing::RandomValues<int32_t>(rng, n * w, 0, k - 1);
        index[0] = 0;
        index[1] = k - 1;
      } else {
        const auto input = b.Input("input", dtype, {n, w, c});
        y = b.Tensor("y", dtype, {n, k, c});
        b.Add(op, {}, {values, indices, input}, {y});
        for (int64_t batch = 0; batch < n; ++batch) {
          std::vector<int32_t> rows(k);
          std::iota(rows.begin(), rows.end(), 0);
          std::shuffle(rows.begin(), rows.end(), rng);
          index.insert(index.end(), rows.begin(), rows.begin() + w);
        }
      }
      b.Output(y);
      data.push_back(BytesOf(index));
      if (op == Op::kScatter) data.push_back(RandomBytes(rng, dtype, n * w * c));
      ExpectSameOnBothBackends(b, data, Name(op, dtype, {n, k, c}));
    }
  }
}

// A chain that moves data through several layout operators and an arithmetic one.
TEST(VulkanLayoutOpsTest, LayoutChainIntoArithmetic) {
  std::mt19937 rng(26);
  GraphBuilder b;
  const auto x = b.Input("x", DType::kInt32, {5, 3, 67});
  const auto t = b.Tensor("t", DType::kInt32, {67, 5, 3});
  b.Add(Op::kTranspose, graph::TransposeAttr{{2, 0, 1}}, {x}, {t});
  const auto r = b.Tensor("r", DType::kInt32, {67, 5, 3});
  b.Add(Op::kReverse, graph::ReverseAttr{0}, {t}, {r});
  const auto sum = b.Tensor("sum", DType::kInt32, {67, 5, 3});
  b.Add(Op::kAdd, {}, {t, r}, {sum});
  b.Output(sum);
  ExpectSameOnBothBackends(
      b, {BytesOf(testing::RandomValues<int32_t>(rng, 5 * 3 * 67, -100000, 100000))}, "chain");
}

}  // namespace
}  // namespace inferd::vulkan

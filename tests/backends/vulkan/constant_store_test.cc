// The device's constant store (backends/vulkan/constant_store.h): a program whose constants are
// already on the device shares them instead of uploading them again, blobs that differ are never
// shared, and a chunk goes when the last program using it goes.
#include "backends/vulkan/constant_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "backends/vulkan/graph_program.h"
#include "backends/vulkan/vulkan_backend.h"
#include "tests/backends/vulkan/digits_request.h"
#include "tests/backends/vulkan/vulkan_test_support.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::BytesOf;
using cpu::test_graphs::GraphBuilder;
using graph::DType;
using graph::Op;
using testing::Buffers;

// A [1,4,64] x [1,64,64] INT8 MATMUL (INT32 out, exact on both backends) by constant weights drawn
// with `seed`.
std::shared_ptr<const graph::Graph> MatmulByConstant(uint32_t seed) {
  std::mt19937 rng(seed);
  GraphBuilder b;
  const auto a = b.Input("a", DType::kInt8, {1, 4, 64});
  const auto w = b.Const("w", DType::kInt8, {1, 64, 64},
                         testing::RandomValues<int8_t>(rng, 64 * 64, -128, 127));
  const auto a_zp = b.Const("a_zp", DType::kInt8, {1}, std::vector<int8_t>{3});
  const auto w_zp = b.Const("w_zp", DType::kInt8, {1}, std::vector<int8_t>{-2});
  const auto out = b.Tensor("out", DType::kInt32, {1, 4, 64});
  b.Add(Op::kMatMul, {}, {a, w, a_zp, w_zp}, {out});
  b.Output(out);
  return b.Build();
}

Buffers Outputs(GraphProgram& program, const Buffers& inputs) {
  Buffers outputs = {std::vector<uint8_t>(program.output_bytes(0))};
  const auto in = testing::ConstSpans(inputs);
  const auto out = testing::Spans(outputs);
  EXPECT_TRUE(program.RunAndWait(in, out).ok());
  return outputs;
}

TEST(VulkanConstantStoreTest, AProgramWhoseConstantsAreOnTheDeviceSharesThem) {
  std::shared_ptr<VulkanDevice> device = testing::DefaultDevice();
  ASSERT_NE(device, nullptr);
  ConstantStore& store = device->constants();
  std::mt19937 rng(5);
  const Buffers inputs = {BytesOf(testing::RandomValues<int8_t>(rng, 4 * 64, -128, 127))};
  const auto graph = MatmulByConstant(1);
  auto expected = testing::RunOnCpu(graph, inputs);
  ASSERT_TRUE(expected.ok()) << expected.status();

  const uint64_t before = store.resident_bytes();
  auto first = testing::Program(graph);
  ASSERT_NE(first, nullptr);
  const uint64_t with_one = store.resident_bytes();
  EXPECT_GE(with_one - before, first->constant_bytes());
  EXPECT_GE(first->constant_bytes(), 64u * 64);
  // The same graph again, as a batch pass or a second instance loads it: nothing more resident,
  // and the device's allocations grow by the program's own arena and staging only.
  const uint64_t allocated = device->allocated_bytes();
  auto second = testing::Program(graph);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(store.resident_bytes(), with_one);
  EXPECT_EQ(device->allocated_bytes() - allocated, second->allocated_bytes());
  // Weights of the same size but other values are never taken for these.
  const auto other_graph = MatmulByConstant(2);
  auto other_expected = testing::RunOnCpu(other_graph, inputs);
  ASSERT_TRUE(other_expected.ok()) << other_expected.status();
  auto other = testing::Program(other_graph);
  ASSERT_NE(other, nullptr);
  EXPECT_GT(store.resident_bytes(), with_one);
  EXPECT_EQ(Outputs(*first, inputs), *expected);
  EXPECT_EQ(Outputs(*second, inputs), *expected);
  EXPECT_EQ(Outputs(*other, inputs), *other_expected);
  // The chunk stays while a program uses it, and goes with the last.
  first.reset();
  EXPECT_EQ(Outputs(*second, inputs), *expected);
  other.reset();
  EXPECT_EQ(store.resident_bytes(), with_one);
  second.reset();
  EXPECT_EQ(store.resident_bytes(), before);
  // Uploaded again when needed again.
  auto third = testing::Program(graph);
  ASSERT_NE(third, nullptr);
  EXPECT_EQ(store.resident_bytes(), with_one);
  EXPECT_EQ(Outputs(*third, inputs), *expected);
}

// A batching model's batch passes hold no second copy of its constants: its load makes the store
// hold what the item-by-item program alone makes it hold.
TEST(VulkanConstantStoreTest, BatchPassesShareTheirModelsConstants) {
  std::shared_ptr<VulkanDevice> device = testing::DefaultDevice();
  ASSERT_NE(device, nullptr);
  ConstantStore& store = device->constants();
  BackendLoadRequest request = testing::DigitsRequest(16);
  request.preferred_batch_sizes = {4, 8};
  request.inputs = {TensorSpec{"images", DataType::kInt8, {8, 8, 1}}};
  request.outputs = {TensorSpec{"scores", DataType::kInt8, {10}}};
  VulkanBackend vulkan;
  const uint64_t before = store.resident_bytes();
  uint64_t alone = 0;
  {
    request.parameters[std::string(VulkanBackend::kBatchPassParameter)] = "false";
    auto item_by_item = vulkan.Load(request);
    ASSERT_TRUE(item_by_item.ok()) << item_by_item.status();
    alone = store.resident_bytes() - before;
  }
  EXPECT_EQ(store.resident_bytes(), before);
  request.parameters[std::string(VulkanBackend::kBatchPassParameter)] = "true";
  auto with_passes = vulkan.Load(request);
  ASSERT_TRUE(with_passes.ok()) << with_passes.status();
  EXPECT_GT(alone, 0u);
  EXPECT_EQ(store.resident_bytes() - before, alone);
}

}  // namespace
}  // namespace inferd::vulkan

#include "backends/cpu/kernels/elementwise_binary.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/backends/cpu/kernels/kernel_test_util.h"

namespace inferd::cpu::kernels {
namespace {

using test_util::RandomInts;
using ::testing::ElementsAre;

BroadcastShape MakeShape(std::vector<int32_t> out, std::vector<int32_t> in1,
                         std::vector<int32_t> in2) {
  BroadcastShape s;
  s.rank = static_cast<int32_t>(out.size());
  for (int32_t i = 0; i < s.rank; ++i) {
    s.output_dims[i] = out[i];
    s.input1_dims[i] = in1[i];
    s.input2_dims[i] = in2[i];
  }
  return s;
}

int64_t Count(const std::vector<int32_t>& dims) {
  int64_t n = 1;
  for (int32_t d : dims) n *= d;
  return n;
}

// Maps an output offset to an input offset with apply_broadcast, the way the specification does:
// offset -> index, zero the broadcast axes, index -> offset.
int64_t BroadcastOffset(const std::vector<int32_t>& out, const std::vector<int32_t>& in,
                        int64_t offset) {
  std::vector<int64_t> index(out.size());
  for (int i = static_cast<int>(out.size()) - 1; i >= 0; --i) {
    index[i] = offset % out[i];
    offset /= out[i];
  }
  int64_t result = 0;
  for (size_t i = 0; i < out.size(); ++i) result = result * in[i] + (in[i] == 1 ? 0 : index[i]);
  return result;
}

TEST(AddInt32Test, RankZero) {
  const int32_t a = 40, b = 2;
  int32_t out = 0;
  ASSERT_EQ(AddInt32(BroadcastShape{}, &a, &b, &out), KernelStatus::kOk);
  EXPECT_EQ(out, 42);
}

TEST(AddInt32Test, BroadcastsRowAndColumn) {
  // [2,1] + [1,3] -> [2,3].
  const std::vector<int32_t> a = {10, 20};
  const std::vector<int32_t> b = {1, 2, 3};
  std::vector<int32_t> out(6);
  ASSERT_EQ(AddInt32(MakeShape({2, 3}, {2, 1}, {1, 3}), a.data(), b.data(), out.data()),
            KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(11, 12, 13, 21, 22, 23));
}

TEST(AddInt32Test, OverflowIsUnpredictable) {
  const std::vector<int32_t> a = {INT32_MAX, 0};
  const std::vector<int32_t> b = {1};
  std::vector<int32_t> out(2);
  EXPECT_EQ(AddInt32(MakeShape({2}, {2}, {1}), a.data(), b.data(), out.data()),
            KernelStatus::kUnpredictable);
  const std::vector<int32_t> c = {INT32_MAX - 1, INT32_MIN + 1};
  const std::vector<int32_t> d = {1, -1};
  EXPECT_EQ(AddInt32(MakeShape({2}, {2}, {2}), c.data(), d.data(), out.data()), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(INT32_MAX, INT32_MIN));
}

TEST(SubInt32Test, Rank6BroadcastMatchesApplyBroadcast) {
  const std::vector<int32_t> out_dims = {2, 3, 1, 4, 2, 3};
  const std::vector<int32_t> in1_dims = {2, 1, 1, 4, 1, 3};
  const std::vector<int32_t> in2_dims = {1, 3, 1, 1, 2, 1};
  const auto a = RandomInts<int32_t>(Count(in1_dims), -1000000, 1000000, 51);
  const auto b = RandomInts<int32_t>(Count(in2_dims), -1000000, 1000000, 52);
  std::vector<int32_t> out(Count(out_dims));
  ASSERT_EQ(SubInt32(MakeShape(out_dims, in1_dims, in2_dims), a.data(), b.data(), out.data()),
            KernelStatus::kOk);
  for (int64_t i = 0; i < Count(out_dims); ++i) {
    EXPECT_EQ(out[i],
              a[BroadcastOffset(out_dims, in1_dims, i)] - b[BroadcastOffset(out_dims, in2_dims, i)])
        << "at " << i;
  }
  const std::vector<int32_t> lo = {INT32_MIN};
  const std::vector<int32_t> one = {1};
  int32_t single = 0;
  EXPECT_EQ(SubInt32(MakeShape({1}, {1}, {1}), lo.data(), one.data(), &single),
            KernelStatus::kUnpredictable);
}

TEST(AddSubFp32Test, BroadcastsAndComputesInFloat) {
  const std::vector<float> a = {1.5f, -2.0f, 0.25f};
  const std::vector<float> b = {0.5f};
  std::vector<float> out(3);
  AddFp32(MakeShape({3}, {3}, {1}), a.data(), b.data(), out.data());
  EXPECT_THAT(out, ElementsAre(2.0f, -1.5f, 0.75f));
  SubFp32(MakeShape({3}, {1}, {3}), b.data(), a.data(), out.data());
  EXPECT_THAT(out, ElementsAre(-1.0f, 2.5f, 0.25f));
}

TEST(MulTest, Int8AndInt16WidenToInt32) {
  const std::vector<int8_t> a8 = {-128, 127, -1};
  const std::vector<int8_t> b8 = {-128};
  std::vector<int32_t> out(3);
  MulInt8(MakeShape({3}, {3}, {1}), a8.data(), b8.data(), out.data());
  EXPECT_THAT(out, ElementsAre(16384, -16256, 128));
  const std::vector<int16_t> a16 = {-32768, 32767};
  const std::vector<int16_t> b16 = {-32768, 32767};
  std::vector<int32_t> out16(2);
  MulInt16(MakeShape({2}, {2}, {2}), a16.data(), b16.data(), out16.data());
  EXPECT_THAT(out16, ElementsAre(1073741824, 1073676289));
}

TEST(MulInt32Test, ShiftZeroKeepsLow32Bits) {
  const std::vector<int32_t> a = {65536, INT32_MAX, -3};
  const std::vector<int32_t> b = {65536, 2, 7};
  std::vector<int32_t> out(3);
  ASSERT_EQ(MulInt32(MakeShape({3}, {3}, {3}), a.data(), b.data(), 0, out.data()),
            KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(0, -2, -21));
}

TEST(MulInt32Test, ShiftRoundsHalfUp) {
  const std::vector<int32_t> a = {3, -3, -1, 1, 5, -5};
  const std::vector<int32_t> b = {1};
  std::vector<int32_t> out(6);
  ASSERT_EQ(MulInt32(MakeShape({6}, {6}, {1}), a.data(), b.data(), 1, out.data()),
            KernelStatus::kOk);
  // 1.5 -> 2, -1.5 -> -1, -0.5 -> 0, 0.5 -> 1, 2.5 -> 3, -2.5 -> -2.
  EXPECT_THAT(out, ElementsAre(2, -1, 0, 1, 3, -2));
}

TEST(MulInt32Test, LargeShifts) {
  // (-2^31)^2 = 2^62; >> 63 with rounding is (2^62 + 2^62) / 2^63 = 1 (needs care not to overflow).
  const std::vector<int32_t> a = {INT32_MIN, INT32_MIN, 1 << 20};
  const std::vector<int32_t> b = {INT32_MIN, INT32_MAX, 1 << 20};
  std::vector<int32_t> out(3);
  ASSERT_EQ(MulInt32(MakeShape({3}, {3}, {3}), a.data(), b.data(), 63, out.data()),
            KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(1, 0, 0));
  const int32_t c = 1 << 20;
  int32_t product = 0;
  ASSERT_EQ(MulInt32(MakeShape({1}, {1}, {1}), &c, &c, 31, &product), KernelStatus::kOk);
  EXPECT_EQ(product, 512);  // 2^40 / 2^31
}

TEST(MulInt32Test, OutOfRangeResultOrShiftIsUnpredictable) {
  const int32_t a = INT32_MIN, b = INT32_MIN;
  int32_t out = 0;
  EXPECT_EQ(MulInt32(MakeShape({1}, {1}, {1}), &a, &b, 31, &out), KernelStatus::kUnpredictable);
  EXPECT_EQ(MulInt32(MakeShape({1}, {1}, {1}), &a, &b, 32, &out), KernelStatus::kOk);
  EXPECT_EQ(out, 1 << 30);
  EXPECT_EQ(MulInt32(MakeShape({1}, {1}, {1}), &a, &b, 64, &out), KernelStatus::kUnpredictable);
}

TEST(MulFp32Test, Multiplies) {
  const std::vector<float> a = {1.5f, -2.0f};
  const std::vector<float> b = {4.0f, 0.5f};
  std::vector<float> out(2);
  MulFp32(MakeShape({2}, {2}, {2}), a.data(), b.data(), out.data());
  EXPECT_THAT(out, ElementsAre(6.0f, -1.0f));
}

}  // namespace
}  // namespace inferd::cpu::kernels

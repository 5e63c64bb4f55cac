#include "backends/cpu/kernels/transpose.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

TransposeParams MakeParams(std::vector<int32_t> dims, std::vector<int32_t> perms) {
  TransposeParams p;
  p.rank = static_cast<int32_t>(dims.size());
  for (int32_t i = 0; i < p.rank; ++i) {
    p.input_dims[i] = dims[i];
    p.perms[i] = perms[i];
  }
  return p;
}

TEST(TransposeTest, Rank2Int8) {
  const std::vector<int8_t> in = {1, 2, 3, 4, 5, 6};  // [2, 3]
  std::vector<int8_t> out(6);
  ASSERT_EQ(Transpose(MakeParams({2, 3}, {1, 0}), in.data(), out.data(), 1), KernelStatus::kOk);
  EXPECT_THAT(out, ElementsAre(1, 4, 2, 5, 3, 6));
}

// For every element size, a rank-6 permutation checked against the specification's rule
// output[index] = input[tmp] with tmp[perms[i]] = index[i].
template <typename T>
void CheckRank6() {
  const std::vector<int32_t> dims = {2, 3, 1, 4, 2, 3};
  const std::vector<int32_t> perms = {4, 0, 5, 2, 3, 1};
  std::vector<T> in(2 * 3 * 1 * 4 * 2 * 3);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<T>(i * 7 + 1);
  std::vector<T> out(in.size());
  ASSERT_EQ(Transpose(MakeParams(dims, perms), in.data(), out.data(), sizeof(T)),
            KernelStatus::kOk);
  int32_t out_dims[6];
  for (int i = 0; i < 6; ++i) out_dims[i] = dims[perms[i]];
  for (size_t offset = 0; offset < out.size(); ++offset) {
    int32_t index[6];
    size_t rest = offset;
    for (int i = 5; i >= 0; --i) {
      index[i] = static_cast<int32_t>(rest % out_dims[i]);
      rest /= out_dims[i];
    }
    int32_t tmp[6];
    for (int i = 0; i < 6; ++i) tmp[perms[i]] = index[i];
    size_t in_offset = 0;
    for (int i = 0; i < 6; ++i) in_offset = in_offset * dims[i] + tmp[i];
    ASSERT_EQ(out[offset], in[in_offset]) << "at " << offset;
  }
}

TEST(TransposeTest, Rank6AllElementSizes) {
  CheckRank6<uint8_t>();
  CheckRank6<int16_t>();
  CheckRank6<float>();
  CheckRank6<int64_t>();
}

TEST(TransposeTest, RankZeroAndBadElementSize) {
  const int32_t in = 5;
  int32_t out = 0;
  ASSERT_EQ(Transpose(TransposeParams{}, &in, &out, 4), KernelStatus::kOk);
  EXPECT_EQ(out, 5);
  EXPECT_EQ(Transpose(MakeParams({1}, {0}), &in, &out, 3), KernelStatus::kInvalidArgument);
}

}  // namespace
}  // namespace inferd::cpu::kernels

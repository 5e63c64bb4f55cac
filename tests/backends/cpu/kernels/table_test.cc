#include "backends/cpu/kernels/table.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

TEST(TableInt8Test, IndexesByValuePlus128) {
  std::vector<int8_t> table(kTableInt8Size);
  for (int i = 0; i < kTableInt8Size; ++i) table[i] = static_cast<int8_t>(127 - i);  // negation-ish
  const std::vector<int8_t> in = {-128, -1, 0, 1, 127};
  std::vector<int8_t> out(in.size());
  TableInt8(in.data(), out.data(), in.size(), table.data());
  EXPECT_THAT(out, ElementsAre(127, 0, -1, -2, -128));
}

TEST(TableInt16Test, InterpolatesBetweenEntries) {
  // A linear table, entry i = 64 * i - 16384: each step of 128 inputs adds 64 * 128 to the 23-bit
  // result, and the 7 fraction bits add slope * fraction.
  std::vector<int16_t> table(kTableInt16Size);
  for (int i = 0; i < kTableInt16Size; ++i) table[i] = static_cast<int16_t>(64 * i - 16384);
  const std::vector<int16_t> in = {-32768, -32767, -32641, 0, 1, 127, 32767};
  std::vector<int32_t> out(in.size());
  ASSERT_EQ(TableInt16(in.data(), out.data(), in.size(), table.data()), KernelStatus::kOk);
  // value v: index = (v + 32768) >> 7, fraction = v & 127, result = table[index] * 128 + 64 *
  // fraction.
  EXPECT_THAT(out, ElementsAre(-16384 * 128,             // index 0, fraction 0
                               -16384 * 128 + 64,        // fraction 1
                               -16384 * 128 + 64 * 127,  // -32641 = -32768 + 127
                               0,                        // index 256: table = 0
                               64,                       // fraction 1
                               64 * 127,                 // fraction 127
                               (64 * 511 - 16384) * 128 + 64 * 127));
}

TEST(TableInt16Test, NegativeSlopeAndFractionBitsOfNegativeValues) {
  std::vector<int16_t> table(kTableInt16Size, 0);
  table[255] = 1000;
  table[256] = 744;  // slope -256
  const std::vector<int16_t> in = {-128, -1, -64};
  std::vector<int32_t> out(in.size());
  ASSERT_EQ(TableInt16(in.data(), out.data(), in.size(), table.data()), KernelStatus::kOk);
  // -128: index 255, fraction 0. -1: index 255, fraction 127. -64: fraction 64.
  EXPECT_THAT(out, ElementsAre(128000, 128000 - 256 * 127, 128000 - 256 * 64));
}

TEST(TableInt16Test, SlopeOutsideInt16IsUnpredictable) {
  std::vector<int16_t> table(kTableInt16Size, 0);
  table[0] = -32768;
  table[1] = 32767;
  const int16_t in = -32768;
  int32_t out = 0;
  EXPECT_EQ(TableInt16(&in, &out, 1, table.data()), KernelStatus::kUnpredictable);
  const int16_t safe = 0;
  EXPECT_EQ(TableInt16(&safe, &out, 1, table.data()), KernelStatus::kOk);
}

}  // namespace
}  // namespace inferd::cpu::kernels

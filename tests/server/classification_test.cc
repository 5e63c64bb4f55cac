// Classify: Triton's classification strings from an output tensor.
#include "server/classification.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd {
namespace {

using ::testing::ElementsAre;

template <typename T>
Tensor Make(DataType type, Shape shape, const std::vector<T>& values) {
  Tensor t = Tensor::Allocate(type, std::move(shape));
  std::memcpy(t.mutable_bytes().data(), values.data(), values.size() * sizeof(T));
  return t;
}

// The strings of KServe's BYTES layout: a 4-byte little-endian length before each.
std::vector<std::string> Strings(const std::string& raw) {
  std::vector<std::string> out;
  for (size_t at = 0; at + 4 <= raw.size();) {
    uint32_t length = 0;
    for (int b = 0; b < 4; ++b)
      length |= static_cast<uint32_t>(static_cast<uint8_t>(raw[at + b])) << (8 * b);
    out.push_back(raw.substr(at + 4, length));
    at += 4 + length;
  }
  return out;
}

TEST(ClassifyTest, TopClassesOfEachBatchItemLargestFirst) {
  const Tensor scores = Make<float>(DataType::kFp32, {2, 4},
                                    {0.5f, 2.0f, -1.0f, 2.0f,  //
                                     3.0f, 0.25f, 7.0f, 1.0f});
  auto result = Classify(scores, /*batched=*/true, 2, {});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->shape, (Shape{2, 2}));
  // Ties go to the smaller index.
  EXPECT_THAT(Strings(result->raw), ElementsAre("2:1", "2:3", "7:2", "3:0"));
}

TEST(ClassifyTest, LabelsAreAppendedAndKIsClipped) {
  const Tensor scores = Make<int8_t>(DataType::kInt8, {3}, {-5, 9, 0});
  auto result = Classify(scores, /*batched=*/false, 10, {"cat", "dog", "emu"});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->shape, (Shape{3}));
  EXPECT_THAT(Strings(result->raw), ElementsAre("9:1:dog", "0:2:emu", "-5:0:cat"));
}

TEST(ClassifyTest, NanNeverHidesARealClass) {
  const Tensor scores = Make<float>(DataType::kFp32, {3}, {NAN, 1.0f, 0.5f});
  auto result = Classify(scores, /*batched=*/false, 2, {});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(Strings(result->raw), ElementsAre("1:1", "0.5:2"));
}

TEST(ClassifyTest, NonNumericOutputIsRefused) {
  const Tensor text = Tensor::Allocate(DataType::kBytes, {2});
  EXPECT_FALSE(Classify(text, false, 1, {}).ok());
}

}  // namespace
}  // namespace inferd

#include "client/tensor_text.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ErrorOf(std::string_view text) {
  absl::StatusOr<Tensor> tensor = ParseTensorText(text);
  EXPECT_FALSE(tensor.ok()) << "accepted '" << text << "'";
  EXPECT_EQ(tensor.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(tensor.status().message());
}

TEST(ParseTensorText, Fp32WithShape) {
  absl::StatusOr<Tensor> tensor = ParseTensorText("FP32:1,3:0.5, 1 ,-2e3");
  ASSERT_TRUE(tensor.ok()) << tensor.status();
  EXPECT_EQ(tensor->dtype(), DataType::kFp32);
  EXPECT_EQ(tensor->shape(), (Shape{1, 3}));
  EXPECT_THAT(tensor->values<float>(), ElementsAre(0.5f, 1.0f, -2000.0f));
}

TEST(ParseTensorText, ScalarHasAnEmptyShape) {
  absl::StatusOr<Tensor> tensor = ParseTensorText("INT32::7");
  ASSERT_TRUE(tensor.ok()) << tensor.status();
  EXPECT_TRUE(tensor->shape().empty());
  EXPECT_THAT(tensor->values<int32_t>(), ElementsAre(7));
}

TEST(ParseTensorText, EmptyTensor) {
  absl::StatusOr<Tensor> tensor = ParseTensorText("INT8:0,4:");
  ASSERT_TRUE(tensor.ok()) << tensor.status();
  EXPECT_EQ(tensor->byte_size(), 0u);
}

TEST(ParseTensorText, IntegerTypesAtTheirLimits) {
  EXPECT_THAT(ParseTensorText("INT8:2:-128,127")->values<int8_t>(), ElementsAre(-128, 127));
  EXPECT_THAT(ParseTensorText("UINT8:2:0,255")->values<uint8_t>(), ElementsAre(0, 255));
  EXPECT_THAT(ParseTensorText("INT16:2:-32768,32767")->values<int16_t>(),
              ElementsAre(-32768, 32767));
  EXPECT_THAT(ParseTensorText("UINT16:1:65535")->values<uint16_t>(), ElementsAre(65535));
  EXPECT_THAT(ParseTensorText("UINT32:1:4294967295")->values<uint32_t>(), ElementsAre(4294967295u));
  EXPECT_THAT(ParseTensorText("INT64:1:-9223372036854775808")->values<int64_t>(),
              ElementsAre(std::numeric_limits<int64_t>::min()));
  EXPECT_THAT(ParseTensorText("UINT64:1:18446744073709551615")->values<uint64_t>(),
              ElementsAre(std::numeric_limits<uint64_t>::max()));
}

TEST(ParseTensorText, BoolAcceptsWordsAndDigits) {
  EXPECT_THAT(ParseTensorText("BOOL:4:true,False,1,0")->values<uint8_t>(), ElementsAre(1, 0, 1, 0));
  EXPECT_THAT(ErrorOf("BOOL:1:yes"), HasSubstr("'yes' is not a bool"));
}

TEST(ParseTensorText, Fp64KeepsFullPrecision) {
  EXPECT_THAT(ParseTensorText("FP64:1:0.1")->values<double>(), ElementsAre(0.1));
}

TEST(ParseTensorText, Fp16RoundsToNearestEven) {
  absl::StatusOr<Tensor> tensor = ParseTensorText("FP16:7:1,-2,0.5,65504,1e6,6e-8,nan");
  ASSERT_TRUE(tensor.ok()) << tensor.status();
  std::span<const uint16_t> bits = tensor->values<uint16_t>();
  EXPECT_EQ(bits[0], 0x3c00);
  EXPECT_EQ(bits[1], 0xc000);
  EXPECT_EQ(bits[2], 0x3800);
  EXPECT_EQ(bits[3], 0x7bff);  // largest finite half
  EXPECT_EQ(bits[4], 0x7c00);  // overflow becomes infinity
  EXPECT_EQ(bits[5], 0x0001);  // 6e-8 rounds to the smallest subnormal (2^-24 ~ 5.96e-8)
  EXPECT_EQ(bits[6] & 0x7c00, 0x7c00);
  EXPECT_NE(bits[6] & 0x3ff, 0);
  // 1 + 2^-11 lies halfway between 1 and the next half; ties go to the even mantissa (1).
  EXPECT_EQ(ParseTensorText("FP16:1:1.00048828125")->values<uint16_t>()[0], 0x3c00);
}

TEST(ParseTensorText, Bf16KeepsTheTopBitsRounded) {
  absl::StatusOr<Tensor> tensor = ParseTensorText("BF16:2:1,-3.5");
  ASSERT_TRUE(tensor.ok()) << tensor.status();
  EXPECT_THAT(tensor->values<uint16_t>(), ElementsAre(0x3f80, 0xc060));
}

TEST(ParseTensorText, ErrorsSayWhatIsWrong) {
  EXPECT_THAT(ErrorOf("FP32"), HasSubstr("expected DTYPE:SHAPE:VALUES"));
  EXPECT_THAT(ErrorOf("FP32:2"), HasSubstr("expected DTYPE:SHAPE:VALUES"));
  EXPECT_THAT(ErrorOf("FLOAT:1:1"), HasSubstr("'FLOAT' is not a supported datatype"));
  EXPECT_THAT(ErrorOf("BYTES:1:abc"), HasSubstr("not a supported datatype"));
  EXPECT_THAT(ErrorOf("FP32:1,x:1"), HasSubstr("'x' is not a non-negative dimension"));
  EXPECT_THAT(ErrorOf("FP32:-1:1"), HasSubstr("not a non-negative dimension"));
  EXPECT_THAT(ErrorOf("FP32:2,2:1,2,3"), HasSubstr("shape [2,2] needs 4 values, got 3"));
  EXPECT_THAT(ErrorOf("FP32:1000000000,1000000000:1"), HasSubstr("more elements than"));
  EXPECT_THAT(ErrorOf("FP32:2:1,abc"), HasSubstr("value 1 of FP32: 'abc' is not a number"));
  EXPECT_THAT(ErrorOf("INT8:1:128"), HasSubstr("'128' is out of range [-128, 127]"));
  EXPECT_THAT(ErrorOf("UINT8:1:-1"), HasSubstr("out of range [0, 255]"));
  EXPECT_THAT(ErrorOf("UINT64:1:-1"), HasSubstr("'-1' is out of range [0, 18446744073709551615]"));
  EXPECT_THAT(ErrorOf("UINT64:1:18446744073709551616"), HasSubstr("is out of range"));
  EXPECT_THAT(ErrorOf("INT64:1:-9223372036854775809"), HasSubstr("is out of range"));
  EXPECT_THAT(ErrorOf("INT32:1:1.5"), HasSubstr("'1.5' is not an integer"));
  EXPECT_THAT(ErrorOf("INT32:2:1,"), HasSubstr("value 1 of INT32: '' is not an integer"));
}

TEST(LooksLikeTensorText, DistinguishesInlineValuesFromFileNames) {
  EXPECT_TRUE(LooksLikeTensorText("FP32:1:0"));
  EXPECT_TRUE(LooksLikeTensorText("UINT8::3"));
  EXPECT_FALSE(LooksLikeTensorText("input.npy"));
  EXPECT_FALSE(LooksLikeTensorText("/tmp/x:y.npy"));
  EXPECT_FALSE(LooksLikeTensorText("fp32:1:0"));
}

TEST(FormatTensorValues, PrintsValuesAndTruncates) {
  EXPECT_EQ(FormatTensorValues(*ParseTensorText("FP32:3:0.5,1,-2"), 10), "[0.5, 1, -2]");
  EXPECT_EQ(FormatTensorValues(*ParseTensorText("INT8:4:1,2,3,4"), 2), "[1, 2, ... (2 more)]");
  EXPECT_EQ(FormatTensorValues(*ParseTensorText("BOOL:2:1,0"), 10), "[true, false]");
  EXPECT_EQ(FormatTensorValues(*ParseTensorText("FP16:2:1.5,-0.25"), 10), "[1.5, -0.25]");
  EXPECT_EQ(FormatTensorValues(*ParseTensorText("BF16:1:2"), 10), "[2]");
  EXPECT_EQ(FormatTensorValues(*ParseTensorText("UINT64:1:18446744073709551615"), 10),
            "[18446744073709551615]");
  EXPECT_EQ(FormatTensorValues(*ParseTensorText("FP32:0:"), 10), "[]");
}

TEST(ArgmaxPerRow, FindsTheLargestScoreOfEachRow) {
  absl::StatusOr<Tensor> scores = ParseTensorText("FP32:2,3:0.1,0.7,0.2,5,-1,5");
  ASSERT_TRUE(scores.ok());
  EXPECT_THAT(ArgmaxPerRow(*scores), ::testing::Optional(ElementsAre(1, 0)));
  EXPECT_THAT(ArgmaxPerRow(*ParseTensorText("INT8:1,3:-5,-3,-4")),
              ::testing::Optional(ElementsAre(1)));
  EXPECT_THAT(ArgmaxPerRow(*ParseTensorText("FP32:1,3:nan,-1,-2")),
              ::testing::Optional(ElementsAre(1)));
}

TEST(ArgmaxPerRow, OnlyForRankTwoNumericTensors) {
  EXPECT_EQ(ArgmaxPerRow(*ParseTensorText("FP32:3:1,2,3")), std::nullopt);
  EXPECT_EQ(ArgmaxPerRow(*ParseTensorText("FP32:3,1:1,2,3")), std::nullopt);
  EXPECT_EQ(ArgmaxPerRow(*ParseTensorText("BOOL:1,2:1,0")), std::nullopt);
}

}  // namespace
}  // namespace inferd

// The host's quantize_per_tensor / dequantize_per_tensor against ExecuTorch's kernels' arithmetic
// at the edges: ties to even, the scale as float, saturation at quant_min / quant_max, and NaN and
// infinities as the kernel gives them on Arm.
#include "engine/executorch/quantize_per_tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace inferd::executorch {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

int64_t Int8(float value, double scale = 1.0, int64_t zero_point = 0) {
  return QuantizeValue(value, scale, zero_point, -128, 127);
}

TEST(QuantizePerTensorTest, RoundsHalfwayCasesToEven) {
  EXPECT_EQ(Int8(0.5f), 0);
  EXPECT_EQ(Int8(1.5f), 2);
  EXPECT_EQ(Int8(2.5f), 2);
  EXPECT_EQ(Int8(-0.5f), 0);
  EXPECT_EQ(Int8(-1.5f), -2);
  EXPECT_EQ(Int8(-2.5f), -2);
  EXPECT_EQ(Int8(2.4999998f), 2);
  EXPECT_EQ(Int8(2.5000002f), 3);
}

TEST(QuantizePerTensorTest, TheScaleIsInvertedAndAppliedInFloat) {
  // 1 / float(0.1) is 10.0f and 0.35f * 10.0f rounds to 3.5f, a tie that goes to 4; in double
  // 0.35 / 0.1 is 3.4999999999999996, which would round to 3.
  EXPECT_EQ(Int8(0.35f, 0.1), 4);
  // The zero point is added after rounding.
  EXPECT_EQ(Int8(1.0f, 0.5, -3), -1);
  EXPECT_EQ(Int8(0.25f, 0.5, 10), 10);  // 0.5 ties to 0, then + 10
}

TEST(QuantizePerTensorTest, SaturatesAtQuantMinAndQuantMax) {
  EXPECT_EQ(Int8(1000.0f), 127);
  EXPECT_EQ(Int8(-1000.0f), -128);
  EXPECT_EQ(QuantizeValue(-1000.0f, 1.0, 0, -127, 127), -127);  // a narrowed range
  EXPECT_EQ(QuantizeValue(3.0e38f, 1e-30, 0, -128, 127), 127);  // the product overflows to inf
  EXPECT_EQ(QuantizeValue(300.0f, 1.0, 128, 0, 255), 255);
  EXPECT_EQ(QuantizeValue(-300.0f, 1.0, 128, 0, 255), 0);
  EXPECT_EQ(QuantizeValue(1.0e10f, 1.0, 0, INT32_MIN, INT32_MAX), INT32_MAX);
}

TEST(QuantizePerTensorTest, InfinitiesSaturateAndNaNBecomesZeroClamped) {
  EXPECT_EQ(Int8(kInf), 127);
  EXPECT_EQ(Int8(-kInf), -128);
  EXPECT_EQ(Int8(kNaN), 0);
  EXPECT_EQ(Int8(kNaN, 0.5, 7), 0);  // NaN + zero point is NaN: the conversion gives 0
  EXPECT_EQ(QuantizeValue(kNaN, 1.0, 0, 10, 20), 10);
}

TEST(QuantizePerTensorTest, DequantizesInFloat) {
  EXPECT_EQ(DequantizeValue(-128, 0.5, -128), 0.0f);
  EXPECT_EQ(DequantizeValue(127, 0.1, -128), 255.0f * static_cast<float>(0.1));
  EXPECT_EQ(DequantizeValue(3, 0.1, 1), 2.0f * static_cast<float>(0.1));
  EXPECT_EQ(DequantizeValue(0, 0.25, 128), -32.0f);
  EXPECT_EQ(DequantizeValue(INT32_MAX, 1.0, -1), 2147483648.0f);  // no int32 overflow
}

TEST(QuantizePerTensorTest, WholeTensorsKeepTheirShapeAndCheckTheirType) {
  PerTensorQuantization step;
  step.op = "quantized_decomposed::quantize_per_tensor.out";
  step.scale = 0.5;
  step.zero_point = 1;
  step.quant_min = -128;
  step.quant_max = 127;
  step.quantized = DataType::kInt8;
  Tensor input = Tensor::Allocate(DataType::kFp32, {2, 3});
  const float values[] = {0.0f, 0.25f, 0.75f, -1.0f, 100.0f, kNaN};
  std::copy(std::begin(values), std::end(values), input.mutable_values<float>().begin());
  auto quantized = QuantizeTensor(input, step);
  ASSERT_TRUE(quantized.ok()) << quantized.status();
  EXPECT_EQ(quantized->dtype(), DataType::kInt8);
  EXPECT_EQ(quantized->shape(), (Shape{2, 3}));
  const auto q = quantized->values<int8_t>();
  EXPECT_EQ(std::vector<int8_t>(q.begin(), q.end()), (std::vector<int8_t>{1, 1, 3, -1, 127, 0}));
  auto back = DequantizeTensor(*quantized, step);
  ASSERT_TRUE(back.ok()) << back.status();
  const auto f = back->values<float>();
  EXPECT_EQ(std::vector<float>(f.begin(), f.end()),
            (std::vector<float>{0.0f, 0.0f, 1.0f, -1.0f, 63.0f, -0.5f}));
  EXPECT_FALSE(QuantizeTensor(*quantized, step).ok());  // INT8 is no float input
  EXPECT_FALSE(DequantizeTensor(input, step).ok());
}

}  // namespace
}  // namespace inferd::executorch

#include "engine/executorch/quantize_per_tensor.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace inferd::executorch {
namespace {

// float -> int64 as an AArch64 / Cortex-M FCVTZS does: truncation, saturation, NaN to 0.
int64_t SaturatingToInt64(float value) {
  if (std::isnan(value)) return 0;
  constexpr float kTwoTo63 = 9223372036854775808.0f;
  if (value >= kTwoTo63) return INT64_MAX;
  if (value < -kTwoTo63) return INT64_MIN;
  return static_cast<int64_t>(value);
}

// Calls `f` with a value of the C++ type of `type`, one of the integer types quantize_per_tensor
// writes; false when `type` is none of them.
template <typename F>
bool VisitQuantizedType(DataType type, F&& f) {
  switch (type) {
    case DataType::kUint8:
      return f(uint8_t{}), true;
    case DataType::kInt8:
      return f(int8_t{}), true;
    case DataType::kUint16:
      return f(uint16_t{}), true;
    case DataType::kInt16:
      return f(int16_t{}), true;
    case DataType::kInt32:
      return f(int32_t{}), true;
    default:
      return false;
  }
}

absl::Status WrongType(const Tensor& input, DataType want, const PerTensorQuantization& step) {
  return absl::InvalidArgumentError(absl::StrCat(step.op, " takes ",
                                                 std::string(DataTypeName(want)), ", not ",
                                                 std::string(DataTypeName(input.dtype()))));
}

}  // namespace

int64_t QuantizeValue(float value, double scale, int64_t zero_point, int64_t quant_min,
                      int64_t quant_max) {
  const float inverse_scale = 1.0f / static_cast<float>(scale);
  const float product = inverse_scale * value;
  // int32 + float is a float addition in C++, as in the kernel.
  const float shifted =
      static_cast<float>(static_cast<int32_t>(zero_point)) + std::nearbyint(product);
  const int64_t quantized = SaturatingToInt64(shifted);
  return std::min(std::max(quantized, quant_min), quant_max);
}

float DequantizeValue(int64_t value, double scale, int64_t zero_point) {
  // (input - int32(zero_point)) is an integer of the input's width promoted to int; times a float.
  const int64_t centred = value - static_cast<int32_t>(zero_point);
  return static_cast<float>(static_cast<float>(centred) * static_cast<float>(scale));
}

absl::StatusOr<Tensor> QuantizeTensor(const Tensor& input, const PerTensorQuantization& step) {
  if (input.dtype() != DataType::kFp32) return WrongType(input, DataType::kFp32, step);
  Tensor out = Tensor::Allocate(step.quantized, input.shape());
  const auto in = input.values<float>();
  const bool known = VisitQuantizedType(step.quantized, [&](auto zero) {
    using Q = decltype(zero);
    const auto values = out.mutable_values<Q>();
    for (size_t i = 0; i < in.size(); ++i) {
      values[i] = static_cast<Q>(
          QuantizeValue(in[i], step.scale, step.zero_point, step.quant_min, step.quant_max));
    }
  });
  if (!known) {
    return absl::InvalidArgumentError(
        absl::StrCat(step.op, " cannot write ", std::string(DataTypeName(step.quantized))));
  }
  return out;
}

absl::StatusOr<Tensor> DequantizeTensor(const Tensor& input, const PerTensorQuantization& step) {
  if (input.dtype() != step.quantized) return WrongType(input, step.quantized, step);
  Tensor out = Tensor::Allocate(DataType::kFp32, input.shape());
  const auto values = out.mutable_values<float>();
  const bool known = VisitQuantizedType(step.quantized, [&](auto zero) {
    const auto in = input.values<decltype(zero)>();
    for (size_t i = 0; i < in.size(); ++i) {
      values[i] = DequantizeValue(in[i], step.scale, step.zero_point);
    }
  });
  if (!known) {
    return absl::InvalidArgumentError(
        absl::StrCat(step.op, " cannot read ", std::string(DataTypeName(step.quantized))));
  }
  return out;
}

}  // namespace inferd::executorch

#include "backends/cpu/kernels/elementwise_unary.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

template <typename T, typename Fn>
void Map(const T* input, T* output, int64_t count, Fn&& fn) {
  for (int64_t i = 0; i < count; ++i) output[i] = Narrow<T>(fn(Widen(input[i])));
}

}  // namespace

template <typename T>
void FloatUnary(FloatUnaryOp op, const T* input, T* output, int64_t count) {
  switch (op) {
    case FloatUnaryOp::kAbs:
      return Map(input, output, count, [](double x) { return std::fabs(x); });
    case FloatUnaryOp::kNegate:
      return Map(input, output, count, [](double x) { return -x; });
    case FloatUnaryOp::kCeil:
      return Map(input, output, count, [](double x) { return std::ceil(x); });
    case FloatUnaryOp::kFloor:
      return Map(input, output, count, [](double x) { return std::floor(x); });
    case FloatUnaryOp::kCos:
      return Map(input, output, count, [](double x) { return std::cos(x); });
    case FloatUnaryOp::kSin:
      return Map(input, output, count, [](double x) { return std::sin(x); });
    case FloatUnaryOp::kExp:
      return Map(input, output, count, [](double x) { return std::exp(x); });
    case FloatUnaryOp::kLog:
      return Map(input, output, count, [](double x) { return std::log(x); });
    case FloatUnaryOp::kReciprocal:
      return Map(input, output, count, [](double x) { return 1.0 / x; });
    case FloatUnaryOp::kRsqrt:
      return Map(input, output, count, [](double x) {
        // The specification tests x < 0 first, so -0 reaches 1 / sqrt(-0) == 1 / -0 == -inf.
        return x < 0 ? static_cast<double>(NAN) : 1.0 / std::sqrt(x);
      });
  }
}

template void FloatUnary<float>(FloatUnaryOp, const float*, float*, int64_t);
template void FloatUnary<Fp16>(FloatUnaryOp, const Fp16*, Fp16*, int64_t);
template void FloatUnary<Bf16>(FloatUnaryOp, const Bf16*, Bf16*, int64_t);

KernelStatus AbsInt32(const int32_t* input, int32_t* output, int64_t count) {
  bool unpredictable = false;
  for (int64_t i = 0; i < count; ++i) {
    const int32_t value = input[i];
    if (value == std::numeric_limits<int32_t>::min()) {
      unpredictable = true;
      output[i] = value;
    } else {
      output[i] = value < 0 ? -value : value;
    }
  }
  return unpredictable ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

template <typename T>
KernelStatus NegateInt(const T* input, T* output, int64_t count, int32_t input1_zp,
                       int32_t output_zp) {
  if (!std::is_same_v<T, int8_t> && (input1_zp != 0 || output_zp != 0)) {
    return KernelStatus::kInvalidArgument;
  }
  constexpr int64_t kMin = std::numeric_limits<T>::min();
  constexpr int64_t kMax = std::numeric_limits<T>::max();
  bool unpredictable = false;
  for (int64_t i = 0; i < count; ++i) {
    // Each apply_sub_s / apply_add_s step REQUIREs an int32 result; int64 shows when it is not.
    int64_t value = int64_t{input[i]} - input1_zp;
    if (!InRange(value, INT32_MIN, INT32_MAX)) unpredictable = true;
    value = -value;
    if (!InRange(value, INT32_MIN, INT32_MAX)) unpredictable = true;
    value += output_zp;
    if (!InRange(value, INT32_MIN, INT32_MAX)) unpredictable = true;
    output[i] = static_cast<T>(ClipS(value, kMin, kMax));
  }
  return unpredictable ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

template KernelStatus NegateInt<int8_t>(const int8_t*, int8_t*, int64_t, int32_t, int32_t);
template KernelStatus NegateInt<int16_t>(const int16_t*, int16_t*, int64_t, int32_t, int32_t);
template KernelStatus NegateInt<int32_t>(const int32_t*, int32_t*, int64_t, int32_t, int32_t);

}  // namespace inferd::cpu::kernels

// Reference TOSA 1.0 elementwise unary operators: ABS and NEGATE (integers bit-exact, NEGATE with
// the int8 zero points) and the float functions CEIL, FLOOR, COS, SIN, EXP, LOG, RECIPROCAL and
// RSQRT. Float results are computed in fp64 and rounded once to the element type, which is far
// inside the specification's accuracy bounds. input and output may be the same buffer.
#ifndef INFERD_BACKENDS_CPU_KERNELS_ELEMENTWISE_UNARY_H_
#define INFERD_BACKENDS_CPU_KERNELS_ELEMENTWISE_UNARY_H_

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

enum class FloatUnaryOp : uint8_t {
  kAbs,     // clears the sign: ABS(-0.0) is +0.0
  kNegate,  // flips the sign (NaN stays NaN)
  kCeil,
  kFloor,
  kCos,
  kSin,
  kExp,
  kLog,         // log(0) is -inf, log(x < 0) is NaN
  kReciprocal,  // 1 / x
  kRsqrt,       // 1 / sqrt(x); NaN for x < 0, and 1 / sqrt(-0) is -inf
};

// T is float, Fp16 or Bf16.
template <typename T>
void FloatUnary(FloatUnaryOp op, const T* input, T* output, int64_t count);

// ABS of int32: kUnpredictable for INT32_MIN (apply_sub_s overflows), which is left unchanged.
KernelStatus AbsInt32(const int32_t* input, int32_t* output, int64_t count);

// NEGATE of integers: output = clip(output_zp - (input - input1_zp)) to T's range, computed in
// int32. The specification allows non-zero zero points only for int8 (kInvalidArgument
// otherwise, nothing written); for int32 the int32 arithmetic REQUIREs no overflow
// (kUnpredictable for -INT32_MIN, which is clipped to INT32_MAX).
template <typename T>
KernelStatus NegateInt(const T* input, T* output, int64_t count, int32_t input1_zp,
                       int32_t output_zp);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_ELEMENTWISE_UNARY_H_

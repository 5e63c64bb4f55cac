#include "backends/cpu/kernels/matmul.h"

#include <cstdint>

#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

// The loop nest of the specification's pseudo-code: for each output, acc starts at AccT{} and
// `step(acc, a, b)` folds in the products along the depth, in order; `finish(acc)` makes the
// output element.
template <typename InT, typename OutT, typename AccT, typename Step, typename Finish>
void MatmulLoop(const MatmulParams& p, const InT* a, const InT* b, OutT* output, Step step,
                Finish finish) {
  const int64_t rows = p.rows, depth = p.depth, columns = p.columns;
  for (int64_t n = 0; n < p.batch; ++n) {
    const InT* a_n = a + n * rows * depth;
    const InT* b_n = b + n * depth * columns;
    OutT* out_n = output + n * rows * columns;
    for (int64_t h = 0; h < rows; ++h) {
      for (int64_t w = 0; w < columns; ++w) {
        AccT acc{};
        for (int64_t c = 0; c < depth; ++c) {
          acc = step(acc, a_n[h * depth + c], b_n[c * columns + w]);
        }
        out_n[h * columns + w] = finish(acc);
      }
    }
  }
}

// Integers: exact int64_t sums of zero-point-adjusted products; false when a result leaves
// [out_min, out_max].
template <typename InT, typename OutT>
bool MatmulInteger(const MatmulParams& p, const InT* a, const InT* b, OutT* output, int64_t out_min,
                   int64_t out_max) {
  const int64_t a_zp = p.a_zp, b_zp = p.b_zp;
  bool unpredictable = false;
  MatmulLoop<InT, OutT, int64_t>(
      p, a, b, output,
      [a_zp, b_zp](int64_t acc, InT x, InT y) {
        return acc + (static_cast<int64_t>(x) - a_zp) * (static_cast<int64_t>(y) - b_zp);
      },
      [&](int64_t acc) {
        if (!InRange(acc, out_min, out_max)) unpredictable = true;
        return static_cast<OutT>(acc);
      });
  return !unpredictable;
}

// Floats accumulate in the output type; zero points are 0 for them and ignored.
template <typename InT, typename OutT, typename Step>
void MatmulFloat(const MatmulParams& p, const InT* a, const InT* b, OutT* output, Step step) {
  MatmulLoop<InT, OutT, OutT>(p, a, b, output, step, [](OutT acc) { return acc; });
}

}  // namespace

KernelStatus MatmulInt8(const MatmulParams& params, const int8_t* a, const int8_t* b,
                        int32_t* output) {
  return MatmulInteger<int8_t, int32_t>(params, a, b, output, INT32_MIN, INT32_MAX)
             ? KernelStatus::kOk
             : KernelStatus::kUnpredictable;
}

KernelStatus MatmulInt16(const MatmulParams& params, const int16_t* a, const int16_t* b,
                         int64_t* output) {
  return MatmulInteger<int16_t, int64_t>(params, a, b, output, kInt48Min, kInt48Max)
             ? KernelStatus::kOk
             : KernelStatus::kUnpredictable;
}

void MatmulFp32(const MatmulParams& params, const float* a, const float* b, float* output) {
  MatmulFloat(params, a, b, output, [](float acc, float x, float y) { return acc + x * y; });
}

// One operation on fp16 (or fp8) values done in fp64 and rounded to fp16 rounds exactly once.
template <typename InT>
Fp16 Fp16MultiplyAdd(Fp16 acc, InT x, InT y) {
  const Fp16 product = Narrow<Fp16>(Widen(x) * Widen(y));
  return Narrow<Fp16>(Widen(acc) + Widen(product));
}

void MatmulFp16(const MatmulParams& params, const Fp16* a, const Fp16* b, Fp16* output) {
  MatmulFloat(params, a, b, output, Fp16MultiplyAdd<Fp16>);
}

void MatmulFp8(const MatmulParams& params, const Fp8E4M3* a, const Fp8E4M3* b, Fp16* output) {
  MatmulFloat(params, a, b, output, Fp16MultiplyAdd<Fp8E4M3>);
}

void MatmulFp8(const MatmulParams& params, const Fp8E5M2* a, const Fp8E5M2* b, Fp16* output) {
  MatmulFloat(params, a, b, output, Fp16MultiplyAdd<Fp8E5M2>);
}

void MatmulFp16Fp32(const MatmulParams& params, const Fp16* a, const Fp16* b, float* output) {
  MatmulFloat(params, a, b, output, [](float acc, Fp16 x, Fp16 y) {
    return acc + static_cast<float>(Widen(x)) * static_cast<float>(Widen(y));
  });
}

void MatmulBf16Fp32(const MatmulParams& params, const Bf16* a, const Bf16* b, float* output) {
  MatmulFloat(params, a, b, output, [](float acc, Bf16 x, Bf16 y) {
    return acc + static_cast<float>(Widen(x)) * static_cast<float>(Widen(y));
  });
}

}  // namespace inferd::cpu::kernels

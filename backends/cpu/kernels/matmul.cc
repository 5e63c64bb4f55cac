#include "backends/cpu/kernels/matmul.h"

#include <cstdint>
#include <type_traits>

#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

template <typename InT, typename OutT, typename AccT>
bool Matmul(const MatmulParams& p, const InT* a, const InT* b, OutT* output, int64_t out_min,
            int64_t out_max) {
  constexpr bool kIsFloat = std::is_floating_point_v<AccT>;
  const AccT a_zp = kIsFloat ? AccT{0} : static_cast<AccT>(p.a_zp);
  const AccT b_zp = kIsFloat ? AccT{0} : static_cast<AccT>(p.b_zp);
  const int64_t rows = p.rows, depth = p.depth, columns = p.columns;
  bool unpredictable = false;
  for (int64_t n = 0; n < p.batch; ++n) {
    const InT* a_n = a + n * rows * depth;
    const InT* b_n = b + n * depth * columns;
    OutT* out_n = output + n * rows * columns;
    for (int64_t h = 0; h < rows; ++h) {
      for (int64_t w = 0; w < columns; ++w) {
        AccT acc = 0;
        for (int64_t c = 0; c < depth; ++c) {
          acc += (static_cast<AccT>(a_n[h * depth + c]) - a_zp) *
                 (static_cast<AccT>(b_n[c * columns + w]) - b_zp);
        }
        if constexpr (!kIsFloat) {
          if (!InRange(acc, out_min, out_max)) unpredictable = true;
        }
        out_n[h * columns + w] = static_cast<OutT>(acc);
      }
    }
  }
  return !unpredictable;
}

}  // namespace

KernelStatus MatmulInt8(const MatmulParams& params, const int8_t* a, const int8_t* b,
                        int32_t* output) {
  return Matmul<int8_t, int32_t, int64_t>(params, a, b, output, INT32_MIN, INT32_MAX)
             ? KernelStatus::kOk
             : KernelStatus::kUnpredictable;
}

KernelStatus MatmulInt16(const MatmulParams& params, const int16_t* a, const int16_t* b,
                         int64_t* output) {
  return Matmul<int16_t, int64_t, int64_t>(params, a, b, output, kInt48Min, kInt48Max)
             ? KernelStatus::kOk
             : KernelStatus::kUnpredictable;
}

void MatmulFp32(const MatmulParams& params, const float* a, const float* b, float* output) {
  Matmul<float, float, float>(params, a, b, output, 0, 0);
}

}  // namespace inferd::cpu::kernels

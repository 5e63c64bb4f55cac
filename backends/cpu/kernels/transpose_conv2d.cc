#include "backends/cpu/kernels/transpose_conv2d.h"

#include <cstdint>

#include "backends/cpu/kernels/conv_accumulator.h"
#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

// The input row that kernel row k meets from output row `o` (already shifted by the out pad), or
// -1 when it meets none: o - k must be a non-negative multiple of the stride inside the input.
inline int32_t SourceIndex(int32_t o, int32_t k, int32_t stride, int32_t size) {
  const int32_t v = o - k;
  if (v < 0 || v % stride != 0) return -1;
  const int32_t i = v / stride;
  return i < size ? i : -1;
}

// The specification's gather form of the loop nest; `policy` (conv_accumulator.h) does each
// tap's multiply-add and the bias epilogue. Returns false when the policy saw a REQUIRE fail.
template <typename Policy, typename InT, typename WeightT, typename OutT>
bool TransposeConv2d(const TransposeConv2dParams& p, const InT* input, const WeightT* weight,
                     const OutT* bias, OutT* output, const Policy& policy) {
  const int64_t ic_count = p.input_channels;
  bool unpredictable = false;
  OutT* out = output;
  for (int32_t n = 0; n < p.batch; ++n) {
    const InT* input_n = input + int64_t{n} * p.input_height * p.input_width * ic_count;
    for (int32_t oy = 0; oy < p.output_height; ++oy) {
      const int32_t iy = oy - p.out_pad_top;
      for (int32_t ox = 0; ox < p.output_width; ++ox) {
        const int32_t ix = ox - p.out_pad_left;
        for (int32_t oc = 0; oc < p.output_channels; ++oc) {
          const WeightT* weight_oc =
              weight + int64_t{oc} * p.kernel_height * p.kernel_width * ic_count;
          typename Policy::Acc acc{};
          for (int32_t ky = 0; ky < p.kernel_height; ++ky) {
            const int32_t y = SourceIndex(iy, ky, p.stride_y, p.input_height);
            if (y < 0) continue;
            for (int32_t kx = 0; kx < p.kernel_width; ++kx) {
              const int32_t x = SourceIndex(ix, kx, p.stride_x, p.input_width);
              if (x < 0) continue;
              const InT* in = input_n + (int64_t{y} * p.input_width + x) * ic_count;
              const WeightT* w = weight_oc + (int64_t{ky} * p.kernel_width + kx) * ic_count;
              for (int64_t ic = 0; ic < ic_count; ++ic) policy.Add(acc, in[ic], w[ic]);
            }
          }
          *out++ = policy.Finish(acc, bias[p.bias_size == 1 ? 0 : oc], unpredictable);
        }
      }
    }
  }
  return !unpredictable;
}

KernelStatus Status(bool ok) { return ok ? KernelStatus::kOk : KernelStatus::kUnpredictable; }

}  // namespace

KernelStatus TransposeConv2dInt8(const TransposeConv2dParams& params, const int8_t* input,
                                 const int8_t* weight, const int32_t* bias, int32_t* output) {
  const IntConvAccumulation<int32_t> policy{params.input_zp, params.weight_zp, INT32_MIN,
                                            INT32_MAX};
  return Status(TransposeConv2d(params, input, weight, bias, output, policy));
}

KernelStatus TransposeConv2dInt16(const TransposeConv2dParams& params, const int16_t* input,
                                  const int8_t* weight, const int64_t* bias, int64_t* output) {
  const IntConvAccumulation<int64_t> policy{0, params.weight_zp, kInt48Min, kInt48Max};
  return Status(TransposeConv2d(params, input, weight, bias, output, policy));
}

void TransposeConv2dFp32(const TransposeConv2dParams& params, const float* input,
                         const float* weight, const float* bias, float* output) {
  TransposeConv2d(params, input, weight, bias, output, Fp32ConvAccumulation{});
}

void TransposeConv2dFp16(const TransposeConv2dParams& params, const Fp16* input, const Fp16* weight,
                         const Fp16* bias, Fp16* output, bool fp16_accumulator) {
  if (fp16_accumulator) {
    TransposeConv2d(params, input, weight, bias, output, Float16ConvAccumulation<Fp16, Fp16>{});
  } else {
    TransposeConv2d(params, input, weight, bias, output, Float16ConvAccumulation<Fp16, float>{});
  }
}

void TransposeConv2dBf16(const TransposeConv2dParams& params, const Bf16* input, const Bf16* weight,
                         const Bf16* bias, Bf16* output) {
  TransposeConv2d(params, input, weight, bias, output, Float16ConvAccumulation<Bf16, float>{});
}

void TransposeConv2dFp8(const TransposeConv2dParams& params, const Fp8E4M3* input,
                        const Fp8E4M3* weight, const Fp16* bias, Fp16* output) {
  TransposeConv2d(params, input, weight, bias, output, Float16ConvAccumulation<Fp16, Fp16>{});
}

void TransposeConv2dFp8(const TransposeConv2dParams& params, const Fp8E5M2* input,
                        const Fp8E5M2* weight, const Fp16* bias, Fp16* output) {
  TransposeConv2d(params, input, weight, bias, output, Float16ConvAccumulation<Fp16, Fp16>{});
}

}  // namespace inferd::cpu::kernels

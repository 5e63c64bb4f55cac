#include "backends/cpu/kernels/conv2d.h"

#include <cstdint>
#include <type_traits>

#include "backends/cpu/kernels/conv_accumulator.h"
#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

// Integer variants accumulate in int64_t: every partial sum of int8/int16 products is exact there,
// so the result equals the specification's whenever its REQUIREs hold, and an out-of-range final
// value is detected rather than wrapped silently.
template <typename InT, typename WeightT, typename OutT, typename AccT>
bool Conv2d(const Conv2dParams& p, const InT* input, const WeightT* weight, const OutT* bias,
            OutT* output, int64_t out_min, int64_t out_max) {
  constexpr bool kIsFloat = std::is_floating_point_v<AccT>;
  const AccT input_zp = kIsFloat ? AccT{0} : static_cast<AccT>(p.input_zp);
  const AccT weight_zp = kIsFloat ? AccT{0} : static_cast<AccT>(p.weight_zp);
  const int64_t ic_count = p.input_channels;
  bool unpredictable = false;
  OutT* out = output;
  for (int32_t n = 0; n < p.batch; ++n) {
    const InT* input_n =
        input + static_cast<int64_t>(n) * p.input_height * p.input_width * ic_count;
    for (int32_t oy = 0; oy < p.output_height; ++oy) {
      const int32_t iy = oy * p.stride_y - p.pad_top;
      for (int32_t ox = 0; ox < p.output_width; ++ox) {
        const int32_t ix = ox * p.stride_x - p.pad_left;
        for (int32_t oc = 0; oc < p.output_channels; ++oc) {
          const WeightT* weight_oc =
              weight + static_cast<int64_t>(oc) * p.kernel_height * p.kernel_width * ic_count;
          AccT acc = 0;
          for (int32_t ky = 0; ky < p.kernel_height; ++ky) {
            const int32_t y = iy + ky * p.dilation_y;
            if (y < 0 || y >= p.input_height) continue;
            for (int32_t kx = 0; kx < p.kernel_width; ++kx) {
              const int32_t x = ix + kx * p.dilation_x;
              if (x < 0 || x >= p.input_width) continue;
              const InT* in = input_n + (static_cast<int64_t>(y) * p.input_width + x) * ic_count;
              const WeightT* w =
                  weight_oc + (static_cast<int64_t>(ky) * p.kernel_width + kx) * ic_count;
              for (int64_t ic = 0; ic < ic_count; ++ic) {
                acc +=
                    (static_cast<AccT>(in[ic]) - input_zp) * (static_cast<AccT>(w[ic]) - weight_zp);
              }
            }
          }
          const OutT b = bias[p.bias_size == 1 ? 0 : oc];
          if constexpr (kIsFloat) {
            *out++ = static_cast<OutT>(acc) + b;
          } else {
            if (!InRange(acc, out_min, out_max)) unpredictable = true;
            acc += b;
            if (!InRange(acc, out_min, out_max)) unpredictable = true;
            *out++ = static_cast<OutT>(acc);
          }
        }
      }
    }
  }
  return !unpredictable;
}

}  // namespace

KernelStatus Conv2dInt8(const Conv2dParams& params, const int8_t* input, const int8_t* weight,
                        const int32_t* bias, int32_t* output) {
  return Conv2d<int8_t, int8_t, int32_t, int64_t>(params, input, weight, bias, output, INT32_MIN,
                                                  INT32_MAX)
             ? KernelStatus::kOk
             : KernelStatus::kUnpredictable;
}

KernelStatus Conv2dInt16(const Conv2dParams& params, const int16_t* input, const int8_t* weight,
                         const int64_t* bias, int64_t* output) {
  return Conv2d<int16_t, int8_t, int64_t, int64_t>(params, input, weight, bias, output, kInt48Min,
                                                   kInt48Max)
             ? KernelStatus::kOk
             : KernelStatus::kUnpredictable;
}

void Conv2dFp32(const Conv2dParams& params, const float* input, const float* weight,
                const float* bias, float* output) {
  Conv2d<float, float, float, float>(params, input, weight, bias, output, 0, 0);
}

namespace {

// The loop nest of Conv2d above with a conv_accumulator.h policy for the narrow float types: `T`
// inputs (16-bit floats or FP8), `OutT` bias and output.
template <typename T, typename OutT, typename Policy>
void Conv2dFloat16(const Conv2dParams& p, const T* input, const T* weight, const OutT* bias,
                   OutT* output, const Policy& policy) {
  const int64_t ic_count = p.input_channels;
  bool unused = false;
  OutT* out = output;
  for (int32_t n = 0; n < p.batch; ++n) {
    const T* input_n = input + int64_t{n} * p.input_height * p.input_width * ic_count;
    for (int32_t oy = 0; oy < p.output_height; ++oy) {
      const int32_t iy = oy * p.stride_y - p.pad_top;
      for (int32_t ox = 0; ox < p.output_width; ++ox) {
        const int32_t ix = ox * p.stride_x - p.pad_left;
        for (int32_t oc = 0; oc < p.output_channels; ++oc) {
          const T* weight_oc = weight + int64_t{oc} * p.kernel_height * p.kernel_width * ic_count;
          typename Policy::Acc acc{};
          for (int32_t ky = 0; ky < p.kernel_height; ++ky) {
            const int32_t y = iy + ky * p.dilation_y;
            if (y < 0 || y >= p.input_height) continue;
            for (int32_t kx = 0; kx < p.kernel_width; ++kx) {
              const int32_t x = ix + kx * p.dilation_x;
              if (x < 0 || x >= p.input_width) continue;
              const T* in = input_n + (int64_t{y} * p.input_width + x) * ic_count;
              const T* w = weight_oc + (int64_t{ky} * p.kernel_width + kx) * ic_count;
              for (int64_t ic = 0; ic < ic_count; ++ic) policy.Add(acc, in[ic], w[ic]);
            }
          }
          *out++ = policy.Finish(acc, bias[p.bias_size == 1 ? 0 : oc], unused);
        }
      }
    }
  }
}

}  // namespace

void Conv2dFp16(const Conv2dParams& params, const Fp16* input, const Fp16* weight, const Fp16* bias,
                Fp16* output, bool fp16_accumulator) {
  if (fp16_accumulator) {
    Conv2dFloat16(params, input, weight, bias, output, Float16ConvAccumulation<Fp16, Fp16>{});
  } else {
    Conv2dFloat16(params, input, weight, bias, output, Float16ConvAccumulation<Fp16, float>{});
  }
}

void Conv2dBf16(const Conv2dParams& params, const Bf16* input, const Bf16* weight, const Bf16* bias,
                Bf16* output) {
  Conv2dFloat16(params, input, weight, bias, output, Float16ConvAccumulation<Bf16, float>{});
}

void Conv2dFp8(const Conv2dParams& params, const Fp8E4M3* input, const Fp8E4M3* weight,
               const Fp16* bias, Fp16* output) {
  Conv2dFloat16(params, input, weight, bias, output, Float16ConvAccumulation<Fp16, Fp16>{});
}

void Conv2dFp8(const Conv2dParams& params, const Fp8E5M2* input, const Fp8E5M2* weight,
               const Fp16* bias, Fp16* output) {
  Conv2dFloat16(params, input, weight, bias, output, Float16ConvAccumulation<Fp16, Fp16>{});
}

}  // namespace inferd::cpu::kernels

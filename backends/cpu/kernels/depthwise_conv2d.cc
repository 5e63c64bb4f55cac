#include "backends/cpu/kernels/depthwise_conv2d.h"

#include <cstdint>
#include <type_traits>

#include "backends/cpu/kernels/conv_accumulator.h"
#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

// Integer variants accumulate exactly in int64_t and flag a final value outside the output type.
template <typename InT, typename WeightT, typename OutT, typename AccT>
bool DepthwiseConv2d(const DepthwiseConv2dParams& p, const InT* input, const WeightT* weight,
                     const OutT* bias, OutT* output, int64_t out_min, int64_t out_max) {
  constexpr bool kIsFloat = std::is_floating_point_v<AccT>;
  const AccT input_zp = kIsFloat ? AccT{0} : static_cast<AccT>(p.input_zp);
  const AccT weight_zp = kIsFloat ? AccT{0} : static_cast<AccT>(p.weight_zp);
  const int64_t channels = p.channels;
  const int64_t out_channels = channels * p.multiplier;
  bool unpredictable = false;
  OutT* out = output;
  for (int32_t n = 0; n < p.batch; ++n) {
    const InT* input_n =
        input + static_cast<int64_t>(n) * p.input_height * p.input_width * channels;
    for (int32_t oy = 0; oy < p.output_height; ++oy) {
      const int32_t iy = oy * p.stride_y - p.pad_top;
      for (int32_t ox = 0; ox < p.output_width; ++ox) {
        const int32_t ix = ox * p.stride_x - p.pad_left;
        for (int64_t c = 0; c < channels; ++c) {
          for (int32_t m = 0; m < p.multiplier; ++m) {
            AccT acc = 0;
            for (int32_t ky = 0; ky < p.kernel_height; ++ky) {
              const int32_t y = iy + ky * p.dilation_y;
              if (y < 0 || y >= p.input_height) continue;
              for (int32_t kx = 0; kx < p.kernel_width; ++kx) {
                const int32_t x = ix + kx * p.dilation_x;
                if (x < 0 || x >= p.input_width) continue;
                const InT value =
                    input_n[(static_cast<int64_t>(y) * p.input_width + x) * channels + c];
                const WeightT w =
                    weight[((static_cast<int64_t>(ky) * p.kernel_width + kx) * channels + c) *
                               p.multiplier +
                           m];
                acc += (static_cast<AccT>(value) - input_zp) * (static_cast<AccT>(w) - weight_zp);
              }
            }
            const int64_t oc = c * p.multiplier + m;
            const OutT b = bias[p.bias_size == 1 ? 0 : oc];
            if constexpr (kIsFloat) {
              out[oc] = static_cast<OutT>(acc) + b;
            } else {
              if (!InRange(acc, out_min, out_max)) unpredictable = true;
              acc += b;
              if (!InRange(acc, out_min, out_max)) unpredictable = true;
              out[oc] = static_cast<OutT>(acc);
            }
          }
        }
        out += out_channels;
      }
    }
  }
  return !unpredictable;
}

}  // namespace

KernelStatus DepthwiseConv2dInt8(const DepthwiseConv2dParams& params, const int8_t* input,
                                 const int8_t* weight, const int32_t* bias, int32_t* output) {
  return DepthwiseConv2d<int8_t, int8_t, int32_t, int64_t>(params, input, weight, bias, output,
                                                           INT32_MIN, INT32_MAX)
             ? KernelStatus::kOk
             : KernelStatus::kUnpredictable;
}

KernelStatus DepthwiseConv2dInt16(const DepthwiseConv2dParams& params, const int16_t* input,
                                  const int8_t* weight, const int64_t* bias, int64_t* output) {
  return DepthwiseConv2d<int16_t, int8_t, int64_t, int64_t>(params, input, weight, bias, output,
                                                            kInt48Min, kInt48Max)
             ? KernelStatus::kOk
             : KernelStatus::kUnpredictable;
}

void DepthwiseConv2dFp32(const DepthwiseConv2dParams& params, const float* input,
                         const float* weight, const float* bias, float* output) {
  DepthwiseConv2d<float, float, float, float>(params, input, weight, bias, output, 0, 0);
}

namespace {

// The loop nest of DepthwiseConv2d above with a conv_accumulator.h policy for the 16-bit floats.
template <typename T, typename OutT, typename Policy>
void DepthwiseConv2dFloat16(const DepthwiseConv2dParams& p, const T* input, const T* weight,
                            const OutT* bias, OutT* output, const Policy& policy) {
  const int64_t channels = p.channels;
  const int64_t out_channels = channels * p.multiplier;
  bool unused = false;
  OutT* out = output;
  for (int32_t n = 0; n < p.batch; ++n) {
    const T* input_n = input + int64_t{n} * p.input_height * p.input_width * channels;
    for (int32_t oy = 0; oy < p.output_height; ++oy) {
      const int32_t iy = oy * p.stride_y - p.pad_top;
      for (int32_t ox = 0; ox < p.output_width; ++ox) {
        const int32_t ix = ox * p.stride_x - p.pad_left;
        for (int64_t c = 0; c < channels; ++c) {
          for (int32_t m = 0; m < p.multiplier; ++m) {
            typename Policy::Acc acc{};
            for (int32_t ky = 0; ky < p.kernel_height; ++ky) {
              const int32_t y = iy + ky * p.dilation_y;
              if (y < 0 || y >= p.input_height) continue;
              for (int32_t kx = 0; kx < p.kernel_width; ++kx) {
                const int32_t x = ix + kx * p.dilation_x;
                if (x < 0 || x >= p.input_width) continue;
                const T value = input_n[(int64_t{y} * p.input_width + x) * channels + c];
                const T w =
                    weight[((int64_t{ky} * p.kernel_width + kx) * channels + c) * p.multiplier + m];
                policy.Add(acc, value, w);
              }
            }
            const int64_t oc = c * p.multiplier + m;
            out[oc] = policy.Finish(acc, bias[p.bias_size == 1 ? 0 : oc], unused);
          }
        }
        out += out_channels;
      }
    }
  }
}

}  // namespace

void DepthwiseConv2dFp16(const DepthwiseConv2dParams& params, const Fp16* input, const Fp16* weight,
                         const Fp16* bias, Fp16* output, bool fp16_accumulator) {
  if (fp16_accumulator) {
    DepthwiseConv2dFloat16(params, input, weight, bias, output,
                           Float16ConvAccumulation<Fp16, Fp16>{});
  } else {
    DepthwiseConv2dFloat16(params, input, weight, bias, output,
                           Float16ConvAccumulation<Fp16, float>{});
  }
}

void DepthwiseConv2dBf16(const DepthwiseConv2dParams& params, const Bf16* input, const Bf16* weight,
                         const Bf16* bias, Bf16* output) {
  DepthwiseConv2dFloat16(params, input, weight, bias, output,
                         Float16ConvAccumulation<Bf16, float>{});
}

void DepthwiseConv2dFp8(const DepthwiseConv2dParams& params, const Fp8E4M3* input,
                        const Fp8E4M3* weight, const Fp16* bias, Fp16* output) {
  DepthwiseConv2dFloat16(params, input, weight, bias, output,
                         Float16ConvAccumulation<Fp16, Fp16>{});
}

void DepthwiseConv2dFp8(const DepthwiseConv2dParams& params, const Fp8E5M2* input,
                        const Fp8E5M2* weight, const Fp16* bias, Fp16* output) {
  DepthwiseConv2dFloat16(params, input, weight, bias, output,
                         Float16ConvAccumulation<Fp16, Fp16>{});
}

}  // namespace inferd::cpu::kernels

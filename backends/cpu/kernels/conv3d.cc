#include "backends/cpu/kernels/conv3d.h"

#include <cstdint>

#include "backends/cpu/kernels/conv_accumulator.h"
#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {
namespace {

// The specification's loop nest; `policy` (conv_accumulator.h) does each tap's multiply-add and
// the bias epilogue for the element and accumulator types. Returns false when the policy saw a
// REQUIRE fail.
template <typename Policy, typename InT, typename WeightT, typename OutT>
bool Conv3d(const Conv3dParams& p, const InT* input, const WeightT* weight, const OutT* bias,
            OutT* output, const Policy& policy) {
  const int64_t ic_count = p.input_channels;
  const int64_t input_plane = int64_t{p.input_height} * p.input_width * ic_count;
  const int64_t kernel_plane = int64_t{p.kernel_height} * p.kernel_width * ic_count;
  bool unpredictable = false;
  OutT* out = output;
  for (int32_t n = 0; n < p.batch; ++n) {
    const InT* input_n = input + int64_t{n} * p.input_depth * input_plane;
    for (int32_t od = 0; od < p.output_depth; ++od) {
      const int32_t id = od * p.stride_d - p.pad_front;
      for (int32_t oy = 0; oy < p.output_height; ++oy) {
        const int32_t iy = oy * p.stride_y - p.pad_top;
        for (int32_t ox = 0; ox < p.output_width; ++ox) {
          const int32_t ix = ox * p.stride_x - p.pad_left;
          for (int32_t oc = 0; oc < p.output_channels; ++oc) {
            const WeightT* weight_oc = weight + int64_t{oc} * p.kernel_depth * kernel_plane;
            typename Policy::Acc acc{};
            for (int32_t kd = 0; kd < p.kernel_depth; ++kd) {
              const int32_t z = id + kd * p.dilation_d;
              if (z < 0 || z >= p.input_depth) continue;
              for (int32_t ky = 0; ky < p.kernel_height; ++ky) {
                const int32_t y = iy + ky * p.dilation_y;
                if (y < 0 || y >= p.input_height) continue;
                for (int32_t kx = 0; kx < p.kernel_width; ++kx) {
                  const int32_t x = ix + kx * p.dilation_x;
                  if (x < 0 || x >= p.input_width) continue;
                  const InT* in =
                      input_n + z * input_plane + (int64_t{y} * p.input_width + x) * ic_count;
                  const WeightT* w = weight_oc + kd * kernel_plane +
                                     (int64_t{ky} * p.kernel_width + kx) * ic_count;
                  for (int64_t ic = 0; ic < ic_count; ++ic) policy.Add(acc, in[ic], w[ic]);
                }
              }
            }
            *out++ = policy.Finish(acc, bias[p.bias_size == 1 ? 0 : oc], unpredictable);
          }
        }
      }
    }
  }
  return !unpredictable;
}

KernelStatus Status(bool ok) { return ok ? KernelStatus::kOk : KernelStatus::kUnpredictable; }

}  // namespace

KernelStatus Conv3dInt8(const Conv3dParams& params, const int8_t* input, const int8_t* weight,
                        const int32_t* bias, int32_t* output) {
  const IntConvAccumulation<int32_t> policy{params.input_zp, params.weight_zp, INT32_MIN,
                                            INT32_MAX};
  return Status(Conv3d(params, input, weight, bias, output, policy));
}

KernelStatus Conv3dInt16(const Conv3dParams& params, const int16_t* input, const int8_t* weight,
                         const int64_t* bias, int64_t* output) {
  const IntConvAccumulation<int64_t> policy{0, params.weight_zp, kInt48Min, kInt48Max};
  return Status(Conv3d(params, input, weight, bias, output, policy));
}

void Conv3dFp32(const Conv3dParams& params, const float* input, const float* weight,
                const float* bias, float* output) {
  Conv3d(params, input, weight, bias, output, Fp32ConvAccumulation{});
}

void Conv3dFp16(const Conv3dParams& params, const Fp16* input, const Fp16* weight, const Fp16* bias,
                Fp16* output, bool fp16_accumulator) {
  if (fp16_accumulator) {
    Conv3d(params, input, weight, bias, output, Float16ConvAccumulation<Fp16, Fp16>{});
  } else {
    Conv3d(params, input, weight, bias, output, Float16ConvAccumulation<Fp16, float>{});
  }
}

void Conv3dBf16(const Conv3dParams& params, const Bf16* input, const Bf16* weight, const Bf16* bias,
                Bf16* output) {
  Conv3d(params, input, weight, bias, output, Float16ConvAccumulation<Bf16, float>{});
}

void Conv3dFp8(const Conv3dParams& params, const Fp8E4M3* input, const Fp8E4M3* weight,
               const Fp16* bias, Fp16* output) {
  Conv3d(params, input, weight, bias, output, Float16ConvAccumulation<Fp16, Fp16>{});
}

void Conv3dFp8(const Conv3dParams& params, const Fp8E5M2* input, const Fp8E5M2* weight,
               const Fp16* bias, Fp16* output) {
  Conv3d(params, input, weight, bias, output, Float16ConvAccumulation<Fp16, Fp16>{});
}

}  // namespace inferd::cpu::kernels

#include "backends/cpu/kernels/optimized/transpose_conv2d_optimized.h"

#include <cstdlib>
#include <vector>

#include "backends/cpu/kernels/matmul.h"
#include "backends/cpu/kernels/optimized/matmul_optimized.h"
#include "backends/cpu/kernels/optimized/vector_clones.h"

namespace inferd::cpu::kernels::optimized {
namespace {

// Largest |(x - zp_x) * (w - zp_w)| for int8 operands and zero points.
constexpr int64_t kMaxInt8Product = 255 * 255;

int64_t PatchColumns(const TransposeConv2dParams& p) {
  return int64_t{p.kernel_height} * p.kernel_width * p.output_channels;
}

// One input row of the batch as the product's left-hand side: [input_width, input_channels].
MatmulParams RowProduct(const TransposeConv2dParams& p) {
  MatmulParams m;
  m.batch = 1;
  m.rows = p.input_width;
  m.depth = p.input_channels;
  m.columns = static_cast<int32_t>(PatchColumns(p));
  m.a_zp = p.input_zp;
  return m;
}

// The weights rearranged [input_channels][ky][kx][output_channels], the row-major right-hand side.
template <typename T>
std::vector<T> RightHandSide(const TransposeConv2dParams& p, const T* weight) {
  const int64_t columns = PatchColumns(p);
  std::vector<T> b(static_cast<size_t>(p.input_channels * columns));
  for (int32_t oc = 0; oc < p.output_channels; ++oc) {
    for (int32_t k = 0; k < p.kernel_height * p.kernel_width; ++k) {
      const T* src =
          weight + (int64_t{oc} * p.kernel_height * p.kernel_width + k) * p.input_channels;
      for (int32_t ic = 0; ic < p.input_channels; ++ic) {
        b[ic * columns + int64_t{k} * p.output_channels + oc] = src[ic];
      }
    }
  }
  return b;
}

INFERD_VECTOR_CLONES void AddRowInt32(int32_t* __restrict out, const int32_t* __restrict in,
                                      int32_t n) {
  for (int32_t c = 0; c < n; ++c) out[c] += in[c];
}

INFERD_VECTOR_CLONES void AddRowFp32(float* __restrict out, const float* __restrict in, int32_t n) {
  for (int32_t c = 0; c < n; ++c) out[c] += in[c];
}

// Fills the output with the bias, then, input row by input row, computes the row's contributions
// into `scratch` with `product(row, scratch)` and adds each into the output pixels it reaches.
template <typename In, typename T, typename Product, typename AddRow>
void ProductAndScatter(const TransposeConv2dParams& p, const In* input, const T* bias, T* scratch,
                       T* output, Product&& product, AddRow add_row) {
  const int64_t out_pixels = int64_t{p.batch} * p.output_height * p.output_width;
  for (int64_t i = 0; i < out_pixels; ++i) {
    T* out = output + i * p.output_channels;
    for (int32_t oc = 0; oc < p.output_channels; ++oc) out[oc] = bias[p.bias_size == 1 ? 0 : oc];
  }
  const int64_t columns = PatchColumns(p);
  for (int32_t n = 0; n < p.batch; ++n) {
    for (int32_t iy = 0; iy < p.input_height; ++iy) {
      const In* row =
          input + ((int64_t{n} * p.input_height + iy) * p.input_width) * p.input_channels;
      product(row, scratch);
      for (int32_t ky = 0; ky < p.kernel_height; ++ky) {
        const int32_t oy = iy * p.stride_y + p.out_pad_top + ky;
        if (oy < 0 || oy >= p.output_height) continue;
        T* out_row =
            output + (int64_t{n} * p.output_height + oy) * p.output_width * p.output_channels;
        for (int32_t ix = 0; ix < p.input_width; ++ix) {
          const T* contributions =
              scratch + ix * columns + int64_t{ky} * p.kernel_width * p.output_channels;
          for (int32_t kx = 0; kx < p.kernel_width; ++kx) {
            const int32_t ox = ix * p.stride_x + p.out_pad_left + kx;
            if (ox < 0 || ox >= p.output_width) continue;
            add_row(out_row + int64_t{ox} * p.output_channels,
                    contributions + int64_t{kx} * p.output_channels, p.output_channels);
          }
        }
      }
    }
  }
}

}  // namespace

bool TransposeConv2dInt8Supported(const TransposeConv2dParams& params) {
  const int64_t terms = int64_t{params.kernel_height} * params.kernel_width * params.input_channels;
  // Half of int32 for the products leaves the other half for the bias (checked per run).
  return params.input_channels <= kMaxInt8Depth && terms * kMaxInt8Product < (int64_t{1} << 30);
}

PackedInt8Matrix PackTransposeConv2dInt8Weights(const TileKernels& kernels,
                                                const TransposeConv2dParams& params,
                                                const int8_t* weight, int32_t weight_zp) {
  const std::vector<int8_t> b = RightHandSide(params, weight);
  return PackMatmulInt8B(kernels, RowProduct(params), b.data(), weight_zp);
}

PackedFp32Matrix PackTransposeConv2dFp32Weights(const TransposeConv2dParams& params,
                                                const float* weight) {
  const std::vector<float> b = RightHandSide(params, weight);
  return PackMatmulFp32B(RowProduct(params), b.data());
}

int64_t TransposeConv2dScratchElements(const TransposeConv2dParams& params) {
  return int64_t{params.input_width} * PatchColumns(params);
}

KernelStatus TransposeConv2dInt8Optimized(const TileKernels& kernels,
                                          const TransposeConv2dParams& params,
                                          const PackedInt8Matrix& weights, const int8_t* input,
                                          const int32_t* bias, int32_t* scratch, int32_t* output) {
  for (int32_t i = 0; i < params.bias_size; ++i) {
    if (std::abs(int64_t{bias[i]}) >= (int64_t{1} << 30)) return KernelStatus::kUnpredictable;
  }
  const MatmulParams product = RowProduct(params);
  bool overflow = false;
  ProductAndScatter(
      params, input, bias, scratch, output,
      [&](const int8_t* row, int32_t* contributions) {
        overflow |= MatmulInt8Optimized(kernels, product, &weights, row, nullptr, contributions) !=
                    KernelStatus::kOk;
      },
      AddRowInt32);
  return overflow ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

void TransposeConv2dFp32Optimized(const TileKernels& kernels, const TransposeConv2dParams& params,
                                  const PackedFp32Matrix& weights, const float* input,
                                  const float* bias, float* scratch, float* output) {
  const MatmulParams product = RowProduct(params);
  ProductAndScatter(
      params, input, bias, scratch, output,
      [&](const float* row, float* contributions) {
        MatmulFp32Optimized(kernels, product, &weights, row, nullptr, contributions);
      },
      AddRowFp32);
}

}  // namespace inferd::cpu::kernels::optimized

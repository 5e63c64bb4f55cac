// Reference TOSA 1.0 FFT2D and RFFT2D (EXT-FFT): the 2-D discrete Fourier transform of each image
// of a [batch, height, width] fp32 tensor, as the direct sum the specification defines.
#ifndef INFERD_BACKENDS_CPU_KERNELS_FFT_H_
#define INFERD_BACKENDS_CPU_KERNELS_FFT_H_

#include <cstdint>

#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// Preconditions (graph validator): height and width are powers of two (>= 1); batch >= 1.
struct FftParams {
  int32_t batch = 1;
  int32_t height = 1;
  int32_t width = 1;
};

// Complex input and output [batch, height, width] each. The forward transform uses the kernel
// exp(-2*pi*i*(oy*iy/H + ox*ix/W)); `inverse` flips the sign of the exponent (no 1/(H*W) scaling,
// as in the specification). Sums are formed in double and rounded to fp32 once, which keeps the
// error far inside the specification's bound.
void Fft2dFp32(const FftParams& params, bool inverse, const float* input_real,
               const float* input_imag, float* output_real, float* output_imag);

// Real input [batch, height, width]; outputs [batch, height, width / 2 + 1], the non-redundant
// half of the forward transform. Imaginary terms whose angle is a multiple of pi are left out, as
// in the specification, so the purely real bins have an exactly zero imaginary part.
void Rfft2dFp32(const FftParams& params, const float* input_real, float* output_real,
                float* output_imag);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_FFT_H_

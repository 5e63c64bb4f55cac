// Reference TOSA 1.0 MATMUL: batched matrix product [N,H,C] x [N,C,W] -> [N,H,W].
// Integer results are bit-exact with the specification's pseudo-code.
#ifndef INFERD_BACKENDS_CPU_KERNELS_MATMUL_H_
#define INFERD_BACKENDS_CPU_KERNELS_MATMUL_H_

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// Preconditions (checked by the graph validator): all dimensions >= 1; A is [batch, rows, depth],
// B is [batch, depth, columns], output is [batch, rows, columns]; zero points are 0 except for
// int8.
struct MatmulParams {
  int32_t batch = 1;
  int32_t rows = 1;     // H
  int32_t depth = 1;    // C
  int32_t columns = 1;  // W
  int32_t a_zp = 0;
  int32_t b_zp = 0;
};

// int8 x int8 -> int32; kUnpredictable when an output does not fit int32.
KernelStatus MatmulInt8(const MatmulParams& params, const int8_t* a, const int8_t* b,
                        int32_t* output);

// int16 x int16 -> int48 held in int64_t; kUnpredictable when an output does not fit 48 bits.
KernelStatus MatmulInt16(const MatmulParams& params, const int16_t* a, const int16_t* b,
                         int64_t* output);

// fp32 x fp32 -> fp32, accumulating in fp32 along the depth in order. Zero points are ignored.
void MatmulFp32(const MatmulParams& params, const float* a, const float* b, float* output);

// fp16 x fp16 -> fp16 with an fp16 accumulator: as the specification's pseudo-code, every product
// and every partial sum rounds to fp16 (apply_mul_s / apply_add_s on out_t). Zero points ignored.
void MatmulFp16(const MatmulParams& params, const Fp16* a, const Fp16* b, Fp16* output);

// fp16 x fp16 -> fp32 and bf16 x bf16 -> fp32, accumulating in fp32 along the depth in order (the
// products of 16-bit floats are exact in fp32). Zero points are ignored.
void MatmulFp16Fp32(const MatmulParams& params, const Fp16* a, const Fp16* b, float* output);
void MatmulBf16Fp32(const MatmulParams& params, const Bf16* a, const Bf16* b, float* output);
// EXT-FP8E4M3 / EXT-FP8E5M2: FP8 operands, fp16 accumulation and output, each product and sum
// rounded to fp16.
void MatmulFp8(const MatmulParams& params, const Fp8E4M3* a, const Fp8E4M3* b, Fp16* output);
void MatmulFp8(const MatmulParams& params, const Fp8E5M2* a, const Fp8E5M2* b, Fp16* output);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_MATMUL_H_

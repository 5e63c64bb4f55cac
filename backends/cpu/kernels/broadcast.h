// TOSA broadcasting for elementwise kernels: both inputs have the output's rank and each of their
// dimensions equals the output's or is 1. Header-only, freestanding.
#ifndef INFERD_BACKENDS_CPU_KERNELS_BROADCAST_H_
#define INFERD_BACKENDS_CPU_KERNELS_BROADCAST_H_

#include <cstdint>

#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// Shapes of a binary elementwise op. Preconditions (graph validator): 0 <= rank <= kMaxRank, all
// dimensions >= 1, and input dimension i is 1 or output_dims[i]. Rank 0 is a single element.
struct BroadcastShape {
  int32_t rank = 0;
  int32_t output_dims[kMaxRank] = {};
  int32_t input1_dims[kMaxRank] = {};
  int32_t input2_dims[kMaxRank] = {};
};

// Walks the output of a broadcast of rank >= 1 row by row (a row: the innermost dimension). For
// each row, in row-major order, calls visit(offset1, offset2, stride1, stride2, length): the row's
// elements come from in1[offset1 + i * stride1] and in2[offset2 + i * stride2], i < length, each
// stride 1, or 0 along a broadcast dimension.
template <typename Visit>
void ForEachBroadcastRow(const BroadcastShape& shape, Visit&& visit) {
  const int32_t rank = shape.rank;
  // Element strides of each input, 0 along broadcast dimensions.
  int64_t stride1[kMaxRank] = {};
  int64_t stride2[kMaxRank] = {};
  int64_t size1 = 1, size2 = 1, outer = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    stride1[d] = shape.input1_dims[d] == 1 ? 0 : size1;
    stride2[d] = shape.input2_dims[d] == 1 ? 0 : size2;
    size1 *= shape.input1_dims[d];
    size2 *= shape.input2_dims[d];
    if (d < rank - 1) outer *= shape.output_dims[d];
  }
  const int32_t inner = shape.output_dims[rank - 1];
  int32_t index[kMaxRank] = {};
  int64_t offset1 = 0, offset2 = 0;
  for (int64_t o = 0; o < outer; ++o) {
    visit(offset1, offset2, stride1[rank - 1], stride2[rank - 1], inner);
    // Advance the outer index like an odometer, keeping both input offsets in step.
    for (int32_t d = rank - 2; d >= 0; --d) {
      offset1 += stride1[d];
      offset2 += stride2[d];
      if (++index[d] < shape.output_dims[d]) break;
      offset1 -= stride1[d] * index[d];
      offset2 -= stride2[d] * index[d];
      index[d] = 0;
    }
  }
}

// Calls out[i] = op(in1[j], in2[k]) for every output position in row-major order, j and k being the
// positions that apply_broadcast maps it to.
template <typename In1T, typename In2T, typename OutT, typename Op>
void ForEachBroadcast(const BroadcastShape& shape, const In1T* in1, const In2T* in2, OutT* out,
                      Op&& op) {
  if (shape.rank == 0) {
    *out = op(*in1, *in2);
    return;
  }
  ForEachBroadcastRow(
      shape, [&](int64_t offset1, int64_t offset2, int64_t inner1, int64_t inner2, int32_t length) {
        const In1T* a = in1 + offset1;
        const In2T* b = in2 + offset2;
        for (int32_t i = 0; i < length; ++i) *out++ = op(a[i * inner1], b[i * inner2]);
      });
}

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_BROADCAST_H_

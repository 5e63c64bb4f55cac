// Reference TOSA 1.0 data-layout operators CONCAT, PAD, REVERSE, SLICE and TILE. They only move
// elements, so each kernel is generic over the element's byte size and serves every element type
// the executor stores (bool, int8/16/32, int48 held in 8 bytes, fp16/bf16, fp32).
#ifndef INFERD_BACKENDS_CPU_KERNELS_DATA_LAYOUT_H_
#define INFERD_BACKENDS_CPU_KERNELS_DATA_LAYOUT_H_

#include <cstdint>

#include "backends/cpu/kernels/kernel_types.h"

namespace inferd::cpu::kernels {

// A tensor shape as the data-layout kernels take it: 0 <= rank <= kMaxRank (rank 0 is one
// element), dimensions >= 1.
struct LayoutShape {
  int32_t rank = 0;
  int32_t dims[kMaxRank] = {};
};

// CONCAT along `axis` of `input_count` inputs whose shapes equal `output` except along the axis,
// where input k has axis_sizes[k] (summing to output.dims[axis]).
struct ConcatParams {
  LayoutShape output;
  int32_t axis = 0;
};

// element_size is 1, 2, 4 or 8 for every kernel here (kInvalidArgument otherwise). Inputs and
// output never overlap.
KernelStatus Concat(const ConcatParams& params, const void* const* inputs,
                    const int32_t* axis_sizes, int32_t input_count, void* output,
                    int32_t element_size);

// PAD: output dimension d is input.dims[d] + padding[2d] + padding[2d + 1] (pads >= 0); positions
// outside the input hold *pad_value (one element).
struct PadParams {
  LayoutShape input;
  int32_t padding[2 * kMaxRank] = {};
};
KernelStatus Pad(const PadParams& params, const void* input, const void* pad_value, void* output,
                 int32_t element_size);

// REVERSE along `axis` of `shape`.
KernelStatus Reverse(const LayoutShape& shape, int32_t axis, const void* input, void* output,
                     int32_t element_size);

// SLICE: output dimension d is size[d]; output[i] = input[start + i]. The validator checked
// 0 <= start[d] and start[d] + size[d] <= input.dims[d].
struct SliceParams {
  LayoutShape input;
  int32_t start[kMaxRank] = {};
  int32_t size[kMaxRank] = {};
};
KernelStatus Slice(const SliceParams& params, const void* input, void* output,
                   int32_t element_size);

// TILE: output dimension d is input.dims[d] * multiples[d]; output[i] = input[i mod input.dims].
struct TileParams {
  LayoutShape input;
  int32_t multiples[kMaxRank] = {};
};
KernelStatus Tile(const TileParams& params, const void* input, void* output, int32_t element_size);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_DATA_LAYOUT_H_

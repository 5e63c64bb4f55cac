#include "backends/cpu/kernels/transpose.h"

#include <cstdint>

namespace inferd::cpu::kernels {
namespace {

// Walks the output in row-major order; along output axis i the input moves by the stride of
// input axis perms[i].
template <typename T>
void TransposeElements(const TransposeParams& p, const T* input, T* output) {
  const int32_t rank = p.rank;
  if (rank <= 0) {
    *output = *input;
    return;
  }
  int64_t input_stride[kMaxRank] = {};
  int64_t stride = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    input_stride[d] = stride;
    stride *= p.input_dims[d];
  }
  int32_t output_dims[kMaxRank] = {};
  int64_t step[kMaxRank] = {};
  int64_t outer = 1;
  for (int32_t i = 0; i < rank; ++i) {
    output_dims[i] = p.input_dims[p.perms[i]];
    step[i] = input_stride[p.perms[i]];
    if (i < rank - 1) outer *= output_dims[i];
  }
  const int32_t inner = output_dims[rank - 1];
  const int64_t inner_step = step[rank - 1];
  int32_t index[kMaxRank] = {};
  int64_t offset = 0;
  T* out = output;
  for (int64_t o = 0; o < outer; ++o) {
    const T* in = input + offset;
    for (int32_t i = 0; i < inner; ++i) *out++ = in[i * inner_step];
    for (int32_t d = rank - 2; d >= 0; --d) {
      offset += step[d];
      if (++index[d] < output_dims[d]) break;
      offset -= step[d] * index[d];
      index[d] = 0;
    }
  }
}

}  // namespace

KernelStatus Transpose(const TransposeParams& params, const void* input, void* output,
                       int32_t element_size) {
  switch (element_size) {
    case 1:
      TransposeElements(params, static_cast<const uint8_t*>(input), static_cast<uint8_t*>(output));
      return KernelStatus::kOk;
    case 2:
      TransposeElements(params, static_cast<const uint16_t*>(input),
                        static_cast<uint16_t*>(output));
      return KernelStatus::kOk;
    case 4:
      TransposeElements(params, static_cast<const uint32_t*>(input),
                        static_cast<uint32_t*>(output));
      return KernelStatus::kOk;
    case 8:
      TransposeElements(params, static_cast<const uint64_t*>(input),
                        static_cast<uint64_t*>(output));
      return KernelStatus::kOk;
    default:
      return KernelStatus::kInvalidArgument;
  }
}

}  // namespace inferd::cpu::kernels

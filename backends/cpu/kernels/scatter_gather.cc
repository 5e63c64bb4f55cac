#include "backends/cpu/kernels/scatter_gather.h"

#include <cstddef>
#include <cstdint>

namespace inferd::cpu::kernels {
namespace {

bool ValidElementSize(int32_t size) { return size == 1 || size == 2 || size == 4 || size == 8; }

void CopyBytes(uint8_t* to, const uint8_t* from, int64_t bytes) {
  if (bytes > 0) __builtin_memcpy(to, from, static_cast<size_t>(bytes));
}

}  // namespace

KernelStatus Gather(const ScatterGatherParams& p, const void* values, const int32_t* indices,
                    void* output, int32_t element_size) {
  if (!ValidElementSize(element_size)) return KernelStatus::kInvalidArgument;
  const int64_t row = int64_t{p.channels} * element_size;
  const auto* in = static_cast<const uint8_t*>(values);
  auto* out = static_cast<uint8_t*>(output);
  bool unpredictable = false;
  for (int32_t n = 0; n < p.batch; ++n) {
    const uint8_t* batch_values = in + int64_t{n} * p.values_count * row;
    for (int32_t w = 0; w < p.index_count; ++w, out += row) {
      const int32_t k = indices[int64_t{n} * p.index_count + w];
      if (k < 0 || k >= p.values_count) {
        unpredictable = true;
        continue;
      }
      CopyBytes(out, batch_values + k * row, row);
    }
  }
  return unpredictable ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

KernelStatus Scatter(const ScatterGatherParams& p, const void* values_in, const int32_t* indices,
                     const void* input, void* values_out, int32_t element_size) {
  if (!ValidElementSize(element_size)) return KernelStatus::kInvalidArgument;
  const int64_t row = int64_t{p.channels} * element_size;
  auto* out = static_cast<uint8_t*>(values_out);
  CopyBytes(out, static_cast<const uint8_t*>(values_in), int64_t{p.batch} * p.values_count * row);
  const auto* rows = static_cast<const uint8_t*>(input);
  bool unpredictable = false;
  for (int32_t n = 0; n < p.batch; ++n) {
    const int32_t* batch_indices = indices + int64_t{n} * p.index_count;
    uint8_t* batch_out = out + int64_t{n} * p.values_count * row;
    for (int32_t w = 0; w < p.index_count; ++w, rows += row) {
      const int32_t k = batch_indices[w];
      if (k < 0 || k >= p.values_count) {
        unpredictable = true;
        continue;
      }
      // Without a scratch buffer a repeat is found by looking back; W <= K keeps this bounded.
      for (int32_t earlier = 0; earlier < w; ++earlier) {
        if (batch_indices[earlier] == k) unpredictable = true;
      }
      CopyBytes(batch_out + k * row, rows, row);
    }
  }
  return unpredictable ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

}  // namespace inferd::cpu::kernels

#include "backends/cpu/kernels/data_layout.h"

#include <cstddef>
#include <cstdint>

namespace inferd::cpu::kernels {
namespace {

bool ValidElementSize(int32_t size) { return size == 1 || size == 2 || size == 4 || size == 8; }

// The builtin keeps the kernels free of <cstring>; it still lowers to the platform's memcpy.
void CopyBytes(uint8_t* to, const uint8_t* from, int64_t bytes) {
  if (bytes > 0) __builtin_memcpy(to, from, static_cast<size_t>(bytes));
}

void Fill(uint8_t* to, const uint8_t* value, int64_t count, int32_t element_size) {
  for (int64_t i = 0; i < count; ++i, to += element_size) {
    __builtin_memcpy(to, value, static_cast<size_t>(element_size));
  }
}

// Row-major element strides of a shape.
void Strides(const LayoutShape& shape, int64_t* strides) {
  int64_t stride = 1;
  for (int32_t d = shape.rank - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= shape.dims[d];
  }
}

// Counts through every index of the leading `rank` dimensions of `dims` in row-major order: the
// data-layout kernels work one innermost row at a time, whose elements are contiguous.
class RowCounter {
 public:
  RowCounter(const int32_t* dims, int32_t rank) : dims_(dims), rank_(rank) {
    count_ = 1;
    for (int32_t d = 0; d < rank; ++d) count_ *= dims[d];
  }
  int64_t count() const { return count_; }
  const int32_t* index() const { return index_; }
  void Next() {
    for (int32_t d = rank_ - 1; d >= 0; --d) {
      if (++index_[d] < dims_[d]) return;
      index_[d] = 0;
    }
  }

 private:
  const int32_t* dims_;
  int32_t rank_;
  int64_t count_ = 1;
  int32_t index_[kMaxRank] = {};
};

}  // namespace

KernelStatus Concat(const ConcatParams& p, const void* const* inputs, const int32_t* axis_sizes,
                    int32_t input_count, void* output, int32_t element_size) {
  if (!ValidElementSize(element_size)) return KernelStatus::kInvalidArgument;
  int64_t outer = 1, inner = element_size;
  for (int32_t d = 0; d < p.axis; ++d) outer *= p.output.dims[d];
  for (int32_t d = p.axis + 1; d < p.output.rank; ++d) inner *= p.output.dims[d];
  uint8_t* out = static_cast<uint8_t*>(output);
  for (int64_t o = 0; o < outer; ++o) {
    for (int32_t k = 0; k < input_count; ++k) {
      const int64_t bytes = axis_sizes[k] * inner;
      CopyBytes(out, static_cast<const uint8_t*>(inputs[k]) + o * bytes, bytes);
      out += bytes;
    }
  }
  return KernelStatus::kOk;
}

KernelStatus Pad(const PadParams& p, const void* input, const void* pad_value, void* output,
                 int32_t element_size) {
  if (!ValidElementSize(element_size)) return KernelStatus::kInvalidArgument;
  const auto* in = static_cast<const uint8_t*>(input);
  const auto* value = static_cast<const uint8_t*>(pad_value);
  auto* out = static_cast<uint8_t*>(output);
  const int32_t rank = p.input.rank;
  if (rank == 0) {
    CopyBytes(out, in, element_size);
    return KernelStatus::kOk;
  }
  int32_t out_dims[kMaxRank] = {};
  for (int32_t d = 0; d < rank; ++d) {
    out_dims[d] = p.input.dims[d] + p.padding[2 * d] + p.padding[2 * d + 1];
  }
  int64_t in_strides[kMaxRank] = {};
  Strides(p.input, in_strides);
  const int32_t last = rank - 1;
  const int32_t before = p.padding[2 * last], width = p.input.dims[last];
  const int32_t after = p.padding[2 * last + 1];
  RowCounter rows(out_dims, last);
  for (int64_t r = 0; r < rows.count(); ++r, rows.Next()) {
    bool inside = true;
    int64_t offset = 0;
    for (int32_t d = 0; d < last; ++d) {
      const int64_t i = int64_t{rows.index()[d]} - p.padding[2 * d];
      if (i < 0 || i >= p.input.dims[d]) inside = false;
      offset += i * in_strides[d];
    }
    if (!inside) {
      Fill(out, value, out_dims[last], element_size);
      out += int64_t{out_dims[last]} * element_size;
      continue;
    }
    Fill(out, value, before, element_size);
    out += int64_t{before} * element_size;
    CopyBytes(out, in + offset * element_size, int64_t{width} * element_size);
    out += int64_t{width} * element_size;
    Fill(out, value, after, element_size);
    out += int64_t{after} * element_size;
  }
  return KernelStatus::kOk;
}

KernelStatus Reverse(const LayoutShape& shape, int32_t axis, const void* input, void* output,
                     int32_t element_size) {
  if (!ValidElementSize(element_size)) return KernelStatus::kInvalidArgument;
  int64_t outer = 1, inner = element_size;
  for (int32_t d = 0; d < axis; ++d) outer *= shape.dims[d];
  for (int32_t d = axis + 1; d < shape.rank; ++d) inner *= shape.dims[d];
  const int32_t length = shape.rank == 0 ? 1 : shape.dims[axis];
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  for (int64_t o = 0; o < outer; ++o) {
    const uint8_t* block = in + o * length * inner;
    for (int32_t i = 0; i < length; ++i, out += inner) {
      CopyBytes(out, block + (length - 1 - i) * inner, inner);
    }
  }
  return KernelStatus::kOk;
}

KernelStatus Slice(const SliceParams& p, const void* input, void* output, int32_t element_size) {
  if (!ValidElementSize(element_size)) return KernelStatus::kInvalidArgument;
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  const int32_t rank = p.input.rank;
  if (rank == 0) {
    CopyBytes(out, in, element_size);
    return KernelStatus::kOk;
  }
  int64_t in_strides[kMaxRank] = {};
  Strides(p.input, in_strides);
  const int32_t last = rank - 1;
  const int64_t row_bytes = int64_t{p.size[last]} * element_size;
  RowCounter rows(p.size, last);
  for (int64_t r = 0; r < rows.count(); ++r, rows.Next()) {
    int64_t offset = p.start[last];
    for (int32_t d = 0; d < last; ++d) {
      offset += (int64_t{p.start[d]} + rows.index()[d]) * in_strides[d];
    }
    CopyBytes(out, in + offset * element_size, row_bytes);
    out += row_bytes;
  }
  return KernelStatus::kOk;
}

KernelStatus Tile(const TileParams& p, const void* input, void* output, int32_t element_size) {
  if (!ValidElementSize(element_size)) return KernelStatus::kInvalidArgument;
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  const int32_t rank = p.input.rank;
  if (rank == 0) {
    CopyBytes(out, in, element_size);
    return KernelStatus::kOk;
  }
  int64_t in_strides[kMaxRank] = {};
  Strides(p.input, in_strides);
  int32_t out_dims[kMaxRank] = {};
  for (int32_t d = 0; d < rank; ++d) out_dims[d] = p.input.dims[d] * p.multiples[d];
  const int32_t last = rank - 1;
  const int64_t row_bytes = int64_t{p.input.dims[last]} * element_size;
  RowCounter rows(out_dims, last);
  for (int64_t r = 0; r < rows.count(); ++r, rows.Next()) {
    int64_t offset = 0;
    for (int32_t d = 0; d < last; ++d)
      offset += (rows.index()[d] % p.input.dims[d]) * in_strides[d];
    for (int32_t m = 0; m < p.multiples[last]; ++m, out += row_bytes) {
      CopyBytes(out, in + offset * element_size, row_bytes);
    }
  }
  return KernelStatus::kOk;
}

}  // namespace inferd::cpu::kernels

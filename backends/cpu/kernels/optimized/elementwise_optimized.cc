#include "backends/cpu/kernels/optimized/elementwise_optimized.h"

#include <limits>

#include "backends/cpu/kernels/optimized/vector_clones.h"

namespace inferd::cpu::kernels::optimized {
namespace {

// ---------------------------------------------------------------- per-element operations
//
// Each returns the result and ORs into `flags` a word whose sign bit is set on int32 overflow.
// The float ones are the reference's comparisons written as selects, so that they vectorise: of two
// equal values MAXIMUM keeps the first (a >= b) and MINIMUM the second (a < b); a NaN gives the
// canonical NaN under kPropagate and the other operand under kIgnore.

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

struct AddInt32 {
  static int32_t Apply(int32_t a, int32_t b, uint32_t& flags) {
    const auto r = static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
    flags |= static_cast<uint32_t>((a ^ r) & (b ^ r));  // sign differs from both operands
    return r;
  }
};
struct SubInt32 {
  static int32_t Apply(int32_t a, int32_t b, uint32_t& flags) {
    const auto r = static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
    flags |= static_cast<uint32_t>((a ^ b) & (a ^ r));
    return r;
  }
};
struct MaximumInt32 {
  static int32_t Apply(int32_t a, int32_t b, uint32_t&) { return a >= b ? a : b; }
};
struct MinimumInt32 {
  static int32_t Apply(int32_t a, int32_t b, uint32_t&) { return a < b ? a : b; }
};
struct AddFp32 {
  static float Apply(float a, float b, uint32_t&) { return a + b; }
};
struct SubFp32 {
  static float Apply(float a, float b, uint32_t&) { return a - b; }
};
struct MulFp32 {
  static float Apply(float a, float b, uint32_t&) { return a * b; }
};
struct MaximumFp32Propagate {
  static float Apply(float a, float b, uint32_t&) {
    return (a != a || b != b) ? kNan : (a >= b ? a : b);
  }
};
struct MaximumFp32Ignore {
  static float Apply(float a, float b, uint32_t&) {
    return a != a ? b : (b != b ? a : (a >= b ? a : b));
  }
};
struct MinimumFp32Propagate {
  static float Apply(float a, float b, uint32_t&) {
    return (a != a || b != b) ? kNan : (a < b ? a : b);
  }
};
struct MinimumFp32Ignore {
  static float Apply(float a, float b, uint32_t&) {
    return a != a ? b : (b != b ? a : (a < b ? a : b));
  }
};

// ---------------------------------------------------------------- rows

// out[i] = Op(a[i * kStrideA], b[i * kStrideB]); a stride of 0 repeats one element.
template <typename Op, int kStrideA, int kStrideB, typename T>
[[gnu::always_inline]] inline uint32_t Row(const T* __restrict a, const T* __restrict b,
                                           T* __restrict out, int64_t n) {
  uint32_t flags = 0;
  for (int64_t i = 0; i < n; ++i) out[i] = Op::Apply(a[i * kStrideA], b[i * kStrideB], flags);
  return flags;
}

template <typename T>
using RowFn = uint32_t (*)(const T*, const T*, T*, int64_t);

template <typename T>
struct RowSet {
  RowFn<T> both;    // both operands contiguous
  RowFn<T> first;   // the first contiguous, the second one repeated element
  RowFn<T> second;  // the first one repeated element, the second contiguous
};

// The three rows of an operation as functions of their own, so that each gets its AVX2 clone.
#define INFERD_ELEMENTWISE_ROWS(NAME, T)                                                  \
  INFERD_VECTOR_CLONES uint32_t NAME##Both(const T* a, const T* b, T* out, int64_t n) {   \
    return Row<NAME, 1, 1>(a, b, out, n);                                                 \
  }                                                                                       \
  INFERD_VECTOR_CLONES uint32_t NAME##First(const T* a, const T* b, T* out, int64_t n) {  \
    return Row<NAME, 1, 0>(a, b, out, n);                                                 \
  }                                                                                       \
  INFERD_VECTOR_CLONES uint32_t NAME##Second(const T* a, const T* b, T* out, int64_t n) { \
    return Row<NAME, 0, 1>(a, b, out, n);                                                 \
  }                                                                                       \
  constexpr RowSet<T> k##NAME##Rows = {NAME##Both, NAME##First, NAME##Second};

INFERD_ELEMENTWISE_ROWS(AddInt32, int32_t)
INFERD_ELEMENTWISE_ROWS(SubInt32, int32_t)
INFERD_ELEMENTWISE_ROWS(MaximumInt32, int32_t)
INFERD_ELEMENTWISE_ROWS(MinimumInt32, int32_t)
INFERD_ELEMENTWISE_ROWS(AddFp32, float)
INFERD_ELEMENTWISE_ROWS(SubFp32, float)
INFERD_ELEMENTWISE_ROWS(MulFp32, float)
INFERD_ELEMENTWISE_ROWS(MaximumFp32Propagate, float)
INFERD_ELEMENTWISE_ROWS(MaximumFp32Ignore, float)
INFERD_ELEMENTWISE_ROWS(MinimumFp32Propagate, float)
INFERD_ELEMENTWISE_ROWS(MinimumFp32Ignore, float)

#undef INFERD_ELEMENTWISE_ROWS

// ---------------------------------------------------------------- broadcasting

bool SameDims(const int32_t* x, const int32_t* y, int32_t rank) {
  for (int32_t d = 0; d < rank; ++d) {
    if (x[d] != y[d]) return false;
  }
  return true;
}

bool SingleElement(const int32_t* dims, int32_t rank) {
  for (int32_t d = 0; d < rank; ++d) {
    if (dims[d] != 1) return false;
  }
  return true;
}

// Walks the output row by row as the reference's ForEachBroadcast does, with whole tensors as one
// row where neither operand broadcasts or one is a single element. Returns the ORed flags.
template <typename T>
uint32_t Broadcast(const BroadcastShape& shape, const T* in1, const T* in2, T* out,
                   const RowSet<T>& rows) {
  const int32_t rank = shape.rank;
  int64_t total = 1;
  for (int32_t d = 0; d < rank; ++d) total *= shape.output_dims[d];
  const bool full1 = SameDims(shape.input1_dims, shape.output_dims, rank);
  const bool full2 = SameDims(shape.input2_dims, shape.output_dims, rank);
  if (rank == 0 || (full1 && full2)) return rows.both(in1, in2, out, total);
  if (full1 && SingleElement(shape.input2_dims, rank)) return rows.first(in1, in2, out, total);
  if (full2 && SingleElement(shape.input1_dims, rank)) return rows.second(in1, in2, out, total);

  uint32_t flags = 0;
  ForEachBroadcastRow(shape, [&](int64_t offset1, int64_t offset2, int64_t stride1, int64_t stride2,
                                 int32_t length) {
    // Both strides are 0 only in a row of one element.
    const RowFn<T> row = stride1 == 0 && stride2 != 0   ? rows.second
                         : stride2 == 0 && stride1 != 0 ? rows.first
                                                        : rows.both;
    flags |= row(in1 + offset1, in2 + offset2, out, length);
    out += length;
  });
  return flags;
}

// ---------------------------------------------------------------- CLAMP

template <typename T>
[[gnu::always_inline]] inline void ClampRow(const T* __restrict in, T* __restrict out, int64_t n,
                                            T lo, T hi) {
  for (int64_t i = 0; i < n; ++i) {
    const T v = in[i];
    out[i] = v < lo ? lo : (v > hi ? hi : v);
  }
}

INFERD_VECTOR_CLONES void ClampRowInt8(const int8_t* in, int8_t* out, int64_t n, int8_t lo,
                                       int8_t hi) {
  ClampRow(in, out, n, lo, hi);
}
INFERD_VECTOR_CLONES void ClampRowInt16(const int16_t* in, int16_t* out, int64_t n, int16_t lo,
                                        int16_t hi) {
  ClampRow(in, out, n, lo, hi);
}

// max(v, lo) then min(that, hi) for bounds that are not NaN, where the reference's NaN rules come
// down to: a NaN element gives `nan_result` (NaN under kPropagate; min(lo, hi) under kIgnore, since
// max drops the NaN). Written as selects so that it vectorises.
[[gnu::always_inline]] inline float ClampElement(float v, float lo, float hi, float nan_result) {
  const float low = v >= lo ? v : lo;
  const float both = low < hi ? low : hi;
  return v != v ? nan_result : both;
}

INFERD_VECTOR_CLONES void ClampRowFp32(const float* __restrict in, float* __restrict out, int64_t n,
                                       float lo, float hi, float nan_result) {
  for (int64_t i = 0; i < n; ++i) out[i] = ClampElement(in[i], lo, hi, nan_result);
}

// In place: a separate loop, since aliased input and output would defeat the vectoriser.
INFERD_VECTOR_CLONES void ClampRowFp32InPlace(float* data, int64_t n, float lo, float hi,
                                              float nan_result) {
  for (int64_t i = 0; i < n; ++i) data[i] = ClampElement(data[i], lo, hi, nan_result);
}

float NanResult(float lo, float hi, NanMode nan_mode) {
  return nan_mode == NanMode::kPropagate ? kNan : (lo < hi ? lo : hi);
}

}  // namespace

KernelStatus ElementwiseInt32(ElementwiseOp op, const BroadcastShape& shape, const int32_t* input1,
                              const int32_t* input2, int32_t* output) {
  uint32_t flags = 0;
  switch (op) {
    case ElementwiseOp::kAdd:
      flags = Broadcast(shape, input1, input2, output, kAddInt32Rows);
      break;
    case ElementwiseOp::kSub:
      flags = Broadcast(shape, input1, input2, output, kSubInt32Rows);
      break;
    case ElementwiseOp::kMaximum:
      Broadcast(shape, input1, input2, output, kMaximumInt32Rows);
      break;
    case ElementwiseOp::kMinimum:
      Broadcast(shape, input1, input2, output, kMinimumInt32Rows);
      break;
    case ElementwiseOp::kMul:
      return KernelStatus::kInvalidArgument;  // INT32 MUL has a shift: the reference runs it
  }
  return (flags >> 31) != 0 ? KernelStatus::kUnpredictable : KernelStatus::kOk;
}

void ElementwiseFp32(ElementwiseOp op, NanMode nan_mode, const BroadcastShape& shape,
                     const float* input1, const float* input2, float* output) {
  const bool propagate = nan_mode == NanMode::kPropagate;
  switch (op) {
    case ElementwiseOp::kAdd:
      Broadcast(shape, input1, input2, output, kAddFp32Rows);
      return;
    case ElementwiseOp::kSub:
      Broadcast(shape, input1, input2, output, kSubFp32Rows);
      return;
    case ElementwiseOp::kMul:
      Broadcast(shape, input1, input2, output, kMulFp32Rows);
      return;
    case ElementwiseOp::kMaximum:
      Broadcast(shape, input1, input2, output,
                propagate ? kMaximumFp32PropagateRows : kMaximumFp32IgnoreRows);
      return;
    case ElementwiseOp::kMinimum:
      Broadcast(shape, input1, input2, output,
                propagate ? kMinimumFp32PropagateRows : kMinimumFp32IgnoreRows);
      return;
  }
}

void ClampInt8(const int8_t* input, int8_t* output, int64_t count, int8_t min_val, int8_t max_val) {
  ClampRowInt8(input, output, count, min_val, max_val);
}

void ClampInt16(const int16_t* input, int16_t* output, int64_t count, int16_t min_val,
                int16_t max_val) {
  ClampRowInt16(input, output, count, min_val, max_val);
}

void ClampFp32(const float* input, float* output, int64_t count, float min_val, float max_val,
               NanMode nan_mode) {
  const bool propagate = nan_mode == NanMode::kPropagate;
  uint32_t unused = 0;
  if (min_val != min_val ||
      max_val != max_val) {  // NaN bounds: the general rules, element by element
    for (int64_t i = 0; i < count; ++i) {
      const float v = propagate ? MaximumFp32Propagate::Apply(input[i], min_val, unused)
                                : MaximumFp32Ignore::Apply(input[i], min_val, unused);
      output[i] = propagate ? MinimumFp32Propagate::Apply(v, max_val, unused)
                            : MinimumFp32Ignore::Apply(v, max_val, unused);
    }
    return;
  }
  ClampRowFp32(input, output, count, min_val, max_val, NanResult(min_val, max_val, nan_mode));
}

void ClampFp32InPlace(float* data, int64_t count, const FusedClampFp32& clamp) {
  ClampRowFp32InPlace(data, count, clamp.min_val, clamp.max_val,
                      NanResult(clamp.min_val, clamp.max_val, clamp.nan_mode));
}

}  // namespace inferd::cpu::kernels::optimized

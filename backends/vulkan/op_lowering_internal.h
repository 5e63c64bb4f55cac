// Helpers shared by the operator-family files of the lowering (op_lowering*.cc): push-constant
// packing, buffer references, element types and the UNIMPLEMENTED error every family reports.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "backends/cpu/kernels/float_formats.h"  // the formats' one definition, header-only
#include "backends/vulkan/op_lowering.h"
#include "engine/graph/graph.h"

namespace inferd::vulkan::lowering {

// Push constants are all 4-byte fields, written in the order the shader's block declares them.
class PushConstants {
 public:
  PushConstants& Int(int64_t value) {
    const int32_t v = static_cast<int32_t>(value);
    Append(&v);
    return *this;
  }
  PushConstants& Bits(float value) {
    Append(&value);
    return *this;
  }
  template <typename Range>
  PushConstants& Ints(const Range& values) {
    for (int64_t v : values) Int(v);
    return *this;
  }
  size_t size() const { return bytes_.size(); }
  std::vector<uint8_t> Take() { return std::move(bytes_); }

 private:
  void Append(const void* four_bytes) {
    const auto* p = static_cast<const uint8_t*>(four_bytes);
    bytes_.insert(bytes_.end(), p, p + 4);
  }
  std::vector<uint8_t> bytes_;
};

inline BufferRef T(graph::TensorId id) { return BufferRef{BufferRef::Kind::kTensor, id}; }
inline BufferRef D(uint32_t index) { return BufferRef{BufferRef::Kind::kDerived, index}; }

inline int64_t Elements(const graph::Tensor& tensor) {
  int64_t count = 1;
  for (int64_t d : tensor.shape) count *= d;
  return count;
}

// The shader suffix of an element type, or "" when no shader takes it.
inline std::string TypeSuffix(graph::DType dtype) {
  switch (dtype) {
    case graph::DType::kBool:
      return "bool";
    case graph::DType::kInt8:
      return "i8";
    case graph::DType::kInt16:
      return "i16";
    case graph::DType::kInt32:
      return "i32";
    case graph::DType::kFp32:
      return "f32";
    case graph::DType::kFp16:
      return "f16";
    case graph::DType::kBf16:
      return "bf16";
    case graph::DType::kFp8E4M3:
      return "f8e4m3";
    case graph::DType::kFp8E5M2:
      return "f8e5m2";
    default:
      return "";
  }
}

// INT8, INT16 or INT32: the integer types the arithmetic shaders take.
inline bool IsInteger(graph::DType dtype) {
  return dtype == graph::DType::kInt8 || dtype == graph::DType::kInt16 ||
         dtype == graph::DType::kInt32;
}

// The float types the arithmetic shaders take: FP32, and FP16 and BF16 stored as their bits and
// computed in fp32 (shaders/float_storage.glsl).
inline bool IsFloat(graph::DType dtype) {
  return dtype == graph::DType::kFp32 || dtype == graph::DType::kFp16 ||
         dtype == graph::DType::kBf16;
}

inline bool IsFp8(graph::DType dtype) {
  return dtype == graph::DType::kFp8E4M3 || dtype == graph::DType::kFp8E5M2;
}

// A float attribute (CLAMP's bounds) of `dtype`, stored as in the model file, as an fp32 value:
// exact, since fp32 holds every FP16 and BF16 value.
inline float ReadFloat(std::span<const uint8_t> bytes, graph::DType dtype) {
  switch (dtype) {
    case graph::DType::kFp16: {
      uint16_t bits;
      std::memcpy(&bits, bytes.data(), 2);
      return static_cast<float>(cpu::kernels::Widen(cpu::kernels::Fp16{bits}));
    }
    case graph::DType::kBf16: {
      uint16_t bits;
      std::memcpy(&bits, bytes.data(), 2);
      return static_cast<float>(cpu::kernels::Widen(cpu::kernels::Bf16{bits}));
    }
    default: {
      float value;
      std::memcpy(&value, bytes.data(), 4);
      return value;
    }
  }
}

// Bytes per element of a type the element-moving shaders take, 0 for the others. The 16- and
// 8-bit floats are stored as their bits, as in the model file, and INT4 unpacked to one int8 an
// element (stored_form.h), so the operators that only move elements (layout, GATHER, SELECT,
// nearest RESIZE) take them with the integer shaders of their width; INT48, held as int64, moves
// as 8-byte elements (two 32-bit words).
inline int ElementWidth(graph::DType dtype) {
  switch (dtype) {
    case graph::DType::kBool:
    case graph::DType::kInt4:
    case graph::DType::kInt8:
    case graph::DType::kFp8E4M3:
    case graph::DType::kFp8E5M2:
      return 1;
    case graph::DType::kInt16:
    case graph::DType::kFp16:
    case graph::DType::kBf16:
      return 2;
    case graph::DType::kInt32:
    case graph::DType::kFp32:
      return 4;
    case graph::DType::kInt48:
      return 8;
    default:
      return 0;
  }
}

// The range [first, second] of a signed integer type the backend stores.
inline std::pair<int64_t, int64_t> SignedRange(graph::DType dtype) {
  const int bits = ElementWidth(dtype) * 8;
  return {-(int64_t{1} << (bits - 1)), (int64_t{1} << (bits - 1)) - 1};
}

inline absl::Status NoShader(const graph::Graph& graph, const graph::Operator& op) {
  return absl::UnimplementedError(absl::StrCat(
      "the tosa_vulkan backend has no shader for ", DescribeOperator(graph, op), " (operator '",
      op.outputs.empty() ? std::string() : graph.tensor(op.outputs[0]).name,
      "'); docs/vulkan.md lists what runs on the GPU"));
}

// A signed value of `dtype` as the GPU stores it (stored_form.h: INT4 as an int8, INT48 as an
// int64).
inline int64_t ReadSigned(std::span<const uint8_t> bytes, graph::DType dtype) {
  switch (dtype) {
    case graph::DType::kBool:
      return bytes[0];
    case graph::DType::kInt4:
    case graph::DType::kInt8:
      return static_cast<int8_t>(bytes[0]);
    case graph::DType::kInt16: {
      int16_t v;
      std::memcpy(&v, bytes.data(), 2);
      return v;
    }
    case graph::DType::kInt32: {
      int32_t v;
      std::memcpy(&v, bytes.data(), 4);
      return v;
    }
    case graph::DType::kInt48: {
      int64_t v;
      std::memcpy(&v, bytes.data(), 8);
      return v;
    }
    default:
      return 0;
  }
}

// The `count` values of a SHAPE operand (CONST_SHAPE data: int64 little-endian per entry).
inline absl::StatusOr<std::vector<int64_t>> ShapeValues(const graph::Graph& graph,
                                                        const graph::Operator& op, size_t input,
                                                        size_t count) {
  const graph::Tensor& t = graph.tensor(op.inputs[input]);
  std::vector<int64_t> values(count);
  if (count == 0) return values;
  if (t.dtype != graph::DType::kShape || t.data.size() != count * sizeof(int64_t)) {
    return absl::UnimplementedError(
        absl::StrCat("the tosa_vulkan backend needs ", std::string(graph::OpName(op.op)),
                     " input '", t.name, "' to hold ", count, " constant SHAPE values"));
  }
  std::memcpy(values.data(), t.data.data(), count * sizeof(int64_t));
  return values;
}

// Broadcasting and data layout address tensors of rank up to 6 through per-dimension strides;
// lower ranks are padded with leading dimensions of size 1.
constexpr size_t kMaxRank = 6;

// `values` (one per dimension of a rank-`rank` tensor) right-aligned to kMaxRank entries, the
// leading ones `fill`.
inline std::vector<int64_t> RightAligned(const std::vector<int64_t>& values, int64_t fill) {
  std::vector<int64_t> result(kMaxRank, fill);
  const size_t rank = values.size();
  for (size_t i = 0; i < rank; ++i) result[kMaxRank - rank + i] = values[i];
  return result;
}

// Row-major element strides of `shape`.
inline std::vector<int64_t> RowMajorStrides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

// Strides of `operand` read at the coordinates of `output` (same rank): 0 along the dimensions
// where the operand has size 1 (broadcast), right-aligned to kMaxRank.
inline std::vector<int64_t> BroadcastStrides(const graph::Tensor& operand) {
  std::vector<int64_t> strides = RowMajorStrides(operand.shape);
  for (size_t i = 0; i < strides.size(); ++i) {
    if (operand.shape[i] == 1) strides[i] = 0;
  }
  return RightAligned(strides, 0);
}

// Whether `op` belongs to the elementwise family (op_lowering_elementwise.cc).
bool IsElementwise(graph::Op op);

inline DispatchStep Dispatch(std::string shader, std::vector<BufferRef> buffers,
                             PushConstants& params, int64_t invocations) {
  return DispatchStep{std::move(shader), std::move(buffers), params.Take(),
                      static_cast<uint64_t>(invocations)};
}

// A convolution shader's dispatch (register-blocked or tiled): input, weights, bias and output,
// then what the epilogue binds, and the epilogue's push constants after the convolution's.
inline DispatchStep ConvolutionDispatch(std::string shader, std::vector<BufferRef> buffers,
                                        graph::TensorId output, PushConstants& params,
                                        int64_t invocations, const ConvolutionEpilogue* epilogue) {
  if (epilogue == nullptr) {
    buffers.push_back(T(output));
    return Dispatch(std::move(shader), std::move(buffers), params, invocations);
  }
  buffers.push_back(T(epilogue->output));
  buffers.insert(buffers.end(), epilogue->buffers.begin(), epilogue->buffers.end());
  params.Ints(epilogue->push_constants);
  return Dispatch(shader + epilogue->suffix, std::move(buffers), params, invocations);
}

}  // namespace inferd::vulkan::lowering

// Helpers shared by the files that bind operators to kernels (kernel_binding.cc and the
// bind_*.cc operator families): reading operand buffers and scalar operands, and the errors a
// binding reports. Internal to backends/cpu.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "backends/cpu/constant_layout.h"
#include "backends/cpu/kernel_binding.h"
#include "backends/cpu/kernels/conv2d.h"
#include "backends/cpu/kernels/depthwise_conv2d.h"
#include "backends/cpu/kernels/kernel_types.h"
#include "backends/cpu/kernels/matmul.h"
#include "backends/cpu/kernels/pooling.h"
#include "backends/cpu/kernels/rescale.h"
#include "engine/graph/graph.h"

namespace inferd::cpu {

namespace k = ::inferd::cpu::kernels;

inline absl::Status FromKernel(k::KernelStatus status) {
  switch (status) {
    case k::KernelStatus::kOk:
      return absl::OkStatus();
    case k::KernelStatus::kInvalidArgument:
      return absl::InvalidArgumentError(
          "operand values break an ERROR_IF of the TOSA specification (zero points or scaling "
          "parameters not allowed for these types)");
    case k::KernelStatus::kUnpredictable:
      break;
  }
  return absl::OutOfRangeError(
      "integer overflow or an out-of-range shift/multiplier; the TOSA specification leaves the "
      "result unpredictable");
}

template <typename T>
inline const T* In(TensorData data, graph::TensorId id) {
  return reinterpret_cast<const T*>(data[id]);
}

template <typename T>
inline T* Out(TensorData data, graph::TensorId id) {
  return reinterpret_cast<T*>(data[id]);
}

// The value of a one-element integer operand (a zero point or a shift) as stored for `dtype`.
inline int64_t ReadInt(const uint8_t* p, graph::DType dtype) {
  switch (dtype) {
    case graph::DType::kBool:
    case graph::DType::kInt4:  // held unpacked, one int8_t an element
    case graph::DType::kInt8:
      return static_cast<int8_t>(p[0]);
    case graph::DType::kInt16: {
      int16_t v;
      std::memcpy(&v, p, sizeof v);
      return v;
    }
    case graph::DType::kInt32: {
      int32_t v;
      std::memcpy(&v, p, sizeof v);
      return v;
    }
    case graph::DType::kInt48: {
      int64_t v;
      std::memcpy(&v, p, sizeof v);
      return v;
    }
    default:
      return 0;
  }
}

// True when a one-element FP16 / BF16 operand (a zero point) is +0 or -0.
inline bool Float16IsZero(const uint8_t* p) {
  uint16_t bits;
  std::memcpy(&bits, p, sizeof bits);
  return (bits & 0x7fff) == 0;
}

inline float ReadFp32(const uint8_t* p) {
  float v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline absl::Status ZeroPointMustBeZero(const char* what, graph::DType dtype) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, " must be 0 for ", std::string(graph::DTypeName(dtype)),
                   " operands (only INT8 operands have zero points in TOSA 1.0)"));
}

inline std::string Types(const graph::Graph& g, const graph::Operator& op) {
  std::string text = "input types ";
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    absl::StrAppend(&text, i == 0 ? "" : ", ",
                    std::string(graph::DTypeName(g.tensor(op.inputs[i]).dtype)));
  }
  absl::StrAppend(&text, " and output types ");
  for (size_t i = 0; i < op.outputs.size(); ++i) {
    absl::StrAppend(&text, i == 0 ? "" : ", ",
                    std::string(graph::DTypeName(g.tensor(op.outputs[i]).dtype)));
  }
  return text;
}

inline absl::Status NoKernel(const graph::Graph& g, const graph::Operator& op,
                             const std::string& why = "") {
  return absl::UnimplementedError(absl::StrCat("the CPU backend has no kernel for ",
                                               std::string(graph::OpName(op.op)), " with ",
                                               Types(g, op), why));
}

// Kernel dimensions are int32; the validator bounds tensor bytes, not single dimensions.
inline bool DimsFitInt32(const graph::Tensor& t) {
  for (int64_t d : t.shape) {
    if (d < 0 || d > std::numeric_limits<int32_t>::max()) return false;
  }
  return true;
}

inline int32_t Dim(const graph::Tensor& t, size_t i) { return static_cast<int32_t>(t.shape[i]); }

inline int64_t Elements(const graph::Tensor& t) { return graph::ElementCount(t).value_or(0); }

inline k::NanMode ToKernel(graph::NanMode mode) {
  return mode == graph::NanMode::kIgnore ? k::NanMode::kIgnore : k::NanMode::kPropagate;
}

// A RESCALE's parameter block without its operand values (pointers and zero points are read at
// run time); nullopt for an UNKNOWN rounding mode.
inline std::optional<k::RescaleParams> RescaleParamsOf(const graph::Graph& g,
                                                       const graph::Operator& op) {
  const auto& attr = std::get<graph::RescaleAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  k::RescaleParams p;
  p.element_count = Elements(input);
  p.per_channel = attr.per_channel;
  p.channels = attr.per_channel && !input.shape.empty() ? Dim(input, input.shape.size() - 1) : 1;
  p.scale32 = attr.scale32;
  p.input_unsigned = attr.input_unsigned;
  p.output_unsigned = attr.output_unsigned;
  switch (attr.rounding_mode) {
    case graph::RoundingMode::kSingleRound:
      p.rounding_mode = k::RoundingMode::kSingleRound;
      return p;
    case graph::RoundingMode::kInexactRound:
      p.rounding_mode = k::RoundingMode::kInexactRound;
      return p;
    case graph::RoundingMode::kDoubleRound:
      p.rounding_mode = k::RoundingMode::kDoubleRound;
      return p;
    default:
      return std::nullopt;
  }
}

// Kernel parameter blocks of the operators whose shapes and attributes several binders read.
// `op` must be a validated CONV2D / DEPTHWISE_CONV2D; `Attr` a MaxPool2dAttr or AvgPool2dAttr.
inline k::Conv2dParams Conv2dParamsOf(const graph::Graph& g, const graph::Operator& op) {
  const auto& attr = std::get<graph::Conv2dAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const graph::Tensor& weight = g.tensor(op.inputs[1]);
  const graph::Tensor& output = g.tensor(op.outputs[0]);
  k::Conv2dParams p;
  p.batch = Dim(input, 0);
  p.input_height = Dim(input, 1);
  p.input_width = Dim(input, 2);
  p.input_channels = Dim(input, 3);
  p.output_channels = Dim(weight, 0);
  p.kernel_height = Dim(weight, 1);
  p.kernel_width = Dim(weight, 2);
  p.output_height = Dim(output, 1);
  p.output_width = Dim(output, 2);
  p.pad_top = attr.pad[0];
  p.pad_bottom = attr.pad[1];
  p.pad_left = attr.pad[2];
  p.pad_right = attr.pad[3];
  p.stride_y = attr.stride[0];
  p.stride_x = attr.stride[1];
  p.dilation_y = attr.dilation[0];
  p.dilation_x = attr.dilation[1];
  p.bias_size = Dim(g.tensor(op.inputs[2]), 0);
  return p;
}

inline k::DepthwiseConv2dParams DepthwiseConv2dParamsOf(const graph::Graph& g,
                                                        const graph::Operator& op) {
  const auto& attr = std::get<graph::DepthwiseConv2dAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const graph::Tensor& weight = g.tensor(op.inputs[1]);
  const graph::Tensor& output = g.tensor(op.outputs[0]);
  k::DepthwiseConv2dParams p;
  p.batch = Dim(input, 0);
  p.input_height = Dim(input, 1);
  p.input_width = Dim(input, 2);
  p.channels = Dim(input, 3);
  p.kernel_height = Dim(weight, 0);
  p.kernel_width = Dim(weight, 1);
  p.multiplier = Dim(weight, 3);
  p.output_height = Dim(output, 1);
  p.output_width = Dim(output, 2);
  p.pad_top = attr.pad[0];
  p.pad_bottom = attr.pad[1];
  p.pad_left = attr.pad[2];
  p.pad_right = attr.pad[3];
  p.stride_y = attr.stride[0];
  p.stride_x = attr.stride[1];
  p.dilation_y = attr.dilation[0];
  p.dilation_x = attr.dilation[1];
  p.bias_size = Dim(g.tensor(op.inputs[2]), 0);
  return p;
}

// `op` must be a validated MATMUL: A [N, H, C] x B [N, C, W].
inline k::MatmulParams MatmulParamsOf(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& a = g.tensor(op.inputs[0]);
  k::MatmulParams p;
  p.batch = Dim(a, 0);
  p.rows = Dim(a, 1);
  p.depth = Dim(a, 2);
  p.columns = Dim(g.tensor(op.inputs[1]), 2);
  return p;
}

template <typename Attr>
k::Pool2dParams Pool2dParamsOf(const Attr& attr, const graph::Tensor& input,
                               const graph::Tensor& output) {
  k::Pool2dParams p;
  p.batch = Dim(input, 0);
  p.input_height = Dim(input, 1);
  p.input_width = Dim(input, 2);
  p.channels = Dim(input, 3);
  p.output_height = Dim(output, 1);
  p.output_width = Dim(output, 2);
  p.kernel_height = attr.kernel[0];
  p.kernel_width = attr.kernel[1];
  p.stride_y = attr.stride[0];
  p.stride_x = attr.stride[1];
  p.pad_top = attr.pad[0];
  p.pad_bottom = attr.pad[1];
  p.pad_left = attr.pad[2];
  p.pad_right = attr.pad[3];
  return p;
}

// An operator family's binder: nullopt when `op` is not one of the family's operators, else the
// binding's outcome. kernel_binding.cc asks each family in turn.
using FamilyBinder = std::optional<absl::StatusOr<BoundStep>> (*)(const graph::Graph& graph,
                                                                  const graph::Operator& op);

// The tensor when a CONST operator of the graph produces it (so its data is its value at run time
// too), else nullptr.
inline const graph::Tensor* ConstantTensor(const graph::Graph& g, graph::TensorId id,
                                           size_t min_bytes) {
  const graph::Tensor& tensor = g.tensor(id);
  if (tensor.data.size() < min_bytes || tensor.data.empty()) return nullptr;
  // Packed INT4 (and 6-byte INT48) payloads differ from the layout kernels read.
  if (NeedsDecoding(tensor.dtype)) return nullptr;
  for (const graph::Block& block : g.blocks) {
    for (const graph::Operator& op : block.operators) {
      if (op.op == graph::Op::kConst && !op.outputs.empty() && op.outputs[0] == id) {
        return &tensor;
      }
    }
  }
  return nullptr;
}

template <typename T>
const T* ConstantData(const graph::Graph& g, graph::TensorId id, int64_t elements) {
  const graph::Tensor* tensor = ConstantTensor(g, id, static_cast<size_t>(elements) * sizeof(T));
  return tensor == nullptr ? nullptr : reinterpret_cast<const T*>(tensor->data.data());
}

// The value of `id` when it is known at load (a CONST, or a folded constant), else nullptr.
template <typename T>
const T* ConstantData(const LoadTimeConstants& constants, graph::TensorId id, int64_t elements) {
  return reinterpret_cast<const T*>(constants.Find(id, static_cast<size_t>(elements) * sizeof(T)));
}

}  // namespace inferd::cpu

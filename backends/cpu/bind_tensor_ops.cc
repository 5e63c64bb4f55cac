// Binds the tensor operator family (see binding_families.h): data layout (CONCAT, PAD, REVERSE,
// SLICE, TILE), reductions, ARGMAX, GATHER / SCATTER, RESIZE, CONV3D, TRANSPOSE_CONV2D and the
// FFTs.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "backends/cpu/binding_families.h"
#include "backends/cpu/binding_support.h"
#include "backends/cpu/kernels/argmax.h"
#include "backends/cpu/kernels/conv2d.h"
#include "backends/cpu/kernels/conv3d.h"
#include "backends/cpu/kernels/data_layout.h"
#include "backends/cpu/kernels/depthwise_conv2d.h"
#include "backends/cpu/kernels/fft.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"
#include "backends/cpu/kernels/optimized/transpose_conv2d_optimized.h"
#include "backends/cpu/kernels/pooling.h"
#include "backends/cpu/kernels/reduction.h"
#include "backends/cpu/kernels/resize.h"
#include "backends/cpu/kernels/scatter_gather.h"
#include "backends/cpu/kernels/transpose_conv2d.h"

namespace inferd::cpu {
namespace {

namespace opt = ::inferd::cpu::kernels::optimized;

using graph::DType;
using graph::Op;
using graph::TensorId;

// ------------------------------------------------------------------------------ helpers

k::LayoutShape MakeLayoutShape(const graph::Tensor& t) {
  k::LayoutShape s;
  s.rank = static_cast<int32_t>(t.shape.size());
  for (int32_t d = 0; d < s.rank; ++d) s.dims[d] = Dim(t, d);
  return s;
}

// The `count` values of a SHAPE operand. The validator made sure a CONST_SHAPE produces it, so
// its data is in the graph (int64 little-endian per entry); a rank-0 SHAPE tensor stands for no
// values. An error rather than a crash for a graph that skipped validation.
absl::StatusOr<std::vector<int64_t>> ShapeOperand(const graph::Graph& g, const graph::Operator& op,
                                                  size_t input, size_t count) {
  const graph::Tensor& t = g.tensor(op.inputs[input]);
  std::vector<int64_t> values(count);
  if (count == 0) return values;
  if (t.dtype != DType::kShape || Elements(t) != static_cast<int64_t>(count) ||
      t.data.size() != count * sizeof(int64_t)) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(graph::OpName(op.op)), " input ",
                                                   input, " must hold ", count,
                                                   " constant SHAPE values"));
  }
  std::memcpy(values.data(), t.data.data(), count * sizeof(int64_t));
  return values;
}

// Element size of a data-movement operand, 0 when the executor cannot hold its type.
int32_t ElementSize(const graph::Tensor& t) {
  return static_cast<int32_t>(StorageElementBytes(t.dtype));
}

// The same for a one-byte FP8 operand.
bool Fp8IsZero(const uint8_t* p) { return (*p & 0x7f) == 0; }

bool IsFp8(DType t) { return t == DType::kFp8E4M3 || t == DType::kFp8E5M2; }

k::ReduceParams MakeReduceParams(const graph::Tensor& input, int32_t axis) {
  k::ReduceParams p;
  for (int32_t d = 0; d < axis; ++d) p.outer *= input.shape[d];
  p.length = Dim(input, axis);
  for (size_t d = axis + 1; d < input.shape.size(); ++d) p.inner *= input.shape[d];
  return p;
}

// ------------------------------------------------------------------------------ data layout

absl::StatusOr<BoundStep> BindConcat(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& output = g.tensor(op.outputs[0]);
  const int32_t size = ElementSize(output);
  if (size == 0) return NoKernel(g, op);
  k::ConcatParams p;
  p.output = MakeLayoutShape(output);
  p.axis = std::get<graph::ConcatAttr>(op.attribute).axis;
  std::vector<int32_t> axis_sizes;
  for (TensorId id : op.inputs) axis_sizes.push_back(Dim(g.tensor(id), p.axis));
  const std::vector<TensorId> inputs = op.inputs;
  const TensorId o = op.outputs[0];
  return BoundStep([p, axis_sizes, inputs, o, size](TensorData d) {
    std::vector<const void*> pointers;
    pointers.reserve(inputs.size());
    for (TensorId id : inputs) pointers.push_back(d[id]);
    return FromKernel(k::Concat(p, pointers.data(), axis_sizes.data(),
                                static_cast<int32_t>(inputs.size()), d[o], size));
  });
}

absl::StatusOr<BoundStep> BindPad(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const int32_t size = ElementSize(input);
  if (size == 0) return NoKernel(g, op);
  k::PadParams p;
  p.input = MakeLayoutShape(input);
  absl::StatusOr<std::vector<int64_t>> padding = ShapeOperand(g, op, 1, 2 * input.shape.size());
  if (!padding.ok()) return padding.status();
  for (size_t i = 0; i < padding->size(); ++i) p.padding[i] = static_cast<int32_t>((*padding)[i]);
  const TensorId in = op.inputs[0], value = op.inputs[2], o = op.outputs[0];
  return BoundStep([p, in, value, o, size](TensorData d) {
    return FromKernel(k::Pad(p, d[in], d[value], d[o], size));
  });
}

absl::StatusOr<BoundStep> BindReverse(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const int32_t size = ElementSize(input);
  if (size == 0) return NoKernel(g, op);
  const k::LayoutShape shape = MakeLayoutShape(input);
  const int32_t axis = std::get<graph::ReverseAttr>(op.attribute).axis;
  const TensorId in = op.inputs[0], o = op.outputs[0];
  return BoundStep([shape, axis, in, o, size](TensorData d) {
    return FromKernel(k::Reverse(shape, axis, d[in], d[o], size));
  });
}

absl::StatusOr<BoundStep> BindSlice(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const int32_t size = ElementSize(input);
  if (size == 0) return NoKernel(g, op);
  k::SliceParams p;
  p.input = MakeLayoutShape(input);
  absl::StatusOr<std::vector<int64_t>> start = ShapeOperand(g, op, 1, input.shape.size());
  if (!start.ok()) return start.status();
  absl::StatusOr<std::vector<int64_t>> count = ShapeOperand(g, op, 2, input.shape.size());
  if (!count.ok()) return count.status();
  for (int32_t d = 0; d < p.input.rank; ++d) {
    p.start[d] = static_cast<int32_t>((*start)[d]);
    p.size[d] = static_cast<int32_t>((*count)[d]);
  }
  const TensorId in = op.inputs[0], o = op.outputs[0];
  return BoundStep(
      [p, in, o, size](TensorData d) { return FromKernel(k::Slice(p, d[in], d[o], size)); });
}

absl::StatusOr<BoundStep> BindTile(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const int32_t size = ElementSize(input);
  if (size == 0) return NoKernel(g, op);
  k::TileParams p;
  p.input = MakeLayoutShape(input);
  absl::StatusOr<std::vector<int64_t>> multiples = ShapeOperand(g, op, 1, input.shape.size());
  if (!multiples.ok()) return multiples.status();
  for (int32_t d = 0; d < p.input.rank; ++d) {
    p.multiples[d] = static_cast<int32_t>((*multiples)[d]);
  }
  const TensorId in = op.inputs[0], o = op.outputs[0];
  return BoundStep(
      [p, in, o, size](TensorData d) { return FromKernel(k::Tile(p, d[in], d[o], size)); });
}

// ------------------------------------------------------------------------------ reductions

template <typename T>
BoundStep ReduceStep(const k::ReduceParams& p, const graph::Operator& op,
                     void (*kernel)(const k::ReduceParams&, const T*, T*)) {
  const TensorId in = op.inputs[0], o = op.outputs[0];
  return [p, in, o, kernel](TensorData d) {
    kernel(p, In<T>(d, in), Out<T>(d, o));
    return absl::OkStatus();
  };
}

template <typename T>
BoundStep ReduceFpStep(const k::ReduceParams& p, const graph::Operator& op,
                       void (*kernel)(const k::ReduceParams&, const T*, T*, k::NanMode),
                       k::NanMode nan_mode) {
  const TensorId in = op.inputs[0], o = op.outputs[0];
  return [p, in, o, kernel, nan_mode](TensorData d) {
    kernel(p, In<T>(d, in), Out<T>(d, o), nan_mode);
    return absl::OkStatus();
  };
}

int32_t ReduceAxis(const graph::Operator& op) {
  return std::visit(
      [](const auto& attr) -> int32_t {
        using A = std::decay_t<decltype(attr)>;
        if constexpr (std::is_same_v<A, graph::ReduceAllAttr> ||
                      std::is_same_v<A, graph::ReduceAnyAttr> ||
                      std::is_same_v<A, graph::ReduceMaxAttr> ||
                      std::is_same_v<A, graph::ReduceMinAttr> ||
                      std::is_same_v<A, graph::ReduceProductAttr> ||
                      std::is_same_v<A, graph::ReduceSumAttr> ||
                      std::is_same_v<A, graph::ArgMaxAttr>) {
          return attr.axis;
        } else {
          return 0;
        }
      },
      op.attribute);
}

absl::StatusOr<BoundStep> BindReduce(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const k::ReduceParams p = MakeReduceParams(input, ReduceAxis(op));
  const DType t = input.dtype;
  switch (op.op) {
    case Op::kReduceAll:
      if (t == DType::kBool) return ReduceStep<uint8_t>(p, op, k::ReduceAll);
      break;
    case Op::kReduceAny:
      if (t == DType::kBool) return ReduceStep<uint8_t>(p, op, k::ReduceAny);
      break;
    case Op::kReduceMax:
      if (t == DType::kInt8) return ReduceStep<int8_t>(p, op, k::ReduceMaxInt8);
      if (t == DType::kInt16) return ReduceStep<int16_t>(p, op, k::ReduceMaxInt16);
      if (t == DType::kInt32) return ReduceStep<int32_t>(p, op, k::ReduceMaxInt32);
      if (t == DType::kFp32 || t == DType::kFp16 || t == DType::kBf16) {
        const k::NanMode nan_mode = ToKernel(std::get<graph::ReduceMaxAttr>(op.attribute).nan_mode);
        if (t == DType::kFp16) return ReduceFpStep<k::Fp16>(p, op, k::ReduceMaxFp16, nan_mode);
        if (t == DType::kBf16) return ReduceFpStep<k::Bf16>(p, op, k::ReduceMaxBf16, nan_mode);
        return ReduceFpStep<float>(p, op, k::ReduceMaxFp32, nan_mode);
      }
      break;
    case Op::kReduceMin:
      if (t == DType::kInt8) return ReduceStep<int8_t>(p, op, k::ReduceMinInt8);
      if (t == DType::kInt16) return ReduceStep<int16_t>(p, op, k::ReduceMinInt16);
      if (t == DType::kInt32) return ReduceStep<int32_t>(p, op, k::ReduceMinInt32);
      if (t == DType::kFp32 || t == DType::kFp16 || t == DType::kBf16) {
        const k::NanMode nan_mode = ToKernel(std::get<graph::ReduceMinAttr>(op.attribute).nan_mode);
        if (t == DType::kFp16) return ReduceFpStep<k::Fp16>(p, op, k::ReduceMinFp16, nan_mode);
        if (t == DType::kBf16) return ReduceFpStep<k::Bf16>(p, op, k::ReduceMinBf16, nan_mode);
        return ReduceFpStep<float>(p, op, k::ReduceMinFp32, nan_mode);
      }
      break;
    case Op::kReduceProduct:
      if (t == DType::kFp32) return ReduceStep<float>(p, op, k::ReduceProductFp32);
      if (t == DType::kFp16) return ReduceStep<k::Fp16>(p, op, k::ReduceProductFp16);
      if (t == DType::kBf16) return ReduceStep<k::Bf16>(p, op, k::ReduceProductBf16);
      break;
    case Op::kReduceSum:
      if (t == DType::kFp32) return ReduceStep<float>(p, op, k::ReduceSumFp32);
      if (t == DType::kFp16) return ReduceStep<k::Fp16>(p, op, k::ReduceSumFp16);
      if (t == DType::kBf16) return ReduceStep<k::Bf16>(p, op, k::ReduceSumBf16);
      if (t == DType::kInt32) {
        const TensorId in = op.inputs[0], o = op.outputs[0];
        return BoundStep([p, in, o](TensorData d) {
          return FromKernel(k::ReduceSumInt32(p, In<int32_t>(d, in), Out<int32_t>(d, o)));
        });
      }
      break;
    default:
      break;
  }
  return NoKernel(g, op);
}

template <typename T>
BoundStep ArgMaxFloatStep(const k::ReduceParams& p, TensorId in, TensorId o, k::NanMode nan_mode,
                          void (*kernel)(const k::ReduceParams&, const T*, int32_t*, k::NanMode)) {
  return BoundStep([p, in, o, nan_mode, kernel](TensorData d) {
    kernel(p, In<T>(d, in), Out<int32_t>(d, o), nan_mode);
    return absl::OkStatus();
  });
}

absl::StatusOr<BoundStep> BindArgMax(const graph::Graph& g, const graph::Operator& op) {
  const auto& attr = std::get<graph::ArgMaxAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const k::ReduceParams p = MakeReduceParams(input, attr.axis);
  const TensorId in = op.inputs[0], o = op.outputs[0];
  switch (input.dtype) {
    case DType::kInt8:
      return BoundStep([p, in, o](TensorData d) {
        k::ArgMaxInt8(p, In<int8_t>(d, in), Out<int32_t>(d, o));
        return absl::OkStatus();
      });
    case DType::kInt16:
      return BoundStep([p, in, o](TensorData d) {
        k::ArgMaxInt16(p, In<int16_t>(d, in), Out<int32_t>(d, o));
        return absl::OkStatus();
      });
    case DType::kFp32:
      return ArgMaxFloatStep<float>(p, in, o, ToKernel(attr.nan_mode), k::ArgMaxFp32);
    case DType::kFp16:
      return ArgMaxFloatStep<k::Fp16>(p, in, o, ToKernel(attr.nan_mode), k::ArgMaxFp16);
    case DType::kBf16:
      return ArgMaxFloatStep<k::Bf16>(p, in, o, ToKernel(attr.nan_mode), k::ArgMaxBf16);
    case DType::kFp8E4M3:
      return ArgMaxFloatStep<k::Fp8E4M3>(p, in, o, ToKernel(attr.nan_mode), k::ArgMaxFp8E4M3);
    case DType::kFp8E5M2:
      return ArgMaxFloatStep<k::Fp8E5M2>(p, in, o, ToKernel(attr.nan_mode), k::ArgMaxFp8E5M2);
    default:
      return NoKernel(g, op);
  }
}

// ------------------------------------------------------------------------------ gather / scatter

absl::StatusOr<BoundStep> BindGather(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& values = g.tensor(op.inputs[0]);
  const int32_t size = ElementSize(values);
  if (size == 0) return NoKernel(g, op);
  k::ScatterGatherParams p;
  p.batch = Dim(values, 0);
  p.values_count = Dim(values, 1);
  p.channels = Dim(values, 2);
  p.index_count = Dim(g.tensor(op.inputs[1]), 1);
  const TensorId v = op.inputs[0], idx = op.inputs[1], o = op.outputs[0];
  return BoundStep([p, v, idx, o, size](TensorData d) {
    return FromKernel(k::Gather(p, d[v], In<int32_t>(d, idx), d[o], size));
  });
}

absl::StatusOr<BoundStep> BindScatter(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& values = g.tensor(op.inputs[0]);
  const int32_t size = ElementSize(values);
  if (size == 0) return NoKernel(g, op);
  k::ScatterGatherParams p;
  p.batch = Dim(values, 0);
  p.values_count = Dim(values, 1);
  p.channels = Dim(values, 2);
  p.index_count = Dim(g.tensor(op.inputs[1]), 1);
  const TensorId v = op.inputs[0], idx = op.inputs[1], in = op.inputs[2], o = op.outputs[0];
  return BoundStep([p, v, idx, in, o, size](TensorData d) {
    return FromKernel(k::Scatter(p, d[v], In<int32_t>(d, idx), d[in], d[o], size));
  });
}

// ------------------------------------------------------------------------------ convolutions

// Binds CONV3D or TRANSPOSE_CONV2D for the three type combinations of PRO-INT, PRO-FP and
// EXT-INT16; `Params` carries the geometry, `input_zp` / `weight_zp` are set per run.
template <typename Params>
struct Float16ConvKernels {
  void (*fp16)(const Params&, const k::Fp16*, const k::Fp16*, const k::Fp16*, k::Fp16*, bool);
  void (*bf16)(const Params&, const k::Bf16*, const k::Bf16*, const k::Bf16*, k::Bf16*);
  void (*fp8e4m3)(const Params&, const k::Fp8E4M3*, const k::Fp8E4M3*, const k::Fp16*, k::Fp16*);
  void (*fp8e5m2)(const Params&, const k::Fp8E5M2*, const k::Fp8E5M2*, const k::Fp16*, k::Fp16*);
};

// The FP8 convolutions (FP8 input and weights, FP16 bias and output, fp16 accumulation); nullopt
// for other types.
template <typename Params>
std::optional<BoundStep> BindFp8Conv(const graph::Graph& g, const graph::Operator& op,
                                     const Params& p, DType acc_type,
                                     Float16ConvKernels<Params> kernels) {
  const DType type = g.tensor(op.inputs[0]).dtype;
  if (!IsFp8(type) || g.tensor(op.inputs[1]).dtype != type ||
      g.tensor(op.outputs[0]).dtype != DType::kFp16 || acc_type != DType::kFp16) {
    return std::nullopt;
  }
  const TensorId in = op.inputs[0], w = op.inputs[1], b = op.inputs[2], izp = op.inputs[3],
                 wzp = op.inputs[4], o = op.outputs[0];
  return BoundStep([p, in, w, b, izp, wzp, o, type, kernels](TensorData d) {
    if (!Fp8IsZero(d[izp])) return ZeroPointMustBeZero("input_zp", type);
    if (!Fp8IsZero(d[wzp])) return ZeroPointMustBeZero("weight_zp", type);
    if (type == DType::kFp8E4M3) {
      kernels.fp8e4m3(p, In<k::Fp8E4M3>(d, in), In<k::Fp8E4M3>(d, w), In<k::Fp16>(d, b),
                      Out<k::Fp16>(d, o));
    } else {
      kernels.fp8e5m2(p, In<k::Fp8E5M2>(d, in), In<k::Fp8E5M2>(d, w), In<k::Fp16>(d, b),
                      Out<k::Fp16>(d, o));
    }
    return absl::OkStatus();
  });
}

// The FP16 / BF16 convolutions: zero points must be (signed) zero; NoKernel for other types.
template <typename Params>
absl::StatusOr<BoundStep> BindFloat16Conv(const graph::Graph& g, const graph::Operator& op,
                                          const Params& p, DType acc_type,
                                          Float16ConvKernels<Params> float16_kernels) {
  if (std::optional<BoundStep> fp8 = BindFp8Conv(g, op, p, acc_type, float16_kernels)) {
    return *std::move(fp8);
  }
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const graph::Tensor& weight = g.tensor(op.inputs[1]);
  const graph::Tensor& output = g.tensor(op.outputs[0]);
  const TensorId in = op.inputs[0], w = op.inputs[1], b = op.inputs[2], izp = op.inputs[3],
                 wzp = op.inputs[4], o = op.outputs[0];
  const bool fp16 = input.dtype == DType::kFp16 && weight.dtype == DType::kFp16 &&
                    output.dtype == DType::kFp16 &&
                    (acc_type == DType::kFp16 || acc_type == DType::kFp32);
  const bool bf16 = input.dtype == DType::kBf16 && weight.dtype == DType::kBf16 &&
                    output.dtype == DType::kBf16 && acc_type == DType::kFp32;
  if (fp16 || bf16) {
    const bool fp16_acc = acc_type == DType::kFp16;
    const DType type = input.dtype;
    return BoundStep(
        [p, in, w, b, izp, wzp, o, fp16, fp16_acc, type, float16_kernels](TensorData d) {
          if (!Float16IsZero(d[izp])) return ZeroPointMustBeZero("input_zp", type);
          if (!Float16IsZero(d[wzp])) return ZeroPointMustBeZero("weight_zp", type);
          if (fp16) {
            float16_kernels.fp16(p, In<k::Fp16>(d, in), In<k::Fp16>(d, w), In<k::Fp16>(d, b),
                                 Out<k::Fp16>(d, o), fp16_acc);
          } else {
            float16_kernels.bf16(p, In<k::Bf16>(d, in), In<k::Bf16>(d, w), In<k::Bf16>(d, b),
                                 Out<k::Bf16>(d, o));
          }
          return absl::OkStatus();
        });
  }
  return NoKernel(g, op, absl::StrCat(", accumulator ", std::string(graph::DTypeName(acc_type))));
}

template <typename Params, typename Int8Kernel, typename Int16Kernel, typename Fp32Kernel>
absl::StatusOr<BoundStep> BindConvFamily(const graph::Graph& g, const graph::Operator& op,
                                         const Params& p, DType acc_type, Int8Kernel int8_kernel,
                                         Int16Kernel int16_kernel, Fp32Kernel fp32_kernel,
                                         Float16ConvKernels<Params> float16_kernels) {
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const graph::Tensor& weight = g.tensor(op.inputs[1]);
  const graph::Tensor& output = g.tensor(op.outputs[0]);
  const TensorId in = op.inputs[0], w = op.inputs[1], b = op.inputs[2], izp = op.inputs[3],
                 wzp = op.inputs[4], o = op.outputs[0];
  if (input.dtype == DType::kInt8 &&
      (weight.dtype == DType::kInt8 || weight.dtype == DType::kInt4) &&
      output.dtype == DType::kInt32 && acc_type == DType::kInt32) {
    return BoundStep([p, in, w, b, izp, wzp, o, int8_kernel](TensorData d) {
      Params q = p;
      q.input_zp = static_cast<int32_t>(ReadInt(d[izp], DType::kInt8));
      q.weight_zp = static_cast<int32_t>(ReadInt(d[wzp], DType::kInt8));
      return FromKernel(int8_kernel(q, In<int8_t>(d, in), In<int8_t>(d, w), In<int32_t>(d, b),
                                    Out<int32_t>(d, o)));
    });
  }
  if (input.dtype == DType::kInt16 && weight.dtype == DType::kInt8 &&
      output.dtype == DType::kInt48 && acc_type == DType::kInt48) {
    return BoundStep([p, in, w, b, izp, wzp, o, int16_kernel](TensorData d) {
      if (ReadInt(d[izp], DType::kInt16) != 0) {
        return ZeroPointMustBeZero("input_zp", DType::kInt16);
      }
      Params q = p;
      q.weight_zp = static_cast<int32_t>(ReadInt(d[wzp], DType::kInt8));
      return FromKernel(int16_kernel(q, In<int16_t>(d, in), In<int8_t>(d, w), In<int64_t>(d, b),
                                     Out<int64_t>(d, o)));
    });
  }
  if (input.dtype == DType::kFp32 && weight.dtype == DType::kFp32 && output.dtype == DType::kFp32 &&
      acc_type == DType::kFp32) {
    return BoundStep([p, in, w, b, izp, wzp, o, fp32_kernel](TensorData d) {
      if (ReadFp32(d[izp]) != 0.0f) return ZeroPointMustBeZero("input_zp", DType::kFp32);
      if (ReadFp32(d[wzp]) != 0.0f) return ZeroPointMustBeZero("weight_zp", DType::kFp32);
      fp32_kernel(p, In<float>(d, in), In<float>(d, w), In<float>(d, b), Out<float>(d, o));
      return absl::OkStatus();
    });
  }
  return BindFloat16Conv(g, op, p, acc_type, float16_kernels);
}

absl::StatusOr<BoundStep> BindConv3d(const graph::Graph& g, const graph::Operator& op) {
  const auto& attr = std::get<graph::Conv3dAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const graph::Tensor& weight = g.tensor(op.inputs[1]);
  const graph::Tensor& output = g.tensor(op.outputs[0]);
  k::Conv3dParams p;
  p.batch = Dim(input, 0);
  p.input_depth = Dim(input, 1);
  p.input_height = Dim(input, 2);
  p.input_width = Dim(input, 3);
  p.input_channels = Dim(input, 4);
  p.output_channels = Dim(weight, 0);
  p.kernel_depth = Dim(weight, 1);
  p.kernel_height = Dim(weight, 2);
  p.kernel_width = Dim(weight, 3);
  p.output_depth = Dim(output, 1);
  p.output_height = Dim(output, 2);
  p.output_width = Dim(output, 3);
  p.pad_front = attr.pad[0];
  p.pad_back = attr.pad[1];
  p.pad_top = attr.pad[2];
  p.pad_bottom = attr.pad[3];
  p.pad_left = attr.pad[4];
  p.pad_right = attr.pad[5];
  p.stride_d = attr.stride[0];
  p.stride_y = attr.stride[1];
  p.stride_x = attr.stride[2];
  p.dilation_d = attr.dilation[0];
  p.dilation_y = attr.dilation[1];
  p.dilation_x = attr.dilation[2];
  p.bias_size = Dim(g.tensor(op.inputs[2]), 0);
  return BindConvFamily(g, op, p, attr.acc_type, k::Conv3dInt8, k::Conv3dInt16, k::Conv3dFp32,
                        Float16ConvKernels<k::Conv3dParams>{k::Conv3dFp16, k::Conv3dBf16,
                                                            k::Conv3dFp8, k::Conv3dFp8});
}

// The optimised INT8 / FP32 kernels when the CPU has them and the weights (and, for INT8, their
// zero point) are constants to pack now; nullopt leaves the operator to the reference kernels.
std::optional<BoundStep> BindTransposeConv2dOptimized(const graph::Graph& g,
                                                      const graph::Operator& op,
                                                      const k::TransposeConv2dParams& p,
                                                      DType acc_type) {
  const opt::TileKernels* tiles = opt::SelectTileKernels();
  if (tiles == nullptr) return std::nullopt;
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const graph::Tensor& weight = g.tensor(op.inputs[1]);
  const TensorId in = op.inputs[0], b = op.inputs[2], izp = op.inputs[3], wzp = op.inputs[4],
                 o = op.outputs[0];
  const int64_t weight_count = Elements(weight);
  const auto scratch_elements = static_cast<size_t>(opt::TransposeConv2dScratchElements(p));
  if (input.dtype == DType::kInt8 && weight.dtype == DType::kInt8 && acc_type == DType::kInt32) {
    const int8_t* weight_data = ConstantData<int8_t>(g, op.inputs[1], weight_count);
    const int8_t* weight_zp = ConstantData<int8_t>(g, wzp, 1);
    if (weight_data == nullptr || weight_zp == nullptr || !opt::TransposeConv2dInt8Supported(p)) {
      return std::nullopt;
    }
    k::TransposeConv2dParams q = p;
    q.weight_zp = *weight_zp;
    auto packed = std::make_shared<const opt::PackedInt8Matrix>(
        opt::PackTransposeConv2dInt8Weights(*tiles, q, weight_data, q.weight_zp));
    // The executor runs one inference at a time, so one scratch buffer per bound operator.
    auto scratch = std::make_shared<std::vector<int32_t>>(scratch_elements);
    const TensorId w = op.inputs[1];
    return BoundStep([q, packed, scratch, tiles, in, w, b, izp, o](TensorData d) {
      k::TransposeConv2dParams r = q;
      r.input_zp = static_cast<int32_t>(ReadInt(d[izp], DType::kInt8));
      if (opt::TransposeConv2dInt8Optimized(*tiles, r, *packed, In<int8_t>(d, in),
                                            In<int32_t>(d, b), scratch->data(),
                                            Out<int32_t>(d, o)) == k::KernelStatus::kOk) {
        return absl::OkStatus();
      }
      // A bias near the int32 limit: the reference decides whether a result overflows.
      return FromKernel(k::TransposeConv2dInt8(r, In<int8_t>(d, in), In<int8_t>(d, w),
                                               In<int32_t>(d, b), Out<int32_t>(d, o)));
    });
  }
  if (input.dtype == DType::kFp32 && weight.dtype == DType::kFp32 && acc_type == DType::kFp32) {
    const float* weight_data = ConstantData<float>(g, op.inputs[1], weight_count);
    if (weight_data == nullptr) return std::nullopt;
    auto packed = std::make_shared<const opt::PackedFp32Matrix>(
        opt::PackTransposeConv2dFp32Weights(p, weight_data));
    auto scratch = std::make_shared<std::vector<float>>(scratch_elements);
    return BoundStep([p, packed, scratch, tiles, in, b, izp, wzp, o](TensorData d) {
      if (ReadFp32(d[izp]) != 0.0f) return ZeroPointMustBeZero("input_zp", DType::kFp32);
      if (ReadFp32(d[wzp]) != 0.0f) return ZeroPointMustBeZero("weight_zp", DType::kFp32);
      opt::TransposeConv2dFp32Optimized(*tiles, p, *packed, In<float>(d, in), In<float>(d, b),
                                        scratch->data(), Out<float>(d, o));
      return absl::OkStatus();
    });
  }
  return std::nullopt;
}

absl::StatusOr<BoundStep> BindTransposeConv2d(const graph::Graph& g, const graph::Operator& op) {
  const auto& attr = std::get<graph::TransposeConv2dAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const graph::Tensor& weight = g.tensor(op.inputs[1]);
  const graph::Tensor& output = g.tensor(op.outputs[0]);
  k::TransposeConv2dParams p;
  p.batch = Dim(input, 0);
  p.input_height = Dim(input, 1);
  p.input_width = Dim(input, 2);
  p.input_channels = Dim(input, 3);
  p.output_channels = Dim(weight, 0);
  p.kernel_height = Dim(weight, 1);
  p.kernel_width = Dim(weight, 2);
  p.output_height = Dim(output, 1);
  p.output_width = Dim(output, 2);
  p.out_pad_top = attr.out_pad[0];
  p.out_pad_bottom = attr.out_pad[1];
  p.out_pad_left = attr.out_pad[2];
  p.out_pad_right = attr.out_pad[3];
  p.stride_y = attr.stride[0];
  p.stride_x = attr.stride[1];
  p.bias_size = Dim(g.tensor(op.inputs[2]), 0);
  if (auto optimized = BindTransposeConv2dOptimized(g, op, p, attr.acc_type)) return *optimized;
  return BindConvFamily(
      g, op, p, attr.acc_type, k::TransposeConv2dInt8, k::TransposeConv2dInt16,
      k::TransposeConv2dFp32,
      Float16ConvKernels<k::TransposeConv2dParams>{k::TransposeConv2dFp16, k::TransposeConv2dBf16,
                                                   k::TransposeConv2dFp8, k::TransposeConv2dFp8});
}

// The 16-bit float variants of CONV2D, DEPTHWISE_CONV2D, MAX_POOL2D and AVG_POOL2D, whose other
// types kernel_binding.cc binds (it asks this family for what it has no kernel for).
// The float types the reference-only kernels of this file take: FP16, BF16 and the FP8 types.
bool IsNarrowFloat(DType t) { return t == DType::kFp16 || t == DType::kBf16 || IsFp8(t); }

// MATMUL FP16 (output and accumulator FP16 or FP32) and BF16 (FP32); zero points must be zero.
absl::StatusOr<BoundStep> BindMatmulFloat16(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& a = g.tensor(op.inputs[0]);
  const graph::Tensor& output = g.tensor(op.outputs[0]);
  const k::MatmulParams p = MatmulParamsOf(g, op);
  const TensorId ia = op.inputs[0], ib = op.inputs[1], azp = op.inputs[2], bzp = op.inputs[3],
                 o = op.outputs[0];
  const DType type = a.dtype;
  // `kernel` is a captureless lambda over raw buffers, so one step type serves all three.
  auto bind = [&](auto kernel) -> BoundStep {
    return BoundStep([p, ia, ib, azp, bzp, o, type, kernel](TensorData d) {
      if (!Float16IsZero(d[azp])) return ZeroPointMustBeZero("A_zp", type);
      if (!Float16IsZero(d[bzp])) return ZeroPointMustBeZero("B_zp", type);
      kernel(p, d[ia], d[ib], d[o]);
      return absl::OkStatus();
    });
  };
  if (type == DType::kFp16 && output.dtype == DType::kFp16) {
    return bind([](const k::MatmulParams& q, const uint8_t* x, const uint8_t* y, uint8_t* z) {
      k::MatmulFp16(q, reinterpret_cast<const k::Fp16*>(x), reinterpret_cast<const k::Fp16*>(y),
                    reinterpret_cast<k::Fp16*>(z));
    });
  }
  if (type == DType::kFp16 && output.dtype == DType::kFp32) {
    return bind([](const k::MatmulParams& q, const uint8_t* x, const uint8_t* y, uint8_t* z) {
      k::MatmulFp16Fp32(q, reinterpret_cast<const k::Fp16*>(x), reinterpret_cast<const k::Fp16*>(y),
                        reinterpret_cast<float*>(z));
    });
  }
  if (type == DType::kBf16 && output.dtype == DType::kFp32) {
    return bind([](const k::MatmulParams& q, const uint8_t* x, const uint8_t* y, uint8_t* z) {
      k::MatmulBf16Fp32(q, reinterpret_cast<const k::Bf16*>(x), reinterpret_cast<const k::Bf16*>(y),
                        reinterpret_cast<float*>(z));
    });
  }
  if (IsFp8(type) && output.dtype == DType::kFp16) {
    return BoundStep([p, ia, ib, azp, bzp, o, type](TensorData d) {
      if (!Fp8IsZero(d[azp])) return ZeroPointMustBeZero("A_zp", type);
      if (!Fp8IsZero(d[bzp])) return ZeroPointMustBeZero("B_zp", type);
      if (type == DType::kFp8E4M3) {
        k::MatmulFp8(p, In<k::Fp8E4M3>(d, ia), In<k::Fp8E4M3>(d, ib), Out<k::Fp16>(d, o));
      } else {
        k::MatmulFp8(p, In<k::Fp8E5M2>(d, ia), In<k::Fp8E5M2>(d, ib), Out<k::Fp16>(d, o));
      }
      return absl::OkStatus();
    });
  }
  return NoKernel(g, op);
}

absl::StatusOr<BoundStep> BindConv2dFloat16(const graph::Graph& g, const graph::Operator& op) {
  const auto& attr = std::get<graph::Conv2dAttr>(op.attribute);
  const k::Conv2dParams p = Conv2dParamsOf(g, op);
  return BindFloat16Conv(g, op, p, attr.acc_type,
                         Float16ConvKernels<k::Conv2dParams>{k::Conv2dFp16, k::Conv2dBf16,
                                                             k::Conv2dFp8, k::Conv2dFp8});
}

absl::StatusOr<BoundStep> BindDepthwiseConv2dFloat16(const graph::Graph& g,
                                                     const graph::Operator& op) {
  const auto& attr = std::get<graph::DepthwiseConv2dAttr>(op.attribute);
  const k::DepthwiseConv2dParams p = DepthwiseConv2dParamsOf(g, op);
  return BindFloat16Conv(
      g, op, p, attr.acc_type,
      Float16ConvKernels<k::DepthwiseConv2dParams>{k::DepthwiseConv2dFp16, k::DepthwiseConv2dBf16,
                                                   k::DepthwiseConv2dFp8, k::DepthwiseConv2dFp8});
}

absl::StatusOr<BoundStep> BindMaxPool2dFloat16(const graph::Graph& g, const graph::Operator& op) {
  const auto& attr = std::get<graph::MaxPool2dAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const k::Pool2dParams p = Pool2dParamsOf(attr, input, g.tensor(op.outputs[0]));
  const k::NanMode nan_mode = ToKernel(attr.nan_mode);
  const TensorId in = op.inputs[0], o = op.outputs[0];
  if (input.dtype == DType::kFp16) {
    return BoundStep([p, in, o, nan_mode](TensorData d) {
      k::MaxPool2dFp16(p, In<k::Fp16>(d, in), Out<k::Fp16>(d, o), nan_mode);
      return absl::OkStatus();
    });
  }
  if (input.dtype == DType::kFp8E4M3) {
    return BoundStep([p, in, o, nan_mode](TensorData d) {
      k::MaxPool2dFp8(p, In<k::Fp8E4M3>(d, in), Out<k::Fp8E4M3>(d, o), nan_mode);
      return absl::OkStatus();
    });
  }
  if (input.dtype == DType::kFp8E5M2) {
    return BoundStep([p, in, o, nan_mode](TensorData d) {
      k::MaxPool2dFp8(p, In<k::Fp8E5M2>(d, in), Out<k::Fp8E5M2>(d, o), nan_mode);
      return absl::OkStatus();
    });
  }
  return BoundStep([p, in, o, nan_mode](TensorData d) {
    k::MaxPool2dBf16(p, In<k::Bf16>(d, in), Out<k::Bf16>(d, o), nan_mode);
    return absl::OkStatus();
  });
}

absl::StatusOr<BoundStep> BindAvgPool2dFloat16(const graph::Graph& g, const graph::Operator& op) {
  const auto& attr = std::get<graph::AvgPool2dAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const k::Pool2dParams p = Pool2dParamsOf(attr, input, g.tensor(op.outputs[0]));
  const DType type = input.dtype;
  if (IsFp8(type) && attr.acc_type == DType::kFp16) {
    const TensorId in = op.inputs[0], izp = op.inputs[1], ozp = op.inputs[2], o = op.outputs[0];
    return BoundStep([p, in, izp, ozp, o, type](TensorData d) {
      if (!Fp8IsZero(d[izp])) return ZeroPointMustBeZero("input_zp", type);
      if (!Fp8IsZero(d[ozp])) return ZeroPointMustBeZero("output_zp", type);
      if (type == DType::kFp8E4M3) {
        k::AvgPool2dFp8(p, In<k::Fp8E4M3>(d, in), Out<k::Fp8E4M3>(d, o));
      } else {
        k::AvgPool2dFp8(p, In<k::Fp8E5M2>(d, in), Out<k::Fp8E5M2>(d, o));
      }
      return absl::OkStatus();
    });
  }
  const bool fp16 =
      type == DType::kFp16 && (attr.acc_type == DType::kFp16 || attr.acc_type == DType::kFp32);
  const bool bf16 = type == DType::kBf16 && attr.acc_type == DType::kFp32;
  if (!fp16 && !bf16) {
    return NoKernel(g, op,
                    absl::StrCat(", accumulator ", std::string(graph::DTypeName(attr.acc_type))));
  }
  const bool fp16_acc = attr.acc_type == DType::kFp16;
  const TensorId in = op.inputs[0], izp = op.inputs[1], ozp = op.inputs[2], o = op.outputs[0];
  return BoundStep([p, in, izp, ozp, o, fp16, fp16_acc, type](TensorData d) {
    if (!Float16IsZero(d[izp])) return ZeroPointMustBeZero("input_zp", type);
    if (!Float16IsZero(d[ozp])) return ZeroPointMustBeZero("output_zp", type);
    if (fp16) {
      k::AvgPool2dFp16(p, In<k::Fp16>(d, in), Out<k::Fp16>(d, o), fp16_acc);
    } else {
      k::AvgPool2dBf16(p, In<k::Bf16>(d, in), Out<k::Bf16>(d, o));
    }
    return absl::OkStatus();
  });
}

// ------------------------------------------------------------------------------ image

template <typename InT, typename OutT>
BoundStep ResizeStep(const k::ResizeParams& p, const graph::Operator& op,
                     void (*kernel)(const k::ResizeParams&, const InT*, OutT*)) {
  const TensorId in = op.inputs[0], o = op.outputs[0];
  return [p, in, o, kernel](TensorData d) {
    kernel(p, In<InT>(d, in), Out<OutT>(d, o));
    return absl::OkStatus();
  };
}

absl::StatusOr<BoundStep> BindResize(const graph::Graph& g, const graph::Operator& op) {
  const bool bilinear =
      std::get<graph::ResizeAttr>(op.attribute).mode == graph::ResizeMode::kBilinear;
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const graph::Tensor& output = g.tensor(op.outputs[0]);
  absl::StatusOr<std::vector<int64_t>> scale_values = ShapeOperand(g, op, 1, 4);
  if (!scale_values.ok()) return scale_values.status();
  absl::StatusOr<std::vector<int64_t>> offset_values = ShapeOperand(g, op, 2, 2);
  if (!offset_values.ok()) return offset_values.status();
  const std::vector<int64_t>& scale = *scale_values;
  const std::vector<int64_t>& offset = *offset_values;
  k::ResizeParams p;
  p.batch = Dim(input, 0);
  p.input_height = Dim(input, 1);
  p.input_width = Dim(input, 2);
  p.channels = Dim(input, 3);
  p.output_height = Dim(output, 1);
  p.output_width = Dim(output, 2);
  p.scale_y_n = static_cast<int32_t>(scale[0]);
  p.scale_y_d = static_cast<int32_t>(scale[1]);
  p.scale_x_n = static_cast<int32_t>(scale[2]);
  p.scale_x_d = static_cast<int32_t>(scale[3]);
  p.offset_y = static_cast<int32_t>(offset[0]);
  p.offset_x = static_cast<int32_t>(offset[1]);
  // The specification caps image sizes so that positions (o * scale_d + offset) fit int32.
  if (std::max({input.shape[1], input.shape[2], output.shape[1], output.shape[2]}) >= 16384) {
    return absl::InvalidArgumentError("RESIZE images must be smaller than 16384 in each dimension");
  }
  switch (input.dtype) {
    case DType::kInt8:
      return bilinear ? ResizeStep<int8_t, int32_t>(p, op, k::ResizeBilinearInt8)
                      : ResizeStep<int8_t, int8_t>(p, op, k::ResizeNearestInt8);
    case DType::kInt16:
      return bilinear ? ResizeStep<int16_t, int64_t>(p, op, k::ResizeBilinearInt16)
                      : ResizeStep<int16_t, int16_t>(p, op, k::ResizeNearestInt16);
    case DType::kFp32:
      return bilinear ? ResizeStep<float, float>(p, op, k::ResizeBilinearFp32)
                      : ResizeStep<float, float>(p, op, k::ResizeNearestFp32);
    case DType::kFp16:
      return bilinear ? ResizeStep<k::Fp16, k::Fp16>(p, op, k::ResizeBilinearFp16)
                      : ResizeStep<k::Fp16, k::Fp16>(p, op, k::ResizeNearestFp16);
    case DType::kBf16:
      return bilinear ? ResizeStep<k::Bf16, k::Bf16>(p, op, k::ResizeBilinearBf16)
                      : ResizeStep<k::Bf16, k::Bf16>(p, op, k::ResizeNearestBf16);
    default:
      return NoKernel(g, op);
  }
}

// ------------------------------------------------------------------------------ FFT

k::FftParams MakeFftParams(const graph::Tensor& input) {
  k::FftParams p;
  p.batch = Dim(input, 0);
  p.height = Dim(input, 1);
  p.width = Dim(input, 2);
  return p;
}

absl::StatusOr<BoundStep> BindFft2d(const graph::Graph& g, const graph::Operator& op) {
  if (g.tensor(op.inputs[0]).dtype != DType::kFp32) return NoKernel(g, op);
  const k::FftParams p = MakeFftParams(g.tensor(op.inputs[0]));
  const bool inverse = std::get<graph::Fft2dAttr>(op.attribute).inverse;
  const TensorId re = op.inputs[0], im = op.inputs[1], out_re = op.outputs[0],
                 out_im = op.outputs[1];
  return BoundStep([p, inverse, re, im, out_re, out_im](TensorData d) {
    k::Fft2dFp32(p, inverse, In<float>(d, re), In<float>(d, im), Out<float>(d, out_re),
                 Out<float>(d, out_im));
    return absl::OkStatus();
  });
}

absl::StatusOr<BoundStep> BindRfft2d(const graph::Graph& g, const graph::Operator& op) {
  if (g.tensor(op.inputs[0]).dtype != DType::kFp32) return NoKernel(g, op);
  const k::FftParams p = MakeFftParams(g.tensor(op.inputs[0]));
  const TensorId re = op.inputs[0], out_re = op.outputs[0], out_im = op.outputs[1];
  return BoundStep([p, re, out_re, out_im](TensorData d) {
    k::Rfft2dFp32(p, In<float>(d, re), Out<float>(d, out_re), Out<float>(d, out_im));
    return absl::OkStatus();
  });
}

}  // namespace

std::optional<absl::StatusOr<BoundStep>> BindTensorFamily(const graph::Graph& graph,
                                                          const graph::Operator& op) {
  switch (op.op) {
    case Op::kConcat:
      return BindConcat(graph, op);
    case Op::kPad:
      return BindPad(graph, op);
    case Op::kReverse:
      return BindReverse(graph, op);
    case Op::kSlice:
      return BindSlice(graph, op);
    case Op::kTile:
      return BindTile(graph, op);
    case Op::kReduceAll:
    case Op::kReduceAny:
    case Op::kReduceMax:
    case Op::kReduceMin:
    case Op::kReduceProduct:
    case Op::kReduceSum:
      return BindReduce(graph, op);
    case Op::kArgMax:
      return BindArgMax(graph, op);
    case Op::kGather:
      return BindGather(graph, op);
    case Op::kScatter:
      return BindScatter(graph, op);
    case Op::kConv3d:
      return BindConv3d(graph, op);
    case Op::kTransposeConv2d:
      return BindTransposeConv2d(graph, op);
    case Op::kResize:
      return BindResize(graph, op);
    case Op::kConv2d:
    case Op::kDepthwiseConv2d:
    case Op::kMaxPool2d:
    case Op::kAvgPool2d:
      if (!IsNarrowFloat(graph.tensor(op.inputs[0]).dtype)) return std::nullopt;
      if (op.op == Op::kConv2d) return BindConv2dFloat16(graph, op);
      if (op.op == Op::kDepthwiseConv2d) return BindDepthwiseConv2dFloat16(graph, op);
      if (op.op == Op::kMaxPool2d) return BindMaxPool2dFloat16(graph, op);
      return BindAvgPool2dFloat16(graph, op);
    case Op::kMatMul:
      if (!IsNarrowFloat(graph.tensor(op.inputs[0]).dtype)) return std::nullopt;
      return BindMatmulFloat16(graph, op);
    case Op::kFft2d:
      return BindFft2d(graph, op);
    case Op::kRfft2d:
      return BindRfft2d(graph, op);
    default:
      return std::nullopt;
  }
}

}  // namespace inferd::cpu

#include "backends/cpu/kernel_binding.h"

#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backends/cpu/binding_families.h"
#include "backends/cpu/binding_support.h"
#include "backends/cpu/constant_layout.h"
#include "backends/cpu/custom_operators.h"
#include "backends/cpu/kernels/broadcast.h"
#include "backends/cpu/kernels/clamp.h"
#include "backends/cpu/kernels/conv2d.h"
#include "backends/cpu/kernels/depthwise_conv2d.h"
#include "backends/cpu/kernels/elementwise_binary.h"
#include "backends/cpu/kernels/kernel_types.h"
#include "backends/cpu/kernels/matmul.h"
#include "backends/cpu/kernels/optimized/conv2d_optimized.h"
#include "backends/cpu/kernels/optimized/depthwise_conv2d_optimized.h"
#include "backends/cpu/kernels/optimized/elementwise_optimized.h"
#include "backends/cpu/kernels/optimized/matmul_optimized.h"
#include "backends/cpu/kernels/optimized/pooling_optimized.h"
#include "backends/cpu/kernels/optimized/rescale_optimized.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"
#include "backends/cpu/kernels/pooling.h"
#include "backends/cpu/kernels/rescale.h"
#include "backends/cpu/kernels/reshape.h"
#include "backends/cpu/kernels/table.h"
#include "backends/cpu/kernels/transpose.h"

namespace inferd::cpu {
namespace {

using graph::DType;
using graph::Op;
using graph::TensorId;
namespace opt = ::inferd::cpu::kernels::optimized;

// ------------------------------------------------------------------------------ convolutions
//
// CONV2D, DEPTHWISE_CONV2D and MATMUL use the optimised kernels (backends/cpu/kernels/optimized)
// when the CPU has their instructions and the weights (and weight zero point) are constants: those
// are packed here, once, and the reference kernels remain for everything else.

absl::StatusOr<BoundStep> BindConv2d(const graph::Graph& g, const graph::Operator& op,
                                     const LoadTimeConstants& constants) {
  const auto& attr = std::get<graph::Conv2dAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const graph::Tensor& weight = g.tensor(op.inputs[1]);
  const graph::Tensor& output = g.tensor(op.outputs[0]);
  const k::Conv2dParams p = Conv2dParamsOf(g, op);
  const TensorId in = op.inputs[0], w = op.inputs[1], b = op.inputs[2], izp = op.inputs[3],
                 wzp = op.inputs[4], o = op.outputs[0];
  const opt::TileKernels* tiles = opt::SelectTileKernels();
  const int64_t weight_count = Elements(weight);
  // INT4 weights (EXT-INT4) are held unpacked as int8, so the INT8 kernels serve them.
  if (input.dtype == DType::kInt8 &&
      (weight.dtype == DType::kInt8 || weight.dtype == DType::kInt4) &&
      output.dtype == DType::kInt32 && attr.acc_type == DType::kInt32) {
    const int8_t* weight_data = ConstantData<int8_t>(constants, w, weight_count);
    const int8_t* weight_zp = ConstantData<int8_t>(constants, wzp, 1);
    if (tiles != nullptr && weight_data != nullptr && weight_zp != nullptr &&
        opt::Conv2dInt8Supported(p)) {
      k::Conv2dParams q = p;
      q.weight_zp = *weight_zp;
      auto packed = constants.Pack<opt::PackedInt8Matrix>(
          w, WeightPacking::kConv2dInt8, q.weight_zp,
          [&] { return opt::PackConv2dInt8Weights(*tiles, q, weight_data, q.weight_zp); });
      return BoundStep([q, packed, tiles, in, b, izp, o](TensorData d) {
        k::Conv2dParams r = q;
        r.input_zp = static_cast<int32_t>(ReadInt(d[izp], DType::kInt8));
        return FromKernel(opt::Conv2dInt8Optimized(*tiles, r, *packed, In<int8_t>(d, in),
                                                   In<int32_t>(d, b), Out<int32_t>(d, o)));
      });
    }
    return BoundStep([p, in, w, b, izp, wzp, o](TensorData d) {
      k::Conv2dParams q = p;
      q.input_zp = static_cast<int32_t>(ReadInt(d[izp], DType::kInt8));
      q.weight_zp = static_cast<int32_t>(ReadInt(d[wzp], DType::kInt8));
      return FromKernel(k::Conv2dInt8(q, In<int8_t>(d, in), In<int8_t>(d, w), In<int32_t>(d, b),
                                      Out<int32_t>(d, o)));
    });
  }
  if (input.dtype == DType::kInt16 && weight.dtype == DType::kInt8 &&
      output.dtype == DType::kInt48 && attr.acc_type == DType::kInt48) {
    return BoundStep([p, in, w, b, izp, wzp, o](TensorData d) {
      if (ReadInt(d[izp], DType::kInt16) != 0)
        return ZeroPointMustBeZero("input_zp", DType::kInt16);
      k::Conv2dParams q = p;
      q.weight_zp = static_cast<int32_t>(ReadInt(d[wzp], DType::kInt8));
      return FromKernel(k::Conv2dInt16(q, In<int16_t>(d, in), In<int8_t>(d, w), In<int64_t>(d, b),
                                       Out<int64_t>(d, o)));
    });
  }
  if (input.dtype == DType::kFp32 && weight.dtype == DType::kFp32 && output.dtype == DType::kFp32 &&
      attr.acc_type == DType::kFp32) {
    const float* weight_data = ConstantData<float>(constants, w, weight_count);
    if (tiles != nullptr && weight_data != nullptr) {
      auto packed = constants.Pack<opt::PackedFp32Matrix>(w, WeightPacking::kConv2dFp32, 0, [&] {
        return opt::PackConv2dFp32Weights(p, weight_data);
      });
      return BoundStep([p, packed, tiles, in, b, izp, wzp, o](TensorData d) {
        if (ReadFp32(d[izp]) != 0.0f) return ZeroPointMustBeZero("input_zp", DType::kFp32);
        if (ReadFp32(d[wzp]) != 0.0f) return ZeroPointMustBeZero("weight_zp", DType::kFp32);
        opt::Conv2dFp32Optimized(*tiles, p, *packed, In<float>(d, in), In<float>(d, b),
                                 Out<float>(d, o));
        return absl::OkStatus();
      });
    }
    return BoundStep([p, in, w, b, izp, wzp, o](TensorData d) {
      if (ReadFp32(d[izp]) != 0.0f) return ZeroPointMustBeZero("input_zp", DType::kFp32);
      if (ReadFp32(d[wzp]) != 0.0f) return ZeroPointMustBeZero("weight_zp", DType::kFp32);
      k::Conv2dFp32(p, In<float>(d, in), In<float>(d, w), In<float>(d, b), Out<float>(d, o));
      return absl::OkStatus();
    });
  }
  if (auto bound = BindBf16Optimized(g, op)) return *std::move(bound);
  if (auto bound = BindTensorFamily(g, op)) return *std::move(bound);  // FP16, BF16
  return NoKernel(g, op,
                  absl::StrCat(", accumulator ", std::string(graph::DTypeName(attr.acc_type))));
}

absl::StatusOr<BoundStep> BindDepthwiseConv2d(const graph::Graph& g, const graph::Operator& op,
                                              const LoadTimeConstants& constants) {
  const auto& attr = std::get<graph::DepthwiseConv2dAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const graph::Tensor& weight = g.tensor(op.inputs[1]);
  const graph::Tensor& output = g.tensor(op.outputs[0]);
  const k::DepthwiseConv2dParams p = DepthwiseConv2dParamsOf(g, op);
  const TensorId in = op.inputs[0], w = op.inputs[1], b = op.inputs[2], izp = op.inputs[3],
                 wzp = op.inputs[4], o = op.outputs[0];
  const opt::TileKernels* tiles =
      opt::DepthwiseConv2dSupported(p) ? opt::SelectTileKernels() : nullptr;
  const int64_t weight_count = Elements(weight);
  // INT4 weights (EXT-INT4) are held unpacked as int8, so the INT8 kernels serve them.
  if (input.dtype == DType::kInt8 &&
      (weight.dtype == DType::kInt8 || weight.dtype == DType::kInt4) &&
      output.dtype == DType::kInt32 && attr.acc_type == DType::kInt32) {
    const int8_t* weight_data = ConstantData<int8_t>(constants, w, weight_count);
    const int8_t* weight_zp = ConstantData<int8_t>(constants, wzp, 1);
    if (tiles != nullptr && weight_data != nullptr && weight_zp != nullptr) {
      auto packed = constants.Pack<std::vector<int16_t>>(
          w, WeightPacking::kDepthwiseConv2dInt8, *weight_zp,
          [&] { return opt::PackDepthwiseInt8Weights(p, weight_data, *weight_zp); });
      return BoundStep([p, packed, tiles, in, b, izp, o](TensorData d) {
        k::DepthwiseConv2dParams q = p;
        q.input_zp = static_cast<int32_t>(ReadInt(d[izp], DType::kInt8));
        return FromKernel(opt::DepthwiseConv2dInt8Optimized(
            *tiles, q, packed->data(), In<int8_t>(d, in), In<int32_t>(d, b), Out<int32_t>(d, o)));
      });
    }
    return BoundStep([p, in, w, b, izp, wzp, o](TensorData d) {
      k::DepthwiseConv2dParams q = p;
      q.input_zp = static_cast<int32_t>(ReadInt(d[izp], DType::kInt8));
      q.weight_zp = static_cast<int32_t>(ReadInt(d[wzp], DType::kInt8));
      return FromKernel(k::DepthwiseConv2dInt8(q, In<int8_t>(d, in), In<int8_t>(d, w),
                                               In<int32_t>(d, b), Out<int32_t>(d, o)));
    });
  }
  if (input.dtype == DType::kInt16 && weight.dtype == DType::kInt8 &&
      output.dtype == DType::kInt48 && attr.acc_type == DType::kInt48) {
    return BoundStep([p, in, w, b, izp, wzp, o](TensorData d) {
      if (ReadInt(d[izp], DType::kInt16) != 0)
        return ZeroPointMustBeZero("input_zp", DType::kInt16);
      k::DepthwiseConv2dParams q = p;
      q.weight_zp = static_cast<int32_t>(ReadInt(d[wzp], DType::kInt8));
      return FromKernel(k::DepthwiseConv2dInt16(q, In<int16_t>(d, in), In<int8_t>(d, w),
                                                In<int64_t>(d, b), Out<int64_t>(d, o)));
    });
  }
  if (input.dtype == DType::kFp32 && weight.dtype == DType::kFp32 && output.dtype == DType::kFp32 &&
      attr.acc_type == DType::kFp32) {
    if (tiles != nullptr) {
      // With multiplier 1 the HWCM weights already are [taps][channels]: no packing.
      return BoundStep([p, tiles, in, w, b, izp, wzp, o](TensorData d) {
        if (ReadFp32(d[izp]) != 0.0f) return ZeroPointMustBeZero("input_zp", DType::kFp32);
        if (ReadFp32(d[wzp]) != 0.0f) return ZeroPointMustBeZero("weight_zp", DType::kFp32);
        opt::DepthwiseConv2dFp32Optimized(*tiles, p, In<float>(d, w), In<float>(d, in),
                                          In<float>(d, b), Out<float>(d, o));
        return absl::OkStatus();
      });
    }
    return BoundStep([p, in, w, b, izp, wzp, o](TensorData d) {
      if (ReadFp32(d[izp]) != 0.0f) return ZeroPointMustBeZero("input_zp", DType::kFp32);
      if (ReadFp32(d[wzp]) != 0.0f) return ZeroPointMustBeZero("weight_zp", DType::kFp32);
      k::DepthwiseConv2dFp32(p, In<float>(d, in), In<float>(d, w), In<float>(d, b),
                             Out<float>(d, o));
      return absl::OkStatus();
    });
  }
  if (auto bound = BindBf16Optimized(g, op)) return *std::move(bound);
  if (auto bound = BindTensorFamily(g, op)) return *std::move(bound);  // FP16, BF16
  return NoKernel(g, op,
                  absl::StrCat(", accumulator ", std::string(graph::DTypeName(attr.acc_type))));
}

absl::StatusOr<BoundStep> BindMatmul(const graph::Graph& g, const graph::Operator& op,
                                     const LoadTimeConstants& constants) {
  const graph::Tensor& a = g.tensor(op.inputs[0]);
  const graph::Tensor& b = g.tensor(op.inputs[1]);
  const graph::Tensor& output = g.tensor(op.outputs[0]);
  const k::MatmulParams p = MatmulParamsOf(g, op);
  const TensorId ia = op.inputs[0], ib = op.inputs[1], azp = op.inputs[2], bzp = op.inputs[3],
                 o = op.outputs[0];
  const opt::TileKernels* tiles = opt::SelectTileKernels();
  const int64_t b_count = Elements(b);
  if (a.dtype == DType::kInt8 && output.dtype == DType::kInt32) {
    if (tiles != nullptr && opt::MatmulInt8Supported(p)) {
      // B is packed here when it and its zero point are constants, else on every run.
      const int8_t* b_data = ConstantData<int8_t>(constants, ib, b_count);
      const int8_t* b_zp = ConstantData<int8_t>(constants, bzp, 1);
      std::shared_ptr<const opt::PackedInt8Matrix> packed;
      if (b_data != nullptr && b_zp != nullptr) {
        // With B packed, the kernel never reads the B operand.
        packed = constants.Pack<opt::PackedInt8Matrix>(ib, WeightPacking::kMatmulInt8, *b_zp, [&] {
          return opt::PackMatmulInt8B(*tiles, p, b_data, *b_zp);
        });
      }
      return BoundStep([p, packed, tiles, ia, ib, azp, bzp, o](TensorData d) {
        k::MatmulParams q = p;
        q.a_zp = static_cast<int32_t>(ReadInt(d[azp], DType::kInt8));
        q.b_zp = static_cast<int32_t>(ReadInt(d[bzp], DType::kInt8));
        return FromKernel(opt::MatmulInt8Optimized(*tiles, q, packed.get(), In<int8_t>(d, ia),
                                                   In<int8_t>(d, ib), Out<int32_t>(d, o)));
      });
    }
    return BoundStep([p, ia, ib, azp, bzp, o](TensorData d) {
      k::MatmulParams q = p;
      q.a_zp = static_cast<int32_t>(ReadInt(d[azp], DType::kInt8));
      q.b_zp = static_cast<int32_t>(ReadInt(d[bzp], DType::kInt8));
      return FromKernel(k::MatmulInt8(q, In<int8_t>(d, ia), In<int8_t>(d, ib), Out<int32_t>(d, o)));
    });
  }
  if (a.dtype == DType::kInt16 && output.dtype == DType::kInt48) {
    return BoundStep([p, ia, ib, azp, bzp, o](TensorData d) {
      if (ReadInt(d[azp], DType::kInt16) != 0) return ZeroPointMustBeZero("A_zp", DType::kInt16);
      if (ReadInt(d[bzp], DType::kInt16) != 0) return ZeroPointMustBeZero("B_zp", DType::kInt16);
      return FromKernel(
          k::MatmulInt16(p, In<int16_t>(d, ia), In<int16_t>(d, ib), Out<int64_t>(d, o)));
    });
  }
  if (a.dtype == DType::kFp32 && output.dtype == DType::kFp32) {
    if (tiles != nullptr) {
      const float* b_data = ConstantData<float>(constants, ib, b_count);
      std::shared_ptr<const opt::PackedFp32Matrix> packed;
      if (b_data != nullptr) {
        packed = constants.Pack<opt::PackedFp32Matrix>(
            ib, WeightPacking::kMatmulFp32, 0, [&] { return opt::PackMatmulFp32B(p, b_data); });
      }
      return BoundStep([p, packed, tiles, ia, ib, azp, bzp, o](TensorData d) {
        if (ReadFp32(d[azp]) != 0.0f) return ZeroPointMustBeZero("A_zp", DType::kFp32);
        if (ReadFp32(d[bzp]) != 0.0f) return ZeroPointMustBeZero("B_zp", DType::kFp32);
        opt::MatmulFp32Optimized(*tiles, p, packed.get(), In<float>(d, ia), In<float>(d, ib),
                                 Out<float>(d, o));
        return absl::OkStatus();
      });
    }
    return BoundStep([p, ia, ib, azp, bzp, o](TensorData d) {
      if (ReadFp32(d[azp]) != 0.0f) return ZeroPointMustBeZero("A_zp", DType::kFp32);
      if (ReadFp32(d[bzp]) != 0.0f) return ZeroPointMustBeZero("B_zp", DType::kFp32);
      k::MatmulFp32(p, In<float>(d, ia), In<float>(d, ib), Out<float>(d, o));
      return absl::OkStatus();
    });
  }
  if (auto bound = BindBf16Optimized(g, op)) return *std::move(bound);
  if (auto bound = BindTensorFamily(g, op)) return *std::move(bound);  // FP16, BF16
  return NoKernel(g, op);
}

// ------------------------------------------------------------------------------ pooling

absl::StatusOr<BoundStep> BindMaxPool2d(const graph::Graph& g, const graph::Operator& op) {
  const auto& attr = std::get<graph::MaxPool2dAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const k::Pool2dParams p = Pool2dParamsOf(attr, input, g.tensor(op.outputs[0]));
  const TensorId in = op.inputs[0], o = op.outputs[0];
  // The optimised versions give the same bits; the reference stays for INFERD_CPU_KERNELS.
  const bool optimized = opt::OptimizedKernelsEnabled();
  switch (input.dtype) {
    case DType::kInt8: {
      const auto kernel = optimized ? opt::MaxPool2dInt8 : k::MaxPool2dInt8;
      return BoundStep([p, in, o, kernel](TensorData d) {
        kernel(p, In<int8_t>(d, in), Out<int8_t>(d, o));
        return absl::OkStatus();
      });
    }
    case DType::kInt16: {
      const auto kernel = optimized ? opt::MaxPool2dInt16 : k::MaxPool2dInt16;
      return BoundStep([p, in, o, kernel](TensorData d) {
        kernel(p, In<int16_t>(d, in), Out<int16_t>(d, o));
        return absl::OkStatus();
      });
    }
    case DType::kFp32: {
      const k::NanMode nan_mode = ToKernel(attr.nan_mode);
      const auto kernel = optimized ? opt::MaxPool2dFp32 : k::MaxPool2dFp32;
      return BoundStep([p, in, o, nan_mode, kernel](TensorData d) {
        kernel(p, In<float>(d, in), Out<float>(d, o), nan_mode);
        return absl::OkStatus();
      });
    }
    default:
      if (auto bound = BindTensorFamily(g, op)) return *std::move(bound);  // FP16, BF16
      return NoKernel(g, op);
  }
}

absl::StatusOr<BoundStep> BindAvgPool2d(const graph::Graph& g, const graph::Operator& op) {
  const auto& attr = std::get<graph::AvgPool2dAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const k::Pool2dParams p = Pool2dParamsOf(attr, input, g.tensor(op.outputs[0]));
  const TensorId in = op.inputs[0], izp = op.inputs[1], ozp = op.inputs[2], o = op.outputs[0];
  const bool optimized = opt::OptimizedKernelsEnabled();
  if (input.dtype == DType::kInt8 && attr.acc_type == DType::kInt32) {
    const auto kernel =
        optimized && opt::AvgPool2dInt8Supported(p) ? opt::AvgPool2dInt8 : k::AvgPool2dInt8;
    return BoundStep([p, in, izp, ozp, o, kernel](TensorData d) {
      k::Pool2dParams q = p;
      q.input_zp = static_cast<int32_t>(ReadInt(d[izp], DType::kInt8));
      q.output_zp = static_cast<int32_t>(ReadInt(d[ozp], DType::kInt8));
      return FromKernel(kernel(q, In<int8_t>(d, in), Out<int8_t>(d, o)));
    });
  }
  if (input.dtype == DType::kInt16 && attr.acc_type == DType::kInt32) {
    return BoundStep([p, in, izp, ozp, o](TensorData d) {
      if (ReadInt(d[izp], DType::kInt16) != 0)
        return ZeroPointMustBeZero("input_zp", DType::kInt16);
      if (ReadInt(d[ozp], DType::kInt16) != 0) {
        return ZeroPointMustBeZero("output_zp", DType::kInt16);
      }
      return FromKernel(k::AvgPool2dInt16(p, In<int16_t>(d, in), Out<int16_t>(d, o)));
    });
  }
  if (input.dtype == DType::kFp32 && attr.acc_type == DType::kFp32) {
    const auto kernel = optimized ? opt::AvgPool2dFp32 : k::AvgPool2dFp32;
    return BoundStep([p, in, izp, ozp, o, kernel](TensorData d) {
      if (ReadFp32(d[izp]) != 0.0f) return ZeroPointMustBeZero("input_zp", DType::kFp32);
      if (ReadFp32(d[ozp]) != 0.0f) return ZeroPointMustBeZero("output_zp", DType::kFp32);
      kernel(p, In<float>(d, in), Out<float>(d, o));
      return absl::OkStatus();
    });
  }
  if (auto bound = BindTensorFamily(g, op)) return *std::move(bound);  // FP16, BF16
  return NoKernel(g, op,
                  absl::StrCat(", accumulator ", std::string(graph::DTypeName(attr.acc_type))));
}

// ------------------------------------------------------------------------------ elementwise

k::BroadcastShape MakeBroadcastShape(const graph::Tensor& a, const graph::Tensor& b,
                                     const graph::Tensor& out) {
  k::BroadcastShape s;
  s.rank = static_cast<int32_t>(out.shape.size());
  for (int32_t i = 0; i < s.rank; ++i) {
    s.output_dims[i] = Dim(out, i);
    s.input1_dims[i] = Dim(a, i);
    s.input2_dims[i] = Dim(b, i);
  }
  return s;
}

absl::StatusOr<BoundStep> BindAddSub(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& a = g.tensor(op.inputs[0]);
  const k::BroadcastShape s =
      MakeBroadcastShape(a, g.tensor(op.inputs[1]), g.tensor(op.outputs[0]));
  const TensorId ia = op.inputs[0], ib = op.inputs[1], o = op.outputs[0];
  const bool add = op.op == Op::kAdd;
  // The optimised kernels compute the same elements (see elementwise_optimized.h).
  const opt::ElementwiseOp optimized_op = add ? opt::ElementwiseOp::kAdd : opt::ElementwiseOp::kSub;
  const bool optimized = opt::OptimizedKernelsEnabled();
  if (a.dtype == DType::kInt32 && optimized) {
    return BoundStep([s, ia, ib, o, optimized_op](TensorData d) {
      return FromKernel(opt::ElementwiseInt32(optimized_op, s, In<int32_t>(d, ia),
                                              In<int32_t>(d, ib), Out<int32_t>(d, o)));
    });
  }
  if (a.dtype == DType::kFp32 && optimized) {
    return BoundStep([s, ia, ib, o, optimized_op](TensorData d) {
      opt::ElementwiseFp32(optimized_op, k::NanMode::kPropagate, s, In<float>(d, ia),
                           In<float>(d, ib), Out<float>(d, o));
      return absl::OkStatus();
    });
  }
  if (a.dtype == DType::kInt32) {
    return BoundStep([s, ia, ib, o, add](TensorData d) {
      return FromKernel(
          add ? k::AddInt32(s, In<int32_t>(d, ia), In<int32_t>(d, ib), Out<int32_t>(d, o))
              : k::SubInt32(s, In<int32_t>(d, ia), In<int32_t>(d, ib), Out<int32_t>(d, o)));
    });
  }
  if (a.dtype == DType::kFp32) {
    return BoundStep([s, ia, ib, o, add](TensorData d) {
      (add ? k::AddFp32 : k::SubFp32)(s, In<float>(d, ia), In<float>(d, ib), Out<float>(d, o));
      return absl::OkStatus();
    });
  }
  if (auto bound = BindElementwiseFamily(g, op)) return *std::move(bound);  // FP16, BF16
  return NoKernel(g, op);
}

absl::StatusOr<BoundStep> BindMul(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& a = g.tensor(op.inputs[0]);
  const k::BroadcastShape s =
      MakeBroadcastShape(a, g.tensor(op.inputs[1]), g.tensor(op.outputs[0]));
  const TensorId ia = op.inputs[0], ib = op.inputs[1], shift = op.inputs[2], o = op.outputs[0];
  auto shift_must_be_zero = [](TensorData d, TensorId id) -> absl::Status {
    if (ReadInt(d[id], DType::kInt8) == 0) return absl::OkStatus();
    return absl::OutOfRangeError("shift must be 0 unless the inputs are INT32");
  };
  switch (a.dtype) {
    case DType::kInt8:
      return BoundStep([s, ia, ib, shift, o, shift_must_be_zero](TensorData d) {
        if (absl::Status st = shift_must_be_zero(d, shift); !st.ok()) return st;
        k::MulInt8(s, In<int8_t>(d, ia), In<int8_t>(d, ib), Out<int32_t>(d, o));
        return absl::OkStatus();
      });
    case DType::kInt16:
      return BoundStep([s, ia, ib, shift, o, shift_must_be_zero](TensorData d) {
        if (absl::Status st = shift_must_be_zero(d, shift); !st.ok()) return st;
        k::MulInt16(s, In<int16_t>(d, ia), In<int16_t>(d, ib), Out<int32_t>(d, o));
        return absl::OkStatus();
      });
    case DType::kInt32:
      return BoundStep([s, ia, ib, shift, o](TensorData d) {
        const auto amount = static_cast<int32_t>(ReadInt(d[shift], DType::kInt8));
        return FromKernel(
            k::MulInt32(s, In<int32_t>(d, ia), In<int32_t>(d, ib), amount, Out<int32_t>(d, o)));
      });
    case DType::kFp32:
      if (opt::OptimizedKernelsEnabled()) {
        return BoundStep([s, ia, ib, o](TensorData d) {
          opt::ElementwiseFp32(opt::ElementwiseOp::kMul, k::NanMode::kPropagate, s,
                               In<float>(d, ia), In<float>(d, ib), Out<float>(d, o));
          return absl::OkStatus();
        });
      }
      return BoundStep([s, ia, ib, o](TensorData d) {
        k::MulFp32(s, In<float>(d, ia), In<float>(d, ib), Out<float>(d, o));
        return absl::OkStatus();
      });
    default:
      if (auto bound = BindElementwiseFamily(g, op)) return *std::move(bound);  // FP16, BF16
      return NoKernel(g, op);
  }
}

absl::StatusOr<BoundStep> BindClamp(const graph::Graph& g, const graph::Operator& op) {
  const auto& attr = std::get<graph::ClampAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const int64_t count = Elements(input);
  const TensorId in = op.inputs[0], o = op.outputs[0];
  const bool optimized = opt::OptimizedKernelsEnabled();
  switch (input.dtype) {
    case DType::kInt8: {
      const auto lo = static_cast<int8_t>(attr.min_val[0]);
      const auto hi = static_cast<int8_t>(attr.max_val[0]);
      const auto kernel = optimized ? opt::ClampInt8 : k::ClampInt8;
      return BoundStep([in, o, count, lo, hi, kernel](TensorData d) {
        kernel(In<int8_t>(d, in), Out<int8_t>(d, o), count, lo, hi);
        return absl::OkStatus();
      });
    }
    case DType::kInt16: {
      int16_t lo, hi;
      std::memcpy(&lo, attr.min_val.data(), sizeof lo);
      std::memcpy(&hi, attr.max_val.data(), sizeof hi);
      const auto kernel = optimized ? opt::ClampInt16 : k::ClampInt16;
      return BoundStep([in, o, count, lo, hi, kernel](TensorData d) {
        kernel(In<int16_t>(d, in), Out<int16_t>(d, o), count, lo, hi);
        return absl::OkStatus();
      });
    }
    case DType::kFp32: {
      const float lo = ReadFp32(attr.min_val.data());
      const float hi = ReadFp32(attr.max_val.data());
      const k::NanMode nan_mode = ToKernel(attr.nan_mode);
      const auto kernel = optimized ? opt::ClampFp32 : k::ClampFp32;
      return BoundStep([in, o, count, lo, hi, nan_mode, kernel](TensorData d) {
        kernel(In<float>(d, in), Out<float>(d, o), count, lo, hi, nan_mode);
        return absl::OkStatus();
      });
    }
    default:
      if (auto bound = BindElementwiseFamily(g, op)) return *std::move(bound);  // FP16, BF16
      return NoKernel(g, op);
  }
}

absl::StatusOr<BoundStep> BindTable(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const int64_t count = Elements(input);
  const TensorId in = op.inputs[0], table = op.inputs[1], o = op.outputs[0];
  if (input.dtype == DType::kInt8) {
    return BoundStep([in, table, o, count](TensorData d) {
      k::TableInt8(In<int8_t>(d, in), Out<int8_t>(d, o), count, In<int8_t>(d, table));
      return absl::OkStatus();
    });
  }
  if (input.dtype == DType::kInt16) {
    return BoundStep([in, table, o, count](TensorData d) {
      return FromKernel(
          k::TableInt16(In<int16_t>(d, in), Out<int32_t>(d, o), count, In<int16_t>(d, table)));
    });
  }
  return NoKernel(g, op);
}

// ------------------------------------------------------------------------------ RESCALE

template <typename InT, typename OutT>
BoundStep RescaleStep(const k::RescaleParams& p, DType in_dtype, DType out_dtype,
                      const graph::Operator& op) {
  const TensorId in = op.inputs[0], multiplier = op.inputs[1], shift = op.inputs[2],
                 izp = op.inputs[3], ozp = op.inputs[4], o = op.outputs[0];
  const opt::RescaleKernels* vector = opt::SelectRescaleKernels();
  return [p, vector, in_dtype, out_dtype, in, multiplier, shift, izp, ozp, o](TensorData d) {
    k::RescaleParams q = p;
    if (q.scale32) {
      q.multiplier32 = In<int32_t>(d, multiplier);
    } else {
      q.multiplier16 = In<int16_t>(d, multiplier);
    }
    q.shift = In<int8_t>(d, shift);
    q.input_zp = static_cast<int32_t>(ReadInt(d[izp], in_dtype));
    q.output_zp = static_cast<int32_t>(ReadInt(d[ozp], out_dtype));
    if (vector != nullptr) {
      return FromKernel(
          opt::RescaleOptimized<InT, OutT>(*vector, q, In<InT>(d, in), Out<OutT>(d, o)));
    }
    return FromKernel(k::Rescale<InT, OutT>(q, In<InT>(d, in), Out<OutT>(d, o)));
  };
}

template <typename InT>
absl::StatusOr<BoundStep> RescaleForInput(const graph::Graph& g, const graph::Operator& op,
                                          const k::RescaleParams& p, DType in_dtype) {
  const DType out_dtype = g.tensor(op.outputs[0]).dtype;
  switch (out_dtype) {
    case DType::kInt8:
      return RescaleStep<InT, int8_t>(p, in_dtype, out_dtype, op);
    case DType::kInt16:
      return RescaleStep<InT, int16_t>(p, in_dtype, out_dtype, op);
    case DType::kInt32:
      return RescaleStep<InT, int32_t>(p, in_dtype, out_dtype, op);
    default:
      return NoKernel(g, op);
  }
}

absl::StatusOr<BoundStep> BindRescale(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const std::optional<k::RescaleParams> p = RescaleParamsOf(g, op);
  if (!p) return NoKernel(g, op, ", rounding mode UNKNOWN");
  switch (input.dtype) {
    case DType::kInt8:
      return RescaleForInput<int8_t>(g, op, *p, input.dtype);
    case DType::kInt16:
      return RescaleForInput<int16_t>(g, op, *p, input.dtype);
    case DType::kInt32:
      return RescaleForInput<int32_t>(g, op, *p, input.dtype);
    case DType::kInt48:
      return RescaleForInput<int64_t>(g, op, *p, input.dtype);
    default:
      return NoKernel(g, op);
  }
}

// ------------------------------------------------------------------------------ data movement

absl::StatusOr<BoundStep> BindCopy(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& output = g.tensor(op.outputs[0]);
  const size_t element_bytes = StorageElementBytes(output.dtype);
  if (element_bytes == 0) return NoKernel(g, op);
  const int64_t bytes = Elements(output) * static_cast<int64_t>(element_bytes);
  const TensorId in = op.inputs[0], o = op.outputs[0];
  return BoundStep([in, o, bytes](TensorData d) {
    k::Reshape(d[in], d[o], bytes);
    return absl::OkStatus();
  });
}

absl::StatusOr<BoundStep> BindTranspose(const graph::Graph& g, const graph::Operator& op) {
  const auto& attr = std::get<graph::TransposeAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const size_t element_bytes = StorageElementBytes(input.dtype);
  if (element_bytes == 0) return NoKernel(g, op);
  k::TransposeParams p;
  p.rank = static_cast<int32_t>(input.shape.size());
  for (int32_t i = 0; i < p.rank; ++i) {
    p.input_dims[i] = Dim(input, i);
    p.perms[i] = attr.perms[i];
  }
  const auto size = static_cast<int32_t>(element_bytes);
  const TensorId in = op.inputs[0], o = op.outputs[0];
  return BoundStep(
      [p, in, o, size](TensorData d) { return FromKernel(k::Transpose(p, d[in], d[o], size)); });
}

}  // namespace

size_t StorageElementBytes(DType dtype) {
  switch (dtype) {
    case DType::kBool:
    case DType::kInt4:  // unpacked, one int8_t an element (constant_layout.h)
    case DType::kInt8:
    case DType::kFp8E4M3:
    case DType::kFp8E5M2:
      return 1;
    case DType::kInt16:
    case DType::kFp16:
    case DType::kBf16:
      return 2;
    case DType::kInt32:
    case DType::kFp32:
      return 4;
    case DType::kInt48:
      return 8;
    default:
      return 0;
  }
}

absl::StatusOr<BoundStep> BindOperator(const graph::Graph& graph, const graph::Operator& op) {
  return BindOperator(graph, op, LoadTimeConstants(graph));
}

absl::StatusOr<BoundStep> BindOperator(const graph::Graph& graph, const graph::Operator& op,
                                       const LoadTimeConstants& constants) {
  for (TensorId id : op.inputs) {
    if (!DimsFitInt32(graph.tensor(id))) return NoKernel(graph, op, " (a dimension beyond 2^31)");
  }
  for (TensorId id : op.outputs) {
    if (!DimsFitInt32(graph.tensor(id))) return NoKernel(graph, op, " (a dimension beyond 2^31)");
  }
  switch (op.op) {
    case Op::kConst:
    case Op::kConstShape:
      return BoundStep();
    case Op::kConv2d:
      return BindConv2d(graph, op, constants);
    case Op::kDepthwiseConv2d:
      return BindDepthwiseConv2d(graph, op, constants);
    case Op::kMatMul:
      return BindMatmul(graph, op, constants);
    case Op::kMaxPool2d:
      return BindMaxPool2d(graph, op);
    case Op::kAvgPool2d:
      return BindAvgPool2d(graph, op);
    case Op::kAdd:
    case Op::kSub:
      return BindAddSub(graph, op);
    case Op::kMul:
      return BindMul(graph, op);
    case Op::kClamp:
      return BindClamp(graph, op);
    case Op::kTable:
      return BindTable(graph, op);
    case Op::kRescale:
      return BindRescale(graph, op);
    case Op::kReshape:
    case Op::kIdentity:
      return BindCopy(graph, op);
    case Op::kTranspose:
      return BindTranspose(graph, op);
    case Op::kCustom:
      return BindCustomOperator(graph, op);
    default:
      break;
  }
  for (FamilyBinder family : kOperatorFamilies) {
    if (auto bound = family(graph, op)) return *std::move(bound);
  }
  return NoKernel(graph, op);
}

}  // namespace inferd::cpu

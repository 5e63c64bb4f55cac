// Binds the elementwise operator family (see binding_families.h): unary, binary and ternary
// elementwise operators, comparisons, logical and bitwise operators, SIGMOID/TANH/ERF and CAST.
// ADD, SUB and MUL of int32/fp32 (and integer MUL) are bound in kernel_binding.cc, which hands
// the other element types of those operators here.
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>
#include <variant>

#include "backends/cpu/binding_families.h"
#include "backends/cpu/binding_support.h"
#include "backends/cpu/kernels/activation.h"
#include "backends/cpu/kernels/bitwise_shift.h"
#include "backends/cpu/kernels/broadcast.h"
#include "backends/cpu/kernels/cast.h"
#include "backends/cpu/kernels/clamp.h"
#include "backends/cpu/kernels/comparison.h"
#include "backends/cpu/kernels/elementwise_arithmetic.h"
#include "backends/cpu/kernels/elementwise_unary.h"
#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/logical.h"
#include "backends/cpu/kernels/optimized/elementwise_optimized.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"
#include "backends/cpu/kernels/select.h"

namespace inferd::cpu {
namespace {

namespace opt = ::inferd::cpu::kernels::optimized;

using graph::DType;
using graph::Op;
using graph::TensorId;

using Bound = std::optional<absl::StatusOr<BoundStep>>;

// Calls make.template operator()<T>() with T the kernel element type of `dtype`, for the float
// types; nullopt for other types.
template <typename Make>
std::optional<BoundStep> ByFloatType(DType dtype, Make&& make) {
  switch (dtype) {
    case DType::kFp32:
      return make.template operator()<float>();
    case DType::kFp16:
      return make.template operator()<k::Fp16>();
    case DType::kBf16:
      return make.template operator()<k::Bf16>();
    default:
      return std::nullopt;
  }
}

// The same for the two FP8 types, which only CAST and a few data-movement operators take.
template <typename Make>
std::optional<BoundStep> ByFp8Type(DType dtype, Make&& make) {
  switch (dtype) {
    case DType::kFp8E4M3:
      return make.template operator()<k::Fp8E4M3>();
    case DType::kFp8E5M2:
      return make.template operator()<k::Fp8E5M2>();
    default:
      return std::nullopt;
  }
}

// The same for INT8, INT16 and INT32.
template <typename Make>
std::optional<BoundStep> ByIntType(DType dtype, Make&& make) {
  switch (dtype) {
    case DType::kInt8:
      return make.template operator()<int8_t>();
    case DType::kInt16:
      return make.template operator()<int16_t>();
    case DType::kInt32:
      return make.template operator()<int32_t>();
    default:
      return std::nullopt;
  }
}

// The element types CAST converts between, BOOL excepted.
template <typename Make>
std::optional<BoundStep> ByNumericType(DType dtype, Make&& make) {
  if (auto step = ByIntType(dtype, make)) return step;
  return ByFloatType(dtype, make);
}

Bound Result(std::optional<BoundStep> step, const graph::Graph& g, const graph::Operator& op) {
  if (step.has_value()) return absl::StatusOr<BoundStep>(*std::move(step));
  return absl::StatusOr<BoundStep>(NoKernel(g, op));
}

k::BroadcastShape BinaryShape(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& a = g.tensor(op.inputs[0]);
  const graph::Tensor& b = g.tensor(op.inputs[1]);
  const graph::Tensor& out = g.tensor(op.outputs[0]);
  k::BroadcastShape s;
  s.rank = static_cast<int32_t>(out.shape.size());
  for (int32_t i = 0; i < s.rank; ++i) {
    s.output_dims[i] = Dim(out, i);
    s.input1_dims[i] = Dim(a, i);
    s.input2_dims[i] = Dim(b, i);
  }
  return s;
}

absl::Status Done() { return absl::OkStatus(); }

// ------------------------------------------------------------------------------ binary

Bound BindFloatBinary(const graph::Graph& g, const graph::Operator& op, k::FloatBinaryOp kop,
                      k::NanMode nan_mode = k::NanMode::kPropagate) {
  const k::BroadcastShape s = BinaryShape(g, op);
  const TensorId a = op.inputs[0], b = op.inputs[1], o = op.outputs[0];
  return Result(ByFloatType(g.tensor(a).dtype,
                            [&]<typename T>() -> BoundStep {
                              return [kop, nan_mode, s, a, b, o](TensorData d) {
                                k::FloatBinary<T>(kop, nan_mode, s, In<T>(d, a), In<T>(d, b),
                                                  Out<T>(d, o));
                                return Done();
                              };
                            }),
                g, op);
}

Bound BindMinMax(const graph::Graph& g, const graph::Operator& op) {
  const bool maximum = op.op == Op::kMaximum;
  const graph::NanMode mode = maximum ? std::get<graph::MaximumAttr>(op.attribute).nan_mode
                                      : std::get<graph::MinimumAttr>(op.attribute).nan_mode;
  const DType type = g.tensor(op.inputs[0]).dtype;
  if ((type == DType::kInt32 || type == DType::kFp32) && opt::OptimizedKernelsEnabled()) {
    // The same elements as the reference (see elementwise_optimized.h), vectorised.
    const k::BroadcastShape s = BinaryShape(g, op);
    const TensorId a = op.inputs[0], b = op.inputs[1], o = op.outputs[0];
    const opt::ElementwiseOp eop =
        maximum ? opt::ElementwiseOp::kMaximum : opt::ElementwiseOp::kMinimum;
    if (type == DType::kInt32) {
      return absl::StatusOr<BoundStep>([s, a, b, o, eop](TensorData d) {
        return FromKernel(opt::ElementwiseInt32(eop, s, In<int32_t>(d, a), In<int32_t>(d, b),
                                                Out<int32_t>(d, o)));
      });
    }
    const k::NanMode nan_mode = ToKernel(mode);
    return absl::StatusOr<BoundStep>([s, a, b, o, eop, nan_mode](TensorData d) {
      opt::ElementwiseFp32(eop, nan_mode, s, In<float>(d, a), In<float>(d, b), Out<float>(d, o));
      return Done();
    });
  }
  if (type == DType::kInt32) {
    const k::BroadcastShape s = BinaryShape(g, op);
    const TensorId a = op.inputs[0], b = op.inputs[1], o = op.outputs[0];
    return absl::StatusOr<BoundStep>([s, a, b, o, maximum](TensorData d) {
      (maximum ? k::MaximumInt32 : k::MinimumInt32)(s, In<int32_t>(d, a), In<int32_t>(d, b),
                                                    Out<int32_t>(d, o));
      return Done();
    });
  }
  return BindFloatBinary(g, op, maximum ? k::FloatBinaryOp::kMaximum : k::FloatBinaryOp::kMinimum,
                         ToKernel(mode));
}

Bound BindIntDiv(const graph::Graph& g, const graph::Operator& op) {
  if (g.tensor(op.inputs[0]).dtype != DType::kInt32) {
    return absl::StatusOr<BoundStep>(NoKernel(g, op));
  }
  const k::BroadcastShape s = BinaryShape(g, op);
  const TensorId a = op.inputs[0], b = op.inputs[1], o = op.outputs[0];
  return absl::StatusOr<BoundStep>([s, a, b, o](TensorData d) {
    return FromKernel(k::IntDivInt32(s, In<int32_t>(d, a), In<int32_t>(d, b), Out<int32_t>(d, o)));
  });
}

Bound BindBitwiseBinary(const graph::Graph& g, const graph::Operator& op, k::BitwiseOp kop) {
  const k::BroadcastShape s = BinaryShape(g, op);
  const TensorId a = op.inputs[0], b = op.inputs[1], o = op.outputs[0];
  return Result(ByIntType(g.tensor(a).dtype,
                          [&]<typename T>() -> BoundStep {
                            return [kop, s, a, b, o](TensorData d) {
                              k::BitwiseBinary<T>(kop, s, In<T>(d, a), In<T>(d, b), Out<T>(d, o));
                              return Done();
                            };
                          }),
                g, op);
}

Bound BindShift(const graph::Graph& g, const graph::Operator& op) {
  const k::BroadcastShape s = BinaryShape(g, op);
  const TensorId a = op.inputs[0], b = op.inputs[1], o = op.outputs[0];
  const Op which = op.op;
  const bool round = which == Op::kArithmeticRightShift &&
                     std::get<graph::ArithmeticRightShiftAttr>(op.attribute).round;
  return Result(
      ByIntType(g.tensor(a).dtype,
                [&]<typename T>() -> BoundStep {
                  return [which, round, s, a, b, o](TensorData d) {
                    const T* x = In<T>(d, a);
                    const T* y = In<T>(d, b);
                    T* out = Out<T>(d, o);
                    switch (which) {
                      case Op::kLogicalLeftShift:
                        return FromKernel(k::LogicalLeftShift<T>(s, x, y, out));
                      case Op::kLogicalRightShift:
                        return FromKernel(k::LogicalRightShift<T>(s, x, y, out));
                      default:
                        return FromKernel(k::ArithmeticRightShift<T>(s, x, y, round, out));
                    }
                  };
                }),
      g, op);
}

Bound BindLogicalBinary(const graph::Graph& g, const graph::Operator& op, k::LogicalOp kop) {
  if (g.tensor(op.inputs[0]).dtype != DType::kBool) {
    return absl::StatusOr<BoundStep>(NoKernel(g, op));
  }
  const k::BroadcastShape s = BinaryShape(g, op);
  const TensorId a = op.inputs[0], b = op.inputs[1], o = op.outputs[0];
  return absl::StatusOr<BoundStep>([kop, s, a, b, o](TensorData d) {
    k::LogicalBinary(kop, s, In<uint8_t>(d, a), In<uint8_t>(d, b), Out<uint8_t>(d, o));
    return Done();
  });
}

Bound BindCompare(const graph::Graph& g, const graph::Operator& op, k::CompareOp kop) {
  const k::BroadcastShape s = BinaryShape(g, op);
  const TensorId a = op.inputs[0], b = op.inputs[1], o = op.outputs[0];
  auto make = [&]<typename T>() -> BoundStep {
    return [kop, s, a, b, o](TensorData d) {
      k::Compare<T>(kop, s, In<T>(d, a), In<T>(d, b), Out<uint8_t>(d, o));
      return Done();
    };
  };
  const DType dtype = g.tensor(a).dtype;
  if (dtype == DType::kInt32) return Result(make.template operator()<int32_t>(), g, op);
  return Result(ByFloatType(dtype, make), g, op);
}

// ------------------------------------------------------------------------------ unary

Bound BindFloatUnary(const graph::Graph& g, const graph::Operator& op, k::FloatUnaryOp kop) {
  const int64_t count = Elements(g.tensor(op.inputs[0]));
  const TensorId in = op.inputs[0], o = op.outputs[0];
  return Result(ByFloatType(g.tensor(in).dtype,
                            [&]<typename T>() -> BoundStep {
                              return [kop, count, in, o](TensorData d) {
                                k::FloatUnary<T>(kop, In<T>(d, in), Out<T>(d, o), count);
                                return Done();
                              };
                            }),
                g, op);
}

Bound BindActivation(const graph::Graph& g, const graph::Operator& op, k::ActivationOp kop) {
  const int64_t count = Elements(g.tensor(op.inputs[0]));
  const TensorId in = op.inputs[0], o = op.outputs[0];
  return Result(ByFloatType(g.tensor(in).dtype,
                            [&]<typename T>() -> BoundStep {
                              return [kop, count, in, o](TensorData d) {
                                k::Activation<T>(kop, In<T>(d, in), Out<T>(d, o), count);
                                return Done();
                              };
                            }),
                g, op);
}

Bound BindAbs(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  if (input.dtype != DType::kInt32) return BindFloatUnary(g, op, k::FloatUnaryOp::kAbs);
  const int64_t count = Elements(input);
  const TensorId in = op.inputs[0], o = op.outputs[0];
  return absl::StatusOr<BoundStep>([count, in, o](TensorData d) {
    return FromKernel(k::AbsInt32(In<int32_t>(d, in), Out<int32_t>(d, o), count));
  });
}

Bound BindIntUnary(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const int64_t count = Elements(input);
  const TensorId in = op.inputs[0], o = op.outputs[0];
  switch (op.op) {
    case Op::kClz:
      if (input.dtype != DType::kInt32) return absl::StatusOr<BoundStep>(NoKernel(g, op));
      return absl::StatusOr<BoundStep>([count, in, o](TensorData d) {
        k::CountLeadingZeros(In<int32_t>(d, in), Out<int32_t>(d, o), count);
        return Done();
      });
    case Op::kLogicalNot:
      if (input.dtype != DType::kBool) return absl::StatusOr<BoundStep>(NoKernel(g, op));
      return absl::StatusOr<BoundStep>([count, in, o](TensorData d) {
        k::LogicalNot(In<uint8_t>(d, in), Out<uint8_t>(d, o), count);
        return Done();
      });
    default:  // BITWISE_NOT
      return Result(ByIntType(input.dtype,
                              [&]<typename T>() -> BoundStep {
                                return [count, in, o](TensorData d) {
                                  k::BitwiseNot<T>(In<T>(d, in), Out<T>(d, o), count);
                                  return Done();
                                };
                              }),
                    g, op);
  }
}

// True when the one-element float operand at `p` is zero (either sign).
bool FloatOperandIsZero(const uint8_t* p, DType dtype) {
  if (dtype == DType::kFp32) return ReadFp32(p) == 0.0f;
  uint16_t bits;
  std::memcpy(&bits, p, sizeof bits);
  return (bits & 0x7fff) == 0;
}

Bound BindNegate(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const DType dtype = input.dtype;
  const int64_t count = Elements(input);
  const TensorId in = op.inputs[0], izp = op.inputs[1], ozp = op.inputs[2], o = op.outputs[0];
  if (std::optional<BoundStep> step = ByIntType(dtype, [&]<typename T>() -> BoundStep {
        return [dtype, count, in, izp, ozp, o](TensorData d) {
          const int64_t input_zp = ReadInt(d[izp], dtype);
          const int64_t output_zp = ReadInt(d[ozp], dtype);
          if (dtype != DType::kInt8) {
            if (input_zp != 0) return ZeroPointMustBeZero("input1_zp", dtype);
            if (output_zp != 0) return ZeroPointMustBeZero("output_zp", dtype);
          }
          return FromKernel(k::NegateInt<T>(In<T>(d, in), Out<T>(d, o), count,
                                            static_cast<int32_t>(input_zp),
                                            static_cast<int32_t>(output_zp)));
        };
      })) {
    return absl::StatusOr<BoundStep>(*std::move(step));
  }
  return Result(ByFloatType(dtype,
                            [&]<typename T>() -> BoundStep {
                              return [dtype, count, in, izp, ozp, o](TensorData d) {
                                if (!FloatOperandIsZero(d[izp], dtype)) {
                                  return ZeroPointMustBeZero("input1_zp", dtype);
                                }
                                if (!FloatOperandIsZero(d[ozp], dtype)) {
                                  return ZeroPointMustBeZero("output_zp", dtype);
                                }
                                k::FloatUnary<T>(k::FloatUnaryOp::kNegate, In<T>(d, in),
                                                 Out<T>(d, o), count);
                                return Done();
                              };
                            }),
                g, op);
}

// ------------------------------------------------------------------------------ SELECT, CAST

Bound BindSelect(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& condition = g.tensor(op.inputs[0]);
  const graph::Tensor& on_true = g.tensor(op.inputs[1]);
  const graph::Tensor& on_false = g.tensor(op.inputs[2]);
  const graph::Tensor& output = g.tensor(op.outputs[0]);
  const auto element_size = static_cast<int32_t>(StorageElementBytes(output.dtype));
  if (condition.dtype != DType::kBool ||
      (element_size != 1 && element_size != 2 && element_size != 4)) {
    return absl::StatusOr<BoundStep>(NoKernel(g, op));
  }
  k::SelectShape s;
  s.rank = static_cast<int32_t>(output.shape.size());
  for (int32_t i = 0; i < s.rank; ++i) {
    s.output_dims[i] = Dim(output, i);
    s.condition_dims[i] = Dim(condition, i);
    s.on_true_dims[i] = Dim(on_true, i);
    s.on_false_dims[i] = Dim(on_false, i);
  }
  const TensorId c = op.inputs[0], t = op.inputs[1], f = op.inputs[2], o = op.outputs[0];
  return absl::StatusOr<BoundStep>([s, c, t, f, o, element_size](TensorData d) {
    return FromKernel(k::Select(s, In<uint8_t>(d, c), d[t], d[f], d[o], element_size));
  });
}

bool IsFp8(DType dtype) { return dtype == DType::kFp8E4M3 || dtype == DType::kFp8E5M2; }

Bound BindCast(const graph::Graph& g, const graph::Operator& op) {
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  const int64_t count = Elements(input);
  const DType in_type = input.dtype;
  const DType out_type = g.tensor(op.outputs[0]).dtype;
  const TensorId in = op.inputs[0], o = op.outputs[0];
  std::optional<BoundStep> step;
  if (in_type == DType::kBool && out_type == DType::kBool) {
    step = [count, in, o](TensorData d) {
      // Reading the bytes as int8 makes CAST normalise any non-zero byte to 1.
      k::CastToBool<int8_t>(In<int8_t>(d, in), Out<uint8_t>(d, o), count);
      return Done();
    };
  } else if (in_type == DType::kBool) {
    step = ByNumericType(out_type, [&]<typename OutT>() -> BoundStep {
      return [count, in, o](TensorData d) {
        k::CastFromBool<OutT>(In<uint8_t>(d, in), Out<OutT>(d, o), count);
        return Done();
      };
    });
  } else if (out_type == DType::kBool) {
    step = ByNumericType(in_type, [&]<typename InT>() -> BoundStep {
      return [count, in, o](TensorData d) {
        k::CastToBool<InT>(In<InT>(d, in), Out<uint8_t>(d, o), count);
        return Done();
      };
    });
  } else if (IsFp8(in_type) || IsFp8(out_type)) {
    // FP8 converts to and from FP16, BF16 and FP32 only.
    const DType fp8_type = IsFp8(in_type) ? in_type : out_type;
    const DType other_type = IsFp8(in_type) ? out_type : in_type;
    step = ByFp8Type(fp8_type, [&]<typename Fp8T>() -> BoundStep {
      std::optional<BoundStep> inner = ByFloatType(other_type, [&]<typename FloatT>() -> BoundStep {
        if (IsFp8(in_type)) {
          return [count, in, o](TensorData d) {
            return FromKernel(k::Cast<Fp8T, FloatT>(In<Fp8T>(d, in), Out<FloatT>(d, o), count));
          };
        }
        return [count, in, o](TensorData d) {
          return FromKernel(k::Cast<FloatT, Fp8T>(In<FloatT>(d, in), Out<Fp8T>(d, o), count));
        };
      });
      return inner.has_value() ? *std::move(inner) : BoundStep();
    });
    if (step.has_value() && !*step) step.reset();
  } else {
    step = ByNumericType(in_type, [&]<typename InT>() -> BoundStep {
      std::optional<BoundStep> inner = ByNumericType(out_type, [&]<typename OutT>() -> BoundStep {
        return [count, in, o](TensorData d) {
          return FromKernel(k::Cast<InT, OutT>(In<InT>(d, in), Out<OutT>(d, o), count));
        };
      });
      return inner.has_value() ? *std::move(inner) : BoundStep();
    });
    // An empty step means the output type has no kernel.
    if (step.has_value() && !*step) step.reset();
  }
  return Result(std::move(step), g, op);
}

// CLAMP on FP16 / BF16 (INT8, INT16 and FP32 are bound in kernel_binding.cc). The bounds must not
// be NaN and min_val must not exceed max_val (ERROR_IF in the specification).
absl::StatusOr<BoundStep> BindClampFloat16(const graph::Graph& g, const graph::Operator& op) {
  const auto& attr = std::get<graph::ClampAttr>(op.attribute);
  const graph::Tensor& input = g.tensor(op.inputs[0]);
  if (input.dtype != DType::kFp16 && input.dtype != DType::kBf16) return NoKernel(g, op);
  uint16_t lo_bits, hi_bits;
  std::memcpy(&lo_bits, attr.min_val.data(), sizeof lo_bits);
  std::memcpy(&hi_bits, attr.max_val.data(), sizeof hi_bits);
  const bool fp16 = input.dtype == DType::kFp16;
  const double lo = fp16 ? k::Widen(k::Fp16{lo_bits}) : k::Widen(k::Bf16{lo_bits});
  const double hi = fp16 ? k::Widen(k::Fp16{hi_bits}) : k::Widen(k::Bf16{hi_bits});
  if (!(lo <= hi)) {
    return absl::InvalidArgumentError(
        absl::StrCat("CLAMP min_val ", lo, " and max_val ", hi,
                     " are invalid: they must not be NaN and min_val must not exceed max_val"));
  }
  const int64_t count = Elements(input);
  const k::NanMode nan_mode = ToKernel(attr.nan_mode);
  const TensorId in = op.inputs[0], o = op.outputs[0];
  if (fp16) {
    return BoundStep([in, o, count, lo_bits, hi_bits, nan_mode](TensorData d) {
      k::ClampFp16(In<k::Fp16>(d, in), Out<k::Fp16>(d, o), count, k::Fp16{lo_bits},
                   k::Fp16{hi_bits}, nan_mode);
      return absl::OkStatus();
    });
  }
  return BoundStep([in, o, count, lo_bits, hi_bits, nan_mode](TensorData d) {
    k::ClampBf16(In<k::Bf16>(d, in), Out<k::Bf16>(d, o), count, k::Bf16{lo_bits}, k::Bf16{hi_bits},
                 nan_mode);
    return absl::OkStatus();
  });
}

}  // namespace

std::optional<absl::StatusOr<BoundStep>> BindElementwiseFamily(const graph::Graph& graph,
                                                               const graph::Operator& op) {
  switch (op.op) {
    case Op::kClamp:
      return BindClampFloat16(graph, op);
    // Binary.
    case Op::kAdd:
      return BindFloatBinary(graph, op, k::FloatBinaryOp::kAdd);
    case Op::kSub:
      return BindFloatBinary(graph, op, k::FloatBinaryOp::kSub);
    case Op::kMul:
      return BindFloatBinary(graph, op, k::FloatBinaryOp::kMul);
    case Op::kMaximum:
    case Op::kMinimum:
      return BindMinMax(graph, op);
    case Op::kPow:
      return BindFloatBinary(graph, op, k::FloatBinaryOp::kPow);
    case Op::kIntDiv:
      return BindIntDiv(graph, op);
    case Op::kBitwiseAnd:
      return BindBitwiseBinary(graph, op, k::BitwiseOp::kAnd);
    case Op::kBitwiseOr:
      return BindBitwiseBinary(graph, op, k::BitwiseOp::kOr);
    case Op::kBitwiseXor:
      return BindBitwiseBinary(graph, op, k::BitwiseOp::kXor);
    case Op::kArithmeticRightShift:
    case Op::kLogicalLeftShift:
    case Op::kLogicalRightShift:
      return BindShift(graph, op);
    case Op::kLogicalAnd:
      return BindLogicalBinary(graph, op, k::LogicalOp::kAnd);
    case Op::kLogicalOr:
      return BindLogicalBinary(graph, op, k::LogicalOp::kOr);
    case Op::kLogicalXor:
      return BindLogicalBinary(graph, op, k::LogicalOp::kXor);
    // Comparison.
    case Op::kEqual:
      return BindCompare(graph, op, k::CompareOp::kEqual);
    case Op::kGreater:
      return BindCompare(graph, op, k::CompareOp::kGreater);
    case Op::kGreaterEqual:
      return BindCompare(graph, op, k::CompareOp::kGreaterEqual);
    // Unary.
    case Op::kAbs:
      return BindAbs(graph, op);
    case Op::kNegate:
      return BindNegate(graph, op);
    case Op::kBitwiseNot:
    case Op::kClz:
    case Op::kLogicalNot:
      return BindIntUnary(graph, op);
    case Op::kCeil:
      return BindFloatUnary(graph, op, k::FloatUnaryOp::kCeil);
    case Op::kFloor:
      return BindFloatUnary(graph, op, k::FloatUnaryOp::kFloor);
    case Op::kCos:
      return BindFloatUnary(graph, op, k::FloatUnaryOp::kCos);
    case Op::kSin:
      return BindFloatUnary(graph, op, k::FloatUnaryOp::kSin);
    case Op::kExp:
      return BindFloatUnary(graph, op, k::FloatUnaryOp::kExp);
    case Op::kLog:
      return BindFloatUnary(graph, op, k::FloatUnaryOp::kLog);
    case Op::kReciprocal:
      return BindFloatUnary(graph, op, k::FloatUnaryOp::kReciprocal);
    case Op::kRsqrt:
      return BindFloatUnary(graph, op, k::FloatUnaryOp::kRsqrt);
    // Activations.
    case Op::kSigmoid:
      return BindActivation(graph, op, k::ActivationOp::kSigmoid);
    case Op::kTanh:
      return BindActivation(graph, op, k::ActivationOp::kTanh);
    case Op::kErf:
      return BindActivation(graph, op, k::ActivationOp::kErf);
    // Ternary and type conversion.
    case Op::kSelect:
      return BindSelect(graph, op);
    case Op::kCast:
      return BindCast(graph, op);
    default:
      return std::nullopt;
  }
}

}  // namespace inferd::cpu

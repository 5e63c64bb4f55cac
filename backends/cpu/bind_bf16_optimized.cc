// BF16 CONV2D, DEPTHWISE_CONV2D and MATMUL (EXT-BF16, fp32 accumulation) on the optimised FP32
// kernels. Every bfloat16 value is exact in fp32 and so is every product of two, so widening the
// operands and accumulating in fp32 is what acc_t = fp32 asks for; only the order of the sums
// differs from the reference loop, which the specification's dot-product bound allows. The
// convolutions round their fp32 result (bias included) to bfloat16 once, at the end.
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "backends/cpu/binding_families.h"
#include "backends/cpu/binding_support.h"
#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/optimized/conv2d_optimized.h"
#include "backends/cpu/kernels/optimized/depthwise_conv2d_optimized.h"
#include "backends/cpu/kernels/optimized/matmul_optimized.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"

namespace inferd::cpu {
namespace {

using graph::DType;
using graph::TensorId;
namespace opt = ::inferd::cpu::kernels::optimized;

void Widen(const k::Bf16* in, size_t count, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = static_cast<float>(k::Widen(in[i]));
}

std::vector<float> Widened(const k::Bf16* in, size_t count) {
  std::vector<float> out(count);
  Widen(in, count, out.data());
  return out;
}

void Narrow(const float* in, size_t count, k::Bf16* out) {
  for (size_t i = 0; i < count; ++i) out[i] = k::Narrow<k::Bf16>(in[i]);
}

// The fp32 working copies of one bound operator's operands. The executor runs one inference at a
// time, so each bound operator owns its buffers (sized at load: nothing grows per request).
struct Fp32Buffers {
  std::vector<float> input;
  std::vector<float> weight;  // only when the weights are not constants
  std::vector<float> bias;
  std::vector<float> output;
};

// Input, weights (BF16), bias and output BF16 with fp32 accumulation: the one signature served.
bool IsBf16Convolution(const graph::Graph& g, const graph::Operator& op, DType acc_type) {
  return acc_type == DType::kFp32 && g.tensor(op.inputs[0]).dtype == DType::kBf16 &&
         g.tensor(op.inputs[1]).dtype == DType::kBf16 &&
         g.tensor(op.outputs[0]).dtype == DType::kBf16;
}

absl::Status CheckZeroPoints(TensorData d, TensorId input_zp, TensorId weight_zp) {
  if (!Float16IsZero(d[input_zp])) return ZeroPointMustBeZero("input_zp", DType::kBf16);
  if (!Float16IsZero(d[weight_zp])) return ZeroPointMustBeZero("weight_zp", DType::kBf16);
  return absl::OkStatus();
}

std::optional<BoundStep> BindConv2d(const graph::Graph& g, const graph::Operator& op,
                                    const opt::TileKernels* tiles) {
  if (!IsBf16Convolution(g, op, std::get<graph::Conv2dAttr>(op.attribute).acc_type)) {
    return std::nullopt;
  }
  const TensorId in = op.inputs[0], w = op.inputs[1], b = op.inputs[2], izp = op.inputs[3],
                 wzp = op.inputs[4], o = op.outputs[0];
  const auto* weight_data = ConstantData<k::Bf16>(g, w, Elements(g.tensor(w)));
  if (weight_data == nullptr) return std::nullopt;  // packing needs constant weights
  const k::Conv2dParams p = Conv2dParamsOf(g, op);
  const std::vector<float> weights = Widened(weight_data, Elements(g.tensor(w)));
  auto packed =
      std::make_shared<const opt::PackedFp32Matrix>(opt::PackConv2dFp32Weights(p, weights.data()));
  auto buffers = std::make_shared<Fp32Buffers>();
  buffers->input.resize(Elements(g.tensor(in)));
  buffers->bias.resize(Elements(g.tensor(b)));
  buffers->output.resize(Elements(g.tensor(o)));
  return BoundStep([p, packed, buffers, tiles, in, b, izp, wzp, o](TensorData d) {
    if (absl::Status s = CheckZeroPoints(d, izp, wzp); !s.ok()) return s;
    Fp32Buffers& f = *buffers;
    Widen(In<k::Bf16>(d, in), f.input.size(), f.input.data());
    Widen(In<k::Bf16>(d, b), f.bias.size(), f.bias.data());
    opt::Conv2dFp32Optimized(*tiles, p, *packed, f.input.data(), f.bias.data(), f.output.data());
    Narrow(f.output.data(), f.output.size(), Out<k::Bf16>(d, o));
    return absl::OkStatus();
  });
}

std::optional<BoundStep> BindDepthwiseConv2d(const graph::Graph& g, const graph::Operator& op,
                                             const opt::TileKernels* tiles) {
  if (!IsBf16Convolution(g, op, std::get<graph::DepthwiseConv2dAttr>(op.attribute).acc_type)) {
    return std::nullopt;
  }
  const k::DepthwiseConv2dParams p = DepthwiseConv2dParamsOf(g, op);
  if (!opt::DepthwiseConv2dSupported(p)) return std::nullopt;
  const TensorId in = op.inputs[0], w = op.inputs[1], b = op.inputs[2], izp = op.inputs[3],
                 wzp = op.inputs[4], o = op.outputs[0];
  const size_t weight_count = Elements(g.tensor(w));
  auto buffers = std::make_shared<Fp32Buffers>();
  buffers->input.resize(Elements(g.tensor(in)));
  buffers->bias.resize(Elements(g.tensor(b)));
  buffers->output.resize(Elements(g.tensor(o)));
  // Constant weights are widened once; others on every run.
  std::shared_ptr<const std::vector<float>> constant_weights;
  if (const auto* data = ConstantData<k::Bf16>(g, w, weight_count)) {
    constant_weights = std::make_shared<const std::vector<float>>(Widened(data, weight_count));
  } else {
    buffers->weight.resize(weight_count);
  }
  return BoundStep([p, constant_weights, buffers, tiles, in, w, b, izp, wzp, o](TensorData d) {
    if (absl::Status s = CheckZeroPoints(d, izp, wzp); !s.ok()) return s;
    Fp32Buffers& f = *buffers;
    const float* weights = constant_weights ? constant_weights->data() : f.weight.data();
    if (!constant_weights) Widen(In<k::Bf16>(d, w), f.weight.size(), f.weight.data());
    Widen(In<k::Bf16>(d, in), f.input.size(), f.input.data());
    Widen(In<k::Bf16>(d, b), f.bias.size(), f.bias.data());
    opt::DepthwiseConv2dFp32Optimized(*tiles, p, weights, f.input.data(), f.bias.data(),
                                      f.output.data());
    Narrow(f.output.data(), f.output.size(), Out<k::Bf16>(d, o));
    return absl::OkStatus();
  });
}

// BF16 x BF16 -> FP32: the output is already fp32, so only the operands are widened.
std::optional<BoundStep> BindMatmul(const graph::Graph& g, const graph::Operator& op,
                                    const opt::TileKernels* tiles) {
  if (g.tensor(op.inputs[0]).dtype != DType::kBf16 ||
      g.tensor(op.outputs[0]).dtype != DType::kFp32) {
    return std::nullopt;
  }
  const k::MatmulParams p = MatmulParamsOf(g, op);
  const TensorId ia = op.inputs[0], ib = op.inputs[1], azp = op.inputs[2], bzp = op.inputs[3],
                 o = op.outputs[0];
  const size_t b_count = Elements(g.tensor(ib));
  auto buffers = std::make_shared<Fp32Buffers>();
  buffers->input.resize(Elements(g.tensor(ia)));
  std::shared_ptr<const opt::PackedFp32Matrix> packed;
  if (const auto* data = ConstantData<k::Bf16>(g, ib, b_count)) {
    const std::vector<float> b_values = Widened(data, b_count);
    packed =
        std::make_shared<const opt::PackedFp32Matrix>(opt::PackMatmulFp32B(p, b_values.data()));
  } else {
    buffers->weight.resize(b_count);
  }
  return BoundStep([p, packed, buffers, tiles, ia, ib, azp, bzp, o](TensorData d) {
    if (!Float16IsZero(d[azp])) return ZeroPointMustBeZero("A_zp", DType::kBf16);
    if (!Float16IsZero(d[bzp])) return ZeroPointMustBeZero("B_zp", DType::kBf16);
    Fp32Buffers& f = *buffers;
    Widen(In<k::Bf16>(d, ia), f.input.size(), f.input.data());
    if (!packed) Widen(In<k::Bf16>(d, ib), f.weight.size(), f.weight.data());
    opt::MatmulFp32Optimized(*tiles, p, packed.get(), f.input.data(), f.weight.data(),
                             Out<float>(d, o));
    return absl::OkStatus();
  });
}

}  // namespace

std::optional<BoundStep> BindBf16Optimized(const graph::Graph& g, const graph::Operator& op) {
  const opt::TileKernels* tiles = opt::SelectTileKernels();
  if (tiles == nullptr) return std::nullopt;
  switch (op.op) {
    case graph::Op::kConv2d:
      return BindConv2d(g, op, tiles);
    case graph::Op::kDepthwiseConv2d:
      return BindDepthwiseConv2d(g, op, tiles);
    case graph::Op::kMatMul:
      return BindMatmul(g, op, tiles);
    default:
      return std::nullopt;
  }
}

}  // namespace inferd::cpu

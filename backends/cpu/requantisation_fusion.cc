#include "backends/cpu/requantisation_fusion.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "backends/cpu/binding_support.h"
#include "backends/cpu/kernels/optimized/conv2d_optimized.h"
#include "backends/cpu/kernels/optimized/depthwise_conv2d_optimized.h"
#include "backends/cpu/kernels/optimized/fused_requantization.h"
#include "backends/cpu/kernels/optimized/matmul_optimized.h"
#include "backends/cpu/kernels/optimized/rescale_optimized.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"

namespace inferd::cpu {
namespace {

using graph::DType;
using graph::Op;
using graph::TensorId;
namespace opt = ::inferd::cpu::kernels::optimized;

// Readers of each tensor over every block (a nested block may read its callers' tensors), block
// outputs counting as readers too.
std::vector<int> CountReaders(const graph::Graph& g) {
  std::vector<int> readers(g.tensors.size(), 0);
  for (const graph::Block& block : g.blocks) {
    for (const graph::Operator& op : block.operators) {
      for (TensorId id : op.inputs) ++readers[id];
    }
    for (TensorId id : block.outputs) readers[id] += 2;  // never fusable
  }
  return readers;
}

// The index of the one operator of `block` reading `id`, when it is the tensor's only reader.
std::optional<size_t> SoleReader(const graph::Block& block, const std::vector<int>& readers,
                                 TensorId id) {
  if (readers[id] != 1) return std::nullopt;
  for (size_t i = 0; i < block.operators.size(); ++i) {
    for (TensorId input : block.operators[i].inputs) {
      if (input == id) return i;
    }
  }
  return std::nullopt;  // read from another block
}

bool AllConstant(const LoadTimeConstants& constants, const graph::Operator& op, size_t first) {
  for (size_t i = first; i < op.inputs.size(); ++i) {
    if (constants.Find(op.inputs[i], 1) == nullptr) return false;
  }
  return true;
}

// Whether the binder below gives `op` an optimised INT8 kernel it can hand an epilogue to.
bool OptimisedInt8Producer(const graph::Graph& g, const graph::Operator& op,
                           const LoadTimeConstants& constants) {
  if (g.tensor(op.inputs[0]).dtype != DType::kInt8 ||
      g.tensor(op.outputs[0]).dtype != DType::kInt32) {
    return false;
  }
  switch (op.op) {
    case Op::kConv2d:
      return std::get<graph::Conv2dAttr>(op.attribute).acc_type == DType::kInt32 &&
             g.tensor(op.inputs[1]).dtype == DType::kInt8 &&
             opt::Conv2dInt8Supported(Conv2dParamsOf(g, op)) && AllConstant(constants, op, 1);
    case Op::kDepthwiseConv2d:
      return std::get<graph::DepthwiseConv2dAttr>(op.attribute).acc_type == DType::kInt32 &&
             g.tensor(op.inputs[1]).dtype == DType::kInt8 &&
             opt::DepthwiseConv2dSupported(DepthwiseConv2dParamsOf(g, op)) &&
             AllConstant(constants, op, 1);
    case Op::kMatMul:
      return g.tensor(op.inputs[1]).dtype == DType::kInt8 &&
             g.tensor(op.inputs[2]).dtype == DType::kInt8 &&
             Dim(g.tensor(op.inputs[0]), 2) <= opt::kMaxInt8Depth;
    default:
      return false;
  }
}

// Whether the binder gives `op` an optimised FP32 convolution that can apply a CLAMP as it writes.
bool OptimisedFp32Producer(const graph::Graph& g, const graph::Operator& op,
                           const LoadTimeConstants& constants) {
  if (op.inputs.size() < 5 || g.tensor(op.inputs[0]).dtype != DType::kFp32 ||
      g.tensor(op.inputs[1]).dtype != DType::kFp32 ||
      g.tensor(op.outputs[0]).dtype != DType::kFp32) {
    return false;
  }
  switch (op.op) {
    case Op::kConv2d:
      return std::get<graph::Conv2dAttr>(op.attribute).acc_type == DType::kFp32 &&
             ConstantData<float>(constants, op.inputs[1], Elements(g.tensor(op.inputs[1]))) !=
                 nullptr;
    case Op::kDepthwiseConv2d:
      return std::get<graph::DepthwiseConv2dAttr>(op.attribute).acc_type == DType::kFp32 &&
             opt::DepthwiseConv2dSupported(DepthwiseConv2dParamsOf(g, op));
    default:
      return false;
  }
}

// A CLAMP on FP32 whose bounds are not NaN, as the convolution epilogue takes it.
std::optional<opt::FusedClampFp32> Fp32ClampOf(const graph::Graph& g, const graph::Operator& op) {
  if (op.op != Op::kClamp || g.tensor(op.outputs[0]).dtype != DType::kFp32) return std::nullopt;
  const auto& attr = std::get<graph::ClampAttr>(op.attribute);
  opt::FusedClampFp32 clamp;
  clamp.min_val = ReadFp32(attr.min_val.data());
  clamp.max_val = ReadFp32(attr.max_val.data());
  clamp.nan_mode = ToKernel(attr.nan_mode);
  if (clamp.min_val != clamp.min_val || clamp.max_val != clamp.max_val) return std::nullopt;
  return clamp;
}

// The fused step of a kFp32Clamp fusion: the convolution writes the CLAMP's output directly.
absl::StatusOr<BoundStep> BindFp32ClampFusion(const graph::Graph& g,
                                              const graph::Operator& producer,
                                              const graph::Operator& clamp_op,
                                              const LoadTimeConstants& constants) {
  // Non-zero zero points are an error the separate operators report.
  std::vector<BoundStep> separate;
  for (const graph::Operator* op : {&producer, &clamp_op}) {
    absl::StatusOr<BoundStep> step = BindOperator(g, *op, constants);
    if (!step.ok()) return step.status();
    separate.push_back(*std::move(step));
  }
  const opt::TileKernels* tiles = opt::SelectTileKernels();
  const opt::FusedClampFp32 clamp = *Fp32ClampOf(g, clamp_op);
  const TensorId in = producer.inputs[0], w = producer.inputs[1], b = producer.inputs[2],
                 izp = producer.inputs[3], wzp = producer.inputs[4], o = clamp_op.outputs[0];
  std::function<void(TensorData)> run;
  if (producer.op == Op::kConv2d) {
    const k::Conv2dParams p = Conv2dParamsOf(g, producer);
    auto packed = constants.Pack<opt::PackedFp32Matrix>(w, WeightPacking::kConv2dFp32, 0, [&] {
      return opt::PackConv2dFp32Weights(p,
                                        ConstantData<float>(constants, w, Elements(g.tensor(w))));
    });
    run = [p, packed, tiles, clamp, in, b, o](TensorData d) {
      opt::Conv2dFp32Optimized(*tiles, p, *packed, In<float>(d, in), In<float>(d, b),
                               Out<float>(d, o), &clamp);
    };
  } else {
    const k::DepthwiseConv2dParams p = DepthwiseConv2dParamsOf(g, producer);
    run = [p, tiles, clamp, in, w, b, o](TensorData d) {
      opt::DepthwiseConv2dFp32Optimized(*tiles, p, In<float>(d, w), In<float>(d, in),
                                        In<float>(d, b), Out<float>(d, o), &clamp);
    };
  }
  return BoundStep([separate = std::move(separate), run = std::move(run), izp,
                    wzp](TensorData d) -> absl::Status {
    if (ReadFp32(d[izp]) != 0.0f || ReadFp32(d[wzp]) != 0.0f) {
      for (const BoundStep& step : separate) {
        if (absl::Status status = step(d); !status.ok()) return status;
      }
      return absl::OkStatus();
    }
    run(d);
    return absl::OkStatus();
  });
}

// An FP32 MATMUL the optimised kernels run with B packed at load (B constant).
bool OptimisedFp32Matmul(const graph::Graph& g, const graph::Operator& op,
                         const LoadTimeConstants& constants) {
  return op.op == Op::kMatMul && op.inputs.size() == 4 && op.outputs.size() == 1 &&
         g.tensor(op.inputs[0]).dtype == DType::kFp32 &&
         g.tensor(op.inputs[1]).dtype == DType::kFp32 &&
         g.tensor(op.outputs[0]).dtype == DType::kFp32 &&
         ConstantData<float>(constants, op.inputs[1], Elements(g.tensor(op.inputs[1]))) != nullptr;
}

// The other operand of `add` when it adds a constant bias [1, 1, C] to `product` [N, H, C] (the
// ADD's output the product's shape), else nullopt.
std::optional<TensorId> BiasOf(const graph::Graph& g, const graph::Operator& add, TensorId product,
                               const LoadTimeConstants& constants) {
  if (add.op != Op::kAdd || add.inputs.size() != 2 || add.outputs.size() != 1) return std::nullopt;
  const TensorId bias = add.inputs[0] == product ? add.inputs[1] : add.inputs[0];
  if (bias == product || (add.inputs[0] != product && add.inputs[1] != product)) {
    return std::nullopt;
  }
  const graph::Tensor& out = g.tensor(add.outputs[0]);
  const graph::Tensor& b = g.tensor(bias);
  const graph::Tensor& p = g.tensor(product);
  if (b.dtype != DType::kFp32 || out.dtype != DType::kFp32 || out.shape != p.shape ||
      p.shape.size() != 3 || b.shape.size() != 3 || b.shape[0] != 1 || b.shape[1] != 1 ||
      b.shape[2] != p.shape[2] || ConstantData<float>(constants, bias, b.shape[2]) == nullptr) {
    return std::nullopt;
  }
  return bias;
}

// The fused step of a kFp32MatmulBias fusion: the product writes the ADD's (or CLAMP's) output.
absl::StatusOr<BoundStep> BindFp32MatmulBiasFusion(const graph::Graph& g,
                                                   const graph::Operator& matmul,
                                                   const graph::Operator& add,
                                                   const graph::Operator* clamp_op,
                                                   const LoadTimeConstants& constants) {
  // Non-zero zero points are an error the separate operators report.
  std::vector<BoundStep> separate;
  for (const graph::Operator* op : {&matmul, &add, clamp_op}) {
    if (op == nullptr) continue;
    absl::StatusOr<BoundStep> step = BindOperator(g, *op, constants);
    if (!step.ok()) return step.status();
    separate.push_back(*std::move(step));
  }
  const opt::TileKernels* tiles = opt::SelectTileKernels();
  const k::MatmulParams p = MatmulParamsOf(g, matmul);
  const TensorId ia = matmul.inputs[0], ib = matmul.inputs[1], azp = matmul.inputs[2],
                 bzp = matmul.inputs[3];
  auto packed = constants.Pack<opt::PackedFp32Matrix>(ib, WeightPacking::kMatmulFp32, 0, [&] {
    return opt::PackMatmulFp32B(p, ConstantData<float>(constants, ib, Elements(g.tensor(ib))));
  });
  // The bias padded to whole column blocks, as the tile kernels read it.
  const float* bias_data =
      ConstantData<float>(constants, *BiasOf(g, add, matmul.outputs[0], constants), p.columns);
  std::vector<float> bias(static_cast<size_t>(opt::ColumnBlocks(p.columns) * opt::kTileCols), 0.0f);
  std::copy(bias_data, bias_data + p.columns, bias.begin());
  std::optional<opt::FusedClampFp32> clamp;
  if (clamp_op != nullptr) clamp = Fp32ClampOf(g, *clamp_op);
  const TensorId o = clamp_op != nullptr ? clamp_op->outputs[0] : add.outputs[0];
  return BoundStep([separate = std::move(separate), p, packed, tiles, bias = std::move(bias), clamp,
                    ia, ib, azp, bzp, o](TensorData d) -> absl::Status {
    if (ReadFp32(d[azp]) != 0.0f || ReadFp32(d[bzp]) != 0.0f) {
      for (const BoundStep& step : separate) {
        if (absl::Status status = step(d); !status.ok()) return status;
      }
      return absl::OkStatus();
    }
    opt::MatmulFp32Optimized(*tiles, p, packed.get(), In<float>(d, ia), In<float>(d, ib),
                             Out<float>(d, o), bias.data(), clamp ? &*clamp : nullptr);
    return absl::OkStatus();
  });
}

// The producer's optimised kernel, with its weights packed now, as a call taking an epilogue.
using ProducerCall = std::function<k::KernelStatus(TensorData, const opt::FusedRequantization*)>;

ProducerCall BindProducer(const graph::Graph& g, const graph::Operator& op,
                          const opt::TileKernels* tiles, const LoadTimeConstants& constants) {
  const TensorId in = op.inputs[0];
  if (op.op == Op::kConv2d) {
    k::Conv2dParams p = Conv2dParamsOf(g, op);
    p.weight_zp = *ConstantData<int8_t>(constants, op.inputs[4], 1);
    auto packed = constants.Pack<opt::PackedInt8Matrix>(
        op.inputs[1], WeightPacking::kConv2dInt8, p.weight_zp, [&] {
          return opt::PackConv2dInt8Weights(
              *tiles, p,
              ConstantData<int8_t>(constants, op.inputs[1], Elements(g.tensor(op.inputs[1]))),
              p.weight_zp);
        });
    const TensorId b = op.inputs[2], izp = op.inputs[3], o = op.outputs[0];
    return [p, packed, tiles, in, b, izp, o](TensorData d, const opt::FusedRequantization* f) {
      k::Conv2dParams q = p;
      q.input_zp = static_cast<int32_t>(ReadInt(d[izp], DType::kInt8));
      return opt::Conv2dInt8Optimized(*tiles, q, *packed, In<int8_t>(d, in), In<int32_t>(d, b),
                                      Out<int32_t>(d, o), f);
    };
  }
  if (op.op == Op::kDepthwiseConv2d) {
    const k::DepthwiseConv2dParams p = DepthwiseConv2dParamsOf(g, op);
    const int8_t weight_zp = *ConstantData<int8_t>(constants, op.inputs[4], 1);
    auto packed = constants.Pack<std::vector<int16_t>>(
        op.inputs[1], WeightPacking::kDepthwiseConv2dInt8, weight_zp, [&] {
          return opt::PackDepthwiseInt8Weights(
              p, ConstantData<int8_t>(constants, op.inputs[1], Elements(g.tensor(op.inputs[1]))),
              weight_zp);
        });
    const TensorId b = op.inputs[2], izp = op.inputs[3], o = op.outputs[0];
    return [p, packed, tiles, in, b, izp, o](TensorData d, const opt::FusedRequantization* f) {
      k::DepthwiseConv2dParams q = p;
      q.input_zp = static_cast<int32_t>(ReadInt(d[izp], DType::kInt8));
      return opt::DepthwiseConv2dInt8Optimized(*tiles, q, packed->data(), In<int8_t>(d, in),
                                               In<int32_t>(d, b), Out<int32_t>(d, o), f);
    };
  }
  const graph::Tensor& a = g.tensor(op.inputs[0]);
  const graph::Tensor& b = g.tensor(op.inputs[1]);
  k::MatmulParams p;
  p.batch = Dim(a, 0);
  p.rows = Dim(a, 1);
  p.depth = Dim(a, 2);
  p.columns = Dim(b, 2);
  const int8_t* b_data = ConstantData<int8_t>(constants, op.inputs[1], Elements(b));
  const int8_t* b_zp = ConstantData<int8_t>(constants, op.inputs[3], 1);
  std::shared_ptr<const opt::PackedInt8Matrix> packed;
  if (b_data != nullptr && b_zp != nullptr) {
    packed = constants.Pack<opt::PackedInt8Matrix>(
        op.inputs[1], WeightPacking::kMatmulInt8, *b_zp,
        [&] { return opt::PackMatmulInt8B(*tiles, p, b_data, *b_zp); });
  }
  const TensorId ib = op.inputs[1], azp = op.inputs[2], bzp = op.inputs[3], o = op.outputs[0];
  return [p, packed, tiles, in, ib, azp, bzp, o](TensorData d, const opt::FusedRequantization* f) {
    k::MatmulParams q = p;
    q.a_zp = static_cast<int32_t>(ReadInt(d[azp], DType::kInt8));
    q.b_zp = static_cast<int32_t>(ReadInt(d[bzp], DType::kInt8));
    return opt::MatmulInt8Optimized(*tiles, q, packed.get(), In<int8_t>(d, in), In<int8_t>(d, ib),
                                    Out<int32_t>(d, o), f);
  };
}

}  // namespace

std::vector<RequantisationFusion> FindRequantisationFusions(const graph::Graph& g,
                                                            graph::BlockId block_id) {
  return FindRequantisationFusions(g, block_id, LoadTimeConstants(g));
}

std::vector<RequantisationFusion> FindRequantisationFusions(const graph::Graph& g,
                                                            graph::BlockId block_id,
                                                            const LoadTimeConstants& constants) {
  std::vector<RequantisationFusion> fusions;
  if (opt::SelectTileKernels() == nullptr) return fusions;
  const bool rescale_kernels = opt::SelectRescaleKernels() != nullptr;
  const graph::Block& block = g.blocks[block_id];
  const std::vector<int> readers = CountReaders(g);
  for (size_t i = 0; i < block.operators.size(); ++i) {
    const graph::Operator& op = block.operators[i];
    if (op.outputs.size() != 1) continue;
    if (OptimisedFp32Matmul(g, op, constants)) {
      const std::optional<size_t> add = SoleReader(block, readers, op.outputs[0]);
      if (!add || *add <= i || !BiasOf(g, block.operators[*add], op.outputs[0], constants)) {
        continue;
      }
      RequantisationFusion fusion{i, *add, std::nullopt, FusionKind::kFp32MatmulBias};
      if (const std::optional<size_t> clamp =
              SoleReader(block, readers, block.operators[*add].outputs[0]);
          clamp && *clamp > *add && Fp32ClampOf(g, block.operators[*clamp]).has_value()) {
        fusion.clamp = clamp;
      }
      fusions.push_back(fusion);
      continue;
    }
    if (OptimisedFp32Producer(g, op, constants)) {
      const std::optional<size_t> clamp = SoleReader(block, readers, op.outputs[0]);
      if (clamp && *clamp > i && Fp32ClampOf(g, block.operators[*clamp]).has_value()) {
        fusions.push_back({i, *clamp, std::nullopt, FusionKind::kFp32Clamp});
      }
      continue;
    }
    if (!rescale_kernels || op.inputs.size() < 4 || !OptimisedInt8Producer(g, op, constants))
      continue;
    const std::optional<size_t> rescale = SoleReader(block, readers, op.outputs[0]);
    if (!rescale || *rescale <= i) continue;
    const graph::Operator& r = block.operators[*rescale];
    if (r.op != Op::kRescale || r.inputs[0] != op.outputs[0] ||
        g.tensor(r.outputs[0]).dtype != DType::kInt8 || !AllConstant(constants, r, 1) ||
        !RescaleParamsOf(g, r).has_value()) {
      continue;
    }
    RequantisationFusion fusion{i, *rescale, std::nullopt};
    if (const std::optional<size_t> clamp = SoleReader(block, readers, r.outputs[0]);
        clamp && *clamp > *rescale && block.operators[*clamp].op == Op::kClamp &&
        g.tensor(block.operators[*clamp].outputs[0]).dtype == DType::kInt8) {
      fusion.clamp = clamp;
    }
    fusions.push_back(fusion);
  }
  return fusions;
}

absl::StatusOr<BoundStep> BindRequantisationFusion(const graph::Graph& g, graph::BlockId block_id,
                                                   const RequantisationFusion& fusion) {
  return BindRequantisationFusion(g, block_id, fusion, LoadTimeConstants(g));
}

absl::StatusOr<BoundStep> BindRequantisationFusion(const graph::Graph& g, graph::BlockId block_id,
                                                   const RequantisationFusion& fusion,
                                                   const LoadTimeConstants& constants) {
  const graph::Block& block = g.blocks[block_id];
  const graph::Operator& producer = block.operators[fusion.producer];
  if (fusion.kind == FusionKind::kFp32Clamp) {
    return BindFp32ClampFusion(g, producer, block.operators[fusion.rescale], constants);
  }
  if (fusion.kind == FusionKind::kFp32MatmulBias) {
    return BindFp32MatmulBiasFusion(g, producer, block.operators[fusion.rescale],
                                    fusion.clamp ? &block.operators[*fusion.clamp] : nullptr,
                                    constants);
  }
  const graph::Operator& rescale = block.operators[fusion.rescale];
  const graph::Operator* clamp = fusion.clamp ? &block.operators[*fusion.clamp] : nullptr;
  // The operators bound one by one, for operand values the fused epilogue does not take.
  std::vector<BoundStep> separate;
  for (const graph::Operator* op : {&producer, &rescale, clamp}) {
    if (op == nullptr) continue;
    absl::StatusOr<BoundStep> step = BindOperator(g, *op, constants);
    if (!step.ok()) return step.status();
    separate.push_back(*std::move(step));
  }
  const opt::TileKernels* tiles = opt::SelectTileKernels();
  const opt::RescaleKernels* rescale_kernels = opt::SelectRescaleKernels();
  ProducerCall call = BindProducer(g, producer, tiles, constants);
  k::RescaleParams params = *RescaleParamsOf(g, rescale);
  int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  if (clamp != nullptr) {
    const auto& attr = std::get<graph::ClampAttr>(clamp->attribute);
    lo = static_cast<int8_t>(attr.min_val[0]);
    hi = static_cast<int8_t>(attr.max_val[0]);
  }
  const TensorId multiplier = rescale.inputs[1], shift = rescale.inputs[2], izp = rescale.inputs[3],
                 ozp = rescale.inputs[4];
  const TensorId result = clamp != nullptr ? clamp->outputs[0] : rescale.outputs[0];
  return BoundStep(
      [=, separate = std::move(separate), call = std::move(call)](TensorData d) -> absl::Status {
        k::RescaleParams q = params;
        if (q.scale32) {
          q.multiplier32 = In<int32_t>(d, multiplier);
        } else {
          q.multiplier16 = In<int16_t>(d, multiplier);
        }
        q.shift = In<int8_t>(d, shift);
        q.input_zp = static_cast<int32_t>(ReadInt(d[izp], DType::kInt32));
        q.output_zp = static_cast<int32_t>(ReadInt(d[ozp], DType::kInt8));
        opt::FusedRequantization fused;
        fused.kernels = rescale_kernels;
        fused.output = Out<int8_t>(d, result);
        if (!opt::PrepareRescaleSpan<int32_t, int8_t>(q, lo, hi, fused.span)) {
          for (const BoundStep& step : separate) {
            if (absl::Status status = step(d); !status.ok()) return status;
          }
          return absl::OkStatus();
        }
        return FromKernel(call(d, &fused));
      });
}

}  // namespace inferd::cpu

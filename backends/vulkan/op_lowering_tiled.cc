// The shared-memory tiled MATMUL shader (matmul_tiled.comp) for large matrices: which MATMULs take
// it, which tile and which arithmetic (plain int8 or int8 dot products), and its dispatch geometry.
// Smaller MATMULs keep matmul_blocked.comp or matmul.comp (op_lowering_blocked.cc, op_lowering.cc).
// The same shader built with CONV1X1 runs the wide 1x1 stride-1 unpadded CONV2Ds, which over NHWC
// are exactly a MATMUL of the pixels [N*H*W, IC] by the weights transposed to [IC, OC].
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "backends/vulkan/op_lowering.h"
#include "backends/vulkan/op_lowering_internal.h"

namespace inferd::vulkan {
namespace {

using namespace lowering;  // NOLINT: the lowering's own helpers

constexpr int64_t kWorkgroupSize = 64;  // shaders/common.glsl's WORKGROUP_SIZE

// The tiled shader pays off once a workgroup's tile is mostly inside the matrix and the sum is
// long enough to reuse the staged tiles: with H and W of at least 32 (one whole 32 x 32 tile of
// the 4 x 4 variant) and C of at least 32 (two staging steps), each element read from device
// memory feeds 32 multiply-adds, against one (B) in matmul_blocked.comp. Below that most of a tile
// would be zeros, and a batch-1 fully connected layer (H = 1) keeps matmul_blocked.comp, whose
// invocations share A's row. The 8 x 8 register block (64 x 64 tiles) needs 64 rows and columns.
constexpr int64_t kTiledMinimum = 32;
constexpr int64_t kLargeTileMinimum = 64;

// A 1x1 CONV2D takes the tiled shader from this many output pixels and output channels (as a
// MATMUL's rows and columns), and from this many input channels (one 16-deep staging step). Not
// tuned: on lavapipe, the only device measured, the tiled shader lost to conv2d_blocked.comp on
// every MobileNetV2 layer (benchmarks/vulkan/README.md), so GraphProgram keeps it off on CPU
// devices; a GPU's figures should set these.
constexpr int64_t kTiledConvolutionMinimumPixels = 32;
constexpr int64_t kTiledConvolutionMinimumOutputChannels = 32;
constexpr int64_t kTiledConvolutionMinimumInputChannels = 16;

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The register block: forced by the options, else 8 x 8 where both dimensions fill a 64 x 64 tile.
int64_t RegisterBlock(int forced, int64_t rows, int64_t columns) {
  if (forced == 4 || forced == 8) return forced;
  return rows >= kLargeTileMinimum && columns >= kLargeTileMinimum ? 8 : 4;
}

// A 1x1 CONV2D's weight [OC, 1, 1, IC] (`element_bytes` each: INT8, INT4 held as INT8, or FP32)
// as the MATMUL's B, [IC, OC].
std::vector<uint8_t> TransposedWeights(std::span<const uint8_t> data, int64_t out_c, int64_t in_c,
                                       int64_t element_bytes) {
  std::vector<uint8_t> transposed(data.size());
  const size_t bytes = static_cast<size_t>(element_bytes);
  for (int64_t oc = 0; oc < out_c; ++oc) {
    for (int64_t ic = 0; ic < in_c; ++ic) {
      std::memcpy(&transposed[static_cast<size_t>(ic * out_c + oc) * bytes],
                  &data[static_cast<size_t>(oc * in_c + ic) * bytes], bytes);
    }
  }
  return transposed;
}

}  // namespace

bool OpLowering::LowerTiledMatMul(const graph::Operator& op, const std::string& variant,
                                  int64_t a_zp, int64_t b_zp, std::vector<Step>& steps) {
  if (!options_.tiled_matmul) return false;
  if (variant != "f32" && variant != "f16" && variant != "f16_f32" && variant != "bf16_f32" &&
      variant != "i8") {
    return false;
  }
  const graph::Tensor& a = graph_.tensor(op.inputs[0]);
  const graph::Tensor& b = graph_.tensor(op.inputs[1]);
  const int64_t n = a.shape[0], h = a.shape[1], c = a.shape[2], w = b.shape[2];
  if (h < kTiledMinimum || w < kTiledMinimum || c < kTiledMinimum) return false;
  const int64_t block = RegisterBlock(options_.matmul_register_block, h, w);
  const int64_t tile = 8 * block;  // 8 x 8 invocations
  const int64_t row_tiles = CeilDiv(h, tile);
  const int64_t column_tiles = CeilDiv(w, tile);
  const int64_t groups = n * row_tiles * column_tiles;
  const bool dot = variant == "i8" && options_.integer_dot_product;
  PushConstants params;
  params.Int(h).Int(c).Int(w).Int(a_zp).Int(b_zp).Int(row_tiles).Int(column_tiles).Int(groups);
  steps.push_back(Dispatch(absl::StrCat("matmul_tiled_", variant, dot ? "_dot" : "", "_t", block),
                           {T(op.inputs[0]), T(op.inputs[1]), T(op.outputs[0])}, params,
                           groups * kWorkgroupSize));
  return true;
}

bool OpLowering::TiledConvolutionApplies(const graph::Operator& op, const ConvTypes& types) const {
  if (!options_.tiled_pointwise_convolution || op.op != graph::Op::kConv2d) return false;
  if (types.variant != "i8" && types.variant != "f32") return false;
  if (types.dynamic_zero_points) return false;  // the shader takes them as push constants
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& weight = graph_.tensor(op.inputs[1]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  if (input.shape.size() != 4 || weight.shape.size() != 4 || output.shape.size() != 4) {
    return false;
  }
  // 1x1, stride 1, no padding: output pixel p reads input pixel p alone (dilation then does
  // nothing).
  const auto& attr = std::get<graph::Conv2dAttr>(op.attribute);
  if (weight.shape[1] != 1 || weight.shape[2] != 1 || attr.stride[0] != 1 || attr.stride[1] != 1) {
    return false;
  }
  for (int32_t pad : attr.pad) {
    if (pad != 0) return false;
  }
  const int64_t pixels = output.shape[0] * output.shape[1] * output.shape[2];
  const int64_t in_c = weight.shape[3], out_c = output.shape[3];
  if (pixels != input.shape[0] * input.shape[1] * input.shape[2] || in_c != input.shape[3]) {
    return false;
  }
  if (out_c % 4 != 0 || pixels < kTiledConvolutionMinimumPixels ||
      out_c < kTiledConvolutionMinimumOutputChannels ||
      in_c < kTiledConvolutionMinimumInputChannels) {
    return false;
  }
  const std::optional<std::span<const uint8_t>> data = ConstantData(op.inputs[1]);
  const int64_t width = weight.dtype == graph::DType::kFp32 ? 4 : 1;
  return data.has_value() && static_cast<int64_t>(data->size()) == Elements(weight) * width;
}

bool OpLowering::LowerTiledConvolution(const graph::Operator& op, const ConvTypes& types,
                                       std::vector<Step>& steps,
                                       const ConvolutionEpilogue* epilogue) {
  if (!TiledConvolutionApplies(op, types)) return false;
  const graph::Tensor& weight = graph_.tensor(op.inputs[1]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  const int64_t pixels = output.shape[0] * output.shape[1] * output.shape[2];
  const int64_t in_c = weight.shape[3], out_c = output.shape[3];
  const bool int8 = types.variant == "i8";
  const uint32_t weights =
      AddDerived(TransposedWeights(*ConstantData(op.inputs[1]), out_c, in_c, int8 ? 1 : 4));
  const int64_t block = RegisterBlock(options_.matmul_register_block, pixels, out_c);
  const int64_t tile = 8 * block;
  const int64_t row_tiles = CeilDiv(pixels, tile);
  const int64_t column_tiles = CeilDiv(out_c, tile);
  const int64_t groups = row_tiles * column_tiles;
  const bool dot = int8 && options_.integer_dot_product;
  PushConstants params;
  params.Int(pixels).Int(in_c).Int(out_c).Int(types.input_zp).Int(types.weight_zp);
  params.Int(row_tiles).Int(column_tiles).Int(groups);
  params.Int(Elements(graph_.tensor(op.inputs[2])));
  steps.push_back(ConvolutionDispatch(
      absl::StrCat("conv1x1_tiled_", types.variant, dot ? "_dot" : "", "_t", block),
      {T(op.inputs[0]), D(weights), T(op.inputs[2])}, op.outputs[0], params,
      groups * kWorkgroupSize, epilogue));
  return true;
}

}  // namespace inferd::vulkan

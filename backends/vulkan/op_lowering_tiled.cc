// The shared-memory tiled MATMUL shader (matmul_tiled.comp) for large matrices: which MATMULs take
// it, which tile and which arithmetic (plain int8 or int8 dot products), and its dispatch geometry.
// Smaller MATMULs keep matmul_blocked.comp or matmul.comp (op_lowering_blocked.cc, op_lowering.cc).
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

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

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
  const int64_t block = options_.matmul_register_block == 4 || options_.matmul_register_block == 8
                            ? options_.matmul_register_block
                        : h >= kLargeTileMinimum && w >= kLargeTileMinimum ? 8
                                                                           : 4;
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

}  // namespace inferd::vulkan

// Turns each TOSA operator of a validated graph into the GPU work that computes it: a dispatch of
// one embedded shader over storage buffers with its parameters as push constants, or a buffer
// copy. Everything is decided here, once at load; parameters TOSA 1.0 passes as tensors (zero
// points, RESCALE's multipliers and shifts) must be constants and are read now. An operator or
// type without a shader fails with UNIMPLEMENTED naming it: there is no per-operator CPU fallback.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph/graph.h"
#include "engine/graph/vgf/compute_segment.h"

namespace inferd::vulkan {

// A buffer a step reads or writes: a graph tensor, or a constant the lowering derived (RESCALE's
// multipliers widened to int32, say), numbered in the order AddDerived returned them.
struct BufferRef {
  enum class Kind { kTensor, kDerived };
  // How the shader reads it: a storage buffer, or a uniform texel buffer (texelFetch) of 4 or 1
  // 32-bit unsigned words per texel, which lavapipe reads about 3.5 times faster
  // (benchmarks/vulkan's load-paths benchmark).
  enum class Texels { kNone, kUint32x4, kUint32 };
  Kind kind = Kind::kTensor;
  uint32_t index = 0;
  Texels texels = Texels::kNone;
};

struct DispatchStep {
  std::string shader;              // an embedded variant, e.g. "conv_i8"
  std::vector<BufferRef> buffers;  // bindings 0..n-1, outputs last
  std::vector<uint8_t> push_constants;
  uint64_t invocations = 0;  // one per output element
  // Set for a shader the model brings (a VGF COMPUTE segment, module_kernel.h) instead of an
  // embedded one: buffers[i] is bound where module->bindings[i] says, and the dispatch is the
  // segment's workgroup counts.
  std::shared_ptr<const graph::vgf::ComputeSegment> module;
};

// A byte-for-byte copy (RESHAPE: the same elements in the same order).
struct CopyStep {
  graph::TensorId from = 0;
  graph::TensorId to = 0;
};

using Step = std::variant<DispatchStep, CopyStep>;

// What a convolution's dispatch does with its sums besides storing them, when it took over the
// operators reading them (OpLowering::LowerFusedConvolution; shaders/conv_epilogue.glsl).
struct ConvolutionEpilogue {
  std::string suffix;                   // of the shader variant: "_rescale" or "_clamp"
  graph::TensorId output = 0;           // what the dispatch writes: the last operator's output
  std::vector<BufferRef> buffers;       // bound after the output
  std::vector<int32_t> push_constants;  // after the convolution's own (floats as their bits)
};

class OpLowering {
 public:
  struct Options {
    // The register-blocked CONV2D shader needs subgroupShuffle; false lowers CONV2D to the plain
    // shader (the same results).
    bool subgroup_shuffle = true;
    // Large MATMULs run the shared-memory tiled shader (op_lowering_tiled.cc); false keeps the
    // register-blocked and plain shaders for every size (the baseline benchmarks compare with).
    bool tiled_matmul = true;
    // Wide 1x1 stride-1 unpadded CONV2Ds (INT8 and FP32) run the tiled shader as a MATMUL of the
    // pixels by the channels (op_lowering_tiled.cc), with the same fused epilogue; false keeps the
    // register-blocked shader for them (GraphProgramOptions decides it per device).
    bool tiled_pointwise_convolution = true;
    // The tiled MATMUL's (and 1x1 CONV2D's) register block: 0 chooses by size (8 x 8 from 64 rows
    // and columns, else 4 x 4); 4 or 8 forces it, for benchmarks comparing the two on one device.
    int matmul_register_block = 0;
    // The tiled INT8 MATMUL sums with int8 dot-product instructions (the device enables
    // shaderIntegerDotProduct); false uses plain int32 multiply-adds (the same results).
    bool integer_dot_product = false;
    // The register-blocked CONV2D reads its input through a texel buffer (its "_texel" variants)
    // where the input has at most this many texels (the device's maxTexelBufferElements); 0
    // keeps storage buffers.
    uint64_t max_texel_elements = 0;
    // The device's largest subgroup (maxSubgroupSize). The register-blocked CONV2D splits a
    // workgroup into teams of at least this many invocations (and at least 8), each team working
    // on its own block of output channels and sharing its weights through subgroup shuffles, which
    // assumes that a subgroup is consecutive invocations of the workgroup, as drivers make them.
    // 64, the workgroup, keeps one block per workgroup.
    uint32_t max_subgroup_size = 64;
  };
  explicit OpLowering(const graph::Graph& graph) : OpLowering(graph, Options{}) {}
  OpLowering(const graph::Graph& graph, Options options);

  // The steps of one operator, appended in order. CONST and CONST_SHAPE lower to nothing (the
  // program uploads constants at load); COND_IF and WHILE_LOOP are program_lowering.h's.
  absl::Status Lower(const graph::Operator& op, std::vector<Step>& steps);
  // A CONV2D or DEPTHWISE_CONV2D and the operators epilogue_fusion.h found reading its output (an
  // INT8 one's RESCALE to INT8 and maybe a CLAMP; or an FP32 one's CLAMP, `rescale` null) as one
  // dispatch of a register-blocked or tiled shader that applies them before it stores
  // (shaders/conv_epilogue.glsl), writing the last operator's output. False, with nothing added,
  // where that shader does not take the convolution or the RESCALE's parameters are not
  // constants: the caller then lowers the operators one by one.
  bool LowerFusedConvolution(const graph::Operator& conv, const graph::Operator* rescale,
                             const graph::Operator* clamp, std::vector<Step>& steps);
  // A quantised ADD (epilogue_fusion.h's RescaledAddFusion: RESCALEs of its INT8 operands to
  // INT32, the ADD, the RESCALE of the sum to INT8, maybe a CLAMP) as one dispatch of
  // rescaled_add.comp, writing the last operator's output. False, with nothing added, unless the
  // operands and the result have the same shape with a multiple of 4 elements and every RESCALE
  // has constant per-tensor parameters: the caller then lowers the operators one by one.
  bool LowerRescaledAdd(const graph::Operator& rescale_a, const graph::Operator& rescale_b,
                        const graph::Operator& add, const graph::Operator& rescale_out,
                        const graph::Operator* clamp, std::vector<Step>& steps);

  // The constant data of `id` when a CONST of any block produces it, in the GPU's layout
  // (stored_form.h).
  std::optional<std::span<const uint8_t>> ConstantData(graph::TensorId id) const;
  // The data the model file gives tensor `id` (a constant's value, a variable's initial value), in
  // the GPU's layout.
  std::span<const uint8_t> StoredData(graph::TensorId id) const;
  const std::vector<std::vector<uint8_t>>& derived() const { return derived_; }

 private:
  uint32_t AddDerived(std::vector<uint8_t> bytes);
  // The value of the one-element tensor `id` (a zero point, MUL's shift) where it is a constant
  // of the graph; nullopt where the graph computes it (EXT-DYNAMIC), for the shader variants that
  // read it from its tensor.
  std::optional<int64_t> ConstantScalar(graph::TensorId id) const;
  // Both of a pair of zero points where both are constants, else nullopt.
  std::optional<std::pair<int64_t, int64_t>> ConstantZeroPoints(graph::TensorId first,
                                                                graph::TensorId second) const;

  // The shader variant of a convolution ("i8", "i16_i48", "f32", "f16", ...) and its zero points
  // (0 for the floats).
  struct ConvTypes {
    std::string variant;
    int64_t input_zp = 0;
    int64_t weight_zp = 0;
    // Zero points the graph computes (EXT-DYNAMIC): the "_dzp" shaders read their tensors.
    bool dynamic_zero_points = false;
  };
  absl::StatusOr<ConvTypes> ConvolutionTypes(const graph::Operator& op) const;
  // RESCALE's shader variant types, range, flags and, where they are constants, its parameters as
  // the shaders take them: the multipliers and shifts as int32 per channel (derived buffers to
  // be); nullopt for types no shader takes.
  struct RescaleSetup {
    std::string in, out;  // type suffixes, "i48" for INT48 held as int64
    int64_t out_min = 0, out_max = 0, channels = 1;
    int flags = 0;         // rescale_math.glsl's
    bool dynamic = false;  // multipliers, shifts or zero points computed by the graph
    int64_t input_zp = 0, output_zp = 0;
    std::vector<uint8_t> multipliers, shifts;
  };
  std::optional<RescaleSetup> RescaleParameters(const graph::Operator& op) const;
  // CONV2D, CONV3D and TRANSPOSE_CONV2D (conv.comp); DEPTHWISE_CONV2D (depthwise_conv2d.comp).
  absl::Status LowerConvolution(const graph::Operator& op, std::vector<Step>& steps);
  absl::Status LowerMatMul(const graph::Operator& op, std::vector<Step>& steps);
  absl::Status LowerFft(const graph::Operator& op, std::vector<Step>& steps);
  // op_lowering_blocked.cc: the register-blocked shaders, where the shapes allow them (a
  // constant weight for the convolutions, and for INT8 CONV2D a constant bias); false leaves the
  // operator to the general shaders.
  bool BlockedConvolutionApplies(const graph::Operator& op, const ConvTypes& types) const;
  // `epilogue` null: the sums stored as they are.
  bool LowerBlockedConvolution(const graph::Operator& op, const ConvTypes& types,
                               std::vector<Step>& steps,
                               const ConvolutionEpilogue* epilogue = nullptr);
  // Whether an INT8 convolution's input offset can be folded into its bias at load (constant
  // weights and bias), as conv2d_blocked.comp and depthwise_rows.comp need.
  bool OffsetInputBiasApplies(const graph::Operator& op) const;
  // DEPTHWISE_CONV2D 3 wide, dilation 1 and stride 1 or 2 across (depthwise_rows.comp).
  void LowerDepthwiseRows(const graph::Operator& op, const ConvTypes& types,
                          std::vector<Step>& steps, const ConvolutionEpilogue* epilogue);
  bool LowerBlockedMatMul(const graph::Operator& op, const std::string& variant, int64_t a_zp,
                          int64_t b_zp, std::vector<Step>& steps);
  // op_lowering_tiled.cc: the shared-memory tiled shader for large MATMULs; false leaves the
  // operator to the blocked and plain shaders.
  bool LowerTiledMatMul(const graph::Operator& op, const std::string& variant, int64_t a_zp,
                        int64_t b_zp, std::vector<Step>& steps);
  // The same shader for a wide 1x1 stride-1 unpadded CONV2D with a constant weight (INT8 or FP32);
  // false leaves it to the register-blocked and plain shaders. `epilogue` null: the sums stored as
  // they are.
  bool TiledConvolutionApplies(const graph::Operator& op, const ConvTypes& types) const;
  bool LowerTiledConvolution(const graph::Operator& op, const ConvTypes& types,
                             std::vector<Step>& steps,
                             const ConvolutionEpilogue* epilogue = nullptr);
  absl::Status LowerRescale(const graph::Operator& op, std::vector<Step>& steps);
  absl::Status LowerClamp(const graph::Operator& op, std::vector<Step>& steps);
  absl::Status LowerMaxPool(const graph::Operator& op, std::vector<Step>& steps);
  // op_lowering_elementwise.cc
  absl::Status LowerElementwise(const graph::Operator& op, std::vector<Step>& steps);
  absl::Status LowerBinary(const graph::Operator& op, std::vector<Step>& steps);
  absl::Status LowerUnary(const graph::Operator& op, std::vector<Step>& steps);
  absl::Status LowerSelect(const graph::Operator& op, std::vector<Step>& steps);
  absl::Status LowerCast(const graph::Operator& op, std::vector<Step>& steps);
  // op_lowering_reduction.cc
  absl::Status LowerReduction(const graph::Operator& op, std::vector<Step>& steps);
  // op_lowering_lookup.cc
  absl::Status LowerTable(const graph::Operator& op, std::vector<Step>& steps);
  absl::Status LowerAvgPool(const graph::Operator& op, std::vector<Step>& steps);
  // op_lowering_layout.cc
  absl::Status LowerLayout(const graph::Operator& op, std::vector<Step>& steps);
  absl::Status LowerConcat(const graph::Operator& op, std::vector<Step>& steps);
  // GATHER and SCATTER.
  absl::Status LowerGather(const graph::Operator& op, std::vector<Step>& steps);
  absl::Status LowerResize(const graph::Operator& op, std::vector<Step>& steps);
  // A VGF COMPUTE segment's shader; any other CUSTOM operator has no shader.
  absl::Status LowerCustom(const graph::Operator& op, std::vector<Step>& steps);

  const graph::Graph& graph_;
  const Options options_;
  std::map<graph::TensorId, const graph::Tensor*> constants_;
  // INT4 and INT48 data converted to the GPU's layout, by tensor.
  std::map<graph::TensorId, std::vector<uint8_t>> stored_data_;
  std::vector<std::vector<uint8_t>> derived_;
};

// "INT8 CONV2D (INT8 x INT8 -> INT32)"-style description of an operator's types, for errors.
std::string DescribeOperator(const graph::Graph& graph, const graph::Operator& op);

}  // namespace inferd::vulkan

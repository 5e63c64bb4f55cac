// The register-blocked convolution and MATMUL shaders (conv2d_blocked.comp,
// depthwise_blocked.comp, matmul_blocked.comp): the shapes they take, the weights repacked at load
// into the order they read them, and their dispatch geometry. Each invocation computes a block of
// outputs, and the invocations of a workgroup share the weights they read; the one-element-per-
// invocation shaders (conv.comp, depthwise_conv2d.comp, matmul.comp) stay for everything else.
// A blocked convolution can also take over the RESCALE and CLAMP, or the FP32 CLAMP, that read its
// output (LowerFusedConvolution; shaders/conv_epilogue.glsl), and so can the tiled 1x1 CONV2D
// (op_lowering_tiled.cc), which LowerFusedConvolution tries first.
#include <algorithm>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "backends/vulkan/op_lowering.h"
#include "backends/vulkan/op_lowering_internal.h"

namespace inferd::vulkan {
namespace {

using graph::DType;
using graph::Op;
using namespace lowering;  // NOLINT: the lowering's own helpers

constexpr int64_t kWorkgroupSize = 64;  // shaders/common.glsl's WORKGROUP_SIZE
constexpr int64_t kOutputBlock = 8;     // output channels per invocation (conv2d_blocked.comp)

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// How a blocked convolution spreads a block of output channels' pixels: `per_invocation` pixels to
// each invocation of a team of `team` invocations (the shader's PIXELS, and conv2d_blocked.comp's
// p.team; depthwise_blocked.comp's teams are whole workgroups). Two or four pixels halve or
// quarter the weights each invocation reads and hands round per pixel, but invocations past the
// last pixel compute a copy of it. (On lavapipe the 14x14 layers of the MobileNetV2-shaped graph,
// 196 pixels, took about a third less time with 4 than with 1 in the one 64-invocation workgroup
// either needs.)
struct PixelSpread {
  int64_t per_invocation;
  int64_t team;
};

// The most pixels per invocation (4, 2, 1) that leaves no more than a quarter of the slots without
// a pixel, with the largest team (64, 32, 16 or 8 invocations, none smaller than `smallest_team`)
// that does so; with none, one pixel each and the smallest team. Teams below a workgroup let the
// 7x7 layers of the MobileNetV2-shaped graph, 49 pixels, take 4 pixels an invocation in teams of
// 16, where a workgroup-wide team of 64 invocations needs 1 (see benchmarks/vulkan/README.md).
PixelSpread SpreadPixels(int64_t pixels, int64_t smallest_team) {
  for (const int64_t candidate : {4, 2, 1}) {
    for (int64_t team = kWorkgroupSize; team >= smallest_team; team /= 2) {
      const int64_t slots = CeilDiv(pixels, candidate * team) * candidate * team;
      if (4 * (slots - pixels) <= slots) return {candidate, team};
    }
  }
  return {1, smallest_team};
}

// The smallest team of conv2d_blocked.comp on a device whose subgroups have up to
// `max_subgroup_size` invocations: a power of two from 8 to the workgroup.
int64_t SmallestTeam(uint32_t max_subgroup_size) {
  int64_t team = 8;
  while (team < kWorkgroupSize && team < static_cast<int64_t>(max_subgroup_size)) team *= 2;
  return team;
}

// conv_epilogue.glsl's RESCALE takes every channel's multiplier and shift (int32 each, one per
// channel) as valid: a channel that rescale_math.glsl would give 0 for its parameters (a negative
// multiplier, a shift outside [2, 62]) is given multiplier 0 and shift 2, whose result is 0 too.
void GiveInvalidChannelsZeroScale(std::vector<uint8_t>& multipliers, std::vector<uint8_t>& shifts) {
  for (size_t at = 0; at + 4 <= multipliers.size() && at + 4 <= shifts.size(); at += 4) {
    int32_t multiplier, shift;
    std::memcpy(&multiplier, &multipliers[at], 4);
    std::memcpy(&shift, &shifts[at], 4);
    if (multiplier >= 0 && shift >= 2 && shift <= 62) continue;
    multiplier = 0;
    shift = 2;
    std::memcpy(&multipliers[at], &multiplier, 4);
    std::memcpy(&shifts[at], &shift, 4);
  }
}

// CONV2D's weight [OC, KH, KW, IC] in conv2d_blocked.comp's order, [OC/8][KH][KW][IC/lanes][8]
// [lanes]: per step, output channel j's `lanes` weights; zeros past OC. Floats as they are; INT8
// (and INT4 held as INT8) with `lanes` 1 as the raw bytes, the shader subtracting the zero point;
// INT8 with `lanes` 4 or 16 as little-endian int16 of w - weight_zp, two to the shader's word.
std::vector<uint8_t> PackConvolutionWeights(std::span<const uint8_t> data,
                                            const graph::Tensor& weight, int64_t lanes,
                                            int64_t weight_zp) {
  const int64_t out_c = weight.shape[0];
  const int64_t taps = weight.shape[1] * weight.shape[2];
  const int64_t in_c = weight.shape[3];
  const int64_t element_bytes = weight.dtype == DType::kFp32 ? 4 : 1;  // INT4 held as INT8
  const bool paired = element_bytes == 1 && lanes > 1;
  const int64_t blocks = CeilDiv(out_c, kOutputBlock);
  std::vector<uint8_t> packed;
  packed.reserve(
      static_cast<size_t>(blocks * kOutputBlock * taps * in_c * (paired ? 2 : element_bytes)));
  for (int64_t b = 0; b < blocks; ++b) {
    for (int64_t tap = 0; tap < taps; ++tap) {
      for (int64_t v = 0; v < in_c / lanes; ++v) {
        for (int64_t j = 0; j < kOutputBlock; ++j) {
          const int64_t oc = b * kOutputBlock + j;
          for (int64_t k = 0; k < lanes; ++k) {
            const int64_t index = (oc * taps + tap) * in_c + v * lanes + k;
            const size_t bytes = static_cast<size_t>(element_bytes);
            if (paired) {
              // Little-endian int16; |w - weight_zp| <= 255 (BlockedConvolutionApplies).
              const int64_t value =
                  oc >= out_c ? 0
                              : static_cast<int8_t>(data[static_cast<size_t>(index)]) - weight_zp;
              const auto bits = static_cast<uint16_t>(static_cast<int16_t>(value));
              packed.push_back(static_cast<uint8_t>(bits & 0xFF));
              packed.push_back(static_cast<uint8_t>(bits >> 8));
            } else if (oc >= out_c) {
              packed.insert(packed.end(), bytes, 0);
            } else {
              const auto* from = data.data() + index * element_bytes;
              packed.insert(packed.end(), from, from + bytes);
            }
          }
        }
      }
    }
  }
  return packed;
}

// An INT8 convolution's bias for conv2d_blocked.comp and depthwise_rows.comp, which sum
// (x + 128) * (w - weight_zp): per output channel, bias - (128 + input_zp) * sum(w - weight_zp)
// over the channel's weights, in wrapping int32 arithmetic as the sums are; one per output channel
// even where the graph's bias has one element for all. Channel c's k-th weight is at
// c * channel_stride + k * weight_stride (CONV2D [OC,KH,KW,IC]: KH*KW*IC and 1; DEPTHWISE_CONV2D
// [KH,KW,C,1]: 1 and C).
std::vector<uint8_t> OffsetInputBias(std::span<const uint8_t> weight_data, int64_t channels,
                                     int64_t channel_stride, int64_t weight_stride,
                                     std::span<const uint8_t> bias_data, int64_t input_zp,
                                     int64_t weight_zp) {
  const int64_t per_channel = static_cast<int64_t>(weight_data.size()) / channels;
  const int64_t bias_count = static_cast<int64_t>(bias_data.size() / 4);
  std::vector<uint8_t> bias(static_cast<size_t>(channels) * 4);
  for (int64_t oc = 0; oc < channels; ++oc) {
    uint32_t weight_sum = 0;
    for (int64_t k = 0; k < per_channel; ++k) {
      const size_t at = static_cast<size_t>(oc * channel_stride + k * weight_stride);
      const auto w = static_cast<int8_t>(weight_data[at]);
      weight_sum += static_cast<uint32_t>(static_cast<int64_t>(w) - weight_zp);
    }
    uint32_t value;
    std::memcpy(&value, bias_data.data() + (bias_count == 1 ? 0 : oc) * 4, 4);
    value -= static_cast<uint32_t>(128 + input_zp) * weight_sum;
    std::memcpy(bias.data() + oc * 4, &value, 4);
  }
  return bias;
}

}  // namespace

bool OpLowering::OffsetInputBiasApplies(const graph::Operator& op) const {
  // Constant INT8 weights and a constant INT32 bias of one element or one per output channel.
  const graph::Tensor& weight = graph_.tensor(op.inputs[1]);
  const graph::Tensor& bias = graph_.tensor(op.inputs[2]);
  const std::optional<std::span<const uint8_t>> weight_data = ConstantData(op.inputs[1]);
  const std::optional<std::span<const uint8_t>> bias_data = ConstantData(op.inputs[2]);
  const int64_t channels =
      op.op == Op::kConv2d ? weight.shape[0] : weight.shape[2] * weight.shape[3];
  return weight_data.has_value() && static_cast<int64_t>(weight_data->size()) == Elements(weight) &&
         channels > 0 && bias.dtype == DType::kInt32 && bias_data.has_value() &&
         (Elements(bias) == 1 || Elements(bias) == channels) &&
         static_cast<int64_t>(bias_data->size()) == Elements(bias) * 4;
}

bool OpLowering::BlockedConvolutionApplies(const graph::Operator& op,
                                           const ConvTypes& types) const {
  if (op.op != Op::kConv2d && op.op != Op::kDepthwiseConv2d) return false;
  if (types.variant != "i8" && types.variant != "f32") return false;  // blocked: INT8 and FP32 only
  // The blocked shaders take the zero points as push constants only.
  if (types.dynamic_zero_points) return false;
  if (op.op == Op::kConv2d && !options_.subgroup_shuffle) return false;
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& weight = graph_.tensor(op.inputs[1]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  if (input.shape.size() != 4 || output.shape.size() != 4) return false;
  const int64_t pixels = output.shape[0] * output.shape[1] * output.shape[2];
  if (pixels == 0 || output.shape[3] % 4 != 0) return false;
  // The shaders divide their indices with common.glsl's DivideIndex, exact for dividends below
  // 2^30 and divisors below 2^20: below 2^22 pixels, every count of teams or runs a shader
  // divides by stays below 2^20 (teams have 8 or more invocations), and so do the output's
  // width and height; the dispatch's teams, blocks of 8 channels times teams, below 2^30.
  constexpr int64_t kPixelLimit = int64_t{1} << 22, kTeamLimit = int64_t{1} << 30;
  if (pixels >= kPixelLimit || CeilDiv(output.shape[3], kOutputBlock) * pixels >= kTeamLimit) {
    return false;
  }
  if (op.op == Op::kDepthwiseConv2d) return weight.shape[3] == 1;
  const std::optional<std::span<const uint8_t>> data = ConstantData(op.inputs[1]);
  const int64_t width = weight.dtype == DType::kFp32 ? 4 : 1;
  if (!data.has_value() || static_cast<int64_t>(data->size()) != Elements(weight) * width) {
    return false;
  }
  // INT8 weights minus their zero point must fit the int16 the shader reads.
  return types.variant == "f32" ||
         (types.weight_zp >= -128 && types.weight_zp <= 127 && OffsetInputBiasApplies(op));
}

bool OpLowering::LowerBlockedConvolution(const graph::Operator& op, const ConvTypes& types,
                                         std::vector<Step>& steps,
                                         const ConvolutionEpilogue* epilogue) {
  if (!BlockedConvolutionApplies(op, types)) return false;
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& weight = graph_.tensor(op.inputs[1]);
  const graph::Tensor& bias = graph_.tensor(op.inputs[2]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  const int64_t pixels = output.shape[0] * output.shape[1] * output.shape[2];
  const int64_t out_c = output.shape[3];
  // CONV2D spreads pixels over teams (conv2d_blocked.comp); the depthwise shader over workgroups.
  const PixelSpread spread = SpreadPixels(
      pixels, op.op == Op::kConv2d ? SmallestTeam(options_.max_subgroup_size) : kWorkgroupSize);
  const int64_t per_invocation = spread.per_invocation;
  const int64_t pixel_groups = CeilDiv(pixels, per_invocation * spread.team);
  const int64_t groups = CeilDiv(out_c, kOutputBlock) * pixel_groups;
  const int64_t workgroups = CeilDiv(groups, kWorkgroupSize / spread.team);
  const std::string suffix = absl::StrCat("_p", per_invocation);
  PushConstants params;
  BufferRef weights;
  BufferRef input_ref = T(op.inputs[0]);
  std::string texel_suffix;
  BufferRef biases = T(op.inputs[2]);
  int64_t bias_count = Elements(bias);
  std::string shader;
  if (op.op == Op::kConv2d) {
    const std::span<const uint8_t> data = *ConstantData(op.inputs[1]);
    const auto& attr = std::get<graph::Conv2dAttr>(op.attribute);
    const int64_t kh = weight.shape[1], kw = weight.shape[2], in_c = weight.shape[3];
    const bool int8 = types.variant == "i8";
    const int64_t lanes = int8 && in_c % 16 == 0 ? 16 : (in_c % 4 == 0 ? 4 : 1);
    std::vector<uint8_t> packed = PackConvolutionWeights(data, weight, lanes, types.weight_zp);
    // Whole 16-byte texels (INT8 with `lanes` 1 packs 8 bytes a step), zeros past the end.
    packed.resize((packed.size() + 15) / 16 * 16, 0);
    const auto weight_texels = static_cast<uint64_t>(packed.size() / 16);
    weights = D(AddDerived(std::move(packed)));
    // The input as texels of 16 bytes (a uvec4 of 16 int8 or 4 floats) or 4 (a uint of 4 int8,
    // or with `lanes` 1 one float or one int8 taken out of its word), and the weights as texels
    // of 16 bytes, where both fit. (On lavapipe the FP32 MobileNetV2 stem took 3.4 ms so against
    // 3.8, medians of five in-graph profiles; the INT8 stem, on an AVX-512 machine 3.1-4.2 ms
    // against 2.8 in a storage buffer, on an AVX2 one 6.5 against 11.7.)
    const int64_t texel_bytes = lanes == 16 || (lanes == 4 && !int8) ? 16 : 4;
    const int64_t input_bytes = Elements(input) * (int8 ? 1 : 4);
    // (INT8 one byte at a time from whole words only: a texel view ends at the last whole word.)
    if ((lanes > 1 || !int8 || Elements(input) % 4 == 0) && options_.max_texel_elements > 0 &&
        static_cast<uint64_t>(input_bytes / texel_bytes) <= options_.max_texel_elements &&
        weight_texels <= options_.max_texel_elements) {
      input_ref.texels =
          texel_bytes == 4 ? BufferRef::Texels::kUint32 : BufferRef::Texels::kUint32x4;
      texel_suffix = "_texel";
      weights.texels = BufferRef::Texels::kUint32x4;
    }
    if (int8) {
      biases =
          D(AddDerived(OffsetInputBias(data, out_c, kh * kw * in_c, 1, *ConstantData(op.inputs[2]),
                                       types.input_zp, types.weight_zp)));
      bias_count = out_c;
    }
    // 1x1 without padding, 16 or 4 channels a load: the "_k1" variants, with no loops over the
    // kernel and no tap outside the input.
    const bool pointwise =
        lanes > 1 && kh == 1 && kw == 1 &&
        std::all_of(attr.pad.begin(), attr.pad.end(), [](int32_t pad) { return pad == 0; });
    shader = absl::StrCat("conv2d_blocked_", types.variant, "_c", lanes, suffix,
                          pointwise ? "_k1" : "", texel_suffix);
    params.Int(input.shape[1]).Int(input.shape[2]).Int(in_c);
    params.Int(output.shape[1]).Int(output.shape[2]).Int(out_c).Int(kh).Int(kw);
    params.Int(attr.stride[0]).Int(attr.stride[1]).Int(attr.pad[0]).Int(attr.pad[2]);
    params.Int(attr.dilation[0]).Int(attr.dilation[1]);
  } else {
    // The weight [KH, KW, C, 1] as stored: 4 channels' int8 in a uint, or a vec4.
    const auto& attr = std::get<graph::DepthwiseConv2dAttr>(op.attribute);
    if (weight.shape[1] == 3 && attr.dilation[1] == 1 &&
        (attr.stride[1] == 1 || attr.stride[1] == 2) &&
        (types.variant == "f32" || OffsetInputBiasApplies(op))) {
      LowerDepthwiseRows(op, types, steps, epilogue);
      return true;
    }
    weights = T(op.inputs[1]);
    shader = absl::StrCat("depthwise_blocked_", types.variant, suffix);
    params.Int(input.shape[1]).Int(input.shape[2]).Int(out_c);
    params.Int(output.shape[1]).Int(output.shape[2]).Int(weight.shape[0]).Int(weight.shape[1]);
    params.Int(attr.stride[0]).Int(attr.stride[1]).Int(attr.pad[0]).Int(attr.pad[2]);
    params.Int(attr.dilation[0]).Int(attr.dilation[1]);
  }
  params.Int(types.input_zp).Int(types.weight_zp).Int(bias_count).Int(pixels);
  params.Int(pixel_groups).Int(groups);
  if (op.op == Op::kConv2d) params.Int(spread.team);
  steps.push_back(ConvolutionDispatch(std::move(shader), {input_ref, weights, biases},
                                      op.outputs[0], params, workgroups * kWorkgroupSize,
                                      epilogue));
  return true;
}

void OpLowering::LowerDepthwiseRows(const graph::Operator& op, const ConvTypes& types,
                                    std::vector<Step>& steps, const ConvolutionEpilogue* epilogue) {
  constexpr int64_t kRun = 4;  // depthwise_rows.comp's RUN: adjacent output pixels per invocation
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& weight = graph_.tensor(op.inputs[1]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  const auto& attr = std::get<graph::DepthwiseConv2dAttr>(op.attribute);
  const int64_t runs_per_row = CeilDiv(output.shape[2], kRun);
  const int64_t runs = output.shape[0] * output.shape[1] * runs_per_row;
  const int64_t run_groups = CeilDiv(runs, kWorkgroupSize);
  const int64_t groups = CeilDiv(output.shape[3], kOutputBlock) * run_groups;
  PushConstants params;
  params.Int(input.shape[1]).Int(input.shape[2]).Int(output.shape[3]);
  params.Int(output.shape[1]).Int(output.shape[2]).Int(weight.shape[0]);
  params.Int(attr.stride[0]).Int(attr.pad[0]).Int(attr.pad[2]).Int(attr.dilation[0]);
  BufferRef biases = T(op.inputs[2]);
  int64_t bias_count = Elements(graph_.tensor(op.inputs[2]));
  if (types.variant == "i8") {
    const int64_t channels = output.shape[3];
    biases = D(
        AddDerived(OffsetInputBias(*ConstantData(op.inputs[1]), channels, 1, channels,
                                   *ConstantData(op.inputs[2]), types.input_zp, types.weight_zp)));
    bias_count = channels;
  }
  params.Int(types.input_zp).Int(types.weight_zp).Int(bias_count);
  params.Int(runs).Int(runs_per_row).Int(run_groups).Int(groups);
  // The input through a texel buffer (uints of 4 int8, or 4 floats a texel) where it fits, and
  // FP32 weights too (depthwise_rows.comp); the texel variants are the shared-weight ones.
  BufferRef input_ref = T(op.inputs[0]);
  BufferRef weight_ref = T(op.inputs[1]);
  const bool int8 = types.variant == "i8";
  const uint64_t texels = static_cast<uint64_t>(Elements(input) / 4);
  const bool texel_input =
      options_.subgroup_shuffle && options_.max_texel_elements > 0 &&
      texels <= options_.max_texel_elements &&
      static_cast<uint64_t>(Elements(weight) / 4) <= options_.max_texel_elements;
  if (texel_input) {
    input_ref.texels = int8 ? BufferRef::Texels::kUint32 : BufferRef::Texels::kUint32x4;
    if (!int8) weight_ref.texels = BufferRef::Texels::kUint32x4;
  }
  steps.push_back(ConvolutionDispatch(
      absl::StrCat("depthwise_rows_", types.variant, "_s", attr.stride[1],
                   weight.shape[0] == 3 ? "_k3" : "", options_.subgroup_shuffle ? "_shared" : "",
                   texel_input ? "_texel" : ""),
      {input_ref, weight_ref, biases}, op.outputs[0], params, groups * kWorkgroupSize, epilogue));
}

bool OpLowering::LowerFusedConvolution(const graph::Operator& conv, const graph::Operator* rescale,
                                       const graph::Operator* clamp, std::vector<Step>& steps) {
  if (conv.op != Op::kConv2d && conv.op != Op::kDepthwiseConv2d) return false;
  if (rescale == nullptr && clamp == nullptr) return false;
  const absl::StatusOr<ConvTypes> types = ConvolutionTypes(conv);
  if (!types.ok() ||
      !(TiledConvolutionApplies(conv, *types) || BlockedConvolutionApplies(conv, *types))) {
    return false;
  }
  const graph::Tensor& output = graph_.tensor(conv.outputs[0]);
  ConvolutionEpilogue epilogue;
  epilogue.output = clamp != nullptr ? clamp->outputs[0] : rescale->outputs[0];
  if (types->variant == "i8") {
    // RESCALE INT32 -> INT8 with constant parameters, per tensor or one per output channel.
    if (rescale == nullptr || rescale->op != Op::kRescale ||
        graph_.tensor(rescale->inputs[0]).dtype != DType::kInt32 ||
        graph_.tensor(rescale->outputs[0]).dtype != DType::kInt8) {
      return false;
    }
    std::optional<RescaleSetup> setup = RescaleParameters(*rescale);
    if (!setup.has_value() || setup->dynamic || setup->input_zp != 0 ||
        (setup->channels != 1 && setup->channels != output.shape[3])) {
      return false;
    }
    GiveInvalidChannelsZeroScale(setup->multipliers, setup->shifts);
    // The CLAMP's bounds as clamp_packed.comp takes them; without one, the whole INT8 range.
    int64_t clamp_min = -128, clamp_max = 127;
    if (clamp != nullptr) {
      if (clamp->op != Op::kClamp || graph_.tensor(clamp->outputs[0]).dtype != DType::kInt8) {
        return false;
      }
      const auto& attr = std::get<graph::ClampAttr>(clamp->attribute);
      clamp_min = ReadSigned(attr.min_val, DType::kInt8);
      clamp_max = ReadSigned(attr.max_val, DType::kInt8);
    }
    epilogue.suffix = "_rescale";
    epilogue.buffers = {D(AddDerived(std::move(setup->multipliers))),
                        D(AddDerived(std::move(setup->shifts)))};
    for (int64_t value : {setup->input_zp, setup->output_zp, setup->out_min, setup->out_max,
                          setup->channels, int64_t{setup->flags}, clamp_min, clamp_max}) {
      epilogue.push_constants.push_back(static_cast<int32_t>(value));
    }
  } else {
    // FP32: a CLAMP alone, with clamp.comp's bounds and NaN mode.
    if (rescale != nullptr || clamp->op != Op::kClamp ||
        graph_.tensor(clamp->outputs[0]).dtype != DType::kFp32) {
      return false;
    }
    const auto& attr = std::get<graph::ClampAttr>(clamp->attribute);
    epilogue.suffix = "_clamp";
    for (float bound :
         {ReadFloat(attr.min_val, DType::kFp32), ReadFloat(attr.max_val, DType::kFp32)}) {
      int32_t bits;
      std::memcpy(&bits, &bound, 4);
      epilogue.push_constants.push_back(bits);
    }
    epilogue.push_constants.push_back(static_cast<int32_t>(attr.nan_mode));
  }
  return LowerTiledConvolution(conv, *types, steps, &epilogue) ||
         LowerBlockedConvolution(conv, *types, steps, &epilogue);
}

bool OpLowering::LowerBlockedMatMul(const graph::Operator& op, const std::string& variant,
                                    int64_t a_zp, int64_t b_zp, std::vector<Step>& steps) {
  const graph::Tensor& a = graph_.tensor(op.inputs[0]);
  const graph::Tensor& b = graph_.tensor(op.inputs[1]);
  if (variant != "i8" && variant != "f32") return false;  // blocked: INT8 and FP32 only
  const int64_t rows = a.shape[0] * a.shape[1];
  const int64_t w = b.shape[2];
  if (w % 4 != 0 || rows == 0 || w == 0) return false;
  const int64_t row_groups = CeilDiv(w / 4, kWorkgroupSize);
  const int64_t groups = rows * row_groups;
  PushConstants params;
  params.Int(a.shape[1]).Int(a.shape[2]).Int(w).Int(a_zp).Int(b_zp).Int(row_groups).Int(groups);
  // With subgroup shuffles, A's elements go round subgroups of 8 ("_shared"), and B, where the
  // device's texel buffers hold it (a word of 4 int8, or 4 floats, a texel), is read through one
  // ("_texel"). On lavapipe the MobileNetV2-shaped graphs' fully connected layer took FP32 9.3 ->
  // 1.0 ms, INT8 4.6 -> 1.5 ms so (benchmarks/vulkan/README.md).
  std::string suffix;
  BufferRef b_ref = T(op.inputs[1]);
  if (options_.subgroup_shuffle) {
    suffix = "_shared";
    const uint64_t texels = static_cast<uint64_t>(Elements(b) / 4);
    if (options_.max_texel_elements > 0 && texels <= options_.max_texel_elements) {
      b_ref.texels = variant == "i8" ? BufferRef::Texels::kUint32 : BufferRef::Texels::kUint32x4;
      suffix += "_texel";
    }
  }
  steps.push_back(Dispatch(absl::StrCat("matmul_blocked_", variant, suffix),
                           {T(op.inputs[0]), b_ref, T(op.outputs[0])}, params,
                           groups * kWorkgroupSize));
  return true;
}

}  // namespace inferd::vulkan

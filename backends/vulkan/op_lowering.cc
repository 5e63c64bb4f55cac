#include "backends/vulkan/op_lowering.h"

#include <algorithm>
#include <cstring>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backends/vulkan/op_lowering_internal.h"
#include "backends/vulkan/stored_form.h"

namespace inferd::vulkan {
namespace {

using graph::DType;
using graph::Op;
using graph::TensorId;
using namespace lowering;  // NOLINT: the lowering's own helpers

}  // namespace

std::string DescribeOperator(const graph::Graph& graph, const graph::Operator& op) {
  std::vector<std::string> inputs;
  for (TensorId id : op.inputs) {
    if (graph.tensor(id).dtype == DType::kShape) continue;
    inputs.push_back(std::string(graph::DTypeName(graph.tensor(id).dtype)));
  }
  std::vector<std::string> outputs;
  for (TensorId id : op.outputs)
    outputs.push_back(std::string(graph::DTypeName(graph.tensor(id).dtype)));
  return absl::StrCat(std::string(graph::OpName(op.op)), " (", absl::StrJoin(inputs, ", "), " -> ",
                      absl::StrJoin(outputs, ", "), ")");
}

OpLowering::OpLowering(const graph::Graph& graph, Options options)
    : graph_(graph), options_(options) {
  // Every block's: the blocks COND_IF and WHILE_LOOP call hold constants too.
  for (const graph::Block& block : graph.blocks) {
    for (const graph::Operator& op : block.operators) {
      if (op.op == Op::kConst && op.outputs.size() == 1) {
        constants_[op.outputs[0]] = &graph.tensor(op.outputs[0]);
      }
    }
  }
  for (TensorId id = 0; id < graph.tensors.size(); ++id) {
    const graph::Tensor& tensor = graph.tensor(id);
    if (!StoredFormDiffers(tensor.dtype) || tensor.data.empty()) continue;
    stored_data_[id] =
        ToStoredForm(tensor.dtype, tensor.data, graph::ElementCount(tensor).value_or(0));
  }
}

std::optional<std::span<const uint8_t>> OpLowering::ConstantData(TensorId id) const {
  if (!constants_.contains(id)) return std::nullopt;
  return StoredData(id);
}

std::span<const uint8_t> OpLowering::StoredData(TensorId id) const {
  auto it = stored_data_.find(id);
  if (it != stored_data_.end()) return it->second;
  return graph_.tensor(id).data;
}

uint32_t OpLowering::AddDerived(std::vector<uint8_t> bytes) {
  derived_.push_back(std::move(bytes));
  return static_cast<uint32_t>(derived_.size() - 1);
}

std::optional<int64_t> OpLowering::ConstantScalar(TensorId id) const {
  std::optional<std::span<const uint8_t>> data = ConstantData(id);
  if (!data.has_value() || data->empty()) return std::nullopt;
  return ReadSigned(*data, graph_.tensor(id).dtype);
}

std::optional<std::pair<int64_t, int64_t>> OpLowering::ConstantZeroPoints(TensorId first,
                                                                          TensorId second) const {
  const std::optional<int64_t> a = ConstantScalar(first);
  const std::optional<int64_t> b = ConstantScalar(second);
  if (!a.has_value() || !b.has_value()) return std::nullopt;
  return std::pair{*a, *b};
}

absl::Status OpLowering::Lower(const graph::Operator& op, std::vector<Step>& steps) {
  switch (op.op) {
    case Op::kConst:
    case Op::kConstShape:
      return absl::OkStatus();
    case Op::kVariable:
      return absl::OkStatus();  // the program places the variable and uploads its initial value
    case Op::kReshape:
    case Op::kIdentity:
    case Op::kVariableWrite:
    case Op::kVariableRead:
      // A variable tensor's region is its variable's (one per uid, kept across runs), so writes
      // and reads, and IDENTITY into or out of a variable, are copies.
      steps.push_back(CopyStep{op.inputs[0], op.outputs[0]});
      return absl::OkStatus();
    case Op::kConv2d:
    case Op::kConv3d:
    case Op::kTransposeConv2d:
    case Op::kDepthwiseConv2d:
      return LowerConvolution(op, steps);
    case Op::kMatMul:
      return LowerMatMul(op, steps);
    case Op::kFft2d:
    case Op::kRfft2d:
      return LowerFft(op, steps);
    case Op::kRescale:
      return LowerRescale(op, steps);
    case Op::kClamp:
      return LowerClamp(op, steps);
    case Op::kMaxPool2d:
      return LowerMaxPool(op, steps);
    case Op::kTranspose:
    case Op::kSlice:
    case Op::kPad:
    case Op::kTile:
    case Op::kReverse:
      return LowerLayout(op, steps);
    case Op::kConcat:
      return LowerConcat(op, steps);
    case Op::kGather:
    case Op::kScatter:
      return LowerGather(op, steps);
    case Op::kResize:
      return LowerResize(op, steps);
    case Op::kReduceSum:
    case Op::kReduceMax:
    case Op::kReduceMin:
    case Op::kReduceProduct:
    case Op::kReduceAny:
    case Op::kReduceAll:
    case Op::kArgMax:
      return LowerReduction(op, steps);
    case Op::kTable:
      return LowerTable(op, steps);
    case Op::kAvgPool2d:
      return LowerAvgPool(op, steps);
    case Op::kCustom:
      return LowerCustom(op, steps);
    default:
      if (IsElementwise(op.op)) return LowerElementwise(op, steps);
      return NoShader(graph_, op);
  }
}

absl::Status OpLowering::LowerCustom(const graph::Operator& op, std::vector<Step>& steps) {
  auto segment = graph::vgf::ComputeSegmentOf(op);
  if (!segment.ok()) return segment.status();
  if (!segment->has_value()) return NoShader(graph_, op);
  DispatchStep step;
  step.shader = absl::StrCat("compute segment '", (*segment)->name, "'");
  for (const graph::vgf::ComputeSegmentBinding& b : (*segment)->bindings) {
    step.buffers.push_back(T(b.output ? op.outputs[b.operand] : op.inputs[b.operand]));
  }
  step.module = std::make_shared<const graph::vgf::ComputeSegment>(**std::move(segment));
  steps.push_back(std::move(step));
  return absl::OkStatus();
}

absl::StatusOr<OpLowering::ConvTypes> OpLowering::ConvolutionTypes(
    const graph::Operator& op) const {
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& weight = graph_.tensor(op.inputs[1]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  ConvTypes types;
  if (input.dtype == DType::kFp32 && weight.dtype == DType::kFp32 && output.dtype == DType::kFp32) {
    types.variant = "f32";
    return types;
  }
  // The narrow floats, summed in fp32 whatever the accumulator type (at least as precise as the
  // specification asks): FP16 and BF16 keep their type, FP8 gives FP16.
  const bool narrow =
      input.dtype == DType::kFp16 || input.dtype == DType::kBf16 || IsFp8(input.dtype);
  if (narrow && weight.dtype == input.dtype &&
      output.dtype == (IsFp8(input.dtype) ? DType::kFp16 : input.dtype)) {
    types.variant = TypeSuffix(input.dtype);
    return types;
  }
  // INT4 weights are held as INT8 (stored_form.h): the INT8 shaders take them. INT16 inputs give
  // INT48, summed in 64 bits.
  if (input.dtype == DType::kInt8 &&
      (weight.dtype == DType::kInt8 || weight.dtype == DType::kInt4) &&
      output.dtype == DType::kInt32) {
    types.variant = "i8";
  } else if (input.dtype == DType::kInt16 && weight.dtype == DType::kInt8 &&
             output.dtype == DType::kInt48) {
    types.variant = "i16_i48";
  } else {
    return NoShader(graph_, op);
  }
  const std::optional<std::pair<int64_t, int64_t>> zero_points =
      ConstantZeroPoints(op.inputs[3], op.inputs[4]);
  types.dynamic_zero_points = !zero_points.has_value();
  if (zero_points.has_value()) std::tie(types.input_zp, types.weight_zp) = *zero_points;
  return types;
}

namespace {

// depthwise_conv2d.comp's push constants.
void DepthwiseParams(const graph::Operator& op, const graph::Tensor& input,
                     const graph::Tensor& weight, const graph::Tensor& output,
                     PushConstants& params) {
  const auto& attr = std::get<graph::DepthwiseConv2dAttr>(op.attribute);
  params.Int(input.shape[1]).Int(input.shape[2]).Int(input.shape[3]);
  params.Int(output.shape[1]).Int(output.shape[2]);
  // weight [KH, KW, C, M]
  params.Int(weight.shape[3]).Int(weight.shape[0]).Int(weight.shape[1]);
  params.Int(attr.stride[0]).Int(attr.stride[1]).Int(attr.pad[0]).Int(attr.pad[2]);
  params.Int(attr.dilation[0]).Int(attr.dilation[1]);
}

// conv.comp's geometry per axis (depth, height, width) of CONV2D, CONV3D or TRANSPOSE_CONV2D; the
// 2-D operators have depth 1.
struct ConvGeometry {
  std::vector<int64_t> in_shape, out_shape, weight_shape;  // rank 5, depth 1 for 2-D
  std::vector<int64_t> stride{1, 1, 1}, pad{0, 0, 0}, dilation{1, 1, 1}, step{1, 1, 1};
};

ConvGeometry Geometry(const graph::Operator& op, const graph::Tensor& input,
                      const graph::Tensor& weight, const graph::Tensor& output) {
  ConvGeometry g{input.shape, output.shape, weight.shape};
  if (op.op == Op::kConv3d) {
    const auto& attr = std::get<graph::Conv3dAttr>(op.attribute);
    for (int a = 0; a < 3; ++a) {
      g.stride[a] = attr.stride[a];
      g.pad[a] = attr.pad[2 * a];
      g.dilation[a] = attr.dilation[a];
    }
    return g;
  }
  for (std::vector<int64_t>* shape : {&g.in_shape, &g.out_shape, &g.weight_shape}) {
    shape->insert(shape->begin() + 1, 1);
  }
  if (op.op == Op::kConv2d) {
    const auto& attr = std::get<graph::Conv2dAttr>(op.attribute);
    for (int a = 1; a < 3; ++a) {
      g.stride[a] = attr.stride[a - 1];
      g.pad[a] = attr.pad[2 * (a - 1)];
      g.dilation[a] = attr.dilation[a - 1];
    }
    return g;
  }
  // TRANSPOSE_CONV2D in the gather form: input row (oy - out_pad_top - ky) / stride_y.
  const auto& attr = std::get<graph::TransposeConv2dAttr>(op.attribute);
  for (int a = 1; a < 3; ++a) {
    g.pad[a] = attr.out_pad[2 * (a - 1)];
    g.dilation[a] = -1;
    g.step[a] = attr.stride[a - 1];
  }
  return g;
}

}  // namespace

absl::Status OpLowering::LowerConvolution(const graph::Operator& op, std::vector<Step>& steps) {
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& weight = graph_.tensor(op.inputs[1]);
  const graph::Tensor& bias = graph_.tensor(op.inputs[2]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  auto types = ConvolutionTypes(op);
  if (!types.ok()) return types.status();
  if (LowerTiledConvolution(op, *types, steps) || LowerBlockedConvolution(op, *types, steps)) {
    return absl::OkStatus();
  }
  PushConstants params;
  std::string shader;
  if (op.op == Op::kDepthwiseConv2d) {
    shader = absl::StrCat("depthwise_conv2d_", types->variant);
    DepthwiseParams(op, input, weight, output, params);
    params.Int(types->input_zp).Int(types->weight_zp).Int(Elements(bias)).Int(Elements(output));
  } else {
    shader = absl::StrCat("conv_", types->variant);
    const ConvGeometry g = Geometry(op, input, weight, output);
    params.Int(g.in_shape[1]).Int(g.in_shape[2]).Int(g.in_shape[3]).Int(g.in_shape[4]);
    params.Int(g.out_shape[1]).Int(g.out_shape[2]).Int(g.out_shape[3]).Int(g.out_shape[4]);
    params.Int(g.weight_shape[1]).Int(g.weight_shape[2]).Int(g.weight_shape[3]);
    // Each ivec3 shares its 16-byte slot with the scalar after it.
    params.Int(types->input_zp).Ints(g.stride).Int(types->weight_zp);
    params.Ints(g.pad).Int(Elements(bias)).Ints(g.dilation).Int(Elements(output)).Ints(g.step);
  }
  std::vector<BufferRef> buffers = {T(op.inputs[0]), T(op.inputs[1]), T(op.inputs[2]),
                                    T(op.outputs[0])};
  if (types->dynamic_zero_points) {
    shader += "_dzp";
    buffers.push_back(T(op.inputs[3]));
    buffers.push_back(T(op.inputs[4]));
  }
  steps.push_back(Dispatch(std::move(shader), std::move(buffers), params, Elements(output)));
  return absl::OkStatus();
}

absl::Status OpLowering::LowerMatMul(const graph::Operator& op, std::vector<Step>& steps) {
  const graph::Tensor& a = graph_.tensor(op.inputs[0]);
  const graph::Tensor& b = graph_.tensor(op.inputs[1]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  std::string variant;
  int64_t a_zp = 0;
  int64_t b_zp = 0;
  const bool int8 =
      a.dtype == DType::kInt8 && b.dtype == DType::kInt8 && output.dtype == DType::kInt32;
  const bool int16 =
      a.dtype == DType::kInt16 && b.dtype == DType::kInt16 && output.dtype == DType::kInt48;
  bool dynamic_zero_points = false;
  if (int8 || int16) {
    variant = int8 ? "i8" : "i16_i48";
    // Zero points the graph computes (EXT-DYNAMIC): the "_dzp" shader reads their tensors.
    const std::optional<std::pair<int64_t, int64_t>> zero_points =
        ConstantZeroPoints(op.inputs[2], op.inputs[3]);
    dynamic_zero_points = !zero_points.has_value();
    if (zero_points.has_value()) std::tie(a_zp, b_zp) = *zero_points;
  } else if (a.dtype == DType::kFp32 && b.dtype == DType::kFp32 && output.dtype == DType::kFp32) {
    variant = "f32";
  } else if (a.dtype == DType::kFp16 && b.dtype == DType::kFp16 && output.dtype == DType::kFp16) {
    variant = "f16";
  } else if ((a.dtype == DType::kFp16 || a.dtype == DType::kBf16) && b.dtype == a.dtype &&
             output.dtype == DType::kFp32) {
    variant = absl::StrCat(TypeSuffix(a.dtype), "_f32");
  } else if (IsFp8(a.dtype) && b.dtype == a.dtype && output.dtype == DType::kFp16) {
    variant = TypeSuffix(a.dtype);
  } else {
    return NoShader(graph_, op);
  }
  if (!dynamic_zero_points && (LowerTiledMatMul(op, variant, a_zp, b_zp, steps) ||
                               LowerBlockedMatMul(op, variant, a_zp, b_zp, steps))) {
    return absl::OkStatus();
  }
  PushConstants params;
  params.Int(a.shape[1]).Int(a.shape[2]).Int(b.shape[2]).Int(a_zp).Int(b_zp).Int(Elements(output));
  std::vector<BufferRef> buffers = {T(op.inputs[0]), T(op.inputs[1]), T(op.outputs[0])};
  if (dynamic_zero_points) {
    buffers.push_back(T(op.inputs[2]));
    buffers.push_back(T(op.inputs[3]));
  }
  steps.push_back(DispatchStep{absl::StrCat("matmul_", variant, dynamic_zero_points ? "_dzp" : ""),
                               std::move(buffers), params.Take(),
                               static_cast<uint64_t>(Elements(output))});
  return absl::OkStatus();
}

// FFT2D (real and imaginary inputs) and RFFT2D (a real input; the width/2 + 1 non-redundant
// bins): shaders/fft2d.comp, one invocation per output bin.
absl::Status OpLowering::LowerFft(const graph::Operator& op, std::vector<Step>& steps) {
  const bool real = op.op == Op::kRfft2d;
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  if (input.dtype != DType::kFp32 || input.shape.size() != 3 || output.shape.size() != 3) {
    return NoShader(graph_, op);
  }
  const bool inverse = !real && std::get<graph::Fft2dAttr>(op.attribute).inverse;
  PushConstants params;
  params.Int(input.shape[1]).Int(input.shape[2]).Int(output.shape[2]).Int(inverse ? -1 : 1);
  params.Int(Elements(output));
  std::vector<BufferRef> buffers = {T(op.inputs[0])};
  if (!real) buffers.push_back(T(op.inputs[1]));
  buffers.push_back(T(op.outputs[0]));
  buffers.push_back(T(op.outputs[1]));
  if (Elements(output) > 0) {
    steps.push_back(
        Dispatch(real ? "rfft2d_f32" : "fft2d_f32", std::move(buffers), params, Elements(output)));
  }
  return absl::OkStatus();
}

std::optional<OpLowering::RescaleSetup> OpLowering::RescaleParameters(
    const graph::Operator& op) const {
  const auto& attr = std::get<graph::RescaleAttr>(op.attribute);
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  // INT48 inputs are held as int64 (stored_form.h).
  const bool wide_input = input.dtype == DType::kInt48;
  if ((!IsInteger(input.dtype) && !wide_input) || !IsInteger(output.dtype)) return std::nullopt;
  RescaleSetup setup;
  setup.in = wide_input ? "i48" : TypeSuffix(input.dtype);
  setup.out = TypeSuffix(output.dtype);

  // The output range and the flags, as the CPU kernel decides them
  // (backends/cpu/kernels/rescale.cc).
  const int in_bits =
      setup.in == "i8" ? 8 : (setup.in == "i16" ? 16 : (setup.in == "i32" ? 32 : 48));
  const int out_bits = setup.out == "i8" ? 8 : (setup.out == "i16" ? 16 : 32);
  setup.out_min = attr.output_unsigned ? 0 : -(int64_t{1} << (out_bits - 1));
  setup.out_max =
      attr.output_unsigned ? (int64_t{1} << out_bits) - 1 : (int64_t{1} << (out_bits - 1)) - 1;
  const graph::Tensor& multiplier = graph_.tensor(op.inputs[1]);
  const graph::Tensor& shift = graph_.tensor(op.inputs[2]);
  setup.channels = attr.per_channel ? Elements(multiplier) : 1;
  if (attr.per_channel) setup.flags |= 1;
  // INEXACT_ROUND may round either way; the CPU kernel rounds as SINGLE_ROUND does, and so does
  // the shader.
  if (attr.rounding_mode == graph::RoundingMode::kDoubleRound) setup.flags |= 2;
  if (attr.input_unsigned && in_bits <= 16) setup.flags |= 4;

  // Multipliers, shifts or zero points the graph computes (EXT-DYNAMIC): the "_dyn" shader reads
  // all four from their tensors, and zero extends the zero points of unsigned views itself.
  const std::optional<std::span<const uint8_t>> multiplier_data = ConstantData(op.inputs[1]);
  const std::optional<std::span<const uint8_t>> shift_data = ConstantData(op.inputs[2]);
  const std::optional<std::pair<int64_t, int64_t>> zero_points =
      ConstantZeroPoints(op.inputs[3], op.inputs[4]);
  if (!multiplier_data || !shift_data || !zero_points) {
    setup.dynamic = true;
    if (attr.output_unsigned && out_bits <= 16) setup.flags |= 8;
    if (multiplier.dtype == DType::kInt32) setup.flags |= 16;
    return setup;
  }
  setup.multipliers.resize(static_cast<size_t>(setup.channels) * 4);
  setup.shifts.resize(static_cast<size_t>(setup.channels) * 4);
  const size_t multiplier_width = multiplier.dtype == DType::kInt16 ? 2 : 4;
  for (int64_t c = 0; c < setup.channels; ++c) {
    const int32_t m = static_cast<int32_t>(
        ReadSigned(multiplier_data->subspan(c * multiplier_width), multiplier.dtype));
    const int32_t s = static_cast<int32_t>(ReadSigned(shift_data->subspan(c), shift.dtype));
    std::memcpy(&setup.multipliers[c * 4], &m, 4);
    std::memcpy(&setup.shifts[c * 4], &s, 4);
  }
  // The zero points re-extended by the unsigned flags.
  std::tie(setup.input_zp, setup.output_zp) = *zero_points;
  if (attr.input_unsigned && in_bits <= 16) setup.input_zp &= (int64_t{1} << in_bits) - 1;
  if (attr.output_unsigned && out_bits <= 16) setup.output_zp &= (int64_t{1} << out_bits) - 1;
  return setup;
}

absl::Status OpLowering::LowerRescale(const graph::Operator& op, std::vector<Step>& steps) {
  std::optional<RescaleSetup> setup = RescaleParameters(op);
  if (!setup.has_value()) return NoShader(graph_, op);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  const std::string& in = setup->in;
  const std::string& out = setup->out;
  if (setup->dynamic) {
    PushConstants params;
    params.Int(0).Int(0).Int(setup->out_min).Int(setup->out_max).Int(setup->channels);
    params.Int(setup->flags).Int(Elements(output));
    steps.push_back(Dispatch(absl::StrCat("rescale_", in, "_", out, "_dyn"),
                             {T(op.inputs[0]), T(op.inputs[1]), T(op.inputs[2]), T(op.outputs[0]),
                              T(op.inputs[3]), T(op.inputs[4])},
                             params, Elements(output)));
    return absl::OkStatus();
  }
  const uint32_t multiplier_buffer = AddDerived(std::move(setup->multipliers));
  const uint32_t shift_buffer = AddDerived(std::move(setup->shifts));
  // Four elements an invocation where the types pack (INT8 in a uint, INT32 in an ivec4) and the
  // count divides: a quarter of the invocations and of the memory instructions.
  const bool packs = (in == "i8" || in == "i32") && (out == "i8" || out == "i32") &&
                     !(in == "i32" && out == "i32") && Elements(output) % 4 == 0;
  const int64_t invocations = packs ? Elements(output) / 4 : Elements(output);
  PushConstants params;
  params.Int(setup->input_zp).Int(setup->output_zp).Int(setup->out_min).Int(setup->out_max);
  params.Int(setup->channels).Int(setup->flags).Int(invocations);
  steps.push_back(
      DispatchStep{absl::StrCat("rescale_", in, "_", out, packs ? "_p4" : ""),
                   {T(op.inputs[0]), D(multiplier_buffer), D(shift_buffer), T(op.outputs[0])},
                   params.Take(),
                   static_cast<uint64_t>(invocations)});
  return absl::OkStatus();
}

absl::Status OpLowering::LowerClamp(const graph::Operator& op, std::vector<Step>& steps) {
  const auto& attr = std::get<graph::ClampAttr>(op.attribute);
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const std::string suffix = TypeSuffix(input.dtype);
  if (suffix.empty() || suffix == "bool") return NoShader(graph_, op);
  PushConstants params;
  if (IsFloat(input.dtype)) {
    params.Bits(ReadFloat(attr.min_val, input.dtype)).Bits(ReadFloat(attr.max_val, input.dtype));
  } else {
    params.Int(ReadSigned(attr.min_val, input.dtype)).Int(ReadSigned(attr.max_val, input.dtype));
  }
  // INT8 four elements an invocation (one uint) where the count divides.
  const bool packs = input.dtype == DType::kInt8 && Elements(input) % 4 == 0;
  const int64_t invocations = packs ? Elements(input) / 4 : Elements(input);
  params.Int(static_cast<int>(attr.nan_mode)).Int(invocations);
  steps.push_back(DispatchStep{absl::StrCat("clamp_", suffix, packs ? "_p4" : ""),
                               {T(op.inputs[0]), T(op.outputs[0])},
                               params.Take(),
                               static_cast<uint64_t>(invocations)});
  return absl::OkStatus();
}

absl::Status OpLowering::LowerMaxPool(const graph::Operator& op, std::vector<Step>& steps) {
  const auto& attr = std::get<graph::MaxPool2dAttr>(op.attribute);
  const graph::Tensor& input = graph_.tensor(op.inputs[0]);
  const graph::Tensor& output = graph_.tensor(op.outputs[0]);
  const std::string suffix = TypeSuffix(input.dtype);
  if (suffix.empty() || suffix == "i32" || suffix == "bool") return NoShader(graph_, op);
  PushConstants params;
  params.Int(input.shape[1]).Int(input.shape[2]).Int(input.shape[3]);
  params.Int(output.shape[1]).Int(output.shape[2]).Int(attr.kernel[0]).Int(attr.kernel[1]);
  params.Int(attr.stride[0]).Int(attr.stride[1]).Int(attr.pad[0]).Int(attr.pad[2]);
  params.Int(static_cast<int>(attr.nan_mode)).Int(Elements(output));
  steps.push_back(DispatchStep{absl::StrCat("max_pool2d_", suffix),
                               {T(op.inputs[0]), T(op.outputs[0])},
                               params.Take(),
                               static_cast<uint64_t>(Elements(output))});
  return absl::OkStatus();
}

}  // namespace inferd::vulkan

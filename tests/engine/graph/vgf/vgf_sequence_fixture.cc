#include "tests/engine/graph/vgf/vgf_sequence_fixture.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/graph/vgf/vgf_writer.h"
#include "engine/graph/vgf/vk_format.h"

namespace inferd::graph::vgf::testing {
namespace {

constexpr uint32_t kComputeStageBit = 0x20;  // VK_SHADER_STAGE_COMPUTE_BIT
constexpr int kWorkgroupSize = 64;

// in + c with c[i] = i - 3, INT32 [1, n], as the graph writer's one-segment file.
VgfFile AddConstantFile(const std::string& in_name, const std::string& out_name, int n) {
  Graph g;
  g.regions.push_back(Region{"main", {0}});
  g.blocks.emplace_back();
  g.blocks[0].name = "main";
  auto add = [&](std::string name, std::vector<uint8_t> data = {}) {
    Tensor t;
    t.name = std::move(name);
    t.dtype = DType::kInt32;
    t.shape = {1, n};
    t.data = std::move(data);
    g.tensors.push_back(std::move(t));
    g.blocks[0].tensors.push_back(static_cast<TensorId>(g.tensors.size() - 1));
    return static_cast<TensorId>(g.tensors.size() - 1);
  };
  const TensorId in = add(in_name);
  std::vector<uint8_t> bytes;
  for (int i = 0; i < n; ++i) {
    const int32_t v = i - 3;
    for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<uint8_t>(v >> (8 * b)));
  }
  const TensorId c = add("c", std::move(bytes));
  const TensorId out = add(out_name);
  Operator constant;
  constant.op = Op::kConst;
  constant.outputs = {c};
  Operator sum;
  sum.op = Op::kAdd;
  sum.inputs = {in, c};
  sum.outputs = {out};
  g.blocks[0].operators = {constant, sum};
  g.blocks[0].inputs = {in};
  g.blocks[0].outputs = {out};
  auto written = WriteVgfFile(g);
  auto file = ReadVgfFile(*written);
  return *std::move(file);
}

VgfResource Buffer(VgfResourceCategory category, int n) {
  VgfResource r;
  r.vk_descriptor_type = kDescriptorTypeStorageBuffer;
  r.vk_format = VkFormatOf(DType::kInt32);
  r.category = category;
  r.shape = {1, n};
  return r;
}

}  // namespace

std::string ScaleShaderGlsl(uint32_t set) {
  return absl::StrCat(R"(#version 450
layout(local_size_x = 64) in;
layout(set = )",
                      set, R"(, binding = 0) readonly buffer In { int values_in[]; };
layout(set = )",
                      set, R"(, binding = 1) writeonly buffer Out { int values_out[]; };
layout(push_constant) uniform Push { int bias; } push;
void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < values_out.length()) values_out[i] = values_in[i] * 3 + 1 + push.bias;
}
)");
}

VgfFile TwoSegmentFile(SegmentOrder order, int n) {
  const bool graph_first = order == SegmentOrder::kGraphThenCompute;
  VgfFile file = graph_first ? AddConstantFile("x", "t", n) : AddConstantFile("t", "y", n);
  // The resource between the segments: the graph's output (graph first) or input.
  const uint32_t between = graph_first ? file.outputs[0].mrt_index : file.inputs[0].mrt_index;
  file.resources[between] = Buffer(VgfResourceCategory::kIntermediate, n);
  const uint32_t outer = static_cast<uint32_t>(file.resources.size());
  file.resources.push_back(
      Buffer(graph_first ? VgfResourceCategory::kOutput : VgfResourceCategory::kInput, n));

  const uint32_t set = graph_first ? 0 : 2;  // set 2: the sets below it are empty
  VgfModule module;
  module.type = VgfModuleType::kCompute;
  module.name = "scale";
  module.entry_point = "main";
  module.code_kind = VgfCodeKind::kGlsl;
  module.source = ScaleShaderGlsl(set);
  file.modules.push_back(std::move(module));

  VgfSegment segment;
  segment.type = VgfModuleType::kCompute;
  segment.name = "scale_segment";
  segment.module_index = static_cast<uint32_t>(file.modules.size() - 1);
  const uint32_t read = graph_first ? between : outer;
  const uint32_t written = graph_first ? outer : between;
  VgfDescriptorSet descriptors;
  descriptors.set_index = set;
  descriptors.bindings = {{0, read}, {1, written}};
  segment.descriptor_sets = {descriptors};
  segment.inputs = {{0, read}};
  segment.outputs = {{1, written}};
  segment.dispatch_shape = {static_cast<uint32_t>((n + kWorkgroupSize - 1) / kWorkgroupSize), 1, 1};
  segment.push_constant_ranges = {{kComputeStageBit, 0, 4}};
  if (graph_first) {
    file.segments.push_back(std::move(segment));
    file.outputs = {{1, outer}};
    file.output_names = {"y"};
  } else {
    file.segments.insert(file.segments.begin(), std::move(segment));
    file.inputs = {{0, outer}};
    file.input_names = {"x"};
  }
  return file;
}

std::vector<int32_t> ExpectedTwoSegmentOutput(SegmentOrder order, const std::vector<int32_t>& x) {
  std::vector<int32_t> y;
  for (size_t i = 0; i < x.size(); ++i) {
    const int32_t c = static_cast<int32_t>(i) - 3;
    y.push_back(order == SegmentOrder::kGraphThenCompute ? 3 * (x[i] + c) + 1 : 3 * x[i] + 1 + c);
  }
  return y;
}

VgfFile ImageSegmentFile(ImageUse use, int height, int width) {
  const bool sampled = use == ImageUse::kSampled;
  VgfFile file;
  VgfResource x;
  x.vk_descriptor_type =
      sampled ? kDescriptorTypeCombinedImageSampler : kDescriptorTypeStorageImage;
  x.vk_format = VkFormatOf(sampled ? DType::kFp32 : DType::kInt32);  // R32_SFLOAT / R32_SINT
  x.category = VgfResourceCategory::kInput;
  x.shape = {1, height, width, 1};
  if (sampled) {
    x.has_sampler = true;
    x.sampler = VgfSampler{0, 0, 2, 2, 0};  // nearest, clamp to edge
  }
  VgfResource y = x;
  y.category = VgfResourceCategory::kOutput;
  y.has_sampler = false;
  y.vk_descriptor_type = sampled ? kDescriptorTypeStorageBuffer : kDescriptorTypeStorageImage;
  file.resources = {x, y};
  VgfModule module;
  module.type = VgfModuleType::kCompute;
  module.name = sampled ? "sample" : "double";
  module.entry_point = "main";
  module.code_kind = VgfCodeKind::kGlsl;
  module.source = sampled ? R"(#version 450
layout(local_size_x = 8, local_size_y = 8) in;
layout(set = 0, binding = 0) uniform sampler2D picture;
layout(set = 0, binding = 1) writeonly buffer Out { float values_out[]; };
void main() {
  ivec2 p = ivec2(gl_GlobalInvocationID.xy);
  ivec2 size = textureSize(picture, 0);
  if (p.x < size.x && p.y < size.y) values_out[p.y * size.x + p.x] = texelFetch(picture, p, 0).x + 0.5;
}
)"
                          : R"(#version 450
layout(local_size_x = 8, local_size_y = 8) in;
layout(set = 0, binding = 0, r32i) uniform readonly iimage2D picture_in;
layout(set = 0, binding = 1, r32i) uniform writeonly iimage2D picture_out;
void main() {
  ivec2 p = ivec2(gl_GlobalInvocationID.xy);
  ivec2 size = imageSize(picture_in);
  if (p.x < size.x && p.y < size.y) imageStore(picture_out, p, imageLoad(picture_in, p) * 2 + 1);
}
)";
  file.modules = {module};
  VgfSegment segment;
  segment.type = VgfModuleType::kCompute;
  segment.name = sampled ? "sample_segment" : "double_segment";
  segment.module_index = 0;
  VgfDescriptorSet descriptors;
  descriptors.set_index = 0;
  descriptors.bindings = {{0, 0}, {1, 1}};
  segment.descriptor_sets = {descriptors};
  segment.inputs = {{0, 0}};
  segment.outputs = {{1, 1}};
  segment.dispatch_shape = {static_cast<uint32_t>((width + 7) / 8),
                            static_cast<uint32_t>((height + 7) / 8), 1};
  file.segments = {segment};
  file.inputs = {{0, 0}};
  file.outputs = {{1, 1}};
  file.input_names = {"x"};
  file.output_names = {"y"};
  return file;
}

size_t ComputeSegmentIndex(const VgfFile& file) {
  for (size_t i = 0; i < file.segments.size(); ++i) {
    if (file.segments[i].type == VgfModuleType::kCompute) return i;
  }
  return file.segments.size();
}

}  // namespace inferd::graph::vgf::testing

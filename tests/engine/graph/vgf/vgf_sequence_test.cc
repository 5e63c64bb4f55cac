// VGF files of several segments: how AssembleVgfSequence (through DecodeVgfGraph) turns GRAPH and
// COMPUTE segments into one graph, what it refuses and why, the compute-segment operator's
// attributes as untrusted bytes, and LoadVgfModelGraph refusing compute segments off tosa_vulkan.
#include "engine/graph/vgf/vgf_sequence.h"

#include "engine/graph/graph_validator.h"
#include "engine/graph/vgf/compute_segment.h"
#include "engine/graph/vgf/vgf_file_writer.h"
#include "engine/graph/vgf/vgf_graph_decoder.h"
#include "engine/vgf_model_graph.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/graph/vgf/vgf_sequence_fixture.h"

namespace inferd::graph::vgf {
namespace {

using testing::ComputeSegmentIndex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::SegmentOrder;
using testing::TwoSegmentFile;

// The file as bytes and back, so every test also goes through the serializer and the reader.
VgfFile Reread(const VgfFile& file) {
  auto read = ReadVgfFile(SerializeVgfFile(file));
  EXPECT_TRUE(read.ok()) << read.status();
  return read.ok() ? *std::move(read) : VgfFile{};
}

absl::StatusOr<std::shared_ptr<const Graph>> Assemble(const VgfFile& file) {
  return DecodeVgfGraph(Reread(file));
}

TEST(VgfSequenceTest, GraphThenComputeBecomesOneGraph) {
  auto graph = Assemble(TwoSegmentFile(SegmentOrder::kGraphThenCompute, 100));
  ASSERT_TRUE(graph.ok()) << graph.status();
  EXPECT_TRUE(ValidateGraph(**graph).ok()) << ValidateGraph(**graph);
  const Block& main = (*graph)->main_block();
  ASSERT_EQ(main.inputs.size(), 1u);
  ASSERT_EQ(main.outputs.size(), 1u);
  EXPECT_EQ((*graph)->tensor(main.inputs[0]).name, "x");
  EXPECT_EQ((*graph)->tensor(main.outputs[0]).name, "y");
  EXPECT_THAT((*graph)->tensor(main.outputs[0]).shape, ElementsAre(1, 100));
  ASSERT_EQ(main.operators.size(), 3u);  // CONST, ADD, then the compute segment
  EXPECT_EQ(main.operators[1].op, Op::kAdd);
  const Operator& compute = main.operators[2];
  auto segment = ComputeSegmentOf(compute);
  ASSERT_TRUE(segment.ok()) << segment.status();
  ASSERT_TRUE(segment->has_value());
  EXPECT_EQ((*segment)->name, "scale_segment");
  EXPECT_EQ((*segment)->code, ComputeSegment::Code::kGlsl);
  EXPECT_THAT((*segment)->workgroups, ElementsAre(2, 1, 1));
  EXPECT_EQ((*segment)->push_constant_bytes, 4u);
  // The ADD's result is the segment's input; the segment's output is the model's.
  EXPECT_THAT(compute.inputs, ElementsAre(main.operators[1].outputs[0]));
  EXPECT_THAT(compute.outputs, ElementsAre(main.outputs[0]));
  ASSERT_EQ((*segment)->bindings.size(), 2u);
  EXPECT_FALSE((*segment)->bindings[0].output);
  EXPECT_TRUE((*segment)->bindings[1].output);
  EXPECT_EQ((*segment)->bindings[1].binding, 1u);
  EXPECT_EQ(FirstComputeSegment(**graph), &compute);
}

TEST(VgfSequenceTest, ComputeThenGraphFeedsTheGraphSegment) {
  auto graph = Assemble(TwoSegmentFile(SegmentOrder::kComputeThenGraph, 10));
  ASSERT_TRUE(graph.ok()) << graph.status();
  EXPECT_TRUE(ValidateGraph(**graph).ok()) << ValidateGraph(**graph);
  const Block& main = (*graph)->main_block();
  ASSERT_EQ(main.operators.size(), 3u);
  EXPECT_EQ(main.operators[0].op, Op::kCustom);
  EXPECT_THAT(main.operators[0].inputs, ElementsAre(main.inputs[0]));
  // The graph segment reads what the compute segment wrote.
  EXPECT_THAT(main.operators[2].inputs, ::testing::Contains(main.operators[0].outputs[0]));
  auto segment = ComputeSegmentOf(main.operators[0]);
  ASSERT_TRUE(segment.ok() && segment->has_value());
  EXPECT_EQ((*segment)->bindings[0].set, 2u);
  auto signature = ReadVgfSignature(Reread(TwoSegmentFile(SegmentOrder::kComputeThenGraph, 10)));
  ASSERT_TRUE(signature.ok()) << signature.status();
  ASSERT_EQ(signature->inputs.size(), 1u);
  EXPECT_EQ(signature->inputs[0].name, "x");
  EXPECT_EQ(signature->inputs[0].dtype, DType::kInt32);
  EXPECT_THAT(signature->outputs[0].shape, ElementsAre(1, 10));
}

TEST(VgfSequenceTest, ImageBindingsCarryTheirFormatAndSampler) {
  auto graph = Assemble(testing::ImageSegmentFile(testing::ImageUse::kSampled, 6, 10));
  ASSERT_TRUE(graph.ok()) << graph.status();
  const Block& main = (*graph)->main_block();
  EXPECT_EQ((*graph)->tensor(main.inputs[0]).dtype, DType::kFp32);
  EXPECT_THAT((*graph)->tensor(main.outputs[0]).shape, ElementsAre(1, 6, 10, 1));
  auto segment = ComputeSegmentOf(main.operators[0]);
  ASSERT_TRUE(segment.ok() && segment->has_value());
  EXPECT_EQ((*segment)->bindings[0].kind, ComputeSegmentBinding::Kind::kSampledImage);
  EXPECT_EQ((*segment)->bindings[0].vk_format, 100u);
  EXPECT_EQ((*segment)->bindings[0].sampler.address_mode_u, 2u);
  EXPECT_EQ((*segment)->bindings[1].kind, ComputeSegmentBinding::Kind::kStorageBuffer);
}

TEST(VgfSequenceTest, ImagesMustHoldWholeTexels) {
  VgfFile file = testing::ImageSegmentFile(testing::ImageUse::kStorage, 4, 4);
  file.resources[0].shape = {1, 4, 4, 3};  // R32_SINT has one component
  auto graph = Assemble(file);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(), HasSubstr("1 components per texel"));
  file = testing::ImageSegmentFile(testing::ImageUse::kStorage, 4, 4);
  file.resources[1].shape = {2, 4, 4, 1};
  graph = Assemble(file);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(), HasSubstr("[H, W, C] or [1, H, W, C]"));
  file = testing::ImageSegmentFile(testing::ImageUse::kSampled, 4, 4);
  file.resources[0].has_sampler = false;
  graph = Assemble(file);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(), HasSubstr("without a sampler config"));
}

TEST(VgfSequenceTest, HlslModulesAreRefused) {
  VgfFile file = TwoSegmentFile(SegmentOrder::kGraphThenCompute, 8);
  file.modules.back().code_kind = VgfCodeKind::kHlsl;
  auto graph = Assemble(file);
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(graph.status().message(), HasSubstr("HLSL"));
  EXPECT_THAT(graph.status().message(), HasSubstr("scale_segment"));
}

TEST(VgfSequenceTest, ArmTensorAndImageBindingsAreRefusedByName) {
  VgfFile file = TwoSegmentFile(SegmentOrder::kGraphThenCompute, 8);
  const uint32_t out = file.outputs[0].mrt_index;
  file.resources[out].vk_descriptor_type = kDescriptorTypeTensorArm;
  auto graph = Assemble(file);
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(graph.status().message(), HasSubstr("VK_DESCRIPTOR_TYPE_TENSOR_ARM"));
  EXPECT_THAT(graph.status().message(), HasSubstr("set 0 binding 1"));

  file.resources[out].vk_descriptor_type = 6;  // VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER
  graph = Assemble(file);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(), HasSubstr("VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER"));
  // An image of an INT32 [1, 8] resource is not [1, H, W, C].
  file.resources[out].vk_descriptor_type = kDescriptorTypeStorageImage;
  graph = Assemble(file);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(), HasSubstr("[H, W, C] or [1, H, W, C]"));
}

TEST(VgfSequenceTest, ReadingBeforeAnySegmentWritesIsRefused) {
  for (SegmentOrder order : {SegmentOrder::kGraphThenCompute, SegmentOrder::kComputeThenGraph}) {
    VgfFile file = TwoSegmentFile(order, 8);
    std::swap(file.segments[0], file.segments[1]);  // the second segment now reads t first
    auto graph = Assemble(file);
    ASSERT_FALSE(graph.ok());
    EXPECT_THAT(graph.status().message(), HasSubstr("before any segment writes it"));
  }
}

TEST(VgfSequenceTest, AResourceWrittenTwiceIsRefused) {
  VgfFile file = TwoSegmentFile(SegmentOrder::kGraphThenCompute, 8);
  file.segments.push_back(file.segments[ComputeSegmentIndex(file)]);
  file.segments.back().name = "again";
  auto graph = Assemble(file);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(), HasSubstr("'again' writes resource"));
}

TEST(VgfSequenceTest, InPlaceSegmentsAreRefused) {
  VgfFile file = TwoSegmentFile(SegmentOrder::kGraphThenCompute, 8);
  VgfSegment& compute = file.segments[ComputeSegmentIndex(file)];
  compute.outputs.push_back(compute.inputs[0]);
  auto graph = Assemble(file);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(), HasSubstr("reads and writes resource"));
}

TEST(VgfSequenceTest, DispatchShapeAndConstantsAreChecked) {
  VgfFile file = TwoSegmentFile(SegmentOrder::kGraphThenCompute, 8);
  file.segments[ComputeSegmentIndex(file)].dispatch_shape = {0, 0, 0};
  auto graph = Assemble(file);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(), HasSubstr("dispatch shape [0,0,0]"));

  file = TwoSegmentFile(SegmentOrder::kGraphThenCompute, 8);
  file.segments[ComputeSegmentIndex(file)].constants = {0};
  graph = Assemble(file);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(), HasSubstr("constants"));
}

TEST(VgfSequenceTest, AnOutputWithOpenDimensionsIsRefused) {
  VgfFile file = TwoSegmentFile(SegmentOrder::kGraphThenCompute, 8);
  file.resources[file.outputs[0].mrt_index].shape = {1, -1};
  auto graph = Assemble(file);
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(graph.status().message(), HasSubstr("open dimensions"));
}

TEST(ComputeSegmentAttributesTest, AttributesRoundTrip) {
  ComputeSegment segment;
  segment.name = "s";
  segment.entry_point = "main";
  segment.spirv = {0x07230203, 1, 2, 3};
  segment.bindings = {{1, 4, false, 0}, {1, 5, true, 0}};
  segment.workgroups = {3, 2, 1};
  segment.push_constant_bytes = 12;
  auto decoded = DecodeComputeSegment(EncodeComputeSegment(segment), 1, 1);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->name, "s");
  EXPECT_EQ(decoded->spirv, segment.spirv);
  EXPECT_THAT(decoded->workgroups, ElementsAre(3, 2, 1));
  ASSERT_EQ(decoded->bindings.size(), 2u);
  EXPECT_TRUE(decoded->bindings[1].output);
  EXPECT_EQ(decoded->bindings[1].binding, 5u);
  EXPECT_EQ(decoded->push_constant_bytes, 12u);
}

TEST(ComputeSegmentAttributesTest, DamagedAttributesAreRefusedNotTrusted) {
  ComputeSegment segment;
  segment.name = "s";
  segment.code = ComputeSegment::Code::kGlsl;
  segment.glsl = "void main() {}";
  segment.bindings = {{0, 0, false, 0}, {0, 1, true, 0}};
  const std::vector<uint8_t> bytes = EncodeComputeSegment(segment);
  // Every truncation fails cleanly.
  for (size_t size = 0; size < bytes.size(); ++size) {
    auto decoded = DecodeComputeSegment(std::span(bytes).first(size), 1, 1);
    EXPECT_FALSE(decoded.ok()) << "truncated to " << size;
  }
  // Operands outside the operator, unbound operands and a slot bound twice.
  EXPECT_THAT(DecodeComputeSegment(bytes, 0, 1).status().message(), HasSubstr("names input 0"));
  EXPECT_THAT(DecodeComputeSegment(bytes, 1, 2).status().message(), HasSubstr("output 1 is not"));
  segment.bindings[1].binding = 0;
  EXPECT_THAT(DecodeComputeSegment(EncodeComputeSegment(segment), 1, 1).status().message(),
              HasSubstr("twice"));
}

TEST(VgfSequenceModelTest, ComputeSegmentsAreRefusedOffTheVulkanBackend) {
  const std::vector<uint8_t> bytes =
      SerializeVgfFile(TwoSegmentFile(SegmentOrder::kGraphThenCompute, 8));
  inference::ModelConfig config;
  config.set_name("two_segments");
  config.set_backend("tosa_cpu");
  auto graph = LoadVgfModelGraph(bytes, config);
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(graph.status().message(), HasSubstr("'scale_segment'"));
  EXPECT_THAT(graph.status().message(), HasSubstr("tosa_vulkan"));
  config.set_backend("tosa_vulkan");
  graph = LoadVgfModelGraph(bytes, config);
  EXPECT_TRUE(graph.ok()) << graph.status();
}

}  // namespace
}  // namespace inferd::graph::vgf

// VGF COMPUTE segments on the Vulkan backend: a model's own compute shader (GLSL compiled at load,
// or SPIR-V) running in sequence with a GRAPH segment through the resource between them, on
// lavapipe here; the checks a model's shader must pass before the driver sees it; and the robust
// buffer access that keeps a shader's stray writes inside its own buffer.
#include <cstring>
#include <random>

#include "backends/vulkan/glsl_compiler.h"
#include "engine/graph/graph_validator.h"
#include "engine/graph/vgf/compute_spirv.h"
#include "engine/graph/vgf/vgf_file_writer.h"
#include "engine/graph/vgf/vgf_graph_decoder.h"
#include "gmock/gmock.h"
#include "tests/backends/vulkan/vulkan_test_support.h"
#include "tests/engine/graph/vgf/vgf_sequence_fixture.h"

namespace inferd::vulkan {
namespace {

using graph::vgf::VgfFile;
using graph::vgf::testing::ComputeSegmentIndex;
using graph::vgf::testing::ExpectedTwoSegmentOutput;
using graph::vgf::testing::ImageSegmentFile;
using graph::vgf::testing::ImageUse;
using graph::vgf::testing::SegmentOrder;
using graph::vgf::testing::TwoSegmentFile;
using testing::Buffers;
using ::testing::HasSubstr;

absl::StatusOr<std::shared_ptr<const graph::Graph>> GraphOf(const VgfFile& file) {
  auto read = graph::vgf::ReadVgfFile(graph::vgf::SerializeVgfFile(file));
  if (!read.ok()) return read.status();
  auto graph = graph::vgf::DecodeVgfGraph(*read);
  if (!graph.ok()) return graph.status();
  if (auto status = graph::ValidateGraph(**graph); !status.ok()) return status;
  return graph;
}

std::vector<int32_t> RandomInts(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  return testing::RandomValues<int32_t>(rng, n, -100000, 100000);
}

std::vector<uint8_t> Bytes(const std::vector<int32_t>& values) {
  std::vector<uint8_t> bytes(values.size() * 4);
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

std::vector<int32_t> Ints(const std::vector<uint8_t>& bytes) {
  std::vector<int32_t> values(bytes.size() / 4);
  std::memcpy(values.data(), bytes.data(), values.size() * 4);
  return values;
}

// The compute module as SPIR-V, compiled here as an exporter would have.
void CompileModuleToSpirv(VgfFile& file) {
  graph::vgf::VgfModule& module = file.modules.back();
  auto words = CompileComputeGlsl(module.source, module.name);
  ASSERT_TRUE(words.ok()) << words.status();
  module.code_kind = graph::vgf::VgfCodeKind::kSpirv;
  module.spirv = *std::move(words);
  module.source.clear();
}

absl::StatusOr<std::unique_ptr<GraphProgram>> ProgramOf(const VgfFile& file, int max_items = 1) {
  auto graph = GraphOf(file);
  if (!graph.ok()) return graph.status();
  std::shared_ptr<VulkanDevice> device = testing::ContainingDevice();
  if (device == nullptr) return absl::UnavailableError("no Vulkan device");
  return GraphProgram::Create(device, *graph, max_items);
}

absl::StatusOr<std::vector<int32_t>> RunSequence(const VgfFile& file,
                                                 const std::vector<int32_t>& x) {
  auto program = ProgramOf(file);
  if (!program.ok()) return program.status();
  Buffers inputs{Bytes(x)}, outputs{std::vector<uint8_t>((*program)->output_bytes(0))};
  if (auto status = (*program)->RunAndWait(testing::ConstSpans(inputs), testing::Spans(outputs));
      !status.ok()) {
    return status;
  }
  return Ints(outputs[0]);
}

TEST(VulkanComputeSegmentTest, GraphThenGlslComputeRunsInSequence) {
  ASSERT_TRUE(HaveGlslCompiler()) << "the test command installs glslang-dev";
  // 300 elements: five workgroups of 64, the last one partly out of range.
  const std::vector<int32_t> x = RandomInts(300, 1);
  auto y = RunSequence(TwoSegmentFile(SegmentOrder::kGraphThenCompute, 300), x);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(*y, ExpectedTwoSegmentOutput(SegmentOrder::kGraphThenCompute, x));
}

TEST(VulkanComputeSegmentTest, SpirvComputeThenGraphOnASetAboveEmptyOnes) {
  VgfFile file = TwoSegmentFile(SegmentOrder::kComputeThenGraph, 100);
  CompileModuleToSpirv(file);
  const std::vector<int32_t> x = RandomInts(100, 2);
  auto y = RunSequence(file, x);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(*y, ExpectedTwoSegmentOutput(SegmentOrder::kComputeThenGraph, x));
}

TEST(VulkanComputeSegmentTest, EveryItemOfABatchRunsTheSequence) {
  auto created = ProgramOf(TwoSegmentFile(SegmentOrder::kGraphThenCompute, 64), /*max_items=*/3);
  ASSERT_TRUE(created.ok()) << created.status();
  GraphProgram* program = created->get();
  std::vector<int32_t> x;
  for (uint32_t item = 0; item < 3; ++item) {
    const std::vector<int32_t> values = RandomInts(64, 10 + item);
    x.insert(x.end(), values.begin(), values.end());
  }
  Buffers inputs{Bytes(x)}, outputs{std::vector<uint8_t>(x.size() * 4)};
  ASSERT_TRUE(program->RunAndWait(testing::ConstSpans(inputs), testing::Spans(outputs), 3).ok());
  const std::vector<int32_t> y = Ints(outputs[0]);
  for (size_t item = 0; item < 3; ++item) {
    const std::vector<int32_t> xi(x.begin() + item * 64, x.begin() + (item + 1) * 64);
    const std::vector<int32_t> yi(y.begin() + item * 64, y.begin() + (item + 1) * 64);
    EXPECT_EQ(yi, ExpectedTwoSegmentOutput(SegmentOrder::kGraphThenCompute, xi)) << item;
  }
}

TEST(VulkanComputeSegmentTest, StorageImagesAreFilledFromTensorsAndCopiedBack) {
  // 13 x 21 texels: rows that are not a multiple of the 8 x 8 workgroup either way.
  const std::vector<int32_t> x = RandomInts(13 * 21, 4);
  auto y = RunSequence(ImageSegmentFile(ImageUse::kStorage, 13, 21), x);
  ASSERT_TRUE(y.ok()) << y.status();
  ASSERT_EQ(y->size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ((*y)[i], 2 * x[i] + 1) << "texel " << i;
}

TEST(VulkanComputeSegmentTest, CombinedImageSamplersSampleTheTensor) {
  std::vector<float> x(9 * 5);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i) * 0.25f - 3.0f;
  std::vector<int32_t> bits(x.size());
  std::memcpy(bits.data(), x.data(), x.size() * 4);
  auto y = RunSequence(ImageSegmentFile(ImageUse::kSampled, 9, 5), bits);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> got(y->size());
  std::memcpy(got.data(), y->data(), got.size() * 4);
  for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(got[i], x[i] + 0.5f) << "texel " << i;
}

TEST(VulkanComputeSegmentTest, AShaderAndItsSegmentMustAgreeOnEachBindingsKind) {
  VgfFile file = ImageSegmentFile(ImageUse::kStorage, 4, 4);
  file.resources[0].vk_descriptor_type = graph::vgf::kDescriptorTypeStorageBuffer;
  auto program = ProgramOf(file);
  ASSERT_FALSE(program.ok());
  EXPECT_THAT(program.status().message(),
              HasSubstr("is a storage image in the shader but a storage buffer in the segment"));
}

TEST(VulkanComputeSegmentTest, WritesPastABufferStayInsideIt) {
  // The compute segment writes four times its output's length. Its output t sits in the arena
  // just before the graph's constant c, so a write that escaped would change y = t + c. Each
  // binding covers exactly its resource and robust buffer access drops what falls outside (on
  // lavapipe, which bounds-checks every access anyway, this holds the binding's range to its
  // resource: bound to the arena's end, the stray writes land in c and the test fails).
  VgfFile file = TwoSegmentFile(SegmentOrder::kComputeThenGraph, 64);
  graph::vgf::VgfModule& module = file.modules.back();
  const std::string guarded = "if (i < values_out.length()) values_out[i]";
  const size_t at = module.source.find(guarded);
  ASSERT_NE(at, std::string::npos);
  module.source.replace(at, guarded.size(),
                        "values_out[i] = 0x7eadbeef; if (i < values_out.length()) values_out[i]");
  file.segments[ComputeSegmentIndex(file)].dispatch_shape = {4, 1, 1};
  const std::vector<int32_t> x = RandomInts(64, 3);
  for (int run = 0; run < 2; ++run) {
    auto y = RunSequence(file, x);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_EQ(*y, ExpectedTwoSegmentOutput(SegmentOrder::kComputeThenGraph, x)) << "run " << run;
  }
}

// The segment with its GLSL replaced by `source` (set 0, bindings 0 and 1), loaded on the device.
absl::Status LoadWithShader(const std::string& source) {
  VgfFile file = TwoSegmentFile(SegmentOrder::kGraphThenCompute, 16);
  file.modules.back().source = source;
  return ProgramOf(file).status();
}

constexpr char kHeader[] = R"(#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) readonly buffer In { int values_in[]; };
layout(set = 0, binding = 1) writeonly buffer Out { int values_out[]; };
)";

TEST(VulkanComputeSegmentTest, ShadersThatReachBeyondTheirBindingsAreRefused) {
  // Physical pointers would let a shader address any memory.
  absl::Status status = LoadWithShader(absl::StrCat(R"(#version 450
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
layout(local_size_x = 64) in;
layout(buffer_reference) buffer Pointer { int value; };
layout(set = 0, binding = 0) readonly buffer In { uint64_t addresses[]; };
layout(set = 0, binding = 1) writeonly buffer Out { int values_out[]; };
void main() { values_out[0] = Pointer(addresses[0]).value; }
)"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented) << status;
  EXPECT_THAT(status.message(), HasSubstr("PhysicalStorageBufferAddresses"));

  // A binding the segment does not provide.
  status = LoadWithShader(
      absl::StrCat(kHeader, "layout(set = 0, binding = 5) buffer Extra { int extra[]; };\n",
                   "void main() { values_out[0] = values_in[0] + extra[0]; }\n"));
  EXPECT_THAT(status.message(), HasSubstr("set 0 binding 5, which the segment does not bind"));

  // Separate samplers.
  status = LoadWithShader(absl::StrCat(
      kHeader, "layout(set = 0, binding = 2) uniform sampler lone_sampler;\n",
      "layout(set = 0, binding = 3) uniform texture2D lone_texture;\n",
      "void main() { values_out[0] = int(texture(sampler2D(lone_texture, lone_sampler), "
      "vec2(0)).x); }\n"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented) << status;
  EXPECT_THAT(status.message(), HasSubstr("separate"));

  // #include would open a file.
  status = LoadWithShader(
      "#version 450\n#extension GL_GOOGLE_include_directive : require\n"
      "#include \"/etc/passwd\"\nvoid main() {}\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr("does not compile"));
}

TEST(VulkanComputeSegmentTest, CompilerErrorsAndMissingEntryPointsAreReported) {
  absl::Status status = LoadWithShader(absl::StrCat(kHeader, "void main() { undeclared = 1; }\n"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr("undeclared"));

  VgfFile file = TwoSegmentFile(SegmentOrder::kGraphThenCompute, 16);
  CompileModuleToSpirv(file);
  file.modules.back().entry_point = "not_main";
  status = ProgramOf(file).status();
  EXPECT_THAT(status.message(), HasSubstr("no GLCompute entry point 'not_main'"));
}

TEST(VulkanComputeSegmentTest, DevicesThatCannotContainAModelsShaderRefuseIt) {
  // The device as the daemon opens it by default: a model's shader runs only where its accesses
  // stay inside its buffers, per pipeline; lavapipe in Debian 12 lacks that, so it refuses and
  // names the flag that turns robust buffer access on.
  std::shared_ptr<VulkanDevice> device = testing::DefaultDevice();
  ASSERT_NE(device, nullptr);
  auto graph = GraphOf(TwoSegmentFile(SegmentOrder::kGraphThenCompute, 16));
  ASSERT_TRUE(graph.ok()) << graph.status();
  const absl::Status status = GraphProgram::Create(device, *graph, 1).status();
  if (device->pipeline_robustness()) {
    EXPECT_TRUE(status.ok()) << status;
  } else {
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    EXPECT_THAT(status.message(), HasSubstr("--vulkan-robust-buffer-access"));
    EXPECT_THAT(status.message(), HasSubstr("'scale_segment'"));
  }
}

TEST(VulkanComputeSegmentTest, TheCpuSupportCheckLeavesComputeSegmentsToTheGpu) {
  // CheckRunnable (the support table's question) accepts the graph: the segment lowers to a
  // dispatch; only a device can say whether it compiles.
  auto graph = GraphOf(TwoSegmentFile(SegmentOrder::kGraphThenCompute, 16));
  ASSERT_TRUE(graph.ok()) << graph.status();
  EXPECT_TRUE(GraphProgram::CheckRunnable(**graph).ok());
}

}  // namespace
}  // namespace inferd::vulkan

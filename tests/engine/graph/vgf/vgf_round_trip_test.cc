// WriteVgfFile -> ReadVgfFile -> DecodeVgfGraph on graphs built in memory: what survives the round
// trip, what the writer refuses, and the reader's and decoder's errors on damaged files.
#include <cstring>
#include <fstream>
#include <iterator>

#include "engine/graph/graph_validator.h"
#include "engine/graph/vgf/spirv.h"
#include "engine/graph/vgf/vgf_file.h"
#include "engine/graph/vgf/vgf_generated.h"
#include "engine/graph/vgf/vgf_graph_decoder.h"
#include "engine/graph/vgf/vgf_writer.h"
#include "flatbuffers/flatbuffers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::graph::vgf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class GraphBuilder {
 public:
  GraphBuilder() {
    g_.regions.push_back(Region{"main", {0}});
    g_.blocks.emplace_back();
    g_.blocks[0].name = "main";
  }
  TensorId Tensor(std::string name, DType dtype, Shape shape, std::vector<uint8_t> data = {}) {
    graph::Tensor t;
    t.name = std::move(name);
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.data = std::move(data);
    const auto id = static_cast<TensorId>(g_.tensors.size());
    g_.tensors.push_back(std::move(t));
    g_.blocks[0].tensors.push_back(id);
    return id;
  }
  TensorId Const(std::string name, DType dtype, Shape shape, std::vector<uint8_t> data) {
    const TensorId id = Tensor(std::move(name), dtype, std::move(shape), std::move(data));
    AddOp(dtype == DType::kShape ? Op::kConstShape : Op::kConst, {}, {id});
    return id;
  }
  void AddOp(Op op, std::vector<TensorId> in, std::vector<TensorId> out,
             Attribute attribute = std::monostate{}) {
    Operator o;
    o.op = op;
    o.inputs = std::move(in);
    o.outputs = std::move(out);
    o.attribute = std::holds_alternative<std::monostate>(attribute) ? DefaultAttribute(op)
                                                                    : std::move(attribute);
    g_.blocks[0].operators.push_back(std::move(o));
  }
  void Inputs(std::vector<TensorId> ids) { g_.blocks[0].inputs = std::move(ids); }
  void Outputs(std::vector<TensorId> ids) { g_.blocks[0].outputs = std::move(ids); }
  Graph& graph() { return g_; }

 private:
  Graph g_;
};

std::vector<uint8_t> Int32Bytes(std::vector<int32_t> values) {
  std::vector<uint8_t> out(values.size() * 4);
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}
std::vector<uint8_t> Int64Bytes(std::vector<int64_t> values) {
  std::vector<uint8_t> out(values.size() * 8);
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// in (int32 [1,3]) + bias (CONST) -> out
Graph AddGraph() {
  GraphBuilder b;
  const TensorId in = b.Tensor("in", DType::kInt32, {1, 3});
  const TensorId bias = b.Const("bias", DType::kInt32, {1, 3}, Int32Bytes({1, -2, 3}));
  const TensorId out = b.Tensor("out", DType::kInt32, {1, 3});
  b.AddOp(Op::kAdd, {in, bias}, {out});
  b.Inputs({in});
  b.Outputs({out});
  return b.graph();
}

// int8 CONV2D -> RESCALE -> CLAMP -> RESHAPE -> IDENTITY, exercising lists, scalars, booleans,
// shape operands and graph constants of three element types.
Graph ConvGraph() {
  GraphBuilder b;
  const TensorId in = b.Tensor("image", DType::kInt8, {1, 5, 5, 2});
  const TensorId weight = b.Const("weight", DType::kInt8, {3, 1, 1, 2}, {1, 2, 3, 4, 5, 6});
  const TensorId bias = b.Const("bias", DType::kInt32, {3}, Int32Bytes({10, 20, 30}));
  const TensorId zp8 = b.Const("zp8", DType::kInt8, {1}, {0});
  const TensorId acc = b.Tensor("acc", DType::kInt32, {1, 3, 3, 3});
  b.AddOp(Op::kConv2d, {in, weight, bias, zp8, zp8}, {acc},
          Conv2dAttr{{0, 0, 0, 0}, {2, 2}, {1, 1}, false, DType::kInt32});
  const TensorId multiplier = b.Const("multiplier", DType::kInt32, {1}, Int32Bytes({1 << 30}));
  const TensorId shift = b.Const("shift", DType::kInt8, {1}, {33});
  const TensorId zp32 = b.Const("zp32", DType::kInt32, {1}, Int32Bytes({0}));
  const TensorId scaled = b.Tensor("scaled", DType::kInt8, {1, 3, 3, 3});
  b.AddOp(Op::kRescale, {acc, multiplier, shift, zp32, zp8}, {scaled},
          RescaleAttr{true, RoundingMode::kDoubleRound, false, false, false});
  const TensorId clamped = b.Tensor("clamped", DType::kInt8, {1, 3, 3, 3});
  b.AddOp(Op::kClamp, {scaled}, {clamped},
          ClampAttr{{static_cast<uint8_t>(-5)}, {100}, NanMode::kPropagate});
  const TensorId shape = b.Const("new_shape", DType::kShape, {2}, Int64Bytes({9, 3}));
  const TensorId flat = b.Tensor("flat", DType::kInt8, {9, 3});
  b.AddOp(Op::kReshape, {clamped, shape}, {flat});
  const TensorId out = b.Tensor("scores", DType::kInt8, {9, 3});
  b.AddOp(Op::kIdentity, {flat}, {out});
  b.Inputs({in});
  b.Outputs({out});
  return b.graph();
}

absl::StatusOr<std::shared_ptr<const Graph>> RoundTrip(const Graph& graph) {
  auto bytes = WriteVgfFile(graph);
  if (!bytes.ok()) return bytes.status();
  return LoadVgfGraph(*bytes);
}

const Operator* FindOp(const Graph& g, Op op) {
  for (const Operator& o : g.main_block().operators) {
    if (o.op == op) return &o;
  }
  return nullptr;
}

TEST(VgfRoundTripTest, AnAddGraphKeepsNamesShapesAndConstants) {
  auto bytes = WriteVgfFile(AddGraph());
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto file = ReadVgfFile(*bytes);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->version.minor, 4);
  EXPECT_EQ(file->version.patch, 3);
  EXPECT_THAT(file->input_names, ElementsAre("in"));
  EXPECT_THAT(file->output_names, ElementsAre("out"));
  ASSERT_EQ(file->constants.size(), 1u);
  EXPECT_EQ(file->constants[0].data, Int32Bytes({1, -2, 3}));
  auto graph = DecodeVgfGraph(*file);
  ASSERT_TRUE(graph.ok()) << graph.status();
  ASSERT_TRUE(ValidateGraph(**graph).ok()) << ValidateGraph(**graph);
  const Graph& g = **graph;
  const Operator* add = FindOp(g, Op::kAdd);
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(g.tensor(add->inputs[0]).name, "in");
  EXPECT_EQ(g.tensor(add->inputs[1]).data, Int32Bytes({1, -2, 3}));
  EXPECT_EQ(g.tensor(g.main_block().outputs[0]).name, "out");
  EXPECT_THAT(g.tensor(g.main_block().outputs[0]).shape, ElementsAre(1, 3));
}

TEST(VgfRoundTripTest, AttributesShapeOperandsAndIdentityElision) {
  ASSERT_TRUE(ValidateGraph(ConvGraph()).ok()) << ValidateGraph(ConvGraph());
  auto graph = RoundTrip(ConvGraph());
  ASSERT_TRUE(graph.ok()) << graph.status();
  const Graph& g = **graph;
  EXPECT_EQ(FindOp(g, Op::kIdentity), nullptr);
  const Operator* conv = FindOp(g, Op::kConv2d);
  ASSERT_NE(conv, nullptr);
  const auto& c = std::get<Conv2dAttr>(conv->attribute);
  EXPECT_THAT(c.stride, ElementsAre(2, 2));
  EXPECT_THAT(c.pad, ElementsAre(0, 0, 0, 0));
  EXPECT_EQ(c.acc_type, DType::kInt32);
  const auto& r = std::get<RescaleAttr>(FindOp(g, Op::kRescale)->attribute);
  EXPECT_TRUE(r.scale32);
  EXPECT_EQ(r.rounding_mode, RoundingMode::kDoubleRound);
  const auto& clamp = std::get<ClampAttr>(FindOp(g, Op::kClamp)->attribute);
  EXPECT_EQ(static_cast<int8_t>(clamp.min_val.at(0)), -5);
  EXPECT_EQ(clamp.max_val.at(0), 100);
  const Operator* reshape = FindOp(g, Op::kReshape);
  ASSERT_NE(reshape, nullptr);
  EXPECT_EQ(g.tensor(reshape->inputs[1]).dtype, DType::kShape);
  EXPECT_EQ(g.tensor(reshape->inputs[1]).data, Int64Bytes({9, 3}));
  EXPECT_EQ(g.tensor(g.main_block().outputs[0]).name, "scores");
}

TEST(VgfRoundTripTest, AnOutputThatIsAnInputKeepsBothNames) {
  GraphBuilder b;
  const TensorId in = b.Tensor("in", DType::kInt8, {2, 3});
  const TensorId out = b.Tensor("out", DType::kInt8, {2, 3});
  b.AddOp(Op::kIdentity, {in}, {out});
  b.Inputs({in});
  b.Outputs({out});
  auto graph = RoundTrip(b.graph());
  ASSERT_TRUE(graph.ok()) << graph.status();
  const Graph& g = **graph;
  EXPECT_EQ(g.tensor(g.main_block().inputs[0]).name, "in");
  EXPECT_EQ(g.tensor(g.main_block().outputs[0]).name, "out");
  const Operator* identity = FindOp(g, Op::kIdentity);
  ASSERT_NE(identity, nullptr);
  EXPECT_EQ(identity->inputs[0], g.main_block().inputs[0]);
}

TEST(VgfRoundTripTest, RefusesControlFlowNamingIt) {
  Graph g = AddGraph();
  g.blocks.emplace_back();
  g.blocks[1].name = "then";
  auto bytes = WriteVgfFile(g);
  ASSERT_FALSE(bytes.ok());
  EXPECT_THAT(bytes.status().message(), HasSubstr("control flow (COND_IF, WHILE_LOOP)"));
}

TEST(VgfRoundTripTest, RefusesCustomNamingTheOperator) {
  GraphBuilder b;
  const TensorId in = b.Tensor("in", DType::kInt32, {1});
  const TensorId out = b.Tensor("out", DType::kInt32, {1});
  b.AddOp(Op::kCustom, {in}, {out});
  b.Inputs({in});
  b.Outputs({out});
  auto bytes = WriteVgfFile(b.graph());
  ASSERT_FALSE(bytes.ok());
  EXPECT_THAT(bytes.status().message(),
              HasSubstr("operator #0 (CUSTOM) has no TOSA.001000.1 instruction"));
}

TEST(VgfRoundTripTest, RefusesRankZeroTensors) {
  GraphBuilder b;
  const TensorId in = b.Tensor("scalar_in", DType::kInt32, {});
  const TensorId out = b.Tensor("scalar_out", DType::kInt32, {});
  b.AddOp(Op::kAbs, {in}, {out});
  b.Inputs({in});
  b.Outputs({out});
  auto bytes = WriteVgfFile(b.graph());
  ASSERT_FALSE(bytes.ok());
  EXPECT_THAT(bytes.status().message(),
              HasSubstr("graph input 'scalar_in' has rank 0; SPIR-V tensors have rank 1 or more"));
}

// ---------------------------------------------------------------- reader errors

std::vector<uint8_t> AddFile() { return *WriteVgfFile(AddGraph()); }

std::string ReadError(const std::vector<uint8_t>& bytes) {
  auto file = ReadVgfFile(bytes);
  EXPECT_FALSE(file.ok());
  return std::string(file.status().message());
}

TEST(VgfReaderTest, RefusesAModuleWhoseCodeTypeHasNoCode) {
  // A union with its type set and its value absent passes the FlatBuffers verifier; the fuzzer
  // found it (tests/fuzz/seeds/vgf_reader keeps its input).
  std::ifstream in(std::string(INFERD_SOURCE_DIR) +
                       "/tests/fuzz/seeds/vgf_reader/module_code_type_without_value.bin",
                   std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  ASSERT_FALSE(bytes.empty());
  EXPECT_THAT(ReadError(bytes), HasSubstr("code but holds none"));
}

TEST(VgfReaderTest, RefusesATruncatedHeader) {
  std::vector<uint8_t> bytes = AddFile();
  bytes.resize(100);
  EXPECT_EQ(ReadError(bytes), "VGF file: truncated header: 100 bytes, the header is 128");
}

TEST(VgfReaderTest, RefusesABadMagic) {
  std::vector<uint8_t> bytes = AddFile();
  std::memcpy(bytes.data(), "TOSA", 4);
  EXPECT_THAT(ReadError(bytes), HasSubstr("bad magic 0x41534f54 at offset 0; expected 'VGF1'"));
}

TEST(VgfReaderTest, RefusesAnUnknownVersion) {
  std::vector<uint8_t> bytes = AddFile();
  bytes[9] = 9;
  EXPECT_THAT(ReadError(bytes), HasSubstr("format version 0.9.3 is not supported"));
}

TEST(VgfReaderTest, RefusesASectionOutsideTheFile) {
  std::vector<uint8_t> bytes = AddFile();
  const uint64_t size = bytes.size();
  std::memcpy(bytes.data() + 16 + 16 * 2, &size, 8);  // resource section starts at the end
  uint64_t length = 64;
  std::memcpy(bytes.data() + 24 + 16 * 2, &length, 8);
  EXPECT_THAT(ReadError(bytes),
              HasSubstr(absl::StrCat("model resource section at offset ", size,
                                     " (64 bytes) lies outside the file of ", size, " bytes")));
}

TEST(VgfReaderTest, RefusesACorruptSection) {
  std::vector<uint8_t> bytes = AddFile();
  uint64_t offset;
  std::memcpy(&offset, bytes.data() + 16, 8);
  const uint32_t bogus_root = 0xFFFFFF;
  std::memcpy(bytes.data() + offset, &bogus_root, 4);
  EXPECT_THAT(ReadError(bytes), HasSubstr("module section (offset 128"));
  EXPECT_THAT(ReadError(bytes), HasSubstr("FlatBuffers structure verification failed"));
}

TEST(VgfReaderTest, RefusesAConstantOutsideThePayload) {
  std::vector<uint8_t> bytes = AddFile();
  uint64_t offset;
  std::memcpy(&offset, bytes.data() + 16 + 48, 8);
  const uint64_t huge = 1 << 20;
  std::memcpy(bytes.data() + offset + 16 + 8, &huge, 8);  // record 0's size
  EXPECT_THAT(ReadError(bytes), HasSubstr("constant 0: data at payload offset 0 (1048576 bytes) "
                                          "lies outside the constants payload"));
}

TEST(VgfReaderTest, RefusesABadConstantIndex) {
  std::vector<uint8_t> bytes = AddFile();
  uint64_t offset;
  std::memcpy(&offset, bytes.data() + 16 + 48, 8);
  const uint32_t resource = 77;
  std::memcpy(bytes.data() + offset + 16, &resource, 4);  // record 0's mrt_index
  EXPECT_THAT(ReadError(bytes), HasSubstr("constant 0 refers to resource 77; the file has 3"));
}

TEST(VgfReaderTest, ReadsAMisalignedCopy) {
  std::vector<uint8_t> bytes = AddFile();
  std::vector<uint8_t> shifted(bytes.size() + 1);
  std::memcpy(shifted.data() + 1, bytes.data(), bytes.size());
  auto file = ReadVgfFile(std::span<const uint8_t>(shifted).subspan(1));
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->constants.size(), 1u);
}

// A format 0.3.0 file: the constants as a FlatBuffers ConstantSection, placed at an odd offset so
// that the reader must copy it to aligned memory.
TEST(VgfReaderTest, ReadsTheLegacyConstantsSectionOfFormat030) {
  std::vector<uint8_t> bytes = AddFile();
  bytes[8] = 0;
  bytes[9] = 3;
  bytes[10] = 0;
  flatbuffers::FlatBufferBuilder b;
  const std::vector<uint8_t> raw = Int32Bytes({7, 8, 9});
  auto data = vgf_fb::CreateConstantData(b, 0, -1, b.CreateVector(raw));
  b.Finish(vgf_fb::CreateConstantSection(b, b.CreateVector(std::vector{data})));
  bytes.push_back(0);  // odd offset
  const uint64_t offset = bytes.size();
  const uint64_t size = b.GetSize();
  bytes.insert(bytes.end(), b.GetBufferPointer(), b.GetBufferPointer() + size);
  std::memcpy(bytes.data() + 16 + 48, &offset, 8);
  std::memcpy(bytes.data() + 24 + 48, &size, 8);
  auto file = ReadVgfFile(bytes);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->version.minor, 3);
  EXPECT_TRUE(file->legacy_constants);
  ASSERT_EQ(file->constants.size(), 1u);
  EXPECT_EQ(file->constants[0].data, raw);
  auto graph = DecodeVgfGraph(*file);
  ASSERT_TRUE(graph.ok()) << graph.status();
  EXPECT_EQ((*graph)->tensor(FindOp(**graph, Op::kAdd)->inputs[1]).data, raw);
}

// ---------------------------------------------------------------- decoder errors

VgfFile AddVgf() { return *ReadVgfFile(AddFile()); }

// Index of the first instruction with `opcode` in the module's words.
size_t FindInstruction(const std::vector<uint32_t>& words, uint16_t opcode) {
  size_t at = spirv::kHeaderWords;
  while (at < words.size()) {
    if ((words[at] & 0xFFFF) == opcode) return at;
    at += words[at] >> 16;
  }
  ADD_FAILURE() << "no opcode " << opcode;
  return 0;
}

std::string DecodeError(const VgfFile& file) {
  auto graph = DecodeVgfGraph(file);
  EXPECT_FALSE(graph.ok());
  return std::string(graph.status().message());
}

TEST(VgfDecoderTest, RefusesAnotherExtendedInstructionSet) {
  VgfFile file = AddVgf();
  auto& words = file.modules[0].spirv;
  const size_t at = FindInstruction(words, spirv::kOpExtInstImport);
  std::memcpy(&words[at + 2], "GLSL", 4);
  EXPECT_THAT(DecodeError(file), HasSubstr("extended instruction set 'GLSL.001000.1' is not "
                                           "supported; inferd reads TOSA.001000.1 only"));
}

TEST(VgfDecoderTest, RefusesSpecialisationConstants) {
  VgfFile file = AddVgf();
  auto& words = file.modules[0].spirv;
  const size_t at = FindInstruction(words, spirv::kOpConstant);
  words[at] = (words[at] & 0xFFFF0000u) | spirv::kOpSpecConstant;
  EXPECT_THAT(DecodeError(file), HasSubstr("(OpSpecConstant): specialisation constant"));
}

TEST(VgfDecoderTest, RefusesAnUnknownTosaInstruction) {
  VgfFile file = AddVgf();
  auto& words = file.modules[0].spirv;
  const size_t at = FindInstruction(words, spirv::kOpExtInst);
  words[at + 4] = 66;
  EXPECT_THAT(DecodeError(file), HasSubstr("TOSA.001000.1 has no instruction 66"));
}

TEST(VgfDecoderTest, RefusesAWrongOperandCount) {
  VgfFile file = AddVgf();
  auto& words = file.modules[0].spirv;
  const size_t at = FindInstruction(words, spirv::kOpExtInst);
  words[at + 4] = 2;  // ADD's two operands as CONV2D
  EXPECT_THAT(DecodeError(file), HasSubstr("(CONV2D) has 2 operands; expected 10"));
}

TEST(VgfDecoderTest, RefusesAComputeSegmentRunningAGraphModule) {
  VgfFile file = AddVgf();
  VgfSegment compute = file.segments[0];
  compute.type = VgfModuleType::kCompute;
  compute.name = "grid_sampler";
  file.segments.push_back(compute);
  EXPECT_THAT(DecodeError(file),
              HasSubstr("VGF compute segment 'grid_sampler' runs module 'graph_partition_0', "
                        "which is a GRAPH module"));
}

TEST(VgfDecoderTest, RefusesATruncatedInstruction) {
  VgfFile file = AddVgf();
  auto& words = file.modules[0].spirv;
  words[FindInstruction(words, spirv::kOpGraphEndARM)] = (500u << 16) | spirv::kOpGraphEndARM;
  EXPECT_THAT(DecodeError(file), HasSubstr("claims 500 words but 1 remain"));
}

TEST(VgfDecoderTest, RefusesShaderFunctions) {
  VgfFile file = AddVgf();
  auto& words = file.modules[0].spirv;
  const size_t at = FindInstruction(words, spirv::kOpGraphEntryPointARM);
  words.insert(words.begin() + at, {(5u << 16) | spirv::kOpFunction, 1, 999, 0, 1});
  EXPECT_THAT(DecodeError(file), HasSubstr("(OpFunction): a GRAPH module holds graphs only"));
}

TEST(VgfDecoderTest, ConstantBindingsMapGraphConstantIds) {
  VgfFile file = AddVgf();
  // Format 0.5.0: GraphConstantID 0 is bound to constants-section entry 1.
  file.constants.push_back(file.constants[0]);
  file.constants[0].data = Int32Bytes({0, 0, 0});
  file.segments[0].constant_bindings = {{0, 1}};
  auto graph = DecodeVgfGraph(file);
  ASSERT_TRUE(graph.ok()) << graph.status();
  const Operator* add = FindOp(**graph, Op::kAdd);
  EXPECT_EQ((*graph)->tensor(add->inputs[1]).data, Int32Bytes({1, -2, 3}));
  file.segments[0].constant_bindings = {{5, 1}};
  EXPECT_THAT(DecodeError(file),
              HasSubstr("(GraphConstantID 0) has no entry in the segment's constant bindings"));
}

}  // namespace
}  // namespace inferd::graph::vgf

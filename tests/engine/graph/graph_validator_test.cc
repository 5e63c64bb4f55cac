// ValidateGraph on graphs built in memory: structure, tensors, dataflow, control flow and the
// per-operator type / attribute / output shape rules; plus the IR's small helpers.
#include "engine/graph/graph_validator.h"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "engine/graph/graph.h"
#include "engine/graph/graph_signature.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::graph {
namespace {

using ::testing::HasSubstr;

template <typename T>
std::vector<uint8_t> Bytes(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// Builds graphs for the tests: the main block is block 0.
class Builder {
 public:
  Builder() {
    graph_.regions.push_back(Region{"main", {0}});
    Block main;
    main.name = "main";
    graph_.blocks.push_back(std::move(main));
  }

  BlockId AddBlock(const std::string& name, std::optional<BlockId> parent) {
    Block block;
    block.name = name;
    block.parent = parent;
    graph_.blocks.push_back(std::move(block));
    const BlockId id = static_cast<BlockId>(graph_.blocks.size() - 1);
    graph_.regions[0].blocks.push_back(id);
    return id;
  }

  TensorId T(const std::string& name, DType dtype, Shape shape, std::vector<uint8_t> data = {},
             BlockId block = 0) {
    Tensor t;
    t.name = name;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.data = std::move(data);
    t.block = block;
    graph_.tensors.push_back(std::move(t));
    const TensorId id = static_cast<TensorId>(graph_.tensors.size() - 1);
    graph_.blocks[block].tensors.push_back(id);
    return id;
  }

  TensorId In(const std::string& name, DType dtype, Shape shape, BlockId block = 0) {
    const TensorId id = T(name, dtype, std::move(shape), {}, block);
    graph_.blocks[block].inputs.push_back(id);
    return id;
  }

  void Out(TensorId id, BlockId block = 0) { graph_.blocks[block].outputs.push_back(id); }

  Operator& Op(graph::Op op, Attribute attribute, std::vector<TensorId> inputs,
               std::vector<TensorId> outputs, BlockId block = 0) {
    Operator o;
    o.op = op;
    o.attribute = std::move(attribute);
    o.inputs = std::move(inputs);
    o.outputs = std::move(outputs);
    graph_.blocks[block].operators.push_back(std::move(o));
    return graph_.blocks[block].operators.back();
  }

  TensorId Const(const std::string& name, DType dtype, Shape shape, std::vector<uint8_t> data,
                 BlockId block = 0) {
    const TensorId id = T(name, dtype, std::move(shape), std::move(data), block);
    Op(Op::kConst, std::monostate{}, {}, {id}, block);
    return id;
  }

  TensorId Zp(const std::string& name, DType dtype) {
    const std::vector<uint8_t> zero(static_cast<size_t>(*DTypeDataSize(dtype, 1)), 0);
    return Const(name, dtype, {1}, zero);
  }

  TensorId ConstShape(const std::string& name, const std::vector<int64_t>& values) {
    const TensorId id =
        T(name, DType::kShape, {static_cast<int64_t>(values.size())}, Bytes(values));
    Op(Op::kConstShape, std::monostate{}, {}, {id});
    return id;
  }

  Graph& graph() { return graph_; }
  absl::Status Validate() const { return ValidateGraph(graph_); }
  std::string Error() const { return std::string(ValidateGraph(graph_).message()); }

 private:
  Graph graph_;
};

// ---------------------------------------------------------------- convolution family

// input INT8[1,8,8,3], weight INT8[4,3,3,3], bias INT32[4], stride 1, pad 1 -> INT32[1,8,8,4].
struct Conv2dCase {
  Builder b;
  TensorId out;
  Operator* op;
  Conv2dCase(Shape out_shape = {1, 8, 8, 4},
             Conv2dAttr attr = {{1, 1, 1, 1}, {1, 1}, {1, 1}, false, DType::kInt32}) {
    const TensorId in = b.In("in", DType::kInt8, {1, 8, 8, 3});
    const TensorId w = b.Const("w", DType::kInt8, {4, 3, 3, 3}, std::vector<uint8_t>(108, 1));
    const TensorId bias = b.Const("bias", DType::kInt32, {4}, std::vector<uint8_t>(16, 0));
    const TensorId izp = b.Zp("izp", DType::kInt8);
    const TensorId wzp = b.Zp("wzp", DType::kInt8);
    out = b.T("out", DType::kInt32, std::move(out_shape));
    op = &b.Op(Op::kConv2d, attr, {in, w, bias, izp, wzp}, {out});
    b.Out(out);
  }
};

TEST(GraphValidatorTest, AcceptsAConv2d) {
  Conv2dCase c;
  EXPECT_TRUE(c.b.Validate().ok()) << c.b.Validate();
}

TEST(GraphValidatorTest, Conv2dOutputShapeIsInferred) {
  Conv2dCase c({1, 8, 7, 4});
  EXPECT_EQ(c.b.Error(),
            "block 'main', operator #4 (CONV2D): output 0 'out' INT32[1,8,7,4] must have shape "
            "[1,8,8,4]");
  // Stride 2 over 8 rows with pad 1+1 and a 3-row kernel does not divide evenly.
  Conv2dCase strided({1, 4, 4, 4}, {{1, 1, 1, 1}, {2, 2}, {1, 1}, false, DType::kInt32});
  EXPECT_THAT(strided.b.Error(), HasSubstr("do not give a whole, positive output size"));
  Conv2dCase exact({1, 4, 4, 4}, {{1, 0, 1, 0}, {2, 2}, {1, 1}, false, DType::kInt32});
  EXPECT_TRUE(exact.b.Validate().ok()) << exact.b.Validate();
}

TEST(GraphValidatorTest, Conv2dAttributesAndTypes) {
  Conv2dCase bad_stride({1, 8, 8, 4}, {{1, 1, 1, 1}, {0, 1}, {1, 1}, false, DType::kInt32});
  EXPECT_THAT(bad_stride.b.Error(), HasSubstr("attribute stride [0,1] has an entry below 1"));
  Conv2dCase short_pad({1, 8, 8, 4}, {{1, 1}, {1, 1}, {1, 1}, false, DType::kInt32});
  EXPECT_THAT(short_pad.b.Error(), HasSubstr("attribute pad has 2 entries; expected 4"));
  Conv2dCase acc({1, 8, 8, 4}, {{1, 1, 1, 1}, {1, 1}, {1, 1}, false, DType::kFp32});
  EXPECT_THAT(acc.b.Error(), HasSubstr("acc_type FP32 is not allowed for INT8 inputs"));
  Conv2dCase bias;
  bias.b.graph().tensors[2].shape = {3};
  bias.b.graph().tensors[2].data.resize(12);
  EXPECT_THAT(bias.b.Error(),
              HasSubstr("bias (input 2 'bias' INT32[3]) must have shape [1] or [4]"));
  Conv2dCase zp;
  zp.b.graph().tensors[3].dtype = DType::kInt16;
  zp.b.graph().tensors[3].data.resize(2);
  EXPECT_THAT(zp.b.Error(), HasSubstr("input_zp (input 3 'izp' INT16[1]) must be INT8"));
  Conv2dCase channels;
  channels.b.graph().tensors[0].shape = {1, 8, 8, 2};
  EXPECT_THAT(channels.b.Error(), HasSubstr("has 3 input channels but the input has 2"));
}

TEST(GraphValidatorTest, DepthwiseConv2dMultipliesChannels) {
  Builder b;
  const TensorId in = b.In("in", DType::kFp32, {1, 5, 5, 2});
  const TensorId w =
      b.Const("w", DType::kFp32, {3, 3, 2, 3}, std::vector<uint8_t>(3 * 3 * 2 * 3 * 4));
  const TensorId bias = b.Const("bias", DType::kFp32, {6}, std::vector<uint8_t>(24));
  const TensorId izp = b.Zp("izp", DType::kFp32);
  const TensorId wzp = b.Zp("wzp", DType::kFp32);
  const TensorId out = b.T("out", DType::kFp32, {1, 3, 3, 6});
  b.Op(Op::kDepthwiseConv2d, DepthwiseConv2dAttr{{0, 0, 0, 0}, {1, 1}, {1, 1}, false, DType::kFp32},
       {in, w, bias, izp, wzp}, {out});
  b.Out(out);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  b.graph().tensors[out].shape = {1, 3, 3, 2};
  EXPECT_THAT(b.Error(), HasSubstr("must have shape [1,3,3,6]"));
}

TEST(GraphValidatorTest, MatMul) {
  Builder b;
  const TensorId a = b.In("a", DType::kInt8, {2, 3, 4});
  const TensorId m = b.In("m", DType::kInt8, {2, 4, 5});
  const TensorId azp = b.Zp("azp", DType::kInt8);
  const TensorId bzp = b.Zp("bzp", DType::kInt8);
  const TensorId out = b.T("out", DType::kInt32, {2, 3, 5});
  b.Op(Op::kMatMul, std::monostate{}, {a, m, azp, bzp}, {out});
  b.Out(out);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  b.graph().tensors[m].shape = {2, 3, 5};
  EXPECT_THAT(b.Error(), HasSubstr("do not have the [N,H,C] x [N,C,W] layout"));
  b.graph().tensors[m].shape = {2, 4, 5};
  b.graph().tensors[out].dtype = DType::kInt8;
  EXPECT_THAT(b.Error(), HasSubstr("output 0 'out' INT8[2,3,5] has an unsupported dtype; allowed: "
                                   "INT32"));
}

// ---------------------------------------------------------------- pooling

TEST(GraphValidatorTest, MaxPool2d) {
  Builder b;
  const TensorId in = b.In("in", DType::kInt8, {1, 6, 6, 2});
  const TensorId out = b.T("out", DType::kInt8, {1, 3, 3, 2});
  Operator& op =
      b.Op(Op::kMaxPool2d, MaxPool2dAttr{{2, 2}, {2, 2}, {0, 0, 0, 0}, NanMode::kPropagate}, {in},
           {out});
  b.Out(out);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  std::get<MaxPool2dAttr>(op.attribute).pad = {2, 0, 0, 0};
  EXPECT_THAT(b.Error(), HasSubstr("pad [2,0,0,0] must be smaller than the kernel [2,2]"));
  std::get<MaxPool2dAttr>(op.attribute).pad = {0, 0, 0, 0};
  std::get<MaxPool2dAttr>(op.attribute).stride = {3, 3};
  EXPECT_THAT(b.Error(), HasSubstr("do not give a whole, positive output size"));
  std::get<MaxPool2dAttr>(op.attribute).stride = {2, 2};
  std::get<MaxPool2dAttr>(op.attribute).nan_mode = NanMode::kUnknown;
  EXPECT_THAT(b.Error(), HasSubstr("nan_mode 0 is not PROPAGATE or IGNORE"));
}

TEST(GraphValidatorTest, AvgPool2d) {
  Builder b;
  const TensorId in = b.In("in", DType::kFp32, {2, 7, 5, 3});
  const TensorId izp = b.Zp("izp", DType::kFp32);
  const TensorId ozp = b.Zp("ozp", DType::kFp32);
  const TensorId out = b.T("out", DType::kFp32, {2, 7, 5, 3});
  Operator& op = b.Op(Op::kAvgPool2d, AvgPool2dAttr{{3, 3}, {1, 1}, {1, 1, 1, 1}, DType::kFp32},
                      {in, izp, ozp}, {out});
  b.Out(out);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  std::get<AvgPool2dAttr>(op.attribute).acc_type = DType::kInt32;
  EXPECT_THAT(b.Error(), HasSubstr("acc_type INT32 is not allowed for FP32 input"));
  std::get<AvgPool2dAttr>(op.attribute).acc_type = DType::kFp32;
  std::get<AvgPool2dAttr>(op.attribute).pad = {0, 0, 0, 0};
  EXPECT_THAT(b.Error(), HasSubstr("must have shape [2,5,3,3]"));
}

// ---------------------------------------------------------------- elementwise

TEST(GraphValidatorTest, AddBroadcasts) {
  Builder b;
  const TensorId x = b.In("x", DType::kFp32, {2, 1, 3});
  const TensorId y = b.In("y", DType::kFp32, {1, 4, 3});
  const TensorId out = b.T("out", DType::kFp32, {2, 4, 3});
  b.Op(Op::kAdd, std::monostate{}, {x, y}, {out});
  b.Out(out);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  b.graph().tensors[y].shape = {1, 4, 2};
  EXPECT_THAT(b.Error(), HasSubstr("cannot broadcast input 1 'y' FP32[1,4,2] with the earlier "
                                   "inputs' shape [2,4,3] in dimension 2"));
  b.graph().tensors[y].shape = {4, 3};
  EXPECT_THAT(b.Error(), HasSubstr("inputs must have the same rank"));
}

TEST(GraphValidatorTest, SubRequiresMatchingTypes) {
  Builder b;
  const TensorId x = b.In("x", DType::kInt32, {3});
  const TensorId y = b.In("y", DType::kFp32, {3});
  const TensorId out = b.T("out", DType::kInt32, {3});
  b.Op(Op::kSub, std::monostate{}, {x, y}, {out});
  b.Out(out);
  EXPECT_THAT(b.Error(), HasSubstr("input 1 is FP32 but input 0 is INT32; they must match"));
  b.graph().tensors[y].dtype = DType::kInt32;
  EXPECT_TRUE(b.Validate().ok());
  b.graph().tensors[x].dtype = b.graph().tensors[y].dtype = DType::kInt8;
  EXPECT_THAT(b.Error(), HasSubstr("has an unsupported dtype; allowed: INT32, FP16, BF16, FP32"));
}

TEST(GraphValidatorTest, MulShiftAndOutputType) {
  Builder b;
  const TensorId x = b.In("x", DType::kInt8, {4});
  const TensorId y = b.In("y", DType::kInt8, {4});
  const TensorId shift = b.Const("shift", DType::kInt8, {1}, {0});
  const TensorId out = b.T("out", DType::kInt32, {4});
  b.Op(Op::kMul, std::monostate{}, {x, y, shift}, {out});
  b.Out(out);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  b.graph().tensors[shift].data = {3};
  EXPECT_THAT(b.Error(), HasSubstr("shift 3 is invalid"));
  b.graph().tensors[shift].data = {0};
  b.graph().tensors[out].dtype = DType::kInt8;
  EXPECT_THAT(b.Error(), HasSubstr("output 0 'out' INT8[4] must be INT32"));
}

TEST(GraphValidatorTest, Clamp) {
  Builder b;
  const TensorId x = b.In("x", DType::kInt8, {5});
  const TensorId out = b.T("out", DType::kInt8, {5});
  Operator& op = b.Op(Op::kClamp, ClampAttr{{0x80}, {0x7f}, NanMode::kPropagate}, {x}, {out});
  b.Out(out);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  std::get<ClampAttr>(op.attribute).min_val = {10};
  std::get<ClampAttr>(op.attribute).max_val = {5};
  EXPECT_THAT(b.Error(), HasSubstr("min_val 10 exceeds max_val 5"));
  std::get<ClampAttr>(op.attribute).min_val = {};
  EXPECT_THAT(b.Error(), HasSubstr("min_val / max_val hold 0 / 1 bytes; INT8 needs 1"));
  // TOSA 1.0 has no INT32 CLAMP.
  b.graph().tensors[x].dtype = DType::kInt32;
  b.graph().tensors[out].dtype = DType::kInt32;
  std::get<ClampAttr>(op.attribute).min_val = {0, 0, 0, 0};
  std::get<ClampAttr>(op.attribute).max_val = {1, 0, 0, 0};
  EXPECT_THAT(b.Error(), HasSubstr("INT32"));
}

// FP8 converts to and from FP16, BF16 and FP32 only (EXT-FP8E4M3 / EXT-FP8E5M2).
TEST(GraphValidatorTest, CastToAndFromFp8) {
  for (const DType wide : {DType::kFp16, DType::kBf16, DType::kFp32}) {
    for (const DType fp8 : {DType::kFp8E4M3, DType::kFp8E5M2}) {
      for (const bool to_fp8 : {true, false}) {
        Builder b;
        const TensorId x = b.In("x", to_fp8 ? wide : fp8, {3});
        const TensorId out = b.T("out", to_fp8 ? fp8 : wide, {3});
        b.Op(Op::kCast, std::monostate{}, {x}, {out});
        b.Out(out);
        EXPECT_TRUE(b.Validate().ok()) << b.Validate();
      }
    }
  }
  for (const auto& [from, to] :
       std::vector<std::pair<DType, DType>>{{DType::kInt8, DType::kFp8E4M3},
                                            {DType::kFp8E5M2, DType::kInt32},
                                            {DType::kFp8E4M3, DType::kFp8E5M2},
                                            {DType::kBool, DType::kFp8E5M2}}) {
    Builder b;
    const TensorId x = b.In("x", from, {3});
    const TensorId out = b.T("out", to, {3});
    b.Op(Op::kCast, std::monostate{}, {x}, {out});
    b.Out(out);
    EXPECT_THAT(b.Error(), HasSubstr("FP8 converts to and from FP16, BF16 and FP32"))
        << DTypeName(from) << " -> " << DTypeName(to);
  }
}

TEST(GraphValidatorTest, Table) {
  Builder b;
  const TensorId x = b.In("x", DType::kInt8, {2, 2});
  const TensorId table = b.Const("table", DType::kInt8, {256}, std::vector<uint8_t>(256));
  const TensorId out = b.T("out", DType::kInt8, {2, 2});
  b.Op(Op::kTable, std::monostate{}, {x, table}, {out});
  b.Out(out);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  b.graph().tensors[x].dtype = DType::kInt16;
  b.graph().tensors[out].dtype = DType::kInt32;
  EXPECT_THAT(b.Error(), HasSubstr("table (input 1 'table' INT8[256]) must be INT16[513]"));
}

TEST(GraphValidatorTest, Rescale) {
  Builder b;
  const TensorId x = b.In("x", DType::kInt32, {2, 3});
  const TensorId multiplier = b.Const("multiplier", DType::kInt32, {3}, Bytes<int32_t>({1, 2, 3}));
  const TensorId shift = b.Const("shift", DType::kInt8, {3}, {10, 20, 30});
  const TensorId izp = b.Zp("izp", DType::kInt32);
  const TensorId ozp = b.Zp("ozp", DType::kInt8);
  const TensorId out = b.T("out", DType::kInt8, {2, 3});
  Operator& op =
      b.Op(Op::kRescale, RescaleAttr{true, RoundingMode::kDoubleRound, true, false, false},
           {x, multiplier, shift, izp, ozp}, {out});
  b.Out(out);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  auto& attr = std::get<RescaleAttr>(op.attribute);
  attr.per_channel = false;
  EXPECT_THAT(b.Error(), HasSubstr("multiplier (input 1 'multiplier' INT32[3]) must be INT32[1]"));
  attr.per_channel = true;
  attr.scale32 = false;
  EXPECT_THAT(b.Error(), HasSubstr("must be INT16[3]"));
  attr.scale32 = true;
  attr.rounding_mode = RoundingMode::kUnknown;
  EXPECT_THAT(b.Error(), HasSubstr("rounding_mode 0 is not SINGLE_ROUND"));
  attr.rounding_mode = RoundingMode::kSingleRound;
  b.graph().tensors[shift].data = {10, 1, 30};
  EXPECT_THAT(b.Error(), HasSubstr("shift 1 is outside [2, 62]"));
}

// ---------------------------------------------------------------- data layout

TEST(GraphValidatorTest, ReshapeTakesItsShapeFromConstShape) {
  Builder b;
  const TensorId x = b.In("x", DType::kFp16, {2, 3, 4});
  const TensorId shape = b.ConstShape("shape", {6, 4});
  const TensorId out = b.T("out", DType::kFp16, {6, 4});
  b.Op(Op::kReshape, std::monostate{}, {x, shape}, {out});
  b.Out(out);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  b.graph().tensors[shape].data = Bytes<int64_t>({4, 6});
  EXPECT_THAT(b.Error(), HasSubstr("shape operand [4,6] differs from output 0 'out' FP16[6,4]"));
  b.graph().tensors[shape].data = Bytes<int64_t>({5, 4});
  b.graph().tensors[out].shape = {5, 4};
  EXPECT_THAT(b.Error(), HasSubstr("has a different element count"));
}

TEST(GraphValidatorTest, ReshapeShapeMustBeConstant) {
  Builder b;
  const TensorId x = b.In("x", DType::kFp32, {4});
  const TensorId shape = b.In("shape", DType::kShape, {2});
  const TensorId out = b.T("out", DType::kFp32, {2, 2});
  b.Op(Op::kReshape, std::monostate{}, {x, shape}, {out});
  b.Out(out);
  EXPECT_THAT(b.Error(), HasSubstr("must be the output of a CONST_SHAPE operator"));
}

TEST(GraphValidatorTest, Transpose) {
  Builder b;
  const TensorId x = b.In("x", DType::kBool, {2, 3, 4});
  const TensorId out = b.T("out", DType::kBool, {4, 2, 3});
  Operator& op = b.Op(Op::kTranspose, TransposeAttr{{2, 0, 1}}, {x}, {out});
  b.Out(out);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  std::get<TransposeAttr>(op.attribute).perms = {2, 2, 1};
  EXPECT_THAT(b.Error(), HasSubstr("perms [2,2,1] is not a permutation of the 3 input dimensions"));
  std::get<TransposeAttr>(op.attribute).perms = {1, 0, 2};
  EXPECT_THAT(b.Error(), HasSubstr("must have shape [3,2,4]"));
}

TEST(GraphValidatorTest, PadSliceTileConcat) {
  Builder b;
  const TensorId x = b.In("x", DType::kInt16, {2, 3});
  const TensorId padding = b.ConstShape("padding", {1, 0, 0, 2});
  const TensorId pad_value = b.Zp("pad_value", DType::kInt16);
  const TensorId padded = b.T("padded", DType::kInt16, {3, 5});
  b.Op(Op::kPad, std::monostate{}, {x, padding, pad_value}, {padded});
  const TensorId start = b.ConstShape("start", {1, 1});
  const TensorId size = b.ConstShape("size", {2, 3});
  const TensorId sliced = b.T("sliced", DType::kInt16, {2, 3});
  b.Op(Op::kSlice, std::monostate{}, {padded, start, size}, {sliced});
  const TensorId multiples = b.ConstShape("multiples", {2, 1});
  const TensorId tiled = b.T("tiled", DType::kInt16, {4, 3});
  b.Op(Op::kTile, std::monostate{}, {sliced, multiples}, {tiled});
  const TensorId joined = b.T("joined", DType::kInt16, {6, 3});
  b.Op(Op::kConcat, ConcatAttr{0}, {tiled, x}, {joined});
  b.Out(joined);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  b.graph().tensors[size].data = Bytes<int64_t>({2, 5});
  EXPECT_THAT(b.Error(), HasSubstr("start [1,1] and size [2,5] do not fit in [3,5]"));
}

// ---------------------------------------------------------------- data nodes and tensors

TEST(GraphValidatorTest, ConstDataMustMatchDTypeAndShape) {
  Builder b;
  const TensorId c = b.Const("c", DType::kFp32, {2, 2}, std::vector<uint8_t>(12));
  b.Out(c);
  EXPECT_EQ(b.Error(),
            "block 'main', tensor 'c': constant data is 12 bytes but FP32[2,2] needs 16");
  b.graph().tensors[c].data.clear();
  EXPECT_THAT(b.Error(), HasSubstr("operator #0 (CONST): output 0 'c' FP32[2,2] has no constant "
                                   "data"));
  b.graph().tensors[c].data.resize(16);
  EXPECT_TRUE(b.Validate().ok());
  b.graph().tensors[c].dtype = DType::kShape;
  b.graph().tensors[c].data.resize(32);
  EXPECT_THAT(b.Error(), HasSubstr("is a SHAPE tensor; use CONST_SHAPE"));
}

TEST(GraphValidatorTest, PackedAndWideConstantSizes) {
  Builder b;
  b.Out(b.Const("int4", DType::kInt4, {3}, {0x21, 0x03}));
  b.Out(b.Const("int48", DType::kInt48, {2}, std::vector<uint8_t>(12)));
  b.Out(b.Const("bools", DType::kBool, {3}, {1, 0, 1}));
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
}

TEST(GraphValidatorTest, Int4ConstantsStayWithinMinusSevenToSeven) {
  Builder b;
  // Elements {-7, 7, 0}; the unused high nibble of the last byte may hold anything.
  const TensorId c = b.Const("int4", DType::kInt4, {3}, {0x79, 0x80});
  b.Out(c);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  b.graph().tensors[c].data = {0x79, 0x08};  // element 2 is -8
  EXPECT_THAT(b.Error(), HasSubstr("INT4 element 2 is -8, outside TOSA's int4_t range -7..7"));
}

TEST(GraphValidatorTest, RefusesBadShapes) {
  Builder b;
  const TensorId x = b.In("x", DType::kInt8, {1, 1, 1, 1, 1, 1, 1});
  b.Out(x);
  EXPECT_EQ(b.Error(), "block 'main', tensor 'x': rank 7 exceeds the TOSA maximum of 6");
  b.graph().tensors[x].shape = {4, -1};
  EXPECT_THAT(b.Error(), HasSubstr("shape [4,-1] has a dimension outside [0, 2^31)"));
  b.graph().tensors[x].shape = {int64_t{1} << 31};
  EXPECT_THAT(b.Error(), HasSubstr("has a dimension outside"));
  b.graph().tensors[x].shape = {1 << 30, 1 << 30};
  EXPECT_THAT(b.Error(), HasSubstr("is larger than the limit"));
  b.graph().tensors[x].shape = {2};
  b.graph().tensors[x].unranked = true;
  EXPECT_THAT(b.Error(), HasSubstr("unranked tensors are not supported"));
  b.graph().tensors[x].unranked = false;
  b.graph().tensors[x].dtype = DType::kUnknown;
  EXPECT_THAT(b.Error(), HasSubstr("unknown dtype value 0"));
}

// ---------------------------------------------------------------- structure and dataflow

TEST(GraphValidatorTest, RefusesDanglingTensorIds) {
  Builder b;
  const TensorId x = b.In("x", DType::kFp32, {2});
  const TensorId out = b.T("out", DType::kFp32, {2});
  b.Op(Op::kAbs, std::monostate{}, {x}, {out});
  b.Out(out);
  ASSERT_TRUE(b.Validate().ok());
  b.graph().blocks[0].operators[0].inputs[0] = 42;
  EXPECT_EQ(b.Error(),
            "block 'main': operator #0 (ABS) refers to tensor id 42 but the graph has 2 tensors");
  b.graph().blocks[0].operators[0].inputs[0] = x;
  b.graph().blocks[0].outputs[0] = 7;
  EXPECT_THAT(b.Error(), HasSubstr("a block output refers to tensor id 7"));
}

TEST(GraphValidatorTest, RefusesUseBeforeDefinitionAndDoubleDefinition) {
  Builder b;
  const TensorId x = b.In("x", DType::kFp32, {2});
  const TensorId mid = b.T("mid", DType::kFp32, {2});
  const TensorId out = b.T("out", DType::kFp32, {2});
  b.Op(Op::kExp, std::monostate{}, {mid}, {out});
  b.Op(Op::kLog, std::monostate{}, {x}, {mid});
  b.Out(out);
  EXPECT_THAT(b.Error(), HasSubstr("operator #0 (EXP): input 0 tensor 'mid' is not produced "
                                   "before it is used"));
  std::swap(b.graph().blocks[0].operators[0], b.graph().blocks[0].operators[1]);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  b.graph().blocks[0].operators[1].outputs[0] = x;
  EXPECT_THAT(b.Error(), HasSubstr("is already a block input or another operator's output"));
}

TEST(GraphValidatorTest, RefusesAnOutputNobodyProduces) {
  Builder b;
  b.Out(b.T("lonely", DType::kInt32, {1}));
  EXPECT_EQ(b.Error(), "block 'main': output tensor 'lonely' is never produced");
}

TEST(GraphValidatorTest, RefusesTheAttributeOfAnotherOperator) {
  Builder b;
  const TensorId x = b.In("x", DType::kFp32, {2});
  const TensorId out = b.T("out", DType::kFp32, {2});
  b.Op(Op::kSigmoid, ConcatAttr{0}, {x}, {out});
  b.Out(out);
  EXPECT_THAT(b.Error(), HasSubstr("(SIGMOID): carries the attribute of another operator"));
}

TEST(GraphValidatorTest, RefusesWrongOperandCounts) {
  Builder b;
  const TensorId x = b.In("x", DType::kFp32, {2});
  const TensorId out = b.T("out", DType::kFp32, {2});
  b.Op(Op::kAdd, std::monostate{}, {x}, {out});
  b.Out(out);
  EXPECT_THAT(b.Error(), HasSubstr("(ADD): has 1 inputs; expected 2"));
}

// ---------------------------------------------------------------- control flow

// main: COND_IF(cond, x) over blocks 'then' (x -> NEGATE-free ABS) and 'else' (x -> identity).
struct CondIfCase {
  Builder b;
  BlockId then_block, else_block;
  Operator* op;
  CondIfCase() {
    const TensorId cond = b.In("cond", DType::kBool, {});
    const TensorId x = b.In("x", DType::kFp32, {3});
    const TensorId out = b.T("out", DType::kFp32, {3});
    then_block = b.AddBlock("then", Graph::kMainBlock);
    else_block = b.AddBlock("else", Graph::kMainBlock);
    for (BlockId block : {then_block, else_block}) {
      const TensorId in = b.In("x", DType::kFp32, {3}, block);
      const TensorId res = b.T("res", DType::kFp32, {3}, {}, block);
      b.Op(block == then_block ? Op::kAbs : Op::kIdentity, std::monostate{}, {in}, {res}, block);
      b.Out(res, block);
    }
    op = &b.Op(Op::kCondIf, CondIfAttr{"then", "else", then_block, else_block}, {cond, x}, {out});
    b.Out(out);
  }
};

TEST(GraphValidatorTest, CondIf) {
  CondIfCase c;
  EXPECT_TRUE(c.b.Validate().ok()) << c.b.Validate();
  c.b.graph().tensors[c.b.graph().blocks[c.else_block].inputs[0]].shape = {4};
  EXPECT_THAT(c.b.Error(), HasSubstr("'x' FP32[3] does not match block 'else''s inputs 0 'x' "
                                     "FP32[4]"));
}

TEST(GraphValidatorTest, CondIfConditionMustBeOneBool) {
  CondIfCase c;
  c.b.graph().tensors[0].shape = {2};
  EXPECT_THAT(c.b.Error(), HasSubstr("the condition 'cond' BOOL[2] must be a one-element BOOL"));
}

TEST(GraphValidatorTest, RefusesRecursion) {
  CondIfCase c;
  // 'then' runs COND_IF on itself.
  Builder& b = c.b;
  const BlockId then_block = c.then_block;
  const TensorId cond = b.Const("again", DType::kBool, {}, {0}, then_block);
  const TensorId in = b.graph().blocks[then_block].inputs[0];
  const TensorId res2 = b.T("res2", DType::kFp32, {3}, {}, then_block);
  b.Op(Op::kCondIf, CondIfAttr{"then", "else", then_block, c.else_block}, {cond, in}, {res2},
       then_block);
  EXPECT_THAT(b.Error(), HasSubstr("block 'then' is reached from itself through COND_IF / "
                                   "WHILE_LOOP; recursion is not allowed"));
}

TEST(GraphValidatorTest, WhileLoop) {
  Builder b;
  const TensorId i = b.In("i", DType::kInt32, {});
  const TensorId limit = b.Const("limit", DType::kInt32, {}, Bytes<int32_t>({10}));
  const TensorId one = b.Const("one", DType::kInt32, {}, Bytes<int32_t>({1}));
  const TensorId out = b.T("out", DType::kInt32, {});
  const BlockId cond = b.AddBlock("cond", Graph::kMainBlock);
  const BlockId body = b.AddBlock("body", Graph::kMainBlock);
  const TensorId ci = b.In("i", DType::kInt32, {}, cond);
  const TensorId more = b.T("more", DType::kBool, {}, {}, cond);
  b.Op(Op::kGreater, std::monostate{}, {limit, ci}, {more}, cond);  // reads main's 'limit'
  b.Out(more, cond);
  const TensorId bi = b.In("i", DType::kInt32, {}, body);
  const TensorId next = b.T("next", DType::kInt32, {}, {}, body);
  b.Op(Op::kAdd, std::monostate{}, {bi, one}, {next}, body);
  b.Out(next, body);
  b.Op(Op::kWhileLoop, WhileLoopAttr{"cond", "body", cond, body}, {i}, {out});
  b.Out(out);
  EXPECT_TRUE(b.Validate().ok()) << b.Validate();
  b.graph().tensors[more].dtype = DType::kInt32;
  EXPECT_THAT(b.Error(), HasSubstr("the loop condition 'more' INT32[] must be a one-element BOOL"));
  b.graph().tensors[more].dtype = DType::kBool;
  // A block that is not nested in main cannot read main's tensors.
  b.graph().blocks[cond].parent.reset();
  EXPECT_THAT(b.Error(), HasSubstr("block 'cond', operator #0 (GREATER): input 0 tensor 'limit' "
                                   "is not a tensor of this block or of a block enclosing it"));
}

// ---------------------------------------------------------------- helpers

TEST(GraphHelpersTest, SignatureListsMainBlockInputsAndOutputs) {
  Builder b;
  const TensorId x = b.In("x", DType::kInt8, {1, 4});
  const TensorId out = b.T("y", DType::kInt8, {1, 4});
  b.Op(Op::kIdentity, std::monostate{}, {x}, {out});
  b.Out(out);
  const GraphSignature signature = MainBlockSignature(b.graph());
  ASSERT_EQ(signature.inputs.size(), 1u);
  EXPECT_EQ(signature.inputs[0].name, "x");
  EXPECT_EQ(signature.inputs[0].dtype, DType::kInt8);
  EXPECT_EQ(signature.inputs[0].shape, (Shape{1, 4}));
  ASSERT_EQ(signature.outputs.size(), 1u);
  EXPECT_EQ(signature.outputs[0].name, "y");
}

TEST(GraphHelpersTest, KServeDatatypes) {
  EXPECT_EQ(KServeDatatype(DType::kBool), "BOOL");
  EXPECT_EQ(KServeDatatype(DType::kInt8), "INT8");
  EXPECT_EQ(KServeDatatype(DType::kInt16), "INT16");
  EXPECT_EQ(KServeDatatype(DType::kInt32), "INT32");
  EXPECT_EQ(KServeDatatype(DType::kFp16), "FP16");
  EXPECT_EQ(KServeDatatype(DType::kBf16), "BF16");
  EXPECT_EQ(KServeDatatype(DType::kFp32), "FP32");
  EXPECT_EQ(KServeDatatype(DType::kShape), "INT64");
  EXPECT_EQ(KServeDatatype(DType::kInt4), std::nullopt);
  EXPECT_EQ(KServeDatatype(DType::kInt48), std::nullopt);
  EXPECT_EQ(KServeDatatype(DType::kFp8E4M3), std::nullopt);
  EXPECT_EQ(ToDataType(DType::kFp32), DataType::kFp32);
}

TEST(GraphHelpersTest, DTypeSizesAndNames) {
  EXPECT_EQ(DTypeDataSize(DType::kInt4, 5), 3);
  EXPECT_EQ(DTypeDataSize(DType::kInt48, 2), 12);
  EXPECT_EQ(DTypeDataSize(DType::kShape, 3), 24);
  EXPECT_EQ(DTypeDataSize(DType::kBf16, 3), 6);
  EXPECT_EQ(DTypeDataSize(DType::kUnknown, 1), std::nullopt);
  EXPECT_EQ(DTypeDataSize(DType::kFp32, INT64_MAX / 2), std::nullopt);
  EXPECT_EQ(DTypeName(DType::kFp8E5M2), "FP8E5M2");
  EXPECT_EQ(DTypeName(static_cast<DType>(99)), "UNKNOWN");
}

TEST(GraphHelpersTest, EveryOpHasItsSpecName) {
  EXPECT_EQ(OpName(Op::kArgMax), "ARGMAX");
  EXPECT_EQ(OpName(Op::kAvgPool2d), "AVG_POOL2D");
  EXPECT_EQ(OpName(Op::kTransposeConv2d), "TRANSPOSE_CONV2D");
  EXPECT_EQ(OpName(Op::kReduceAll), "REDUCE_ALL");
  EXPECT_EQ(OpName(Op::kConstShape), "CONST_SHAPE");
  EXPECT_EQ(OpName(static_cast<Op>(76)), "UNKNOWN");
  for (uint32_t v = 1; v <= kMaxOpValue; ++v) {
    EXPECT_NE(OpName(static_cast<Op>(v)), "UNKNOWN") << v;
    EXPECT_TRUE(AttributeMatchesOp(static_cast<Op>(v), DefaultAttribute(static_cast<Op>(v))));
  }
}

TEST(GraphHelpersTest, FindTensorLooksThroughParents) {
  Builder b;
  const TensorId outer = b.In("shared", DType::kInt8, {1});
  const BlockId child = b.AddBlock("child", Graph::kMainBlock);
  const TensorId inner = b.T("own", DType::kInt8, {1}, {}, child);
  EXPECT_EQ(b.graph().FindTensor(child, "shared"), outer);
  EXPECT_EQ(b.graph().FindTensor(child, "own"), inner);
  EXPECT_EQ(b.graph().FindTensor(Graph::kMainBlock, "own"), std::nullopt);
  EXPECT_EQ(b.graph().FindBlock("child"), child);
}

}  // namespace
}  // namespace inferd::graph

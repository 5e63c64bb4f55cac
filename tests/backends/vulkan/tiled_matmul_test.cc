// The shared-memory tiled MATMUL shader (matmul_tiled.comp, op_lowering_tiled.cc) against the CPU
// backend: sizes that are not multiples of either tile, zero points at the ends of INT8's range,
// batches, both register blocks, and INT8 both with int8 dot products (forced on lavapipe, which
// has them unaccelerated) and without. INT8 must be byte-identical; FP32 and FP16 must meet the
// DOT_PRODUCT compliance rule the conformance runner applies to MATMUL.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/vulkan/op_lowering.h"
#include "tests/backends/cpu/graph_builder.h"
#include "tests/backends/vulkan/vulkan_test_support.h"
#include "tests/conformance/compliance.h"

namespace inferd::vulkan {
namespace {

using cpu::test_graphs::BytesOf;
using cpu::test_graphs::GraphBuilder;
using graph::DType;
using graph::Op;
using testing::RandomFloats;
using testing::RandomValues;
using IntegerDotProduct = GraphProgramOptions::IntegerDotProduct;

struct Shape3 {
  int64_t n, h, c, w;
};

// A one-MATMUL graph of `dtype` (INT8 into INT32 with the zero points, else into `out`).
GraphBuilder MatMulGraph(const Shape3& s, DType dtype, DType out, int8_t a_zp = 0,
                         int8_t b_zp = 0) {
  GraphBuilder b;
  const auto a = b.Input("a", dtype, {s.n, s.h, s.c});
  const auto bb = b.Input("b", dtype, {s.n, s.c, s.w});
  graph::TensorId azp, bzp;
  if (dtype == DType::kInt8) {
    azp = b.Const("azp", DType::kInt8, {1}, std::vector<int8_t>{a_zp});
    bzp = b.Const("bzp", DType::kInt8, {1}, std::vector<int8_t>{b_zp});
  } else if (dtype == DType::kFp32) {
    azp = b.Const("azp", DType::kFp32, {1}, std::vector<float>{0});
    bzp = b.Const("bzp", DType::kFp32, {1}, std::vector<float>{0});
  } else {
    azp = b.Const("azp", dtype, {1}, std::vector<uint16_t>{0});
    bzp = b.Const("bzp", dtype, {1}, std::vector<uint16_t>{0});
  }
  const auto y = b.Tensor("y", out, {s.n, s.h, s.w});
  b.Add(Op::kMatMul, {}, {a, bb, azp, bzp}, {y});
  b.Output(y);
  return b;
}

// The shader the lowering gives the graph's one MATMUL.
std::string ShaderOf(GraphBuilder& builder, OpLowering::Options options) {
  const std::vector<std::string> shaders = testing::ShadersOf(builder, options);
  EXPECT_EQ(shaders.size(), 1u);
  return shaders.empty() ? "" : shaders[0];
}

TEST(VulkanTiledMatMulTest, LargeMatMulsTakeTheTiledShaderAndSmallOnesKeepTheirs) {
  auto int8 = [](Shape3 s) { return MatMulGraph(s, DType::kInt8, DType::kInt32); };
  auto fp32 = [](Shape3 s) { return MatMulGraph(s, DType::kFp32, DType::kFp32); };
  GraphBuilder large = int8({1, 64, 64, 64});
  EXPECT_EQ(ShaderOf(large, {}), "matmul_tiled_i8_t8");
  EXPECT_EQ(ShaderOf(large, {.integer_dot_product = true}), "matmul_tiled_i8_dot_t8");
  EXPECT_EQ(ShaderOf(large, {.tiled_matmul = false}), "matmul_blocked_i8_shared");
  EXPECT_EQ(ShaderOf(large, {.matmul_register_block = 4}), "matmul_tiled_i8_t4");
  GraphBuilder medium = fp32({2, 40, 33, 63});
  EXPECT_EQ(ShaderOf(medium, {}), "matmul_tiled_f32_t4");
  GraphBuilder one_row = int8({1, 1, 512, 512});  // a fully connected layer at batch 1
  EXPECT_EQ(ShaderOf(one_row, {}), "matmul_blocked_i8_shared");
  GraphBuilder short_sum = fp32({1, 64, 8, 64});
  EXPECT_EQ(ShaderOf(short_sum, {}), "matmul_blocked_f32_shared");
  GraphBuilder fp16 = MatMulGraph({1, 70, 40, 70}, DType::kFp16, DType::kFp16);
  EXPECT_EQ(ShaderOf(fp16, {}), "matmul_tiled_f16_t8");
}

TEST(VulkanTiledMatMulTest, Int8IsByteIdenticalWithAndWithoutDotProducts) {
  std::mt19937 rng(41);
  struct Case {
    Shape3 s;
    int8_t a_zp, b_zp;
  };
  const Case cases[] = {
      {{1, 33, 37, 35}, -3, 5},      // 32 x 32 tiles, every dimension one past or short
      {{2, 70, 50, 67}, -128, 127},  // 64 x 64 tiles, a batch of 2, the extreme zero points
      {{1, 64, 64, 64}, 0, 0},       // exactly one tile, no zero points
      {{3, 40, 33, 129}, 7, 0},      // C one past two steps of 16, W one past two tiles
      {{1, 96, 130, 32}, 0, -1},     // C not a multiple of 4 (packed lanes past the end)
  };
  const GraphProgramOptions runs[] = {
      {},
      {.integer_dot_product = IntegerDotProduct::kWhereSupported},
      {.integer_dot_product = IntegerDotProduct::kOff},
      {.use_int64 = false, .integer_dot_product = IntegerDotProduct::kWhereSupported},
      // Each register block at every size: 64 x 64 tiles mostly past a 33-row matrix, 32 x 32
      // tiles over a large one.
      {.matmul_register_block = 8, .integer_dot_product = IntegerDotProduct::kWhereSupported},
      {.matmul_register_block = 4, .integer_dot_product = IntegerDotProduct::kWhereSupported},
      {.matmul_register_block = 8, .integer_dot_product = IntegerDotProduct::kOff},
      {.matmul_register_block = 4, .integer_dot_product = IntegerDotProduct::kOff},
  };
  for (const Case& k : cases) {
    GraphBuilder b = MatMulGraph(k.s, DType::kInt8, DType::kInt32, k.a_zp, k.b_zp);
    const testing::Buffers inputs = {
        BytesOf(RandomValues<int8_t>(rng, k.s.n * k.s.h * k.s.c, -128, 127)),
        BytesOf(RandomValues<int8_t>(rng, k.s.n * k.s.c * k.s.w, -128, 127))};
    for (const GraphProgramOptions& options : runs) {
      const bool dot = options.integer_dot_product == IntegerDotProduct::kWhereSupported;
      testing::ExpectSameOnBothBackendsWith(
          b, inputs,
          absl::StrCat("INT8 MATMUL ", k.s.n, "x", k.s.h, "x", k.s.c, " @ ", k.s.c, "x", k.s.w,
                       dot ? " with int8 dot products" : "",
                       options.matmul_register_block != 0
                           ? absl::StrCat(", register block ", options.matmul_register_block)
                           : ""),
          true, options);
    }
  }
}

TEST(VulkanTiledMatMulTest, TheDotProductPathRunsWhereTheDeviceHasIt) {
  auto device = testing::DefaultDevice();
  ASSERT_NE(device, nullptr);
  GraphBuilder b = MatMulGraph({1, 64, 64, 64}, DType::kInt8, DType::kInt32);
  auto program = GraphProgram::Create(device, b.Build(), 1,
                                      {.integer_dot_product = IntegerDotProduct::kWhereSupported});
  ASSERT_TRUE(program.ok()) << program.status();
  EXPECT_EQ((*program)->uses_integer_dot_product(), device->info().integer_dot_product);
  auto off =
      GraphProgram::Create(device, b.Build(), 1, {.integer_dot_product = IntegerDotProduct::kOff});
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_FALSE((*off)->uses_integer_dot_product());
}

// `values` rounded to FP16 (or BF16), as their bits.
std::vector<uint16_t> NarrowBits(const std::vector<float>& values, DType dtype) {
  std::vector<uint16_t> bits;
  for (float v : values) {
    bits.push_back(dtype == DType::kFp16 ? cpu::kernels::Narrow<cpu::kernels::Fp16>(v).bits
                                         : cpu::kernels::Narrow<cpu::kernels::Bf16>(v).bits);
  }
  return bits;
}

std::vector<double> Widened(const std::vector<uint8_t>& bytes, DType dtype) {
  std::vector<double> values;
  for (size_t i = 0; i < bytes.size(); i += dtype == DType::kFp32 ? 4 : 2) {
    if (dtype == DType::kFp32) {
      float v;
      std::memcpy(&v, &bytes[i], 4);
      values.push_back(v);
    } else {
      uint16_t bits;
      std::memcpy(&bits, &bytes[i], 2);
      values.push_back(dtype == DType::kFp16 ? cpu::kernels::Widen(cpu::kernels::Fp16{bits})
                                             : cpu::kernels::Widen(cpu::kernels::Bf16{bits}));
    }
  }
  return values;
}

// Runs the graph's MATMUL on the GPU and holds it to the conformance runner's DOT_PRODUCT rule
// (tests/conformance/compliance.h, test set 0, kernel size bound C) against an fp64 reference
// computed here from the inputs as stored (`a`, `b` widened).
void ExpectDotProductCompliance(GraphBuilder& builder, const Shape3& s, DType in, DType out,
                                const testing::Buffers& inputs, const std::string& what) {
  auto graph = builder.Build();
  auto gpu = testing::RunOnGpu(graph, inputs);
  ASSERT_TRUE(gpu.ok()) << what << ": " << gpu.status();
  const std::vector<double> a = Widened(inputs[0], in), b = Widened(inputs[1], in);
  std::vector<double> reference, bounds;
  for (int64_t n = 0; n < s.n; ++n) {
    for (int64_t y = 0; y < s.h; ++y) {
      for (int64_t x = 0; x < s.w; ++x) {
        double sum = 0, magnitude = 0;
        for (int64_t k = 0; k < s.c; ++k) {
          const double product = a[(n * s.h + y) * s.c + k] * b[(n * s.c + k) * s.w + x];
          sum += product;
          magnitude += std::fabs(product);
        }
        reference.push_back(sum);
        bounds.push_back(magnitude);
      }
    }
  }
  conformance::ComplianceInfo info;
  info.mode = conformance::ComplianceMode::kDotProduct;
  info.set = 0;
  info.ksb = static_cast<double>(s.c);
  const conformance::ComplianceResult result = conformance::CheckFloatTensor(
      info, out == DType::kFp32 ? conformance::Fp32Format() : conformance::Fp16Format(),
      Widened((*gpu)[0], out), reference, bounds);
  EXPECT_TRUE(result.ok()) << what << ": " << result.mismatch_count << " elements out of bounds, "
                           << (result.mismatches.empty() ? result.tensor_failure
                                                         : result.mismatches[0].reason);
}

TEST(VulkanTiledMatMulTest, Fp32MeetsTheDotProductComplianceRule) {
  std::mt19937 rng(43);
  for (const Shape3& s : {Shape3{2, 45, 70, 50}, Shape3{1, 65, 128, 100}}) {
    GraphBuilder b = MatMulGraph(s, DType::kFp32, DType::kFp32);
    const testing::Buffers inputs = {BytesOf(RandomFloats(rng, s.n * s.h * s.c)),
                                     BytesOf(RandomFloats(rng, s.n * s.c * s.w))};
    const std::string what =
        absl::StrCat("FP32 MATMUL ", s.n, "x", s.h, "x", s.c, " @ ", s.c, "x", s.w);
    ExpectDotProductCompliance(b, s, DType::kFp32, DType::kFp32, inputs, what);
    // And within rounding of the CPU backend's sums (at most 128 products below 1 in magnitude).
    testing::ExpectFp32Close(b, inputs, 5e-4f, what);
  }
}

TEST(VulkanTiledMatMulTest, Fp16MeetsTheDotProductComplianceRule) {
  std::mt19937 rng(47);
  const Shape3 s{2, 70, 40, 66};
  const testing::Buffers inputs = {
      BytesOf(NarrowBits(RandomFloats(rng, s.n * s.h * s.c), DType::kFp16)),
      BytesOf(NarrowBits(RandomFloats(rng, s.n * s.c * s.w), DType::kFp16))};
  GraphBuilder to_fp32 = MatMulGraph(s, DType::kFp16, DType::kFp32);
  ExpectDotProductCompliance(to_fp32, s, DType::kFp16, DType::kFp32, inputs,
                             "FP16 MATMUL into FP32");
  GraphBuilder to_fp16 = MatMulGraph(s, DType::kFp16, DType::kFp16);
  ExpectDotProductCompliance(to_fp16, s, DType::kFp16, DType::kFp16, inputs,
                             "FP16 MATMUL into FP16");
  EXPECT_EQ(ShaderOf(to_fp16, {}), "matmul_tiled_f16_t8");
}

TEST(VulkanTiledMatMulTest, Bf16IntoFp32MeetsTheDotProductComplianceRule) {
  std::mt19937 rng(53);
  const Shape3 s{1, 50, 33, 90};
  const testing::Buffers inputs = {
      BytesOf(NarrowBits(RandomFloats(rng, s.n * s.h * s.c), DType::kBf16)),
      BytesOf(NarrowBits(RandomFloats(rng, s.n * s.c * s.w), DType::kBf16))};
  GraphBuilder b = MatMulGraph(s, DType::kBf16, DType::kFp32);
  EXPECT_EQ(ShaderOf(b, {}), "matmul_tiled_bf16_f32_t4");
  ExpectDotProductCompliance(b, s, DType::kBf16, DType::kFp32, inputs, "BF16 MATMUL into FP32");
}

}  // namespace
}  // namespace inferd::vulkan

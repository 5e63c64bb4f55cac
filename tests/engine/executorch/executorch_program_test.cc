// The .pte reader's data flow: float edges (quantize_per_tensor before the delegate call,
// dequantize_per_tensor after it, quantized_decomposed:: and cortex_m::) are read with their
// arguments; anything else outside the delegate, and edge arguments ExecuTorch's kernels would
// reject, are refused with a message naming them.
#include "engine/executorch/executorch_program.h"

#include <gtest/gtest.h>

#include "tests/engine/executorch/executorch_files.h"

namespace inferd::executorch {
namespace {

using testing::GenerateProgram;

const std::vector<uint8_t> kProgramPayload(64, 0x5A);

void ExpectRefused(const std::vector<std::string>& args, std::string_view fragment) {
  const std::vector<uint8_t> bytes = GenerateProgram(kProgramPayload, args);
  ASSERT_FALSE(bytes.empty());
  auto program = ParseExecuTorchProgram(bytes);
  ASSERT_FALSE(program.ok()) << "accepted; expected a refusal with '" << fragment << "'";
  EXPECT_TRUE(absl::IsInvalidArgument(program.status())) << program.status();
  EXPECT_NE(program.status().message().find(std::string(fragment)), absl::string_view::npos)
      << program.status();
}

TEST(ExecuTorchProgramEdgesTest, ReadsFloatEdgesAroundTheDelegate) {
  const std::vector<uint8_t> bytes = GenerateProgram(
      kProgramPayload, {"--backend-id", "VgfBackend", "--input", "Float:1,8,8,1@0.05,-3", "--input",
                        "Char:1,4", "--output", "Float:1,10@0.125,2,Byte,0,255"});
  auto program = ParseExecuTorchProgram(bytes);
  ASSERT_TRUE(program.ok()) << program.status();
  EXPECT_EQ(program->delegate_id, "VgfBackend");
  EXPECT_EQ(std::vector<uint8_t>(program->payload.begin(), program->payload.end()),
            kProgramPayload);
  EXPECT_TRUE(program->HasQuantizedEdges());
  ASSERT_EQ(program->inputs.size(), 2u);
  EXPECT_EQ(program->inputs[0].dtype, DataType::kFp32);
  EXPECT_EQ(program->inputs[1].dtype, DataType::kInt8);
  ASSERT_EQ(program->delegate_inputs.size(), 2u);
  EXPECT_EQ(program->delegate_inputs[0].dtype, DataType::kInt8);
  EXPECT_EQ(program->delegate_inputs[0].sizes, (std::vector<int64_t>{1, 8, 8, 1}));
  ASSERT_EQ(program->delegate_input_sources.size(), 2u);
  const auto& quantize = program->delegate_input_sources[0].quantize;
  ASSERT_TRUE(quantize.has_value());
  EXPECT_EQ(quantize->op, "quantized_decomposed::quantize_per_tensor.out");
  EXPECT_DOUBLE_EQ(quantize->scale, 0.05);
  EXPECT_EQ(quantize->zero_point, -3);
  EXPECT_EQ(quantize->quant_min, -128);
  EXPECT_EQ(quantize->quant_max, 127);
  EXPECT_EQ(quantize->quantized, DataType::kInt8);
  EXPECT_EQ(program->delegate_input_sources[1].method_input, 1u);
  EXPECT_FALSE(program->delegate_input_sources[1].quantize.has_value());
  ASSERT_EQ(program->output_sources.size(), 1u);
  EXPECT_EQ(program->delegate_outputs[0].dtype, DataType::kUint8);
  const auto& dequantize = program->output_sources[0].dequantize;
  ASSERT_TRUE(dequantize.has_value());
  EXPECT_EQ(dequantize->op, "quantized_decomposed::dequantize_per_tensor.out");
  EXPECT_DOUBLE_EQ(dequantize->scale, 0.125);
  EXPECT_EQ(dequantize->zero_point, 2);
  EXPECT_EQ(dequantize->quant_max, 255);
}

TEST(ExecuTorchProgramEdgesTest, ReadsTheCortexMOperators) {
  auto program = ParseExecuTorchProgram(GenerateProgram(
      kProgramPayload,
      {"--cortex-m", "--input", "Float:1,4@0.5,0", "--output", "Float:1,4@0.25,-1"}));
  ASSERT_TRUE(program.ok()) << program.status();
  EXPECT_EQ(program->delegate_input_sources[0].quantize->op, "cortex_m::quantize_per_tensor.out");
  EXPECT_EQ(program->output_sources[0].dequantize->op, "cortex_m::dequantize_per_tensor.out");
}

TEST(ExecuTorchProgramEdgesTest, RefusesOtherOperatorsAndArgumentsTheKernelsReject) {
  ExpectRefused({"--input", "Float:1,4@0.5,0", "--output", "Char:1,4", "--cpu-op", "aten::relu"},
                "operator aten::relu.out runs outside the EthosUBackend delegate");
  ExpectRefused({"--input", "Float:1,4@0,0", "--output", "Char:1,4"},
                "scale 0 is not a positive finite number");
  ExpectRefused({"--input", "Float:1,4@0.5,0,Byte,-5,255", "--output", "Char:1,4"},
                "quant_min -5 and quant_max 255 do not fit UINT8");
  ExpectRefused({"--input", "Half:1,4@0.5,0", "--output", "Char:1,4"}, "inferd runs FP32 to INT8");
}

}  // namespace
}  // namespace inferd::executorch

// Reader for ExecuTorch programs (.pte) whose served method is one call into one backend delegate,
// with, at most, ExecuTorch's quantize / dequantize operators around it: the usual export of a
// quantized model with float inputs and outputs. Such a program is a FlatBuffer (file identifier
// "ET12", schema: executorch_program.fbs) with an optional extended header at byte 8 ("eh00":
// header length, program size, segment base offset) and data segments after the program. The
// delegate's processed blob (inline in Program.backend_delegate_data or in a segment) is what the
// backend runs: a Vela bin stream for EthosUBackend, a VGF file for VgfBackend.
//
// The reader verifies the FlatBuffer before touching it and checks every index and offset against
// the file, so arbitrary bytes are refused with a reason. It follows the method's data flow: each
// delegate input is a method input, directly or through quantize_per_tensor; each method output is
// a delegate output, directly or through dequantize_per_tensor (the quantized_decomposed and
// cortex_m variants). Any other operator outside the delegate is refused by name, as are several
// delegates and control flow. Which delegate ids a backend takes is the backend's call
// (executorch_loader.h).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/data_type.h"

namespace inferd::executorch {

// A tensor value as the program declares it.
struct ProgramTensor {
  DataType dtype = DataType::kInvalid;  // kInvalid: a scalar type inferd has no equivalent for
  int32_t scalar_type = -1;             // ExecuTorch's ScalarType number, for messages
  std::vector<int64_t> sizes;
};

// The arguments of a quantize_per_tensor / dequantize_per_tensor call. The float side is FP32;
// `quantized` is the integer side's type.
struct PerTensorQuantization {
  std::string op;  // "quantized_decomposed::quantize_per_tensor.out", for messages
  double scale = 1.0;
  int64_t zero_point = 0;
  int64_t quant_min = 0;
  int64_t quant_max = 0;
  DataType quantized = DataType::kInvalid;
};

// Where delegate input i comes from: method input `method_input`, quantized on the way when
// `quantize` is set.
struct DelegateInputSource {
  size_t method_input = 0;
  std::optional<PerTensorQuantization> quantize;
};

// Where method output j comes from: delegate output `delegate_output`, dequantized on the way when
// `dequantize` is set.
struct MethodOutputSource {
  size_t delegate_output = 0;
  std::optional<PerTensorQuantization> dequantize;
};

struct DelegatedProgram {
  std::string method;
  std::string delegate_id;            // "EthosUBackend", "VgfBackend", ...
  std::span<const uint8_t> payload;   // the delegate's processed blob; points into the file
  std::vector<ProgramTensor> inputs;  // the method's, as callers see them
  std::vector<ProgramTensor> outputs;
  std::vector<ProgramTensor> delegate_inputs;  // as the delegate sees them, in its order
  std::vector<ProgramTensor> delegate_outputs;
  std::vector<DelegateInputSource> delegate_input_sources;  // one per delegate input
  std::vector<MethodOutputSource> output_sources;           // one per method output

  // True when some edge runs a quantize or dequantize step on the host.
  bool HasQuantizedEdges() const;
};

// The fully qualified operator names (without overload) of the edge steps inferd runs.
bool IsQuantizeOperator(std::string_view name);
bool IsDequantizeOperator(std::string_view name);

// True when bytes 4..7 carry an ExecuTorch program identifier ("ET" and two digits).
bool LooksLikeExecuTorchProgram(std::span<const uint8_t> bytes);

// Parses and validates; INVALID_ARGUMENT saying what is wrong otherwise. The method served is the
// only one, or "forward" when there are several.
absl::StatusOr<DelegatedProgram> ParseExecuTorchProgram(std::span<const uint8_t> bytes);

// ExecuTorch ScalarType number -> inferd's type; kInvalid for those inferd has none for.
DataType DataTypeFromScalarType(int32_t scalar_type);

}  // namespace inferd::executorch

#include "engine/executorch/executorch_program.h"

#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "engine/executorch/executorch_program_generated.h"
#include "engine/shape.h"
#include "flatbuffers/flatbuffers.h"

namespace inferd::executorch {
namespace {

// The extended header ExecuTorch writes at byte 8: magic, its own length, then the program size
// and the segment base offset as little-endian uint64. Newer writers append fields and raise the
// length; those are skipped.
constexpr size_t kExtendedHeaderOffset = 8;
constexpr char kExtendedHeaderMagic[4] = {'e', 'h', '0', '0'};
constexpr uint32_t kExtendedHeaderMinLength = 4 + 4 + 8 + 8;

constexpr flatbuffers::uoffset_t kMaxVerifierDepth = 64;
constexpr flatbuffers::uoffset_t kMaxVerifierTables = 1'000'000;

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("ExecuTorch program: ", std::string(what)));
}

uint64_t ReadLe(const uint8_t* p, size_t bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes; ++i) value |= uint64_t{p[i]} << (8 * i);
  return value;
}

bool IsDigit(uint8_t c) { return c >= '0' && c <= '9'; }

struct FileLayout {
  uint64_t program_size = 0;
  uint64_t segment_base = 0;  // 0: the file has no segments
};

absl::StatusOr<FileLayout> ReadLayout(std::span<const uint8_t> bytes) {
  FileLayout layout;
  layout.program_size = bytes.size();
  const bool has_header =
      bytes.size() >= kExtendedHeaderOffset + kExtendedHeaderMinLength &&
      bytes[kExtendedHeaderOffset] == 'e' && bytes[kExtendedHeaderOffset + 1] == 'h' &&
      IsDigit(bytes[kExtendedHeaderOffset + 2]) && IsDigit(bytes[kExtendedHeaderOffset + 3]);
  if (!has_header) return layout;
  const uint8_t* header = bytes.data() + kExtendedHeaderOffset;
  if (std::memcmp(header, kExtendedHeaderMagic, sizeof(kExtendedHeaderMagic)) != 0) {
    return Invalid(absl::StrCat("extended header version '",
                                std::string(reinterpret_cast<const char*>(header), 4),
                                "' is not supported (inferd reads eh00)"));
  }
  const uint64_t length = ReadLe(header + 4, 4);
  layout.program_size = ReadLe(header + 8, 8);
  layout.segment_base = ReadLe(header + 16, 8);
  if (length < kExtendedHeaderMinLength || length > bytes.size() - kExtendedHeaderOffset) {
    return Invalid(absl::StrCat("extended header length ", length, " is invalid"));
  }
  if (layout.program_size < kExtendedHeaderOffset + length || layout.program_size > bytes.size()) {
    return Invalid(absl::StrCat("extended header gives a program size of ", layout.program_size,
                                " bytes; the file has ", bytes.size()));
  }
  if (layout.segment_base != 0 &&
      (layout.segment_base < layout.program_size || layout.segment_base > bytes.size())) {
    return Invalid(absl::StrCat("segment base offset ", layout.segment_base,
                                " lies outside the file after the program (program ",
                                layout.program_size, " bytes, file ", bytes.size(), ")"));
  }
  return layout;
}

DataType ToDataType(pte::ScalarType type) { return DataTypeFromScalarType(static_cast<int>(type)); }

const pte::EValue* ValueAt(const pte::ExecutionPlan& plan, int64_t index) {
  const auto* values = plan.values();
  if (values == nullptr || index < 0 || static_cast<uint64_t>(index) >= values->size()) {
    return nullptr;
  }
  return values->Get(static_cast<uint32_t>(index));
}

absl::StatusOr<ProgramTensor> ReadTensor(const pte::ExecutionPlan& plan, int64_t index,
                                         const std::string& what) {
  const pte::EValue* value = ValueAt(plan, index);
  if (value == nullptr) {
    return Invalid(absl::StrCat(what, " names value ", index, ", which does not exist"));
  }
  const pte::Tensor* tensor = value->val_as_Tensor();
  if (tensor == nullptr) {
    return Invalid(absl::StrCat(what, " (value ", index, ") is not a tensor"));
  }
  ProgramTensor out;
  out.scalar_type = static_cast<int32_t>(tensor->scalar_type());
  out.dtype = ToDataType(tensor->scalar_type());
  if (tensor->sizes() != nullptr) {
    for (int32_t size : *tensor->sizes()) {
      if (size < 0) return Invalid(absl::StrCat(what, " has size ", size));
      out.sizes.push_back(size);
    }
  }
  return out;
}

absl::StatusOr<std::vector<ProgramTensor>> ReadTensors(const pte::ExecutionPlan& plan,
                                                       const flatbuffers::Vector<int32_t>* indices,
                                                       const char* what) {
  std::vector<ProgramTensor> tensors;
  if (indices == nullptr) return tensors;
  for (flatbuffers::uoffset_t i = 0; i < indices->size(); ++i) {
    auto tensor = ReadTensor(plan, indices->Get(i), absl::StrCat(what, " ", i));
    if (!tensor.ok()) {
      if (ValueAt(plan, indices->Get(i)) != nullptr) {
        return Invalid(absl::StrCat(what, " ", i, " is not a tensor; inferd serves tensors only"));
      }
      return tensor.status();
    }
    tensors.push_back(*std::move(tensor));
  }
  return tensors;
}

absl::StatusOr<const pte::ExecutionPlan*> ChoosePlan(const pte::Program& program) {
  const auto* plans = program.execution_plan();
  if (plans == nullptr || plans->size() == 0) return Invalid("it has no methods");
  if (plans->size() == 1) return plans->Get(0);
  for (const pte::ExecutionPlan* plan : *plans) {
    if (plan->name() != nullptr && plan->name()->string_view() == "forward") return plan;
  }
  return Invalid(absl::StrCat("it has ", plans->size(),
                              " methods and none is named 'forward'; inferd serves one method"));
}

std::string OperatorName(const pte::ExecutionPlan& plan, int32_t op_index, bool with_overload) {
  const auto* operators = plan.operators();
  if (operators == nullptr || op_index < 0 ||
      static_cast<uint32_t>(op_index) >= operators->size()) {
    return "#" + std::to_string(op_index);
  }
  const pte::Operator* op = operators->Get(static_cast<uint32_t>(op_index));
  if (op->name() == nullptr) return "#" + std::to_string(op_index);
  std::string name = op->name()->str();
  if (with_overload && op->overload() != nullptr && op->overload()->size() > 0) {
    absl::StrAppend(&name, ".", op->overload()->str());
  }
  return name;
}

bool IsOutOverload(const pte::ExecutionPlan& plan, int32_t op_index) {
  const pte::Operator* op = plan.operators()->Get(static_cast<uint32_t>(op_index));
  return op->overload() != nullptr && op->overload()->string_view() == "out";
}

// The integer types quantize_per_tensor writes, with their ranges (ExecuTorch checks quant_min and
// quant_max against them).
bool QuantizedRange(DataType type, int64_t& lowest, int64_t& highest) {
  switch (type) {
    case DataType::kUint8:
      lowest = 0, highest = 255;
      return true;
    case DataType::kInt8:
      lowest = -128, highest = 127;
      return true;
    case DataType::kUint16:
      lowest = 0, highest = 65535;
      return true;
    case DataType::kInt16:
      lowest = -32768, highest = 32767;
      return true;
    case DataType::kInt32:
      lowest = INT32_MIN, highest = INT32_MAX;
      return true;
    default:
      return false;
  }
}

// One quantize_per_tensor / dequantize_per_tensor call: its input and output value indices and
// its scalar arguments. ExecuTorch emits an out-variant call's arguments in schema order, the out
// tensor among them, then the returned value (the out tensor again):
//   quantize:   input, scale, zero_point, quant_min, quant_max, dtype, out, (return)
//   dequantize: input, scale, zero_point, quant_min, quant_max, dtype, [out_dtype,] out, (return)
// (quantized_decomposed's dequantize has the optional out_dtype; cortex_m's does not).
struct EdgeCall {
  int32_t input = -1;
  int32_t output = -1;
  PerTensorQuantization step;
};

absl::StatusOr<EdgeCall> ReadEdgeCall(const pte::ExecutionPlan& plan, const pte::KernelCall& call,
                                      bool dequantize) {
  EdgeCall edge;
  edge.step.op = OperatorName(plan, call.op_index(), /*with_overload=*/true);
  const std::string& op = edge.step.op;
  const auto* args = call.args();
  const uint32_t count = args == nullptr ? 0 : args->size();
  if (count < 7 || count > 9) {
    return Invalid(absl::StrCat("operator ", op, " has ", count,
                                " arguments; the schema has 7 (or 8 with out_dtype) and a result"));
  }
  auto scalar = [&](uint32_t position, const char* name) -> absl::StatusOr<const pte::EValue*> {
    const pte::EValue* value = ValueAt(plan, args->Get(position));
    if (value == nullptr) {
      return Invalid(absl::StrCat("operator ", op, ": argument ", name, " names value ",
                                  args->Get(position), ", which does not exist"));
    }
    return value;
  };
  auto integer = [&](uint32_t position, const char* name) -> absl::StatusOr<int64_t> {
    auto value = scalar(position, name);
    if (!value.ok()) return value.status();
    const pte::Int* number = (*value)->val_as_Int();
    if (number == nullptr) {
      return Invalid(absl::StrCat("operator ", op, ": argument ", name, " is not an integer"));
    }
    return number->int_val();
  };
  auto scale = scalar(1, "scale");
  if (!scale.ok()) return scale.status();
  if (const pte::Double* number = (*scale)->val_as_Double()) {
    edge.step.scale = number->double_val();
  } else {
    return Invalid(absl::StrCat("operator ", op,
                                ": argument scale is not a float (a scale tensor is the "
                                ".tensor_out overload, which inferd does not run)"));
  }
  auto zero_point = integer(2, "zero_point");
  auto quant_min = integer(3, "quant_min");
  auto quant_max = integer(4, "quant_max");
  auto dtype = integer(5, "dtype");
  for (const auto* result : {&zero_point, &quant_min, &quant_max, &dtype}) {
    if (!result->ok()) return result->status();
  }
  edge.step.zero_point = *zero_point;
  edge.step.quant_min = *quant_min;
  edge.step.quant_max = *quant_max;
  edge.step.quantized = *dtype >= INT8_MIN && *dtype <= INT8_MAX
                            ? DataTypeFromScalarType(static_cast<int32_t>(*dtype))
                            : DataType::kInvalid;
  int64_t lowest = 0;
  int64_t highest = 0;
  if (!QuantizedRange(edge.step.quantized, lowest, highest)) {
    return Invalid(absl::StrCat("operator ", op, ": dtype ScalarType ", *dtype,
                                " is not an integer type inferd quantizes to (Byte, Char, Short, "
                                "UInt16, Int)"));
  }
  if (!(edge.step.scale > 0) || !std::isfinite(edge.step.scale)) {
    return Invalid(absl::StrCat("operator ", op, ": scale ", edge.step.scale,
                                " is not a positive finite number"));
  }
  if (edge.step.quant_min > edge.step.quant_max || edge.step.quant_min < lowest ||
      edge.step.quant_max > highest) {
    return Invalid(absl::StrCat("operator ", op, ": quant_min ", edge.step.quant_min,
                                " and quant_max ", edge.step.quant_max, " do not fit ",
                                std::string(DataTypeName(edge.step.quantized))));
  }
  if (dequantize && count == 9) {
    auto out_dtype = scalar(6, "out_dtype");
    if (!out_dtype.ok()) return out_dtype.status();
    if (const pte::Int* number = (*out_dtype)->val_as_Int();
        number != nullptr && number->int_val() != static_cast<int64_t>(pte::ScalarType::Float)) {
      return Invalid(absl::StrCat("operator ", op, ": out_dtype ScalarType ", number->int_val(),
                                  " is not Float; inferd dequantizes to FP32"));
    }
  }
  edge.input = args->Get(0);
  edge.output = args->Get(count - 1);
  const DataType float_side = DataType::kFp32;
  auto input = ReadTensor(plan, edge.input, absl::StrCat("operator ", op, "'s input"));
  if (!input.ok()) return input.status();
  auto output = ReadTensor(plan, edge.output, absl::StrCat("operator ", op, "'s output"));
  if (!output.ok()) return output.status();
  const DataType want_in = dequantize ? edge.step.quantized : float_side;
  const DataType want_out = dequantize ? float_side : edge.step.quantized;
  if (input->dtype != want_in || output->dtype != want_out) {
    return Invalid(absl::StrCat("operator ", op, " takes ScalarType ", input->scalar_type,
                                " to ScalarType ", output->scalar_type, "; inferd runs ",
                                std::string(DataTypeName(want_in)), " to ",
                                std::string(DataTypeName(want_out))));
  }
  if (ElementCount(input->sizes) != ElementCount(output->sizes)) {
    return Invalid(absl::StrCat("operator ", op, " takes ", ShapeToString(input->sizes), " to ",
                                ShapeToString(output->sizes)));
  }
  return edge;
}

// What produced a value, as far as the edges are concerned.
struct Origin {
  enum class Kind { kMethodInput, kQuantized, kDelegateOutput, kDequantized };
  Kind kind = Kind::kMethodInput;
  size_t index = 0;  // the method input or the delegate output
  std::optional<PerTensorQuantization> step;
};

// Follows the method's instructions: q/dq steps at the edges, one delegate call, nothing else.
absl::Status TraceEdges(const pte::ExecutionPlan& plan, const std::string& delegate_id,
                        DelegatedProgram& program) {
  std::map<int32_t, Origin> origins;
  const auto* inputs = plan.inputs();
  for (uint32_t i = 0; inputs != nullptr && i < inputs->size(); ++i) {
    origins.emplace(inputs->Get(i), Origin{Origin::Kind::kMethodInput, i, std::nullopt});
  }
  const std::string outside = absl::StrCat(" runs outside the ", delegate_id, " delegate");
  bool delegated = false;
  const auto* chains = plan.chains();
  for (uint32_t c = 0; chains != nullptr && c < chains->size(); ++c) {
    const auto* instructions = chains->Get(c)->instructions();
    for (uint32_t n = 0; instructions != nullptr && n < instructions->size(); ++n) {
      const pte::Instruction* instruction = instructions->Get(n);
      if (const pte::KernelCall* call = instruction->instr_args_as_KernelCall()) {
        const std::string name = OperatorName(plan, call->op_index(), /*with_overload=*/false);
        const bool quantize = IsQuantizeOperator(name);
        const bool dequantize = IsDequantizeOperator(name);
        if ((!quantize && !dequantize) || !IsOutOverload(plan, call->op_index())) {
          return Invalid(absl::StrCat(
              "operator ", OperatorName(plan, call->op_index(), true), outside,
              "; inferd runs only quantize_per_tensor.out and dequantize_per_tensor.out there "
              "(quantized_decomposed:: and cortex_m::) at the method's inputs and outputs"));
        }
        auto edge = ReadEdgeCall(plan, *call, dequantize);
        if (!edge.ok()) return edge.status();
        auto from = origins.find(edge->input);
        const Origin::Kind want =
            quantize ? Origin::Kind::kMethodInput : Origin::Kind::kDelegateOutput;
        if (from == origins.end() || from->second.kind != want) {
          return Invalid(
              absl::StrCat("operator ", edge->step.op, " reads value ", edge->input,
                           ", which is not ", quantize ? "a method input" : "a delegate output",
                           "; inferd runs quantize_per_tensor only on the method's inputs and "
                           "dequantize_per_tensor only on the delegate's outputs"));
        }
        origins[edge->output] =
            Origin{quantize ? Origin::Kind::kQuantized : Origin::Kind::kDequantized,
                   from->second.index, edge->step};
        continue;
      }
      if (const pte::DelegateCall* call = instruction->instr_args_as_DelegateCall()) {
        const auto* delegates = plan.delegates();
        const uint32_t num_delegates = delegates == nullptr ? 0 : delegates->size();
        if (call->delegate_index() < 0 ||
            static_cast<uint32_t>(call->delegate_index()) >= num_delegates) {
          return Invalid(absl::StrCat("a delegate call names delegate ", call->delegate_index(),
                                      " of ", num_delegates));
        }
        if (delegated) {
          return Invalid(
              absl::StrCat("method '", program.method,
                           "' calls its delegate more than once; inferd serves one call"));
        }
        delegated = true;
        // ExecuTorch emits a delegate call's inputs, then its outputs.
        const auto* args = call->args();
        for (uint32_t a = 0; args != nullptr && a < args->size(); ++a) {
          const int32_t value = args->Get(a);
          auto tensor = ReadTensor(plan, value, absl::StrCat("delegate argument ", a));
          if (!tensor.ok()) return tensor.status();
          auto from = origins.find(value);
          const bool is_input =
              from != origins.end() && (from->second.kind == Origin::Kind::kMethodInput ||
                                        from->second.kind == Origin::Kind::kQuantized);
          if (is_input) {
            if (!program.delegate_outputs.empty()) {
              return Invalid(absl::StrCat("delegate argument ", a,
                                          " is a method input after the delegate's outputs"));
            }
            program.delegate_inputs.push_back(*std::move(tensor));
            program.delegate_input_sources.push_back(
                DelegateInputSource{from->second.index, from->second.step});
            continue;
          }
          if (from != origins.end()) {
            return Invalid(absl::StrCat("delegate argument ", a, " (value ", value,
                                        ") is neither a method input nor a fresh output"));
          }
          origins[value] =
              Origin{Origin::Kind::kDelegateOutput, program.delegate_outputs.size(), std::nullopt};
          program.delegate_outputs.push_back(*std::move(tensor));
        }
        continue;
      }
      if (instruction->instr_args_as_JumpFalseCall() != nullptr) {
        return Invalid(absl::StrCat("method '", program.method,
                                    "' has control flow (JumpFalseCall) outside its delegate"));
      }
      // MoveCall and FreeCall move or release values; they compute nothing.
    }
  }
  if (!delegated) {
    return Invalid(
        absl::StrCat("method '", program.method, "' never calls its ", delegate_id, " delegate"));
  }
  const auto* outputs = plan.outputs();
  for (uint32_t j = 0; outputs != nullptr && j < outputs->size(); ++j) {
    auto from = origins.find(outputs->Get(j));
    if (from == origins.end() || (from->second.kind != Origin::Kind::kDelegateOutput &&
                                  from->second.kind != Origin::Kind::kDequantized)) {
      return Invalid(
          absl::StrCat("output ", j, " is not computed by the ", delegate_id, " delegate"));
    }
    program.output_sources.push_back(MethodOutputSource{from->second.index, from->second.step});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::span<const uint8_t>> DelegateBlob(const pte::Program& program,
                                                      const pte::BackendDelegate& delegate,
                                                      std::span<const uint8_t> file,
                                                      const FileLayout& layout) {
  const pte::BackendDelegateDataReference* processed = delegate.processed();
  if (processed == nullptr) return Invalid("the delegate has no processed data");
  const uint32_t index = processed->index();
  switch (processed->location()) {
    case pte::DataLocation::INLINE: {
      const auto* list = program.backend_delegate_data();
      if (list == nullptr || index >= list->size()) {
        return Invalid(absl::StrCat("the delegate's inline data ", index, " does not exist"));
      }
      const auto* data = list->Get(index)->data();
      if (data == nullptr) return Invalid("the delegate's inline data is empty");
      return std::span<const uint8_t>(data->data(), data->size());
    }
    case pte::DataLocation::SEGMENT: {
      const auto* segments = program.segments();
      if (segments == nullptr || index >= segments->size()) {
        return Invalid(absl::StrCat("the delegate's segment ", index, " does not exist"));
      }
      if (layout.segment_base == 0) {
        return Invalid(
            "the delegate's data is in a segment, but the file has no extended header "
            "giving the segment base offset");
      }
      const pte::DataSegment* segment = segments->Get(index);
      const uint64_t available = file.size() - layout.segment_base;
      if (segment->offset() > available || segment->size() > available - segment->offset()) {
        return Invalid(absl::StrCat("segment ", index, " (offset ", segment->offset(), ", ",
                                    segment->size(), " bytes) runs past the end of the file"));
      }
      return file.subspan(layout.segment_base + segment->offset(), segment->size());
    }
  }
  return Invalid(absl::StrCat("the delegate's data location ",
                              static_cast<int>(processed->location()), " is unknown"));
}

}  // namespace

bool DelegatedProgram::HasQuantizedEdges() const {
  for (const DelegateInputSource& source : delegate_input_sources) {
    if (source.quantize.has_value()) return true;
  }
  for (const MethodOutputSource& source : output_sources) {
    if (source.dequantize.has_value()) return true;
  }
  return false;
}

bool IsQuantizeOperator(std::string_view name) {
  return name == "quantized_decomposed::quantize_per_tensor" ||
         name == "cortex_m::quantize_per_tensor";
}

bool IsDequantizeOperator(std::string_view name) {
  return name == "quantized_decomposed::dequantize_per_tensor" ||
         name == "cortex_m::dequantize_per_tensor";
}

DataType DataTypeFromScalarType(int32_t scalar_type) {
  switch (scalar_type) {
    case 0:
      return DataType::kUint8;  // Byte
    case 1:
      return DataType::kInt8;  // Char
    case 2:
      return DataType::kInt16;  // Short
    case 3:
      return DataType::kInt32;  // Int
    case 4:
      return DataType::kInt64;  // Long
    case 5:
      return DataType::kFp16;  // Half
    case 6:
      return DataType::kFp32;  // Float
    case 7:
      return DataType::kFp64;  // Double
    case 11:
      return DataType::kBool;  // Bool
    case 15:
      return DataType::kBf16;  // BFloat16
    case 27:
      return DataType::kUint16;  // UInt16
    case 28:
      return DataType::kUint32;  // UInt32
    case 29:
      return DataType::kUint64;  // UInt64
    default:
      return DataType::kInvalid;
  }
}

bool LooksLikeExecuTorchProgram(std::span<const uint8_t> bytes) {
  return bytes.size() >= 8 && bytes[4] == 'E' && bytes[5] == 'T' && IsDigit(bytes[6]) &&
         IsDigit(bytes[7]);
}

absl::StatusOr<DelegatedProgram> ParseExecuTorchProgram(std::span<const uint8_t> bytes) {
  if (!LooksLikeExecuTorchProgram(bytes)) return Invalid("no ET file identifier at byte 4");
  if (std::memcmp(bytes.data() + 4, pte::ProgramIdentifier(), 4) != 0) {
    return Invalid(
        absl::StrCat("format '", std::string(reinterpret_cast<const char*>(&bytes[4]), 4),
                     "' is not supported (inferd reads ", pte::ProgramIdentifier(), ")"));
  }
  auto layout = ReadLayout(bytes);
  if (!layout.ok()) return layout.status();
  const std::span<const uint8_t> program_bytes = bytes.first(layout->program_size);
  flatbuffers::Verifier verifier(program_bytes.data(), program_bytes.size(), kMaxVerifierDepth,
                                 kMaxVerifierTables);
  if (!pte::VerifyProgramBuffer(verifier)) {
    return Invalid("the program FlatBuffer is malformed or truncated");
  }
  const pte::Program& program = *pte::GetProgram(program_bytes.data());
  auto plan = ChoosePlan(program);
  if (!plan.ok()) return plan.status();

  DelegatedProgram result;
  result.method = (*plan)->name() != nullptr ? (*plan)->name()->str() : "";
  const auto* delegates = (*plan)->delegates();
  const uint32_t num_delegates = delegates == nullptr ? 0 : delegates->size();
  if (num_delegates == 0) {
    return Invalid(absl::StrCat("method '", result.method,
                                "' has no delegate; inferd serves programs lowered to a backend "
                                "delegate (EthosUBackend, VgfBackend)"));
  }
  const pte::BackendDelegate* delegate = delegates->Get(0);
  result.delegate_id = delegate->id() != nullptr ? delegate->id()->str() : "";
  if (num_delegates > 1) {
    return Invalid(absl::StrCat("method '", result.method, "' has ", num_delegates, " ",
                                result.delegate_id,
                                " delegates; inferd serves programs lowered to one delegate"));
  }
  if (auto status = TraceEdges(**plan, result.delegate_id, result); !status.ok()) return status;
  auto blob = DelegateBlob(program, *delegate, bytes, *layout);
  if (!blob.ok()) return blob.status();
  result.payload = *blob;
  auto inputs = ReadTensors(**plan, (*plan)->inputs(), "input");
  if (!inputs.ok()) return inputs.status();
  auto outputs = ReadTensors(**plan, (*plan)->outputs(), "output");
  if (!outputs.ok()) return outputs.status();
  result.inputs = *std::move(inputs);
  result.outputs = *std::move(outputs);
  return result;
}

}  // namespace inferd::executorch

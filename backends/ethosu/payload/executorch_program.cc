#include "backends/ethosu/payload/executorch_program.h"

#include <cstring>
#include <optional>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "backends/ethosu/payload/executorch_program_generated.h"
#include "flatbuffers/flatbuffers.h"

namespace inferd::ethosu {
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

DataType ToDataType(pte::ScalarType type) {
  switch (type) {
    case pte::ScalarType::Byte:
      return DataType::kUint8;
    case pte::ScalarType::Char:
      return DataType::kInt8;
    case pte::ScalarType::Short:
      return DataType::kInt16;
    case pte::ScalarType::Int:
      return DataType::kInt32;
    case pte::ScalarType::Long:
      return DataType::kInt64;
    case pte::ScalarType::Half:
      return DataType::kFp16;
    case pte::ScalarType::Float:
      return DataType::kFp32;
    case pte::ScalarType::Double:
      return DataType::kFp64;
    case pte::ScalarType::Bool:
      return DataType::kBool;
    case pte::ScalarType::BFloat16:
      return DataType::kBf16;
    case pte::ScalarType::UInt16:
      return DataType::kUint16;
  }
  return DataType::kInvalid;
}

absl::StatusOr<std::vector<ProgramTensor>> ReadTensors(const pte::ExecutionPlan& plan,
                                                       const flatbuffers::Vector<int32_t>* indices,
                                                       const char* what) {
  std::vector<ProgramTensor> tensors;
  if (indices == nullptr) return tensors;
  const auto* values = plan.values();
  for (flatbuffers::uoffset_t i = 0; i < indices->size(); ++i) {
    const int32_t index = indices->Get(i);
    if (values == nullptr || index < 0 || static_cast<uint32_t>(index) >= values->size()) {
      return Invalid(absl::StrCat(what, " ", i, " names value ", index, ", which does not exist"));
    }
    const pte::EValue* value = values->Get(static_cast<uint32_t>(index));
    const pte::Tensor* tensor = value == nullptr ? nullptr : value->val_as_Tensor();
    if (tensor == nullptr) {
      return Invalid(absl::StrCat(what, " ", i, " is not a tensor; inferd serves tensors only"));
    }
    ProgramTensor out;
    out.scalar_type = static_cast<int32_t>(tensor->scalar_type());
    out.dtype = ToDataType(tensor->scalar_type());
    if (tensor->sizes() != nullptr) {
      for (int32_t size : *tensor->sizes()) {
        if (size < 0) return Invalid(absl::StrCat(what, " ", i, " has size ", size));
        out.sizes.push_back(size);
      }
    }
    tensors.push_back(std::move(out));
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

// Every instruction must be a delegate call (or bookkeeping: moves, frees, jumps); an operator
// call would run on the CPU, which an Ethos-U target cannot do for an ExecuTorch program.
absl::Status CheckNoOperatorsOutsideDelegates(const pte::ExecutionPlan& plan,
                                              uint32_t num_delegates) {
  if (plan.chains() == nullptr) return absl::OkStatus();
  for (const pte::Chain* chain : *plan.chains()) {
    if (chain->instructions() == nullptr) continue;
    for (const pte::Instruction* instruction : *chain->instructions()) {
      if (const pte::KernelCall* call = instruction->instr_args_as_KernelCall()) {
        std::string name = "#" + std::to_string(call->op_index());
        const auto* operators = plan.operators();
        if (operators != nullptr && call->op_index() >= 0 &&
            static_cast<uint32_t>(call->op_index()) < operators->size()) {
          const pte::Operator* op = operators->Get(static_cast<uint32_t>(call->op_index()));
          if (op->name() != nullptr) {
            name = op->name()->str();
            if (op->overload() != nullptr && op->overload()->size() > 0) {
              absl::StrAppend(&name, ".", op->overload()->str());
            }
          }
        }
        return Invalid(
            absl::StrCat("operator ", name, " runs outside the ", kEthosUBackendId,
                         " delegate; the ethosu backend takes programs lowered to the NPU whole"));
      }
      if (const pte::DelegateCall* call = instruction->instr_args_as_DelegateCall()) {
        if (call->delegate_index() < 0 ||
            static_cast<uint32_t>(call->delegate_index()) >= num_delegates) {
          return Invalid(absl::StrCat("a delegate call names delegate ", call->delegate_index(),
                                      " of ", num_delegates));
        }
      }
    }
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

bool LooksLikeExecuTorchProgram(std::span<const uint8_t> bytes) {
  return bytes.size() >= 8 && bytes[4] == 'E' && bytes[5] == 'T' && IsDigit(bytes[6]) &&
         IsDigit(bytes[7]);
}

absl::StatusOr<EthosUProgram> ParseEthosUProgram(std::span<const uint8_t> bytes) {
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

  EthosUProgram result;
  result.method = (*plan)->name() != nullptr ? (*plan)->name()->str() : "";
  const auto* delegates = (*plan)->delegates();
  const uint32_t num_delegates = delegates == nullptr ? 0 : delegates->size();
  const pte::BackendDelegate* ethosu = nullptr;
  for (uint32_t i = 0; i < num_delegates; ++i) {
    const pte::BackendDelegate* delegate = delegates->Get(i);
    const std::string id = delegate->id() != nullptr ? delegate->id()->str() : "";
    if (id != kEthosUBackendId) {
      return Invalid(absl::StrCat("method '", result.method, "' has a delegate for '", id,
                                  "'; the ethosu backend takes ", kEthosUBackendId, " only"));
    }
    if (ethosu != nullptr) {
      return Invalid(absl::StrCat("method '", result.method, "' has ", num_delegates, " ",
                                  kEthosUBackendId,
                                  " delegates; the ethosu backend takes programs lowered to one"));
    }
    ethosu = delegate;
  }
  if (ethosu == nullptr) {
    return Invalid(absl::StrCat("method '", result.method, "' has no ", kEthosUBackendId,
                                " delegate; lower it with ExecuTorch's Arm Ethos-U partitioner"));
  }
  if (auto status = CheckNoOperatorsOutsideDelegates(**plan, num_delegates); !status.ok()) {
    return status;
  }
  auto blob = DelegateBlob(program, *ethosu, bytes, *layout);
  if (!blob.ok()) return blob.status();
  auto stream = ParseVelaBinStream(*blob);
  if (!stream.ok()) {
    return Invalid(
        absl::StrCat("the ", kEthosUBackendId, " delegate's data: ", stream.status().message()));
  }
  result.bin_stream = *blob;
  result.stream = *std::move(stream);
  auto inputs = ReadTensors(**plan, (*plan)->inputs(), "input");
  if (!inputs.ok()) return inputs.status();
  auto outputs = ReadTensors(**plan, (*plan)->outputs(), "output");
  if (!outputs.ok()) return outputs.status();
  result.inputs = *std::move(inputs);
  result.outputs = *std::move(outputs);
  return result;
}

}  // namespace inferd::ethosu

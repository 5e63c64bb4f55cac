#include "engine/executorch/bundled_program.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/executorch/bundled_program_generated.h"
#include "engine/executorch/executorch_program.h"
#include "flatbuffers/flatbuffers.h"

namespace inferd::executorch {
namespace {

constexpr flatbuffers::uoffset_t kMaxVerifierDepth = 64;
constexpr flatbuffers::uoffset_t kMaxVerifierTables = 1'000'000;

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("ExecuTorch bundled program: ", std::string(what)));
}

bool IsDigit(uint8_t c) { return c >= '0' && c <= '9'; }

const char* ValueKind(bundled::ValueUnion type) {
  switch (type) {
    case bundled::ValueUnion::Int:
      return "an Int";
    case bundled::ValueUnion::Bool:
      return "a Bool";
    case bundled::ValueUnion::Double:
      return "a Double";
    default:
      return "not a value inferd knows";
  }
}

absl::StatusOr<BundledTensor> ReadTensor(const bundled::Value* value, const std::string& where) {
  const bundled::Tensor* tensor = value == nullptr ? nullptr : value->val_as_Tensor();
  if (tensor == nullptr) {
    return Invalid(absl::StrCat(where, " is ",
                                value == nullptr ? "missing" : ValueKind(value->val_type()),
                                "; inferd's models take and return tensors only"));
  }
  BundledTensor out;
  out.dtype = DataTypeFromScalarType(tensor->scalar_type());
  if (out.dtype == DataType::kInvalid || DataTypeByteSize(out.dtype) == 0) {
    return Invalid(absl::StrCat(where, " has ScalarType ", tensor->scalar_type(),
                                ", which inferd has no type for"));
  }
  if (tensor->sizes() != nullptr) {
    for (int32_t size : *tensor->sizes()) {
      if (size < 0) return Invalid(absl::StrCat(where, " has size ", size));
      out.sizes.push_back(size);
    }
  }
  if (const auto* order = tensor->dim_order(); order != nullptr && order->size() > 0) {
    bool contiguous = order->size() == out.sizes.size();
    for (uint32_t i = 0; contiguous && i < order->size(); ++i) contiguous = order->Get(i) == i;
    if (!contiguous) {
      return Invalid(absl::StrCat(where,
                                  " has a dim_order other than the row-major one; inferd reads "
                                  "contiguous tensors only"));
    }
  }
  const std::optional<int64_t> count = ElementCount(out.sizes);
  const size_t element = DataTypeByteSize(out.dtype);
  const size_t have = tensor->data() == nullptr ? 0 : tensor->data()->size();
  if (!count.has_value() || static_cast<uint64_t>(*count) > have / element ||
      static_cast<size_t>(*count) * element != have) {
    return Invalid(absl::StrCat(where, " holds ", have, " bytes; ",
                                std::string(DataTypeName(out.dtype)), " ", ShapeToString(out.sizes),
                                " needs ",
                                count.has_value() ? absl::StrCat(*count * element) : "too many"));
  }
  if (have > 0) out.data = std::span<const uint8_t>(tensor->data()->data(), have);
  return out;
}

absl::StatusOr<std::vector<BundledTensor>> ReadValues(
    const flatbuffers::Vector<flatbuffers::Offset<bundled::Value>>* values,
    const std::string& where) {
  std::vector<BundledTensor> tensors;
  if (values == nullptr) return tensors;
  for (uint32_t i = 0; i < values->size(); ++i) {
    auto tensor = ReadTensor(values->Get(i), absl::StrCat(where, " ", i));
    if (!tensor.ok()) return tensor.status();
    tensors.push_back(*std::move(tensor));
  }
  return tensors;
}

}  // namespace

bool LooksLikeBundledProgram(std::span<const uint8_t> bytes) {
  return bytes.size() >= 8 && bytes[4] == 'B' && bytes[5] == 'P' && IsDigit(bytes[6]) &&
         IsDigit(bytes[7]);
}

absl::StatusOr<BundledProgram> ParseBundledProgram(std::span<const uint8_t> bytes) {
  if (!LooksLikeBundledProgram(bytes)) return Invalid("no BP file identifier at byte 4");
  if (std::memcmp(bytes.data() + 4, bundled::BundledProgramIdentifier(), 4) != 0) {
    return Invalid(absl::StrCat(
        "format '", std::string(reinterpret_cast<const char*>(&bytes[4]), 4),
        "' is not supported (inferd reads ", bundled::BundledProgramIdentifier(), ")"));
  }
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), kMaxVerifierDepth, kMaxVerifierTables);
  if (!bundled::VerifyBundledProgramBuffer(verifier)) {
    return Invalid("the FlatBuffer is malformed or truncated");
  }
  const bundled::BundledProgram& root = *bundled::GetBundledProgram(bytes.data());
  BundledProgram result;
  result.version = root.version();
  if (root.program() == nullptr || root.program()->size() == 0) {
    return Invalid("it holds no program");
  }
  result.program = std::span<const uint8_t>(root.program()->data(), root.program()->size());
  if (!LooksLikeExecuTorchProgram(result.program)) {
    return Invalid("the program inside has no ET file identifier at byte 4");
  }
  if (const auto* suites = root.method_test_suites()) {
    for (uint32_t s = 0; s < suites->size(); ++s) {
      const bundled::BundledMethodTestSuite* suite = suites->Get(s);
      BundledTestSuite out;
      out.method = suite->method_name() != nullptr ? suite->method_name()->str() : "";
      const auto* cases = suite->test_cases();
      for (uint32_t c = 0; cases != nullptr && c < cases->size(); ++c) {
        const std::string where = absl::StrCat("test set ", c, " of method '", out.method, "'");
        BundledTestCase test;
        auto inputs = ReadValues(cases->Get(c)->inputs(), absl::StrCat(where, ": input"));
        if (!inputs.ok()) return inputs.status();
        auto expected =
            ReadValues(cases->Get(c)->expected_outputs(), absl::StrCat(where, ": expected output"));
        if (!expected.ok()) return expected.status();
        test.inputs = *std::move(inputs);
        test.expected_outputs = *std::move(expected);
        out.cases.push_back(std::move(test));
      }
      result.suites.push_back(std::move(out));
    }
  }
  return result;
}

}  // namespace inferd::executorch

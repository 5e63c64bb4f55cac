#include "engine/graph/dtype.h"

#include <array>

namespace inferd::graph {
namespace {

constexpr std::array<std::string_view, kMaxDTypeValue + 1> kNames = {
    "UNKNOWN", "BOOL", "INT4", "INT8",  "INT16",   "INT32",   "INT48",
    "FP32",    "FP16", "BF16", "SHAPE", "FP8E4M3", "FP8E5M2",
};

}  // namespace

std::string_view DTypeName(DType dtype) {
  const auto index = static_cast<uint32_t>(dtype);
  return index <= kMaxDTypeValue ? kNames[index] : kNames[0];
}

bool IsIntegerDType(DType dtype) {
  switch (dtype) {
    case DType::kInt4:
    case DType::kInt8:
    case DType::kInt16:
    case DType::kInt32:
    case DType::kInt48:
      return true;
    default:
      return false;
  }
}

bool IsFloatDType(DType dtype) {
  switch (dtype) {
    case DType::kFp32:
    case DType::kFp16:
    case DType::kBf16:
    case DType::kFp8E4M3:
    case DType::kFp8E5M2:
      return true;
    default:
      return false;
  }
}

std::optional<int64_t> DTypeDataSize(DType dtype, int64_t elements) {
  if (elements < 0) return std::nullopt;
  int64_t bytes_per_element = 0;
  switch (dtype) {
    case DType::kInt4:
      // Two elements a byte; the odd last element takes a whole byte.
      return elements / 2 + elements % 2;
    case DType::kBool:
    case DType::kInt8:
    case DType::kFp8E4M3:
    case DType::kFp8E5M2:
      bytes_per_element = 1;
      break;
    case DType::kInt16:
    case DType::kFp16:
    case DType::kBf16:
      bytes_per_element = 2;
      break;
    case DType::kInt32:
    case DType::kFp32:
      bytes_per_element = 4;
      break;
    case DType::kInt48:
      bytes_per_element = 6;
      break;
    case DType::kShape:
      bytes_per_element = 8;
      break;
    default:
      return std::nullopt;
  }
  if (elements > INT64_MAX / bytes_per_element) return std::nullopt;
  return elements * bytes_per_element;
}

std::optional<DataType> ToDataType(DType dtype) {
  switch (dtype) {
    case DType::kBool:
      return DataType::kBool;
    case DType::kInt8:
      return DataType::kInt8;
    case DType::kInt16:
      return DataType::kInt16;
    case DType::kInt32:
      return DataType::kInt32;
    case DType::kFp16:
      return DataType::kFp16;
    case DType::kBf16:
      return DataType::kBf16;
    case DType::kFp32:
      return DataType::kFp32;
    case DType::kShape:
      return DataType::kInt64;
    default:
      return std::nullopt;
  }
}

std::optional<std::string_view> KServeDatatype(DType dtype) {
  const std::optional<DataType> type = ToDataType(dtype);
  if (!type.has_value()) return std::nullopt;
  return DataTypeName(*type);
}

}  // namespace inferd::graph

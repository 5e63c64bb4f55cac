#include "engine/data_type.h"

#include <array>
#include <utility>

namespace inferd {
namespace {

struct DataTypeInfo {
  DataType type;
  std::string_view name;
  size_t byte_size;
};

constexpr std::array<DataTypeInfo, 15> kDataTypes = {{
    {DataType::kInvalid, "INVALID", 0},
    {DataType::kBool, "BOOL", 1},
    {DataType::kUint8, "UINT8", 1},
    {DataType::kUint16, "UINT16", 2},
    {DataType::kUint32, "UINT32", 4},
    {DataType::kUint64, "UINT64", 8},
    {DataType::kInt8, "INT8", 1},
    {DataType::kInt16, "INT16", 2},
    {DataType::kInt32, "INT32", 4},
    {DataType::kInt64, "INT64", 8},
    {DataType::kFp16, "FP16", 2},
    {DataType::kFp32, "FP32", 4},
    {DataType::kFp64, "FP64", 8},
    {DataType::kBytes, "BYTES", 0},
    {DataType::kBf16, "BF16", 2},
}};

const DataTypeInfo& Info(DataType type) {
  const auto index = static_cast<size_t>(type);
  return index < kDataTypes.size() ? kDataTypes[index] : kDataTypes[0];
}

}  // namespace

size_t DataTypeByteSize(DataType type) { return Info(type).byte_size; }

std::string_view DataTypeName(DataType type) { return Info(type).name; }

DataType DataTypeFromName(std::string_view name) {
  for (const DataTypeInfo& info : kDataTypes) {
    if (info.type != DataType::kInvalid && info.name == name) return info.type;
  }
  return DataType::kInvalid;
}

}  // namespace inferd

// DataType: the element types a tensor can hold on the wire and inside the engine (KServe v2's
// set).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace inferd {

enum class DataType : uint8_t {
  kInvalid,
  kBool,
  kUint8,
  kUint16,
  kUint32,
  kUint64,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFp16,
  kFp32,
  kFp64,
  kBytes,
  kBf16,
};

// Size of one element in bytes; 0 for kBytes (variable length) and kInvalid.
size_t DataTypeByteSize(DataType type);

// The KServe v2 wire name: "BOOL", "UINT8", ..., "FP32", "BYTES", "BF16". "INVALID" for kInvalid.
std::string_view DataTypeName(DataType type);

// Parses a KServe v2 wire name; kInvalid when the name is not one.
DataType DataTypeFromName(std::string_view name);

}  // namespace inferd

// TOSA element types as they appear in a graph, with their names, storage sizes and KServe names.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/data_type.h"

namespace inferd::graph {

// Numeric values equal the TOSA 1.0 serialization schema's DType enum, so a file's value converts
// with a range check and a cast.
enum class DType : uint32_t {
  kUnknown = 0,
  kBool = 1,
  kInt4 = 2,
  kInt8 = 3,
  kInt16 = 4,
  kInt32 = 5,
  kInt48 = 6,
  kFp32 = 7,
  kFp16 = 8,
  kBf16 = 9,
  kShape = 10,  // shape values made by CONST_SHAPE; stored as int64 per element
  kFp8E4M3 = 11,
  kFp8E5M2 = 12,
};

inline constexpr uint32_t kMaxDTypeValue = 12;

// The schema's spelling: "INT8", "FP32", "SHAPE", ... ("UNKNOWN" for out-of-range values).
std::string_view DTypeName(DType dtype);

// True for the integer types (INT4..INT48); BOOL and SHAPE are not integers here.
bool IsIntegerDType(DType dtype);
// True for FP32, FP16, BF16 and the two FP8 types.
bool IsFloatDType(DType dtype);

// Bytes a constant of `elements` elements of `dtype` occupies in a .tosa file and in
// Tensor::data: BOOL/INT8/FP8 1, INT16/FP16/BF16 2, INT32/FP32 4, INT48 6, SHAPE 8 bytes per
// element; INT4 packs two elements a byte (low nibble first), so ceil(elements / 2).
// Returns nullopt for kUnknown, negative counts or a size that overflows int64.
std::optional<int64_t> DTypeDataSize(DType dtype, int64_t elements);

// The engine / KServe element type a tensor of this type is exchanged as: BOOL, INT8, INT16, INT32,
// FP16, BF16, FP32, and INT64 for SHAPE. nullopt for types KServe cannot carry (INT4, INT48, the
// FP8 types, UNKNOWN).
std::optional<DataType> ToDataType(DType dtype);

// The KServe v2 / Triton datatype name of ToDataType(dtype): "INT8", "FP32", ...; nullopt where
// ToDataType is.
std::optional<std::string_view> KServeDatatype(DType dtype);

}  // namespace inferd::graph

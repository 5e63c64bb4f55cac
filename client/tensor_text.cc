#include "client/tensor_text.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/data_type.h"
#include "engine/shape.h"

namespace inferd {
namespace {

absl::string_view AbslView(std::string_view text) { return {text.data(), text.size()}; }

std::string Quoted(std::string_view text) { return absl::StrCat("'", AbslView(text), "'"); }

// IEEE binary16 from binary32, rounding to nearest-even, keeping NaN a NaN and overflowing to
// infinity.
uint16_t FloatToHalf(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  const uint32_t exponent = (bits >> 23) & 0xff;
  uint32_t mantissa = bits & 0x7fffff;
  if (exponent == 0xff) return sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0);
  const int unbiased = static_cast<int>(exponent) - 127;
  if (unbiased > 15) return sign | 0x7c00;
  if (unbiased >= -14) {
    // Normal half: keep 10 mantissa bits, round on the 13 dropped ones. A carry out of the mantissa
    // correctly bumps the exponent (and reaches infinity at the top).
    uint32_t half = (static_cast<uint32_t>(unbiased + 15) << 10) | (mantissa >> 13);
    const uint32_t rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) ++half;
    return sign | static_cast<uint16_t>(half);
  }
  if (unbiased < -25) return sign;  // below half the smallest subnormal: rounds to zero
  // Subnormal half: value = mantissa_with_implicit_one * 2^(unbiased-23), in units of 2^-24.
  mantissa |= 0x800000;
  const int shift = -unbiased - 1;  // 14..24: bits to drop so the unit becomes 2^-24
  uint32_t half = mantissa >> shift;
  const uint32_t rest = mantissa & ((1u << shift) - 1);
  const uint32_t halfway = 1u << (shift - 1);
  if (rest > halfway || (rest == halfway && (half & 1))) ++half;
  return sign | static_cast<uint16_t>(half);
}

float HalfToFloat(uint16_t half) {
  const uint32_t sign = static_cast<uint32_t>(half & 0x8000) << 16;
  const uint32_t exponent = (half >> 10) & 0x1f;
  const uint32_t mantissa = half & 0x3ff;
  if (exponent == 0x1f) return std::bit_cast<float>(sign | 0x7f800000 | (mantissa << 13));
  if (exponent == 0) {
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign != 0 ? -magnitude : magnitude;
  }
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

uint16_t FloatToBf16(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  if (std::isnan(value)) return static_cast<uint16_t>((bits >> 16) | 0x40);
  const uint32_t rounding = 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

float Bf16ToFloat(uint16_t value) {
  return std::bit_cast<float>(static_cast<uint32_t>(value) << 16);
}

template <typename T>
absl::Status ParseInteger(std::string_view text, T* out) {
  using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
  auto out_of_range = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        Quoted(text), " is out of range [", static_cast<Wide>(std::numeric_limits<T>::min()), ", ",
        static_cast<Wide>(std::numeric_limits<T>::max()), "]"));
  };
  Wide wide = 0;
  if (!absl::SimpleAtoi(AbslView(text), &wide)) {
    // A well-formed integer that does not fit (negative for an unsigned type, or beyond 64 bits) is
    // a range error, not a syntax error.
    std::string_view digits = text;
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
    if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos) {
      return out_of_range();
    }
    return absl::InvalidArgumentError(absl::StrCat(Quoted(text), " is not an integer"));
  }
  if (wide < static_cast<Wide>(std::numeric_limits<T>::min()) ||
      wide > static_cast<Wide>(std::numeric_limits<T>::max())) {
    return out_of_range();
  }
  *out = static_cast<T>(wide);
  return absl::OkStatus();
}

absl::Status ParseDouble(std::string_view text, double* out) {
  if (!absl::SimpleAtod(AbslView(text), out)) {
    return absl::InvalidArgumentError(absl::StrCat(Quoted(text), " is not a number"));
  }
  return absl::OkStatus();
}

// Parses `text` as one element of `type` and stores it at `destination`.
absl::Status ParseElement(DataType type, std::string_view text, uint8_t* destination) {
  auto store = [destination](auto value) {
    std::memcpy(destination, &value, sizeof(value));
    return absl::OkStatus();
  };
  auto integer = [&](auto zero) -> absl::Status {
    decltype(zero) value = 0;
    if (absl::Status status = ParseInteger(text, &value); !status.ok()) return status;
    return store(value);
  };
  switch (type) {
    case DataType::kBool: {
      const std::string lower = absl::AsciiStrToLower(AbslView(text));
      if (lower == "true" || lower == "1") return store(uint8_t{1});
      if (lower == "false" || lower == "0") return store(uint8_t{0});
      return absl::InvalidArgumentError(
          absl::StrCat(Quoted(text), " is not a bool (true, false, 1 or 0)"));
    }
    case DataType::kUint8:
      return integer(uint8_t{});
    case DataType::kUint16:
      return integer(uint16_t{});
    case DataType::kUint32:
      return integer(uint32_t{});
    case DataType::kUint64:
      return integer(uint64_t{});
    case DataType::kInt8:
      return integer(int8_t{});
    case DataType::kInt16:
      return integer(int16_t{});
    case DataType::kInt32:
      return integer(int32_t{});
    case DataType::kInt64:
      return integer(int64_t{});
    case DataType::kFp16:
    case DataType::kBf16:
    case DataType::kFp32:
    case DataType::kFp64: {
      double value = 0;
      if (absl::Status status = ParseDouble(text, &value); !status.ok()) return status;
      if (type == DataType::kFp64) return store(value);
      const float narrow = static_cast<float>(value);
      if (type == DataType::kFp32) return store(narrow);
      return store(type == DataType::kFp16 ? FloatToHalf(narrow) : FloatToBf16(narrow));
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("inline values are not supported for ", AbslView(DataTypeName(type))));
  }
}

std::string FormatElement(const Tensor& tensor, size_t index) {
  const uint8_t* data = tensor.bytes().data() + index * DataTypeByteSize(tensor.dtype());
  auto load = [data](auto zero) {
    decltype(zero) value;
    std::memcpy(&value, data, sizeof(value));
    return value;
  };
  switch (tensor.dtype()) {
    case DataType::kBool:
      return load(uint8_t{}) != 0 ? "true" : "false";
    case DataType::kUint8:
      return absl::StrCat(load(uint8_t{}));
    case DataType::kUint16:
      return absl::StrCat(load(uint16_t{}));
    case DataType::kUint32:
      return absl::StrCat(load(uint32_t{}));
    case DataType::kUint64:
      return absl::StrCat(load(uint64_t{}));
    case DataType::kInt8:
      return absl::StrCat(load(int8_t{}));
    case DataType::kInt16:
      return absl::StrCat(load(int16_t{}));
    case DataType::kInt32:
      return absl::StrCat(load(int32_t{}));
    case DataType::kInt64:
      return absl::StrCat(load(int64_t{}));
    case DataType::kFp16:
      return absl::StrCat(HalfToFloat(load(uint16_t{})));
    case DataType::kBf16:
      return absl::StrCat(Bf16ToFloat(load(uint16_t{})));
    case DataType::kFp32:
      return absl::StrCat(load(float{}));
    case DataType::kFp64:
      return absl::StrCat(load(double{}));
    default:
      return "?";
  }
}

// The element as a double for comparisons; NaN for types without an order.
double ElementAsDouble(const Tensor& tensor, size_t index) {
  const uint8_t* data = tensor.bytes().data() + index * DataTypeByteSize(tensor.dtype());
  auto load = [data](auto zero) -> double {
    decltype(zero) value;
    std::memcpy(&value, data, sizeof(value));
    return static_cast<double>(value);
  };
  switch (tensor.dtype()) {
    case DataType::kBool:
    case DataType::kUint8:
      return load(uint8_t{});
    case DataType::kUint16:
      return load(uint16_t{});
    case DataType::kUint32:
      return load(uint32_t{});
    case DataType::kUint64:
      return load(uint64_t{});
    case DataType::kInt8:
      return load(int8_t{});
    case DataType::kInt16:
      return load(int16_t{});
    case DataType::kInt32:
      return load(int32_t{});
    case DataType::kInt64:
      return load(int64_t{});
    case DataType::kFp16: {
      uint16_t bits;
      std::memcpy(&bits, data, sizeof(bits));
      return HalfToFloat(bits);
    }
    case DataType::kBf16: {
      uint16_t bits;
      std::memcpy(&bits, data, sizeof(bits));
      return Bf16ToFloat(bits);
    }
    case DataType::kFp32:
      return load(float{});
    case DataType::kFp64:
      return load(double{});
    default:
      return std::numeric_limits<double>::quiet_NaN();
  }
}

}  // namespace

bool LooksLikeTensorText(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  const DataType type = DataTypeFromName(text.substr(0, colon));
  return type != DataType::kInvalid && type != DataType::kBytes;
}

absl::StatusOr<Tensor> ParseTensorText(std::string_view text) {
  const std::vector<absl::string_view> parts =
      absl::StrSplit(AbslView(text), absl::MaxSplits(':', 2));
  if (parts.size() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected DTYPE:SHAPE:VALUES (e.g. FP32:1,3:0.5,1,2), got ", Quoted(text)));
  }
  const std::string_view type_name(parts[0].data(), parts[0].size());
  const DataType type = DataTypeFromName(type_name);
  if (type == DataType::kInvalid || type == DataType::kBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(Quoted(type_name),
                     " is not a supported datatype (BOOL, UINT8, UINT16, UINT32, UINT64, INT8, "
                     "INT16, INT32, INT64, "
                     "FP16, BF16, FP32, FP64)"));
  }

  Shape shape;
  if (!absl::StripAsciiWhitespace(parts[1]).empty()) {
    for (absl::string_view dim_text : absl::StrSplit(parts[1], ',')) {
      int64_t dim = 0;
      if (!absl::SimpleAtoi(dim_text, &dim) || dim < 0) {
        return absl::InvalidArgumentError(absl::StrCat("shape '", parts[1], "': '", dim_text,
                                                       "' is not a non-negative dimension"));
      }
      shape.push_back(dim);
    }
  }
  const std::optional<int64_t> count = ElementCount(shape);
  // Inline text cannot sensibly describe more elements than it has characters; this also keeps a
  // typo in the shape from allocating gigabytes.
  if (!count || *count > static_cast<int64_t>(text.size())) {
    return absl::InvalidArgumentError(absl::StrCat("shape ", ShapeToString(shape),
                                                   " has more elements than the text has values"));
  }

  std::vector<absl::string_view> values;
  if (!absl::StripAsciiWhitespace(parts[2]).empty()) values = absl::StrSplit(parts[2], ',');
  if (static_cast<int64_t>(values.size()) != *count) {
    return absl::InvalidArgumentError(absl::StrCat("shape ", ShapeToString(shape), " needs ",
                                                   *count, " values, got ", values.size()));
  }

  Tensor tensor = Tensor::Allocate(type, shape);
  uint8_t* data = tensor.mutable_bytes().data();
  const size_t item_size = DataTypeByteSize(type);
  for (size_t i = 0; i < values.size(); ++i) {
    const absl::string_view value = absl::StripAsciiWhitespace(values[i]);
    absl::Status status =
        ParseElement(type, std::string_view(value.data(), value.size()), data + i * item_size);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("value ", i, " of ", AbslView(type_name), ": ", status.message()));
    }
  }
  return tensor;
}

std::string FormatTensorValues(const Tensor& tensor, size_t max_values) {
  const size_t item_size = DataTypeByteSize(tensor.dtype());
  if (item_size == 0) return absl::StrCat("<", tensor.byte_size(), " bytes>");
  const size_t count = tensor.byte_size() / item_size;
  std::string out = "[";
  const size_t shown = std::min(count, max_values);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) out += ", ";
    out += FormatElement(tensor, i);
  }
  if (shown < count) absl::StrAppend(&out, shown > 0 ? ", " : "", "... (", count - shown, " more)");
  out += "]";
  return out;
}

std::optional<std::vector<int64_t>> ArgmaxPerRow(const Tensor& tensor) {
  const DataType type = tensor.dtype();
  if (tensor.shape().size() != 2 || tensor.shape()[1] < 2 || DataTypeByteSize(type) == 0 ||
      type == DataType::kBool) {
    return std::nullopt;
  }
  const int64_t rows = tensor.shape()[0];
  const int64_t columns = tensor.shape()[1];
  if (static_cast<size_t>(rows * columns) * DataTypeByteSize(type) != tensor.byte_size()) {
    return std::nullopt;
  }
  std::vector<int64_t> result;
  result.reserve(rows);
  for (int64_t row = 0; row < rows; ++row) {
    int64_t best = 0;
    double best_value = -std::numeric_limits<double>::infinity();
    bool found = false;
    for (int64_t column = 0; column < columns; ++column) {
      const double value = ElementAsDouble(tensor, static_cast<size_t>(row * columns + column));
      if (std::isnan(value)) continue;
      if (!found || value > best_value) {
        best = column;
        best_value = value;
        found = true;
      }
    }
    result.push_back(best);
  }
  return result;
}

}  // namespace inferd

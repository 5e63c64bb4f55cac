#include "server/classification.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "backends/cpu/kernels/float_formats.h"

namespace inferd {
namespace {

namespace k = ::inferd::cpu::kernels;

template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Element i of `bytes` as a double (exact for every type but 64-bit integers beyond 2^53, whose
// order is then approximate) and as the text the response carries.
struct Value {
  double order;
  std::string text;
};

absl::StatusOr<Value> ValueAt(std::span<const uint8_t> bytes, DataType dtype, size_t i) {
  const uint8_t* p = bytes.data() + i * DataTypeByteSize(dtype);
  auto integer = [](auto v) { return Value{static_cast<double>(v), absl::StrCat(v)}; };
  auto real = [](double v) { return Value{v, absl::StrCat(v)}; };
  switch (dtype) {
    case DataType::kBool:
    case DataType::kUint8:
      return integer(static_cast<uint32_t>(Load<uint8_t>(p)));
    case DataType::kUint16:
      return integer(Load<uint16_t>(p));
    case DataType::kUint32:
      return integer(Load<uint32_t>(p));
    case DataType::kUint64:
      return integer(Load<uint64_t>(p));
    case DataType::kInt8:
      return integer(static_cast<int32_t>(Load<int8_t>(p)));
    case DataType::kInt16:
      return integer(Load<int16_t>(p));
    case DataType::kInt32:
      return integer(Load<int32_t>(p));
    case DataType::kInt64:
      return integer(Load<int64_t>(p));
    case DataType::kFp16:
      return real(k::Widen(k::Fp16{Load<uint16_t>(p)}));
    case DataType::kBf16:
      return real(k::Widen(k::Bf16{Load<uint16_t>(p)}));
    case DataType::kFp32:
      return real(Load<float>(p));
    case DataType::kFp64:
      return real(Load<double>(p));
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "classification needs a numeric output; this one is ", std::string(DataTypeName(dtype))));
  }
}

void AppendBytesElement(std::string& raw, const std::string& text) {
  const auto length = static_cast<uint32_t>(text.size());
  for (int b = 0; b < 4; ++b) raw.push_back(static_cast<char>((length >> (8 * b)) & 0xff));
  raw += text;
}

}  // namespace

absl::StatusOr<ClassificationOutput> Classify(const Tensor& output, bool batched, int64_t k,
                                              const std::vector<std::string>& labels) {
  const int64_t items = batched && !output.shape().empty() ? output.shape()[0] : 1;
  const int64_t total = output.element_count();
  const int64_t classes = items > 0 ? total / items : 0;
  const int64_t top = std::min(k, classes);
  ClassificationOutput result;
  if (batched) result.shape.push_back(items);
  result.shape.push_back(top);
  std::vector<Value> values;
  std::vector<int64_t> order(static_cast<size_t>(classes));
  for (int64_t item = 0; item < items; ++item) {
    values.clear();
    for (int64_t c = 0; c < classes; ++c) {
      auto value = ValueAt(output.bytes(), output.dtype(), static_cast<size_t>(item * classes + c));
      if (!value.ok()) return value.status();
      values.push_back(*std::move(value));
    }
    std::iota(order.begin(), order.end(), 0);
    // NaN sorts last, so that it never hides a real top class.
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      const double x = values[a].order, y = values[b].order;
      if (std::isnan(x) || std::isnan(y)) return !std::isnan(x) && std::isnan(y);
      return x > y;
    });
    for (int64_t rank = 0; rank < top; ++rank) {
      const int64_t c = order[rank];
      std::string text = absl::StrCat(values[c].text, ":", c);
      if (static_cast<size_t>(c) < labels.size()) absl::StrAppend(&text, ":", labels[c]);
      AppendBytesElement(result.raw, text);
    }
  }
  return result;
}

}  // namespace inferd

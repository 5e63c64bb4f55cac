#include "client/npy.h"

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/shape.h"

namespace inferd {
namespace {

static_assert(std::endian::native == std::endian::little,
              ".npy data is little-endian and copied verbatim; a big-endian host needs byte swaps");

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
// magic, major, minor, then a 2-byte (1.0) or 4-byte (2.0, 3.0) little-endian header length.
constexpr size_t kPreambleV1 = kMagicSize + 2 + 2;
constexpr size_t kPreambleV2 = kMagicSize + 2 + 4;
// NumPy pads the header so the data starts 64-byte aligned; readers accept any padding.
constexpr size_t kHeaderAlignment = 64;
// Far beyond anything real; bounds the work a hostile header can cause.
constexpr size_t kMaxRank = 64;

struct DtypeEntry {
  char kind;
  int size;
  DataType type;
};
constexpr DtypeEntry kDtypes[] = {
    {'b', 1, DataType::kBool},   {'u', 1, DataType::kUint8},  {'u', 2, DataType::kUint16},
    {'u', 4, DataType::kUint32}, {'u', 8, DataType::kUint64}, {'i', 1, DataType::kInt8},
    {'i', 2, DataType::kInt16},  {'i', 4, DataType::kInt32},  {'i', 8, DataType::kInt64},
    {'f', 2, DataType::kFp16},   {'f', 4, DataType::kFp32},   {'f', 8, DataType::kFp64},
};

absl::Status Malformed(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed .npy: ", std::string(what)));
}

// What the header dictionary declares.
struct NpyHeader {
  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<Shape> shape;
};

// Parses the Python-literal dictionary NumPy writes, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 8, 8, 1), }
// Only the literal forms that can appear there are accepted: quoted strings, True/False, int
// tuples.
class HeaderDictParser {
 public:
  explicit HeaderDictParser(std::string_view text) : text_(text) {}

  absl::StatusOr<NpyHeader> Parse() {
    NpyHeader header;
    SkipSpace();
    if (!Consume('{')) return Error("expected '{'");
    SkipSpace();
    while (!Consume('}')) {
      absl::StatusOr<std::string> key = ParseString();
      if (!key.ok()) return key.status();
      SkipSpace();
      if (!Consume(':')) return Error("expected ':' after a key");
      SkipSpace();
      if (*key == "descr") {
        if (header.descr) return Error("duplicate key 'descr'");
        absl::StatusOr<std::string> descr = ParseString();
        if (!descr.ok()) return descr.status();
        header.descr = *std::move(descr);
      } else if (*key == "fortran_order") {
        if (header.fortran_order) return Error("duplicate key 'fortran_order'");
        absl::StatusOr<bool> value = ParseBool();
        if (!value.ok()) return value.status();
        header.fortran_order = *value;
      } else if (*key == "shape") {
        if (header.shape) return Error("duplicate key 'shape'");
        absl::StatusOr<Shape> shape = ParseShape();
        if (!shape.ok()) return shape.status();
        header.shape = *std::move(shape);
      } else {
        return Error(absl::StrCat("unexpected key '", key.value(), "'"));
      }
      SkipSpace();
      if (Consume(',')) {
        SkipSpace();
      } else if (Peek() != '}') {
        return Error("expected ',' or '}'");
      }
    }
    // After the dictionary only the space padding and the closing newline may follow.
    for (; pos_ < text_.size(); ++pos_) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != '\0') {
        return Error("unexpected text after the dictionary");
      }
    }
    if (!header.descr) return Malformed("header lacks 'descr'");
    if (!header.fortran_order) return Malformed("header lacks 'fortran_order'");
    if (!header.shape) return Malformed("header lacks 'shape'");
    return header;
  }

 private:
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  bool Consume(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  bool ConsumeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  absl::StatusOr<std::string> ParseString() {
    const char quote = Peek();
    if (quote != '\'' && quote != '"') return Error("expected a quoted string");
    ++pos_;
    const size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) return Error("unterminated string");
    std::string value(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return value;
  }

  absl::StatusOr<bool> ParseBool() {
    if (ConsumeWord("True")) return true;
    if (ConsumeWord("False")) return false;
    return Error("expected True or False");
  }

  absl::StatusOr<Shape> ParseShape() {
    Shape shape;
    if (!Consume('(')) return Error("expected '(' to start the shape");
    SkipSpace();
    while (!Consume(')')) {
      if (shape.size() == kMaxRank)
        return Error(absl::StrCat("more than ", kMaxRank, " dimensions"));
      if (Peek() < '0' || Peek() > '9') return Error("expected a non-negative integer dimension");
      int64_t dim = 0;
      while (Peek() >= '0' && Peek() <= '9') {
        const int digit = Peek() - '0';
        if (dim > (std::numeric_limits<int64_t>::max() - digit) / 10) {
          return Error("dimension too large");
        }
        dim = dim * 10 + digit;
        ++pos_;
      }
      Consume('L');  // Python 2 wrote longs with a suffix.
      shape.push_back(dim);
      SkipSpace();
      if (Consume(',')) {
        SkipSpace();
      } else if (Peek() != ')') {
        return Error("expected ',' or ')' in the shape");
      }
    }
    return shape;
  }

  absl::Status Error(std::string_view what) const {
    // The header is at most a few hundred bytes in practice; cap what we echo in case it is not.
    constexpr size_t kEchoLimit = 200;
    std::string echo(text_.substr(0, kEchoLimit));
    for (char& c : echo) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
    }
    return Malformed(absl::StrCat("bad header dictionary at offset ", pos_, ": ", std::string(what),
                                  " in \"", echo, text_.size() > kEchoLimit ? "..." : "", "\""));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

absl::StatusOr<DataType> DataTypeFromDescr(std::string_view descr) {
  auto unsupported = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported .npy dtype '", std::string(descr),
                     "' (supported: b1 u1 u2 u4 u8 i1 i2 i4 i8 f2 f4 f8, V2 as bfloat16, V1 as raw "
                     "bytes, little-endian)"));
  };
  if (descr.size() < 3) return unsupported();
  const char order = descr[0];
  const char kind = descr[1];
  int size = 0;
  for (char c : descr.substr(2)) {
    if (c < '0' || c > '9' || size > 1000) return unsupported();
    size = size * 10 + (c - '0');
  }
  if (order != '<' && order != '>' && order != '|' && order != '=') return unsupported();
  // NumPy has no bfloat16 or float8 dtypes: ml_dtypes saves them as raw void elements ('<V2',
  // '<V1'), which is also how TOSA's reference model writes them. A 2-byte void is read as BF16;
  // a 1-byte void as its raw bytes (UINT8), whose element type only the caller knows.
  if (kind == 'V' && size == 2) return DataType::kBf16;
  if (kind == 'V' && size == 1) return DataType::kUint8;
  for (const DtypeEntry& entry : kDtypes) {
    if (entry.kind != kind || entry.size != size) continue;
    // Byte order is meaningless for one-byte types; for wider ones only little-endian is accepted.
    if (size > 1 && (order == '>' || order == '|')) {
      return absl::InvalidArgumentError(
          absl::StrCat(".npy dtype '", std::string(descr),
                       "' is not little-endian; save it with '<' byte order"));
    }
    return entry.type;
  }
  return unsupported();
}

uint32_t ReadLittleEndian(std::span<const uint8_t> bytes) {
  uint32_t value = 0;
  for (size_t i = bytes.size(); i > 0; --i) value = (value << 8) | bytes[i - 1];
  return value;
}

std::string ShapeTuple(const Shape& shape) {
  if (shape.size() == 1) return absl::StrCat("(", shape[0], ",)");
  return absl::StrCat("(", absl::StrJoin(shape, ", "), ")");
}

}  // namespace

absl::StatusOr<std::string> NpyDescr(DataType type) {
  if (type == DataType::kBf16) return std::string("<V2");  // as ml_dtypes saves bfloat16
  for (const DtypeEntry& entry : kDtypes) {
    if (entry.type == type)
      return absl::StrCat(entry.size == 1 ? "|" : "<", std::string(1, entry.kind), entry.size);
  }
  const std::string_view name = DataTypeName(type);
  return absl::InvalidArgumentError(
      absl::StrCat(".npy cannot hold ", std::string(name), " tensors"));
}

absl::StatusOr<Tensor> ParseNpy(std::span<const uint8_t> file_bytes) {
  if (file_bytes.size() < kPreambleV1) {
    return Malformed(absl::StrCat("truncated: ", file_bytes.size(), " bytes is shorter than the ",
                                  kPreambleV1, "-byte preamble"));
  }
  if (std::memcmp(file_bytes.data(), kMagic, kMagicSize) != 0) {
    return Malformed("bad magic (not a .npy file)");
  }
  const int major = file_bytes[kMagicSize];
  const int minor = file_bytes[kMagicSize + 1];
  size_t preamble = 0;
  if (major == 1) {
    preamble = kPreambleV1;
  } else if (major == 2 ||
             major == 3) {  // 3.0 differs from 2.0 only in allowing UTF-8 in the header.
    preamble = kPreambleV2;
    if (file_bytes.size() < preamble) {
      return Malformed(absl::StrCat("truncated: ", file_bytes.size(), " bytes is shorter than the ",
                                    kPreambleV2, "-byte preamble of format ", major, ".0"));
    }
  } else {
    return Malformed(absl::StrCat("unsupported format version ", major, ".", minor));
  }
  const size_t header_size =
      ReadLittleEndian(file_bytes.subspan(kMagicSize + 2, preamble - kMagicSize - 2));
  const size_t after_preamble = file_bytes.size() - preamble;
  if (header_size > after_preamble) {
    return Malformed(absl::StrCat("truncated header: it declares ", header_size, " bytes but only ",
                                  after_preamble, " follow the preamble"));
  }
  const std::string_view header_text(reinterpret_cast<const char*>(file_bytes.data()) + preamble,
                                     header_size);
  absl::StatusOr<NpyHeader> header = HeaderDictParser(header_text).Parse();
  if (!header.ok()) return header.status();

  absl::StatusOr<DataType> dtype = DataTypeFromDescr(*header->descr);
  if (!dtype.ok()) return dtype.status();
  if (*header->fortran_order) {
    return absl::InvalidArgumentError(
        "Fortran-order .npy arrays are not supported; save a C-order array "
        "(numpy.ascontiguousarray)");
  }
  const Shape& shape = *header->shape;
  const std::optional<int64_t> count = ElementCount(shape);
  const size_t item_size = DataTypeByteSize(*dtype);
  if (!count || static_cast<uint64_t>(*count) > std::numeric_limits<size_t>::max() / item_size) {
    return Malformed(absl::StrCat("shape ", ShapeToString(shape), " is too large"));
  }
  const size_t data_size = static_cast<size_t>(*count) * item_size;
  const size_t available = after_preamble - header_size;
  if (available != data_size) {
    return Malformed(absl::StrCat("data size mismatch: shape ", ShapeToString(shape), " of '",
                                  *header->descr, "' needs ", data_size,
                                  " bytes but the file holds ", available));
  }

  const std::span<const uint8_t> data = file_bytes.subspan(preamble + header_size);
  if (*dtype == DataType::kBool) {
    for (size_t i = 0; i < data.size(); ++i) {
      if (data[i] > 1) {
        return Malformed(absl::StrCat("bool element ", i, " holds byte ", static_cast<int>(data[i]),
                                      " (a bool must be 0 or 1)"));
      }
    }
  }
  Tensor tensor = Tensor::Allocate(*dtype, shape);
  if (data_size > 0) std::memcpy(tensor.mutable_bytes().data(), data.data(), data_size);
  return tensor;
}

absl::StatusOr<std::string> SerializeNpy(const Tensor& tensor) {
  absl::StatusOr<std::string> descr = NpyDescr(tensor.dtype());
  if (!descr.ok()) return descr.status();
  std::string header =
      absl::StrCat("{'descr': '", *descr,
                   "', 'fortran_order': False, 'shape': ", ShapeTuple(tensor.shape()), ", }");
  // Header text plus the terminating newline, padded with spaces to the alignment boundary.
  auto padded_size = [&](size_t preamble) {
    const size_t unpadded = preamble + header.size() + 1;
    return (unpadded + kHeaderAlignment - 1) / kHeaderAlignment * kHeaderAlignment - preamble;
  };
  size_t preamble = kPreambleV1;
  size_t header_size = padded_size(preamble);
  if (header_size > std::numeric_limits<uint16_t>::max()) {
    preamble = kPreambleV2;
    header_size = padded_size(preamble);
  }
  header.append(header_size - header.size() - 1, ' ');
  header.push_back('\n');

  std::string out;
  out.reserve(preamble + header.size() + tensor.byte_size());
  out.append(kMagic, kMagicSize);
  out.push_back(preamble == kPreambleV1 ? 1 : 2);
  out.push_back(0);
  for (size_t i = 0; i < preamble - kMagicSize - 2; ++i) {
    out.push_back(static_cast<char>((header_size >> (8 * i)) & 0xff));
  }
  out += header;
  const std::span<const uint8_t> bytes = tensor.bytes();
  out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return out;
}

absl::StatusOr<Tensor> ReadNpyFile(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (file == nullptr) {
    const int error = errno;
    return absl::Status(absl::ErrnoToStatusCode(error),
                        absl::StrCat("cannot open ", path, ": ", std::strerror(error)));
  }
  std::vector<uint8_t> contents;
  uint8_t chunk[1 << 16];
  size_t read = 0;
  while ((read = std::fread(chunk, 1, sizeof(chunk), file.get())) > 0) {
    contents.insert(contents.end(), chunk, chunk + read);
  }
  if (std::ferror(file.get())) {
    return absl::DataLossError(absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  absl::StatusOr<Tensor> tensor = ParseNpy(contents);
  if (!tensor.ok()) {
    const absl::string_view message = tensor.status().message();
    return absl::Status(tensor.status().code(), absl::StrCat(path, ": ", message));
  }
  return tensor;
}

absl::Status WriteNpyFile(const std::string& path, const Tensor& tensor) {
  absl::StatusOr<std::string> image = SerializeNpy(tensor);
  if (!image.ok()) {
    const absl::string_view message = image.status().message();
    return absl::Status(image.status().code(), absl::StrCat(path, ": ", message));
  }
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (file == nullptr) {
    const int error = errno;
    return absl::Status(absl::ErrnoToStatusCode(error),
                        absl::StrCat("cannot create ", path, ": ", std::strerror(error)));
  }
  const bool written = std::fwrite(image->data(), 1, image->size(), file.get()) == image->size();
  // fclose flushes; a full disk may only show up here.
  const bool closed = std::fclose(file.release()) == 0;
  if (!written || !closed) {
    const int error = errno;
    return absl::Status(absl::ErrnoToStatusCode(error),
                        absl::StrCat("cannot write ", path, ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace inferd

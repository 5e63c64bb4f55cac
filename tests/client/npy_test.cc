#include "client/npy.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd {
namespace {

using ::testing::HasSubstr;

std::span<const uint8_t> Bytes(const std::string& image) {
  return {reinterpret_cast<const uint8_t*>(image.data()), image.size()};
}

// A hand-built .npy image: what NumPy writes, byte for byte, for small arrays.
std::string NpyImage(std::string_view dict, std::string_view data, int major = 1) {
  std::string header(dict);
  const size_t preamble = major == 1 ? 10 : 12;
  while ((preamble + header.size() + 1) % 64 != 0) header.push_back(' ');
  header.push_back('\n');
  std::string image("\x93NUMPY", 6);
  image.push_back(static_cast<char>(major));
  image.push_back(0);
  for (size_t i = 0; i < preamble - 8; ++i)
    image.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  image += header;
  image += data;
  return image;
}

Tensor Iota(DataType type, Shape shape) {
  Tensor tensor = Tensor::Allocate(type, std::move(shape));
  std::span<uint8_t> bytes = tensor.mutable_bytes();
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 7 + 3);
  return tensor;
}

struct DtypeCase {
  DataType type;
  std::string descr;
};

class NpyRoundTrip : public ::testing::TestWithParam<DtypeCase> {};

TEST_P(NpyRoundTrip, PreservesTypeShapeAndBytes) {
  const DtypeCase& param = GetParam();
  Tensor tensor = Iota(param.type, {2, 3, 4});
  if (param.type == DataType::kBool) {
    for (uint8_t& byte : tensor.mutable_bytes()) byte &= 1;
  }
  absl::StatusOr<std::string> image = SerializeNpy(tensor);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_THAT(*image, HasSubstr("'descr': '" + param.descr + "'"));
  EXPECT_THAT(*image, HasSubstr("'shape': (2, 3, 4)"));

  absl::StatusOr<Tensor> parsed = ParseNpy(Bytes(*image));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->dtype(), param.type);
  EXPECT_EQ(parsed->shape(), (Shape{2, 3, 4}));
  ASSERT_EQ(parsed->byte_size(), tensor.byte_size());
  EXPECT_EQ(std::memcmp(parsed->bytes().data(), tensor.bytes().data(), tensor.byte_size()), 0);
}

INSTANTIATE_TEST_SUITE_P(
    AllDtypes, NpyRoundTrip,
    ::testing::Values(DtypeCase{DataType::kBool, "|b1"}, DtypeCase{DataType::kUint8, "|u1"},
                      DtypeCase{DataType::kUint16, "<u2"}, DtypeCase{DataType::kUint32, "<u4"},
                      DtypeCase{DataType::kUint64, "<u8"}, DtypeCase{DataType::kInt8, "|i1"},
                      DtypeCase{DataType::kInt16, "<i2"}, DtypeCase{DataType::kInt32, "<i4"},
                      DtypeCase{DataType::kInt64, "<i8"}, DtypeCase{DataType::kFp16, "<f2"},
                      DtypeCase{DataType::kFp32, "<f4"}, DtypeCase{DataType::kFp64, "<f8"}),
    [](const auto& info) { return std::string(DataTypeName(info.param.type)); });

TEST(Npy, HeaderIsPaddedToSixtyFourBytesAndEndsInNewline) {
  absl::StatusOr<std::string> image = SerializeNpy(Iota(DataType::kFp32, {3}));
  ASSERT_TRUE(image.ok());
  const size_t header_size =
      static_cast<uint8_t>((*image)[8]) | (static_cast<uint8_t>((*image)[9]) << 8);
  EXPECT_EQ((10 + header_size) % 64, 0u);
  EXPECT_EQ((*image)[10 + header_size - 1], '\n');
  EXPECT_EQ(image->size(), 10 + header_size + 12);
  EXPECT_THAT(*image, HasSubstr("'shape': (3,)"));
}

TEST(Npy, ScalarAndEmptyArraysRoundTrip) {
  for (const Shape& shape : {Shape{}, Shape{0}, Shape{2, 0, 5}}) {
    absl::StatusOr<std::string> image = SerializeNpy(Iota(DataType::kInt32, shape));
    ASSERT_TRUE(image.ok());
    absl::StatusOr<Tensor> parsed = ParseNpy(Bytes(*image));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->shape(), shape);
  }
  absl::StatusOr<std::string> scalar = SerializeNpy(Iota(DataType::kInt32, {}));
  EXPECT_THAT(*scalar, HasSubstr("'shape': ()"));
}

TEST(Npy, ReadsWhatNumpyWrites) {
  // numpy.save of np.array([[1.5, -2.0]], dtype=np.float32), header written by hand the way NumPy
  // does.
  const float values[] = {1.5f, -2.0f};
  const std::string image =
      NpyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }",
               std::string(reinterpret_cast<const char*>(values), sizeof(values)));
  absl::StatusOr<Tensor> parsed = ParseNpy(Bytes(image));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->dtype(), DataType::kFp32);
  EXPECT_EQ(parsed->shape(), (Shape{1, 2}));
  EXPECT_FLOAT_EQ(parsed->values<float>()[0], 1.5f);
  EXPECT_FLOAT_EQ(parsed->values<float>()[1], -2.0f);
}

TEST(Npy, AcceptsFormatTwoKeysInAnyOrderAndDoubleQuotes) {
  const std::string image = NpyImage("{\"shape\": (2L,), 'fortran_order': False, 'descr': '<i2'}",
                                     std::string("\x01\x00\x02\x00", 4), 2);
  absl::StatusOr<Tensor> parsed = ParseNpy(Bytes(image));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->dtype(), DataType::kInt16);
  EXPECT_EQ(parsed->values<int16_t>()[1], 2);
}

struct MalformedCase {
  std::string label;
  std::string image;
  std::string expected_message;
};

class NpyMalformed : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(NpyMalformed, IsRejectedWithAClearMessage) {
  const MalformedCase& param = GetParam();
  absl::StatusOr<Tensor> parsed = ParseNpy(Bytes(param.image));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(param.expected_message));
}

const std::string kGoodDict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
const std::string kGoodData(8, '\0');

INSTANTIATE_TEST_SUITE_P(
    Cases, NpyMalformed,
    ::testing::Values(
        MalformedCase{"Empty", "", "shorter than the 10-byte preamble"},
        MalformedCase{"ShortPreamble", std::string("\x93NUMPY\x01", 7), "shorter than the 10-byte"},
        MalformedCase{"BadMagic", "\x93NUMPZ" + NpyImage(kGoodDict, kGoodData).substr(6),
                      "bad magic"},
        MalformedCase{"BadVersion",
                      [] {
                        std::string image = NpyImage(kGoodDict, kGoodData);
                        image[6] = 9;
                        return image;
                      }(),
                      "unsupported format version 9.0"},
        MalformedCase{"TruncatedHeader", NpyImage(kGoodDict, kGoodData).substr(0, 40),
                      "truncated header"},
        MalformedCase{"TruncatedV2Preamble", std::string("\x93NUMPY\x02\x00\x10\x00", 10),
                      "12-byte preamble"},
        MalformedCase{"NotADict", NpyImage("['descr', '<f4']", kGoodData), "expected '{'"},
        MalformedCase{
            "UnterminatedString",
            NpyImage("{'descr: '<f4', 'fortran_order': False, 'shape': (2,), }", kGoodData),
            "bad header dictionary"},
        MalformedCase{"MissingShape",
                      NpyImage("{'descr': '<f4', 'fortran_order': False}", kGoodData),
                      "lacks 'shape'"},
        MalformedCase{
            "UnknownKey",
            NpyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", kGoodData),
            "unexpected key 'x'"},
        MalformedCase{
            "DuplicateKey",
            NpyImage("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}",
                     kGoodData),
            "duplicate key 'descr'"},
        MalformedCase{
            "NegativeDim",
            NpyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", kGoodData),
            "non-negative integer dimension"},
        MalformedCase{
            "HugeDim",
            NpyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
                     kGoodData),
            "dimension too large"},
        MalformedCase{
            "OverflowingShape",
            NpyImage(
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
                kGoodData),
            "too large"},
        MalformedCase{"TrailingGarbage", NpyImage(kGoodDict + " junk", kGoodData),
                      "unexpected text after the dictionary"},
        MalformedCase{
            "BadBool",
            NpyImage("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", kGoodData),
            "expected True or False"},
        MalformedCase{"DataTooShort", NpyImage(kGoodDict, kGoodData.substr(0, 7)),
                      "data size mismatch: shape [2] of '<f4' needs 8 bytes but the file holds 7"},
        MalformedCase{"DataTooLong", NpyImage(kGoodDict, kGoodData + "x"), "data size mismatch"},
        MalformedCase{
            "UnsupportedDtype",
            NpyImage("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", kGoodData),
            "unsupported .npy dtype '<c8'"},
        MalformedCase{
            "ObjectDtype",
            NpyImage("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", kGoodData),
            "unsupported .npy dtype"},
        MalformedCase{
            "BigEndian",
            NpyImage("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", kGoodData),
            "not little-endian"},
        MalformedCase{
            "FortranOrder",
            NpyImage("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", kGoodData),
            "Fortran-order"},
        MalformedCase{"BoolOutOfRange",
                      NpyImage("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }",
                               std::string("\x01\x02", 2)),
                      "bool element 1 holds byte 2"}),
    [](const auto& info) { return info.param.label; });

TEST(Npy, EveryTruncationOfAValidFileIsRejected) {
  const std::string image = *SerializeNpy(Iota(DataType::kFp32, {2, 3}));
  for (size_t size = 0; size < image.size(); ++size) {
    absl::StatusOr<Tensor> parsed = ParseNpy(Bytes(image.substr(0, size)));
    EXPECT_FALSE(parsed.ok()) << "accepted a file cut to " << size << " bytes";
  }
}

TEST(Npy, CorruptingAnyHeaderByteNeverCrashes) {
  const std::string image = *SerializeNpy(Iota(DataType::kInt16, {2, 2}));
  for (size_t i = 0; i < image.size() - 8; ++i) {
    for (uint8_t value : {uint8_t{0}, uint8_t{0xff}, uint8_t{'('}, uint8_t{'\''}}) {
      std::string corrupted = image;
      corrupted[i] = static_cast<char>(value);
      absl::StatusOr<Tensor> parsed = ParseNpy(Bytes(corrupted));
      if (parsed.ok()) {
        EXPECT_EQ(parsed->byte_size(), 8u);
      }
    }
  }
}

TEST(Npy, SerializeRejectsTypesNpyCannotHold) {
  absl::StatusOr<std::string> bytes = SerializeNpy(Tensor::Allocate(DataType::kBytes, {2}));
  ASSERT_FALSE(bytes.ok());
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr("BYTES"));
  EXPECT_FALSE(SerializeNpy(Tensor()).ok());
}

// ml_dtypes (and TOSA's reference model) save bfloat16 as a 2-byte void and the float8 types as a
// 1-byte void; both must come back bit for bit.
TEST(Npy, VoidDtypesReadAsBf16AndRawBytes) {
  Tensor bf16 = Tensor::Allocate(DataType::kBf16, {3});
  const uint16_t bf16_bits[] = {0x3f80, 0xc000, 0x7fc0};  // 1.0, -2.0, NaN
  std::memcpy(bf16.mutable_bytes().data(), bf16_bits, sizeof bf16_bits);
  absl::StatusOr<std::string> image = SerializeNpy(bf16);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_THAT(*image, HasSubstr("'descr': '<V2'"));
  absl::StatusOr<Tensor> parsed = ParseNpy(Bytes(*image));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->dtype(), DataType::kBf16);
  ASSERT_EQ(parsed->byte_size(), sizeof bf16_bits);
  EXPECT_EQ(std::memcmp(parsed->bytes().data(), bf16_bits, sizeof bf16_bits), 0);

  const std::string fp8_data("\x38\xff\x01", 3);
  absl::StatusOr<Tensor> fp8 = ParseNpy(
      Bytes(NpyImage("{'descr': '<V1', 'fortran_order': False, 'shape': (3,), }", fp8_data)));
  ASSERT_TRUE(fp8.ok()) << fp8.status();
  EXPECT_EQ(fp8->dtype(), DataType::kUint8);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(fp8->bytes().data()), 3), fp8_data);

  EXPECT_FALSE(
      ParseNpy(Bytes(NpyImage("{'descr': '<V4', 'fortran_order': False, 'shape': (1,), }", "abcd")))
          .ok());
}

TEST(Npy, FilesRoundTripAndMissingFilesNameThePath) {
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / "inferd_npy_test_roundtrip.npy").string();
  const Tensor tensor = Iota(DataType::kInt64, {4});
  ASSERT_TRUE(WriteNpyFile(path, tensor).ok());
  absl::StatusOr<Tensor> read = ReadNpyFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(std::memcmp(read->bytes().data(), tensor.bytes().data(), tensor.byte_size()), 0);
  std::remove(path.c_str());

  absl::StatusOr<Tensor> missing = ReadNpyFile(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr(path));
}

TEST(Npy, ReadErrorsNameThePath) {
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / "inferd_npy_test_garbage.npy").string();
  FILE* file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  std::fputs("not numpy at all", file);
  std::fclose(file);
  absl::StatusOr<Tensor> read = ReadNpyFile(path);
  std::remove(path.c_str());
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(std::string(read.status().message()),
              HasSubstr(path + ": malformed .npy: bad magic"));
}

}  // namespace
}  // namespace inferd

// The conformance runner on tiny folders written to a temporary directory (a one-operator .tosa
// from the test FlatBuffers builder, .npy inputs and expected results, desc.json), and on one
// folder of the shared set when it is present.
#include "tests/conformance/conformance_runner.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "client/npy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/conformance/test_folder.h"
#include "tests/engine/graph/tosa_builder.h"

namespace inferd::conformance {
namespace {

namespace fs = std::filesystem;
using graph::testing::FbGraph;
using ::testing::HasSubstr;

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("inferd_conformance_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  static void WriteText(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }
  static void WriteTosa(const fs::path& dir, const FbGraph& g) {
    const std::vector<uint8_t> bytes = graph::testing::Serialize(g);
    std::ofstream(dir / "test.tosa", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
  template <typename T>
  static void WriteNpy(const fs::path& path, DataType type, Shape shape, std::vector<T> values) {
    Tensor t = Tensor::Allocate(type, std::move(shape));
    std::copy(values.begin(), values.end(), t.mutable_values<T>().begin());
    ASSERT_TRUE(WriteNpyFile(path.string(), t).ok());
  }
  static std::string Desc(const std::string& compliance, bool expected_failure = false) {
    return std::string(
               R"({"tosa_file": "test.tosa", "ifm_name": ["in"], "ifm_file": ["input-0.npy"],
      "ofm_name": ["out"], "ofm_file": ["result-0.npy"], "expected_failure": )") +
           (expected_failure ? "true" : "false") + R"(, "meta": {"compliance": {"version": "0.1",
      "tensors": {"out": )" +
           compliance + "}}}}";
  }

  // INT32 ADD of a [1,3] constant {1,2,3}; `expected` is what expected-out.npy claims.
  fs::path IntAddFolder(const std::string& name, std::vector<int32_t> expected) {
    const fs::path dir = root_ / "ops" / name;
    fs::create_directories(dir);
    WriteTosa(dir, graph::testing::AddGraph());
    WriteNpy<int32_t>(dir / "input-0.npy", DataType::kInt32, {2, 3}, {0, 1, 2, 3, 4, 5});
    WriteNpy<int32_t>(dir / "expected-out.npy", DataType::kInt32, {2, 3}, std::move(expected));
    WriteText(dir / "desc.json", Desc(R"({"mode": "EXACT", "data_type": "INT32"})"));
    return dir;
  }

  // FP32 ADD of a [1,1] constant 0.2 to 0.1, judged by ULP 0.5 against `precise`.
  fs::path FloatAddFolder(const std::string& name, double precise) {
    const fs::path dir = root_ / name;
    fs::create_directories(dir);
    FbGraph g;
    graph::testing::FbBlock main;
    const float bias = 0.2f;
    std::vector<uint8_t> bias_bytes(4);
    std::memcpy(bias_bytes.data(), &bias, 4);
    main.tensors = {{"in", tosa::DType::FP32, {1, 1}, std::nullopt},
                    {"bias", tosa::DType::FP32, {1, 1}, bias_bytes},
                    {"out", tosa::DType::FP32, {1, 1}, std::nullopt}};
    main.ops = {{tosa::Op::CONST, {}, {"bias"}, nullptr, std::nullopt},
                {tosa::Op::ADD, {"in", "bias"}, {"out"}, nullptr, std::nullopt}};
    main.inputs = {"in"};
    main.outputs = {"out"};
    g.blocks.push_back(std::move(main));
    WriteTosa(dir, g);
    WriteNpy<float>(dir / "input-0.npy", DataType::kFp32, {1, 1}, {0.1f});
    WriteNpy<float>(dir / "expected-out.npy", DataType::kFp32, {1, 1}, {0.1f + 0.2f});
    WriteNpy<double>(dir / "expected-precise-out.npy", DataType::kFp64, {1, 1}, {precise});
    WriteText(dir / "desc.json",
              Desc(R"({"mode": "ULP", "data_type": "FP32", "ulp_info": {"ulp": 0.5}})"));
    return dir;
  }

  // IDENTITY of a [4] tensor of `type` (one byte an element: FP8 or INT4), fed `input` and judged
  // EXACT against `expected`, both stored as the reference model stores them (raw bytes in
  // '|u1' / '|i1').
  fs::path ByteIdentityFolder(const std::string& name, tosa::DType type, const char* type_name,
                              std::vector<uint8_t> input, std::vector<uint8_t> expected) {
    const fs::path dir = root_ / name;
    fs::create_directories(dir);
    FbGraph g;
    graph::testing::FbBlock main;
    main.tensors = {{"in", type, {4}, std::nullopt}, {"out", type, {4}, std::nullopt}};
    main.ops = {{tosa::Op::IDENTITY, {"in"}, {"out"}, nullptr, std::nullopt}};
    main.inputs = {"in"};
    main.outputs = {"out"};
    g.blocks.push_back(std::move(main));
    WriteTosa(dir, g);
    WriteNpy<uint8_t>(dir / "input-0.npy", DataType::kUint8, {4}, std::move(input));
    WriteNpy<uint8_t>(dir / "expected-out.npy", DataType::kUint8, {4}, std::move(expected));
    WriteText(dir / "desc.json",
              Desc(std::string(R"({"mode": "EXACT", "data_type": ")") + type_name + "\"}"));
    return dir;
  }

  fs::path root_;
};

TEST_F(RunnerTest, ExactIntegerFolderPasses) {
  const FolderReport r = RunFolder(IntAddFolder("add_ok", {1, 3, 5, 4, 6, 8}), {});
  EXPECT_EQ(r.outcome, Outcome::kPassed) << ::testing::PrintToString(r.messages);
  ASSERT_TRUE(r.op.has_value());
  EXPECT_EQ(*r.op, graph::Op::kAdd);
}

TEST_F(RunnerTest, ExactMismatchNamesTensorIndexAndValues) {
  const FolderReport r = RunFolder(IntAddFolder("add_bad", {1, 3, 5, 4, 6, 9}), {});
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_THAT(r.messages[0], HasSubstr("out[5]: got 8, expected 9"));
}

TEST_F(RunnerTest, UlpModeAgainstThePreciseReference) {
  const double exact = static_cast<double>(0.1f) + static_cast<double>(0.2f);
  EXPECT_EQ(RunFolder(FloatAddFolder("ulp_ok", exact), {}).outcome, Outcome::kPassed);
  // Two ulps away from what fp32 can give.
  const double off = exact + 2 * std::ldexp(1.0, -25);
  const FolderReport r = RunFolder(FloatAddFolder("ulp_bad", off), {});
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  ASSERT_FALSE(r.messages.empty());
  EXPECT_THAT(r.messages[0], HasSubstr("out[0]"));
  EXPECT_THAT(r.messages[0], HasSubstr("bound"));
}

// The runner once read FP8E5M2 and INT4 outputs as zero elements and compared nothing against
// nothing; every element must now be decoded and compared.
TEST_F(RunnerTest, Fp8AndInt4OutputsAreComparedElementByElement) {
  // E5M2: 1.0, -2.0, +inf, a subnormal.
  const std::vector<uint8_t> e5m2{0x3c, 0xc0, 0x7c, 0x01};
  FolderReport r =
      RunFolder(ByteIdentityFolder("e5m2_ok", tosa::DType::FP8E5M2, "FP8E5M2", e5m2, e5m2), {});
  EXPECT_EQ(r.outcome, Outcome::kPassed) << ::testing::PrintToString(r.messages);
  r = RunFolder(ByteIdentityFolder("e5m2_bad", tosa::DType::FP8E5M2, "FP8E5M2", e5m2,
                                   {0x3c, 0xc0, 0x7c, 0x02}),
                {});
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  ASSERT_FALSE(r.messages.empty());
  EXPECT_THAT(r.messages[0], HasSubstr("out[3]"));

  // E4M3: 448 and its NaN code.
  const std::vector<uint8_t> e4m3{0x7e, 0x7f, 0x38, 0x80};
  r = RunFolder(ByteIdentityFolder("e4m3_ok", tosa::DType::FP8E4M3, "FP8E4M3", e4m3, e4m3), {});
  EXPECT_EQ(r.outcome, Outcome::kPassed) << ::testing::PrintToString(r.messages);

  const std::vector<uint8_t> int4{0x07, 0xf9, 0x00, 0x01};  // 7, -7, 0, 1
  r = RunFolder(ByteIdentityFolder("int4_ok", tosa::DType::INT4, "INT4", int4, int4), {});
  EXPECT_EQ(r.outcome, Outcome::kPassed) << ::testing::PrintToString(r.messages);
  r = RunFolder(
      ByteIdentityFolder("int4_bad", tosa::DType::INT4, "INT4", int4, {0x07, 0xf9, 0x00, 0x02}),
      {});
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  ASSERT_FALSE(r.messages.empty());
  EXPECT_THAT(r.messages[0], HasSubstr("out[3]: got 1, expected 2"));
}

TEST_F(RunnerTest, UnimplementedGraphFailsOrIsSkipped) {
  // CUSTOM passes validation but no backend kernel implements it.
  const fs::path dir = root_ / "custom";
  fs::create_directories(dir);
  FbGraph g;
  graph::testing::FbBlock main;
  main.tensors = {{"in", tosa::DType::INT32, {2}, std::nullopt},
                  {"out", tosa::DType::INT32, {2}, std::nullopt}};
  main.ops = {{tosa::Op::CUSTOM, {"in"}, {"out"}, nullptr, std::nullopt}};
  main.inputs = {"in"};
  main.outputs = {"out"};
  g.blocks.push_back(std::move(main));
  WriteTosa(dir, g);
  WriteNpy<int32_t>(dir / "input-0.npy", DataType::kInt32, {2}, {1, 2});
  WriteNpy<int32_t>(dir / "expected-out.npy", DataType::kInt32, {2}, {1, 2});
  WriteText(dir / "desc.json", Desc(R"({"mode": "EXACT", "data_type": "INT32"})"));

  const FolderReport failed = RunFolder(dir, {});
  EXPECT_EQ(failed.outcome, Outcome::kFailed);
  ASSERT_FALSE(failed.messages.empty());
  EXPECT_THAT(failed.messages[0], HasSubstr("UNIMPLEMENTED"));

  RunOptions skip;
  skip.skip_unsupported = true;
  const FolderReport skipped = RunFolder(dir, skip);
  EXPECT_EQ(skipped.outcome, Outcome::kSkipped);
  ASSERT_FALSE(skipped.messages.empty());
  EXPECT_THAT(skipped.messages[0], HasSubstr("skipped (unsupported: "));
}

TEST_F(RunnerTest, ExpectedFailureMustNotLoad) {
  const fs::path bad = root_ / "rejected";
  fs::create_directories(bad);
  WriteText(bad / "test.tosa", "not a flatbuffer");
  WriteText(bad / "desc.json", Desc(R"({"mode": "EXACT"})", /*expected_failure=*/true));
  EXPECT_EQ(RunFolder(bad, {}).outcome, Outcome::kPassed);

  const fs::path good = IntAddFolder("loads", {1, 3, 5, 4, 6, 8});
  WriteText(good / "desc.json", Desc(R"({"mode": "EXACT"})", /*expected_failure=*/true));
  const FolderReport r = RunFolder(good, {});
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(r.messages[0], HasSubstr("expected the graph to be rejected"));
}

TEST_F(RunnerTest, FindsNestedFoldersAndCountsInParallel) {
  IntAddFolder("a", {1, 3, 5, 4, 6, 8});
  IntAddFolder("b", {0, 0, 0, 0, 0, 0});
  const std::vector<fs::path> dirs = FindTestFolders({root_});
  ASSERT_EQ(dirs.size(), 2u);
  EXPECT_EQ(dirs[0].filename(), "a");
  RunOptions options;
  options.jobs = 2;
  const std::vector<FolderReport> reports = RunFolders(dirs, options);
  const Totals totals = Count(reports);
  EXPECT_EQ(totals.passed, 1u);
  EXPECT_EQ(totals.failed, 1u);
  EXPECT_EQ(Summary(totals), "1 passed, 1 failed");
  EXPECT_EQ(Summary({3, 0, 2}), "3 passed, 0 failed, 2 skipped");
}

TEST_F(RunnerTest, UnknownComplianceModeIsAnError) {
  const fs::path dir = IntAddFolder("mode", {1, 3, 5, 4, 6, 8});
  WriteText(dir / "desc.json", Desc(R"({"mode": "ROUGHLY"})"));
  EXPECT_FALSE(ReadTestFolder(dir).ok());
  EXPECT_EQ(RunFolder(dir, {}).outcome, Outcome::kFailed);
}

// One folder of the shared set, copied so the test does not depend on the set's location.
TEST_F(RunnerTest, SharedSetFolderWhenPresent) {
  const char* env = std::getenv("INFERD_TOSA_CONFORMANCE_DIR");
  const fs::path set = env != nullptr && *env
                           ? fs::path(env)
                           : fs::path(INFERD_SOURCE_DIR) / ".." / "shared" / "tosa-conformance";
  const fs::path source = set / "operators" / "ew_binary" / "add";
  std::error_code ec;
  if (!fs::is_directory(source, ec)) GTEST_SKIP() << "shared conformance set not present";
  std::vector<fs::path> dirs = FindTestFolders({source});
  ASSERT_FALSE(dirs.empty());
  const fs::path copy = root_ / "copied";
  fs::copy(dirs[0], copy, fs::copy_options::recursive);
  const FolderReport r = RunFolder(copy, {});
  EXPECT_EQ(r.outcome, Outcome::kPassed) << ::testing::PrintToString(r.messages);
}

}  // namespace
}  // namespace inferd::conformance

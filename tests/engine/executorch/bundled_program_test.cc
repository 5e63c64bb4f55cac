// Bundled programs (.bpte, written by tools/executorch_bpte.py): the reader gives the program and
// its test sets and refuses malformed bundles with the reason; the self-test runs each test set
// through every instance (the engine tests' echo executable: output i is input i) and compares as
// ExecuTorch's verifier does, naming the test set, the output and the largest difference.
#include "engine/executorch/bundled_program.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/executorch/bundled_self_test.h"
#include "tests/engine/executorch/executorch_files.h"
#include "tests/engine/test_backend.h"

namespace inferd::executorch {
namespace {

using testing::GenerateBundle;
using testing::GenerateProgram;
using testing::TensorJson;

const std::vector<uint8_t> kProgram =
    GenerateProgram(std::vector<uint8_t>(32, 1), {"--input", "Float:1,4", "--output", "Float:1,4"});

std::string Case(const std::vector<double>& in, const std::vector<double>& expected) {
  return absl::StrCat(R"({"inputs":[)", TensorJson("Float", {1, 4}, in),
                      R"(],"expected_outputs":[)", TensorJson("Float", {1, 4}, expected), "]}");
}

std::vector<uint8_t> Bundle(const std::vector<std::string>& cases) {
  return GenerateBundle(kProgram, absl::StrCat("[", absl::StrJoin(cases, ","), "]"));
}

void ExpectRefused(const std::vector<uint8_t>& bytes, std::string_view fragment) {
  auto bundle = ParseBundledProgram(bytes);
  ASSERT_FALSE(bundle.ok()) << "accepted; expected a refusal with '" << fragment << "'";
  EXPECT_TRUE(absl::IsInvalidArgument(bundle.status())) << bundle.status();
  EXPECT_NE(bundle.status().message().find(std::string(fragment)), absl::string_view::npos)
      << bundle.status();
}

TEST(BundledProgramTest, ReadsTheProgramAndItsTestSets) {
  const std::vector<uint8_t> bytes =
      Bundle({Case({1, 2, 3, 4}, {1, 2, 3, 4}), Case({-1, 0.5, 0, 8}, {-1, 0.5, 0, 8})});
  ASSERT_FALSE(bytes.empty());
  EXPECT_TRUE(LooksLikeBundledProgram(bytes));
  auto bundle = ParseBundledProgram(bytes);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(std::vector<uint8_t>(bundle->program.begin(), bundle->program.end()), kProgram);
  ASSERT_EQ(bundle->suites.size(), 1u);
  EXPECT_EQ(bundle->suites[0].method, "forward");
  ASSERT_EQ(bundle->suites[0].cases.size(), 2u);
  const BundledTensor& input = bundle->suites[0].cases[1].inputs[0];
  EXPECT_EQ(input.dtype, DataType::kFp32);
  EXPECT_EQ(input.sizes, (Shape{1, 4}));
  ASSERT_EQ(input.data.size(), 16u);
  float second = 0;
  std::memcpy(&second, input.data.data() + 4, 4);
  EXPECT_EQ(second, 0.5f);
}

TEST(BundledProgramTest, RefusesMalformedBundles) {
  const std::vector<uint8_t> good = Bundle({Case({1, 2, 3, 4}, {1, 2, 3, 4})});
  ASSERT_TRUE(ParseBundledProgram(good).ok());
  ExpectRefused({}, "no BP file identifier");
  auto older = good;
  older[7] = '7';
  ExpectRefused(older, "'BP07' is not supported");
  auto truncated = good;
  truncated.resize(truncated.size() / 2);
  ExpectRefused(truncated, "malformed or truncated");
  ExpectRefused(GenerateBundle(kProgram, absl::StrCat(R"([{"inputs":[)",
                                                      TensorJson("Float", {1, 4}, {1, 2, 3}),
                                                      R"(],"expected_outputs":[]}])")),
                "test set 0 of method 'forward': input 0 holds 12 bytes; FP32 [1,4] needs 16");
  ExpectRefused(GenerateBundle({1, 2, 3, 4, 5, 6, 7, 8, 9}, "[]"),
                "the program inside has no ET file identifier");
}

BundledSelfTestOptions Options() {
  BundledSelfTestOptions options;
  options.method = "forward";
  options.inputs = {{"x", DataType::kFp32, {4}}};
  options.outputs = {{"y", DataType::kFp32, {4}}};
  options.max_batch_size = 1;
  return options;
}

TEST(BundledSelfTestTest, PassesWhenEveryInstanceReproducesEveryTestSet) {
  auto control = std::make_shared<::inferd::testing::TestBackendControl>();
  std::vector<std::unique_ptr<Executable>> instances;
  instances.push_back(::inferd::testing::MakeEchoExecutable(control));
  instances.push_back(::inferd::testing::MakeEchoExecutable(control));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // The bundle's tensors point into the bytes: keep them alive while it is used.
  const std::vector<uint8_t> bytes = Bundle(
      {Case({1, 2, 3, 4}, {1, 2, 3, 4}), Case({nan, -1e30, 0, 1}, {nan, -1e30, 0, 1.000005})});
  auto bundle = ParseBundledProgram(bytes);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  auto summary = RunBundledSelfTest(*bundle, instances, Options());
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(*summary,
            "bundled self-test passed: 2 test sets of method 'forward' on 2 instances (rtol 1e-05, "
            "atol 1e-08)");
  EXPECT_EQ(control->batches_started, 4);
}

TEST(BundledSelfTestTest, AMismatchNamesTheTestSetTheOutputAndTheLargestDifference) {
  auto control = std::make_shared<::inferd::testing::TestBackendControl>();
  std::vector<std::unique_ptr<Executable>> instances;
  instances.push_back(::inferd::testing::MakeEchoExecutable(control));
  const std::vector<uint8_t> bytes =
      Bundle({Case({1, 2, 3, 4}, {1, 2, 3, 4}), Case({1, 2, 3, 4}, {1, 2.5, 3, 3.75})});
  auto bundle = ParseBundledProgram(bytes);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  auto summary = RunBundledSelfTest(*bundle, instances, Options());
  ASSERT_FALSE(summary.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(summary.status())) << summary.status();
  EXPECT_EQ(summary.status().message(),
            "bundled test set 1 of method 'forward', output 'y' (instance 0): 2 of 4 elements "
            "differ; largest difference 0.5 at element 1 (got 2, expected 2.5; rtol 1e-05, atol "
            "1e-08)");
  // A wide enough tolerance passes it.
  auto options = Options();
  auto tolerance = BundledToleranceFromParameters({{"bundled_atol", "0.5"}});
  ASSERT_TRUE(tolerance.ok()) << tolerance.status();
  options.tolerance = *tolerance;
  EXPECT_TRUE(RunBundledSelfTest(*bundle, instances, options).ok());
  EXPECT_FALSE(BundledToleranceFromParameters({{"bundled_rtol", "-1"}}).ok());
  // A test case the model cannot take.
  auto narrow = Options();
  narrow.inputs[0].dims = {3};
  auto refused = RunBundledSelfTest(*bundle, instances, narrow);
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status())) << refused.status();
}

}  // namespace
}  // namespace inferd::executorch

// The CPU backend's discovered operator support and the support document built from it.
#include "backends/cpu/op_support.h"

#include <algorithm>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/conformance/support_table.h"

namespace inferd::cpu {
namespace {

using graph::DType;
using graph::Op;
using ::testing::HasSubstr;

const OpSupport& Entry(Op op) { return CpuOpSupport()[static_cast<uint32_t>(op) - 1]; }

const OpSignature* Find(Op op, std::vector<DType> types) {
  for (const OpSignature& s : Entry(op).signatures) {
    if (s.types == types) return &s;
  }
  return nullptr;
}

TEST(CpuOpSupportTest, ListsAllOperatorsInEnumOrder) {
  const std::vector<OpSupport>& table = CpuOpSupport();
  ASSERT_EQ(table.size(), graph::kMaxOpValue);
  for (size_t i = 0; i < table.size(); ++i) EXPECT_EQ(static_cast<size_t>(table[i].op), i + 1);
}

TEST(CpuOpSupportTest, LegalSignaturesComeFromTheValidator) {
  // ADD takes INT32 and the float types, never INT8 (TOSA adds int8 data after RESCALE).
  ASSERT_NE(Find(Op::kAdd, {DType::kInt32, DType::kInt32}), nullptr);
  ASSERT_NE(Find(Op::kAdd, {DType::kFp32, DType::kFp32}), nullptr);
  EXPECT_EQ(Find(Op::kAdd, {DType::kInt8, DType::kInt8}), nullptr);
  EXPECT_EQ(Find(Op::kAdd, {DType::kInt32, DType::kFp32}), nullptr);
  // CONV2D: input x weight -> output with its accumulator.
  EXPECT_NE(Find(Op::kConv2d, {DType::kInt8, DType::kInt8, DType::kInt32, DType::kInt32}), nullptr);
  EXPECT_EQ(Find(Op::kConv2d, {DType::kInt8, DType::kInt8, DType::kInt32, DType::kFp32}), nullptr);
  // Comparisons produce BOOL.
  ASSERT_NE(Find(Op::kEqual, {DType::kInt32, DType::kBool}), nullptr);
  EXPECT_EQ(Find(Op::kEqual, {DType::kInt32, DType::kInt32}), nullptr);
}

TEST(CpuOpSupportTest, BindingDecidesSupport) {
  // The kernels the backend has had from the start.
  const OpSignature* add = Find(Op::kAdd, {DType::kInt32, DType::kInt32});
  ASSERT_NE(add, nullptr);
  EXPECT_TRUE(add->supported);
  EXPECT_EQ(add->label, "INT32");
  const OpSignature* conv =
      Find(Op::kConv2d, {DType::kInt8, DType::kInt8, DType::kInt32, DType::kInt32});
  ASSERT_NE(conv, nullptr);
  EXPECT_TRUE(conv->supported);
  EXPECT_EQ(conv->label, "INT8×INT8→INT32 acc INT32");
  EXPECT_TRUE(Entry(Op::kConv2d).supported);
  // An unregistered CUSTOM operator does not bind; CUSTOM has no typed signatures.
  EXPECT_TRUE(Entry(Op::kCustom).signatures.empty());
  EXPECT_FALSE(Entry(Op::kCustom).supported);
  for (const OpSupport& entry : CpuOpSupport()) {
    const bool any = std::any_of(entry.signatures.begin(), entry.signatures.end(),
                                 [](const OpSignature& s) { return s.supported; });
    if (!entry.signatures.empty()) {
      EXPECT_EQ(entry.supported, any) << OpName(entry.op);
    }
  }
}

TEST(SupportTableTest, DocumentHoldsTheCheckedSection) {
  const std::string section = conformance::SupportSection();
  const std::string doc = conformance::SupportDocument(std::nullopt, "");
  EXPECT_THAT(doc, HasSubstr("tosa_conformance [--skip-unsupported]"));
  EXPECT_THAT(doc, HasSubstr("Not generated"));
  ASSERT_TRUE(conformance::ExtractSupportSection(doc).has_value());
  EXPECT_EQ(*conformance::ExtractSupportSection(doc), section);
  EXPECT_THAT(section, HasSubstr("| CONV2D |"));
  EXPECT_FALSE(conformance::ExtractSupportSection("no markers").has_value());
}

TEST(SupportTableTest, CountsPerOperator) {
  std::vector<conformance::FolderReport> reports(3);
  reports[0].op = Op::kAdd;
  reports[0].outcome = conformance::Outcome::kPassed;
  reports[1].op = Op::kAdd;
  reports[1].outcome = conformance::Outcome::kFailed;
  reports[2].op = Op::kWhileLoop;
  reports[2].outcome = conformance::Outcome::kSkipped;
  const std::string doc = conformance::SupportDocument(reports, "set");
  EXPECT_THAT(doc, HasSubstr("| ADD | 1 | 1 | 0 |"));
  EXPECT_THAT(doc, HasSubstr("| WHILE_LOOP | 0 | 0 | 1 |"));
  EXPECT_THAT(doc, HasSubstr("| **all** | 1 | 1 | 1 |"));
}

}  // namespace
}  // namespace inferd::cpu

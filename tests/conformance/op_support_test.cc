// The CPU backend's discovered operator support and the support document built from it.
#include "backends/cpu/op_support.h"

#include <algorithm>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/conformance/support_table.h"
#ifdef INFERD_HAVE_VULKAN
#include "backends/vulkan/vulkan_op_support.h"
#endif

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

#ifdef INFERD_HAVE_VULKAN
TEST(VulkanOpSupportTest, TheSameProbesAnsweredByTheVulkanLowering) {
  const std::vector<OpSupport>& gpu = vulkan::VulkanOpSupport();
  ASSERT_EQ(gpu.size(), CpuOpSupport().size());
  auto supported = [&](Op op, std::vector<DType> types) {
    for (const OpSignature& s : gpu[static_cast<uint32_t>(op) - 1].signatures) {
      if (s.types == types) return s.supported;
    }
    ADD_FAILURE() << "no signature";
    return false;
  };
  // The same legal signatures as the CPU table, decided by the GPU's lowering.
  for (size_t i = 0; i < gpu.size(); ++i) {
    ASSERT_EQ(gpu[i].signatures.size(), CpuOpSupport()[i].signatures.size()) << OpName(gpu[i].op);
  }
  EXPECT_TRUE(supported(Op::kConv2d, {DType::kInt8, DType::kInt8, DType::kInt32, DType::kInt32}));
  EXPECT_TRUE(supported(Op::kAdd, {DType::kFp32, DType::kFp32}));
  EXPECT_TRUE(supported(Op::kAdd, {DType::kFp16, DType::kFp16}));  // stored as bits, fp32 math
  // Control flow runs host-driven on any type the GPU stores.
  EXPECT_TRUE(supported(Op::kCondIf, {DType::kInt8}));
  EXPECT_TRUE(supported(Op::kWhileLoop, {DType::kBf16}));
  // INT4 held unpacked and INT48 widened (backends/vulkan/stored_form.h).
  EXPECT_TRUE(supported(Op::kWhileLoop, {DType::kInt4}));
  EXPECT_TRUE(supported(Op::kCondIf, {DType::kInt48}));
  EXPECT_TRUE(supported(Op::kConv2d, {DType::kInt8, DType::kInt4, DType::kInt32, DType::kInt32}));
  EXPECT_TRUE(supported(Op::kMatMul, {DType::kInt16, DType::kInt48}));
  EXPECT_FALSE(gpu[static_cast<uint32_t>(Op::kCustom) - 1].supported);
}
#endif

TEST(SupportTableTest, DocumentHoldsTheCheckedSection) {
  const std::string section = conformance::SupportSection();
  const std::string doc = conformance::SupportDocument({}, "");
  EXPECT_THAT(doc, HasSubstr("tosa_conformance [--backend cpu|vulkan] [--skip-unsupported]"));
  EXPECT_THAT(doc, HasSubstr("Not generated"));
  ASSERT_TRUE(conformance::ExtractSupportSection(doc).has_value());
  EXPECT_EQ(*conformance::ExtractSupportSection(doc), section);
  EXPECT_THAT(section, HasSubstr("| CONV2D |"));
  // The Vulkan backend's own matrix, inside the checked section.
  EXPECT_THAT(section, HasSubstr("## The Vulkan backend (tosa_vulkan)"));
  EXPECT_FALSE(conformance::ExtractSupportSection("no markers").has_value());
}

TEST(SupportTableTest, CountsPerOperatorAndBackend) {
  std::vector<conformance::FolderReport> cpu(3);
  cpu[0].op = Op::kAdd;
  cpu[0].outcome = conformance::Outcome::kPassed;
  cpu[1].op = Op::kAdd;
  cpu[1].outcome = conformance::Outcome::kFailed;
  cpu[2].op = Op::kWhileLoop;
  cpu[2].outcome = conformance::Outcome::kSkipped;
  std::vector<conformance::FolderReport> gpu = cpu;
  gpu[1].outcome = conformance::Outcome::kPassed;
  gpu[1].extensions = {"EXT-INT16"};
  const std::string doc =
      conformance::SupportDocument({{"tosa_cpu", cpu}, {"tosa_vulkan", gpu}}, "set");
  EXPECT_THAT(doc, HasSubstr("| Operator | tosa_cpu passed | failed | skipped | tosa_vulkan "
                             "passed | failed | skipped |"));
  EXPECT_THAT(doc, HasSubstr("| ADD | 1 | 1 | 0 | 2 | 0 | 0 |"));
  EXPECT_THAT(doc, HasSubstr("| WHILE_LOOP | 0 | 0 | 1 | 0 | 0 | 1 |"));
  EXPECT_THAT(doc, HasSubstr("| **all** | 1 | 1 | 1 | 2 | 0 | 1 |"));
  // By extension: the CPU run has no EXT-INT16 folder, so its cells are zero.
  EXPECT_THAT(doc, HasSubstr("| EXT-INT16 | 0 | 0 | 0 | 1 | 0 | 0 |"));
  EXPECT_THAT(doc, HasSubstr("| (profiles only) | 1 | 1 | 1 | 1 | 0 | 1 |"));
}

}  // namespace
}  // namespace inferd::cpu

// Host-side lowering of TOSA graphs into cpu jobs: what the digits graph becomes, and a clear
// error for graphs the target cannot run.
#include "firmware/host/cpu_job_lowering.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/graph/tosa_reader.h"
#include "firmware/executors/cpu_job/cpu_job_format.h"
#include "tests/firmware/digits_fixture.h"

namespace inferd::firmware::testing {
namespace {

std::vector<CpuJobOpKind> OpKinds(const std::vector<uint8_t>& job) {
  CpuJobHeader h;
  std::memcpy(&h, job.data(), sizeof h);
  const size_t ops =
      CpuJobAlign(static_cast<uint32_t>(sizeof h + h.tensor_count * sizeof(CpuJobTensor) +
                                        (h.input_count + h.output_count) * sizeof(uint32_t)));
  std::vector<CpuJobOpKind> kinds;
  for (uint32_t i = 0; i < h.op_count; ++i) {
    CpuJobOp op;
    std::memcpy(&op, job.data() + ops + i * sizeof op, sizeof op);
    kinds.push_back(static_cast<CpuJobOpKind>(op.kind));
  }
  return kinds;
}

TEST(CpuJobLoweringTest, DigitsInt8BecomesOneKernelCallPerOperator) {
  absl::StatusOr<DigitsData> digits = LoadDigits();
  ASSERT_TRUE(digits.ok()) << digits.status();
  using K = CpuJobOpKind;
  const std::vector<K> expected = {K::kConv2dInt8, K::kRescale,    K::kClamp,    K::kMaxPool2d,
                                   K::kConv2dInt8, K::kRescale,    K::kClamp,    K::kMaxPool2d,
                                   K::kCopy,       K::kMatmulInt8, K::kAddInt32, K::kRescale,
                                   K::kCopy};
  EXPECT_EQ(OpKinds(digits->job), expected);
  CpuJobHeader h;
  std::memcpy(&h, digits->job.data(), sizeof h);
  EXPECT_EQ(h.magic, kCpuJobMagic);
  EXPECT_EQ(h.const_offset % kCpuJobAlignment, 0u);
  EXPECT_EQ(h.const_offset + h.const_bytes, digits->job.size());
  // Activations whose lifetimes do not overlap share bytes.
  uint32_t separate = 0;
  for (uint32_t i = 0; i < h.tensor_count; ++i) {
    CpuJobTensor t;
    std::memcpy(&t, digits->job.data() + sizeof h + i * sizeof t, sizeof t);
    if (t.storage == static_cast<uint8_t>(CpuJobStorage::kScratch)) {
      separate += CpuJobAlign(t.size_bytes);
    }
  }
  EXPECT_LT(h.scratch_bytes, separate);
  EXPECT_LT(h.scratch_bytes, 16u * 1024u);
}

TEST(CpuJobLoweringTest, FloatGraphsAreRefusedNamingWhatCannotRun) {
  absl::StatusOr<std::shared_ptr<const graph::Graph>> graph = graph::LoadTosaFile(
      std::string(INFERD_SOURCE_DIR) + "/examples/models/digits_fp32/1/model.tosa");
  ASSERT_TRUE(graph.ok()) << graph.status();
  absl::StatusOr<std::vector<uint8_t>> job = LowerToCpuJob(**graph);
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(std::string(job.status().message()).find("FP32"), std::string::npos) << job.status();
}

}  // namespace
}  // namespace inferd::firmware::testing

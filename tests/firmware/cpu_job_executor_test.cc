// The 'cpu' executor's load-time checks: a job that lies about its layout or its tensors must be
// refused before anything runs, because Run trusts what Prepare accepted.
#include "firmware/executors/cpu_job/cpu_job_executor.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "firmware/executors/cpu_job/cpu_job_format.h"
#include "tests/firmware/digits_fixture.h"

namespace inferd::firmware::testing {
namespace {

class NeverStop final : public RunControl {
 public:
  bool ShouldStop() override { return false; }
};

class CpuJobExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<DigitsData> digits = LoadDigits();
    ASSERT_TRUE(digits.ok()) << digits.status();
    job_ = digits->job;
  }

  // Prepare on an 8-byte aligned copy of `bytes`.
  uint32_t Prepare(const std::vector<uint8_t>& bytes) {
    aligned_.assign((bytes.size() + 7) / 8 + 1, 0);
    if (!bytes.empty()) std::memcpy(aligned_.data(), bytes.data(), bytes.size());
    return executor_.Prepare(reinterpret_cast<const uint8_t*>(aligned_.data()),
                             static_cast<uint32_t>(bytes.size()));
  }
  CpuJobHeader Header() const {
    CpuJobHeader h;
    std::memcpy(&h, job_.data(), sizeof h);
    return h;
  }
  CpuJobTensor* TensorAt(std::vector<uint8_t>& job, uint32_t index) {
    return reinterpret_cast<CpuJobTensor*>(job.data() + sizeof(CpuJobHeader) +
                                           index * sizeof(CpuJobTensor));
  }
  CpuJobOp* OpAt(std::vector<uint8_t>& job, uint32_t index) {
    const CpuJobHeader h = Header();
    const uint32_t ops = CpuJobAlign(
        static_cast<uint32_t>(sizeof(CpuJobHeader) + h.tensor_count * sizeof(CpuJobTensor) +
                              (h.input_count + h.output_count) * sizeof(uint32_t)));
    return reinterpret_cast<CpuJobOp*>(job.data() + ops + index * sizeof(CpuJobOp));
  }

  std::vector<uint8_t> job_;
  std::vector<uint64_t> scratch_ = std::vector<uint64_t>(64 * 1024 / 8);
  CpuJobExecutor executor_{reinterpret_cast<uint8_t*>(scratch_.data()), 64 * 1024};
  std::vector<uint64_t> aligned_;
};

TEST_F(CpuJobExecutorTest, AcceptsTheLoweredDigitsGraph) {
  EXPECT_EQ(Prepare(job_), INFERD_TP_NET_LOADED);
  const CpuJobHeader h = Header();
  EXPECT_EQ(h.input_count, 1u);
  EXPECT_EQ(h.output_count, 1u);
  EXPECT_GT(h.op_count, 10u);
}

TEST_F(CpuJobExecutorTest, RejectsEveryTruncation) {
  for (size_t size = 0; size < job_.size(); ++size) {
    std::vector<uint8_t> cut(job_.begin(), job_.begin() + size);
    EXPECT_EQ(Prepare(cut), INFERD_TP_NET_BAD_FORMAT) << "truncated to " << size;
  }
}

TEST_F(CpuJobExecutorTest, RejectsABadMagicOrVersion) {
  std::vector<uint8_t> job = job_;
  job[0] ^= 1;
  EXPECT_EQ(Prepare(job), INFERD_TP_NET_BAD_FORMAT);
  job = job_;
  job[4] = 99;
  EXPECT_EQ(Prepare(job), INFERD_TP_NET_BAD_FORMAT);
}

TEST_F(CpuJobExecutorTest, RejectsATensorOutsideItsMemory) {
  std::vector<uint8_t> job = job_;
  TensorAt(job, 0)->offset = Header().scratch_bytes;
  EXPECT_EQ(Prepare(job), INFERD_TP_NET_BAD_FORMAT);
  job = job_;
  TensorAt(job, 0)->dims[1] += 1;  // size_bytes no longer matches the shape
  EXPECT_EQ(Prepare(job), INFERD_TP_NET_BAD_FORMAT);
}

TEST_F(CpuJobExecutorTest, RejectsParametersThatDisagreeWithTensors) {
  // The first operation is conv1; claim a larger input than its tensor holds.
  std::vector<uint8_t> job = job_;
  ASSERT_EQ(OpAt(job, 0)->kind, static_cast<uint32_t>(CpuJobOpKind::kConv2dInt8));
  OpAt(job, 0)->params[1] = 9;
  EXPECT_EQ(Prepare(job), INFERD_TP_NET_BAD_FORMAT);
  // Or write its result into a constant.
  job = job_;
  OpAt(job, 0)->result = OpAt(job, 0)->operands[1];
  EXPECT_EQ(Prepare(job), INFERD_TP_NET_BAD_FORMAT);
  // Or name an operation kind that does not exist.
  job = job_;
  OpAt(job, 0)->kind = 999;
  EXPECT_EQ(Prepare(job), INFERD_TP_NET_BAD_FORMAT);
}

TEST_F(CpuJobExecutorTest, ReportsAJobLargerThanItsScratch) {
  std::vector<uint64_t> tiny(2);
  CpuJobExecutor small(reinterpret_cast<uint8_t*>(tiny.data()), 16);
  aligned_.assign(job_.size() / 8 + 1, 0);
  std::memcpy(aligned_.data(), job_.data(), job_.size());
  EXPECT_EQ(small.Prepare(reinterpret_cast<const uint8_t*>(aligned_.data()),
                          static_cast<uint32_t>(job_.size())),
            INFERD_TP_NET_NO_MEMORY);
}

TEST_F(CpuJobExecutorTest, SingleByteCorruptionsNeverPassUnnoticedIntoBadMemory) {
  // Every byte of the header, tensor table and operation list flipped in turn: Prepare either
  // refuses the job or accepts one whose ranges it has checked (a flipped parameter that still
  // agrees with its tensors, such as a zero point). Accepted jobs are run too: build with
  // sanitizers to see every access stay in bounds.
  const CpuJobHeader h = Header();
  const uint8_t pixels[64] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  NeverStop never;
  for (size_t i = 0; i < h.const_offset; ++i) {
    std::vector<uint8_t> job = job_;
    job[i] ^= 0x80;
    const uint32_t status = Prepare(job);
    ASSERT_TRUE(status == INFERD_TP_NET_LOADED || status == INFERD_TP_NET_BAD_FORMAT ||
                status == INFERD_TP_NET_NO_MEMORY)
        << "byte " << i;
    if (status != INFERD_TP_NET_LOADED) continue;
    // Whatever was accepted must run to an answer.
    TensorView input{};
    input.desc.dtype = INFERD_TP_DTYPE_INT8;
    input.desc.rank = 4;
    const int32_t dims[4] = {1, 8, 8, 1};
    std::memcpy(input.desc.dims, dims, sizeof dims);
    input.desc.size_bytes = 64;
    input.data = pixels;
    TensorView outputs[INFERD_TP_MAX_TENSORS];
    uint32_t output_count = 0;
    RunCounters counters;
    const uint32_t run =
        executor_.Run(reinterpret_cast<const uint8_t*>(aligned_.data()),
                      static_cast<uint32_t>(job.size()), &input, 1, outputs, INFERD_TP_MAX_TENSORS,
                      &output_count, counters.pmu_events, &counters, never);
    EXPECT_LE(run, static_cast<uint32_t>(INFERD_TP_INF_UNSUPPORTED)) << "byte " << i;
  }
}

}  // namespace
}  // namespace inferd::firmware::testing

// The target's 'cpu' executor: runs cpu jobs (cpu_job_format.h, TOSA INT8 graphs lowered by the
// host) on backends/cpu's reference kernels, in one scratch arena handed in at construction.
#ifndef INFERD_FIRMWARE_EXECUTORS_CPU_JOB_CPU_JOB_EXECUTOR_H_
#define INFERD_FIRMWARE_EXECUTORS_CPU_JOB_CPU_JOB_EXECUTOR_H_

#include <stdint.h>

#include "firmware/agent/executor.h"
#include "firmware/executors/cpu_job/cpu_job_format.h"

namespace inferd::firmware {

class CpuJobExecutor final : public Executor {
 public:
  // `scratch` holds every activation of a job; it should be 8-byte aligned.
  CpuJobExecutor(uint8_t* scratch, uint32_t scratch_size);

  uint32_t network_format() const override { return INFERD_TP_NETWORK_FORMAT_CPU_JOB; }
  uint32_t capability_bit() const override { return INFERD_TP_EXEC_TOSA_CPU; }
  const char* name() const override { return "cpu"; }

  // Checks the whole job: layout, every tensor range inside scratch or the constants, and every
  // operation's parameters against its tensors' types and sizes, so that Run cannot read or write
  // outside them whatever the bytes say.
  uint32_t Prepare(const uint8_t* network, uint32_t size) override;

  uint32_t Run(const uint8_t* network, uint32_t size, const TensorView* inputs,
               uint32_t input_count, TensorView* outputs, uint32_t output_capacity,
               uint32_t* output_count, const uint32_t* events, RunCounters* counters,
               RunControl& control) override;

 private:
  uint8_t* scratch_;
  uint32_t scratch_size_;
};

}  // namespace inferd::firmware

#endif  // INFERD_FIRMWARE_EXECUTORS_CPU_JOB_CPU_JOB_EXECUTOR_H_

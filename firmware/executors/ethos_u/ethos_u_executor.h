// The target's 'ethos-u' executor: runs Vela bin streams (INFERD_TP_NETWORK_FORMAT_VELA_BIN) on an
// Ethos-U NPU through Arm's ethos-u-core-driver, laid out as ExecuTorch's Arm runtime lays them
// out: the command stream and the weights used where they lie in the network (region 0 = weights),
// the scratch (region 1, which holds every input and output at its offset) at the start of the
// NPU arena, the fast scratch (region 2) in its own buffer when the board has one.
//
// The driver must have been initialised (ethosu_init) by the board before the first Run; the
// executor only reserves, invokes and releases it. Built only when the driver's sources are given
// to the build (INFERD_ETHOSU_DRIVER_DIR, docs/ethos-u.md); tests build it against a test double.
#ifndef INFERD_FIRMWARE_EXECUTORS_ETHOS_U_ETHOS_U_EXECUTOR_H_
#define INFERD_FIRMWARE_EXECUTORS_ETHOS_U_ETHOS_U_EXECUTOR_H_

#include <stddef.h>
#include <stdint.h>

#include "firmware/agent/executor.h"
#include "firmware/executors/ethos_u/detail_text.h"
#include "firmware/executors/ethos_u/vela_bin_layout.h"

namespace inferd::firmware {

// Memory the NPU can reach (not the TCMs: on Corstone-300 the NPU sees SRAM and DDR only), each
// buffer 16-byte aligned as the driver requires of base addresses.
struct NpuMemory {
  uint8_t* arena = nullptr;  // scratch; a network needs scratch_size bytes of it
  uint32_t arena_size = 0;
  uint8_t* fast_scratch = nullptr;  // optional; passed as region 2 with its size
  uint32_t fast_scratch_size = 0;
};

class EthosUExecutor final : public Executor {
 public:
  explicit EthosUExecutor(const NpuMemory& memory);

  uint32_t network_format() const override { return INFERD_TP_NETWORK_FORMAT_VELA_BIN; }
  uint32_t capability_bit() const override { return INFERD_TP_EXEC_ETHOSU; }
  const char* name() const override { return "ethos-u"; }

  // Reads the bin stream and checks every size before the network is accepted: each block inside
  // the bytes, the command stream inside cmd_data, every input and output inside the scratch and
  // the scratch inside the arena. A network that does not fit is refused with NO_MEMORY and both
  // sizes in failure_detail().
  uint32_t Prepare(const uint8_t* network, uint32_t size) override;

  // Copies the inputs to their offsets in the scratch, programs the PMU (the cycle counter, from
  // NPU_ACTIVE to NPU_IDLE, and the requested `events`), starts the command stream and polls the
  // driver until it finishes, between polls asking `control` whether to stop. A stop releases the
  // driver, which soft-resets an NPU still running, so the next job starts on a clean NPU. Outputs
  // point into the scratch and stay valid until the next Run.
  uint32_t Run(const uint8_t* network, uint32_t size, const TensorView* inputs,
               uint32_t input_count, TensorView* outputs, uint32_t output_capacity,
               uint32_t* output_count, const uint32_t* events, RunCounters* counters,
               RunControl& control) override;

  const char* failure_detail() const override { return detail_.c_str(); }

 private:
  // Reads and size-checks the network (again at each Run: the cache may have moved it).
  uint32_t ReadLayout(const uint8_t* network, uint32_t size, VelaBinLayout* layout);
  // Starts the job and waits for it; returns an inferd_tp_inference_status.
  uint32_t Invoke(const VelaBinLayout& layout, const uint32_t* events, RunCounters* counters,
                  RunControl& control);

  NpuMemory memory_;
  DetailText detail_;
  // Base addresses and sizes of the regions; the driver keeps pointers to them during a job.
  uint64_t base_addresses_[kVelaRegionCount] = {};
  size_t base_address_sizes_[kVelaRegionCount] = {};
};

}  // namespace inferd::firmware

#endif  // INFERD_FIRMWARE_EXECUTORS_ETHOS_U_ETHOS_U_EXECUTOR_H_

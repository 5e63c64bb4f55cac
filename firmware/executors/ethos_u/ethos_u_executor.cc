#include "firmware/executors/ethos_u/ethos_u_executor.h"

#include <ethosu_driver.h>
#include <pmu_ethosu.h>
#include <string.h>

namespace inferd::firmware {
namespace {

constexpr uintptr_t kDriverAlignment = 16;  // ethos-u-core-driver: command stream, base addresses

bool Aligned(const void* pointer) {
  return reinterpret_cast<uintptr_t>(pointer) % kDriverAlignment == 0;
}

uint64_t Address(const void* pointer) {
  return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(pointer));
}

}  // namespace

EthosUExecutor::EthosUExecutor(const NpuMemory& memory) : memory_(memory) {}

uint32_t EthosUExecutor::ReadLayout(const uint8_t* network, uint32_t size, VelaBinLayout* layout) {
  detail_.Clear();
  detail_.Add("ethos-u: ");
  const uint32_t status = ReadVelaBinLayout(network, size, layout, &detail_);
  if (status != INFERD_TP_NET_LOADED) return status;
  if (layout->scratch_size > memory_.arena_size) {
    detail_.Add("scratch of ").Add(layout->scratch_size).Add(" bytes does not fit the ");
    detail_.Add(memory_.arena_size).Add("-byte NPU arena");
    return INFERD_TP_NET_NO_MEMORY;
  }
  // The driver refuses unaligned pointers only once the job starts; refuse them at load instead.
  if (!Aligned(layout->command_stream) || !Aligned(layout->weights) || !Aligned(memory_.arena) ||
      !Aligned(memory_.fast_scratch)) {
    detail_.Add("the command stream, weights or arena is not 16-byte aligned");
    return INFERD_TP_NET_UNSUPPORTED;
  }
  detail_.Clear();
  return INFERD_TP_NET_LOADED;
}

uint32_t EthosUExecutor::Prepare(const uint8_t* network, uint32_t size) {
  VelaBinLayout layout;
  return ReadLayout(network, size, &layout);
}

uint32_t EthosUExecutor::Run(const uint8_t* network, uint32_t size, const TensorView* inputs,
                             uint32_t input_count, TensorView* outputs, uint32_t output_capacity,
                             uint32_t* output_count, const uint32_t* events, RunCounters* counters,
                             RunControl& control) {
  *output_count = 0;
  VelaBinLayout layout;
  if (ReadLayout(network, size, &layout) != INFERD_TP_NET_LOADED) return INFERD_TP_INF_ERROR;
  if (input_count != layout.input_count) {
    detail_.Add("ethos-u: the network takes ").Add(layout.input_count).Add(" inputs, got ");
    detail_.Add(input_count);
    return INFERD_TP_INF_BAD_INPUT;
  }
  if (layout.output_count > output_capacity) {
    detail_.Add("ethos-u: the network has ").Add(layout.output_count).Add(" outputs, at most ");
    detail_.Add(output_capacity).Add(" are carried");
    return INFERD_TP_INF_UNSUPPORTED;
  }
  for (uint32_t i = 0; i < input_count; ++i) {
    if (inputs[i].desc.size_bytes != layout.inputs[i].size_bytes) {
      detail_.Add("ethos-u: input ").Add(i).Add(" has ").Add(inputs[i].desc.size_bytes);
      detail_.Add(" bytes, the network takes ").Add(layout.inputs[i].size_bytes);
      return INFERD_TP_INF_BAD_INPUT;
    }
  }
  for (uint32_t i = 0; i < INFERD_TP_PMU_MAX; ++i) {
    if (events[i] >= static_cast<uint32_t>(ETHOSU_PMU_SENTINEL)) {
      detail_.Add("ethos-u: PMU event ").Add(events[i]).Add(" is not one of this NPU's (below ");
      detail_.Add(static_cast<int64_t>(ETHOSU_PMU_SENTINEL)).Add(")");
      return INFERD_TP_INF_BAD_INPUT;
    }
  }
  // Inputs are only valid until the first ShouldStop: copy them into the scratch first.
  for (uint32_t i = 0; i < input_count; ++i) {
    memcpy(memory_.arena + layout.inputs[i].offset, inputs[i].data, inputs[i].desc.size_bytes);
  }
  if (control.ShouldStop()) return INFERD_TP_INF_CANCELLED;
  const uint32_t status = Invoke(layout, events, counters, control);
  if (status != INFERD_TP_INF_OK) return status;
  for (uint32_t i = 0; i < layout.output_count; ++i) {
    const VelaTensorPlacement& placement = layout.outputs[i];
    TensorView& output = outputs[i];
    memset(&output.desc, 0, sizeof output.desc);
    output.desc.size_bytes = placement.size_bytes;
    output.desc.dtype = placement.element_size == 1   ? INFERD_TP_DTYPE_INT8
                        : placement.element_size == 2 ? INFERD_TP_DTYPE_INT16
                                                      : INFERD_TP_DTYPE_INT32;
    output.desc.rank = static_cast<uint8_t>(placement.rank);
    for (uint32_t d = 0; d < placement.rank; ++d) output.desc.dims[d] = placement.shape[d];
    output.data = memory_.arena + placement.offset;
  }
  *output_count = layout.output_count;
  return INFERD_TP_INF_OK;
}

uint32_t EthosUExecutor::Invoke(const VelaBinLayout& layout, const uint32_t* events,
                                RunCounters* counters, RunControl& control) {
  ethosu_driver* driver = ethosu_reserve_driver();
  if (driver == nullptr) {
    detail_.Add("ethos-u: no NPU driver to reserve (the board did not call ethosu_init)");
    return INFERD_TP_INF_ERROR;
  }
  // Enabling the PMU powers the NPU up (a soft reset on the first request), so the counters are
  // programmed after it and before the command stream starts. The cycle counter runs from the
  // NPU's first active cycle to its return to idle: NPU ACTIVE cycles, not wall time.
  ETHOSU_PMU_Enable(driver);
  const uint32_t event_counters = ETHOSU_PMU_Get_NumEventCounters();
  uint32_t counter_mask = ETHOSU_PMU_CCNT_Msk;
  for (uint32_t i = 0; i < INFERD_TP_PMU_MAX && i < event_counters; ++i) {
    if (events[i] == INFERD_TP_PMU_EVENT_NONE) continue;
    ETHOSU_PMU_Set_EVTYPER(driver, i, static_cast<ethosu_pmu_event_type>(events[i]));
    counter_mask |= 1u << i;
  }
  ETHOSU_PMU_PMCCNTR_CFG_Set_Start_Event(driver, ETHOSU_PMU_NPU_ACTIVE);
  ETHOSU_PMU_PMCCNTR_CFG_Set_Stop_Event(driver, ETHOSU_PMU_NPU_IDLE);
  ETHOSU_PMU_CYCCNT_Reset(driver);
  ETHOSU_PMU_EVCNTR_ALL_Reset(driver);
  ETHOSU_PMU_CNTR_Enable(driver, counter_mask);

  base_addresses_[kVelaRegionWeights] = Address(layout.weights);
  base_address_sizes_[kVelaRegionWeights] = layout.weights_size;
  base_addresses_[kVelaRegionScratch] = Address(memory_.arena);
  base_address_sizes_[kVelaRegionScratch] = layout.scratch_size;
  base_addresses_[kVelaRegionFastScratch] = Address(memory_.fast_scratch);
  base_address_sizes_[kVelaRegionFastScratch] = memory_.fast_scratch_size;

  uint32_t status = INFERD_TP_INF_OK;
  const int started = ethosu_invoke_async(
      driver, layout.driver_payload, static_cast<int>(layout.driver_payload_size), base_addresses_,
      base_address_sizes_, static_cast<int>(kVelaRegionCount), nullptr);
  if (started != 0) {
    detail_.Add("ethos-u: the driver refused the command stream (ethosu_invoke_async ");
    detail_.Add(started).Add(")");
    status = INFERD_TP_INF_ERROR;
  } else {
    // The driver's own ethosu_invoke blocks until the NPU interrupt; polling instead lets the
    // agent answer PING and CANCEL while the NPU runs.
    for (;;) {
      const int waited = ethosu_wait(driver, /*block=*/false);
      if (waited == 0) break;
      if (waited != 1) {
        detail_.Add("ethos-u: the NPU job failed (ethosu_wait ").Add(waited);
        detail_.Add("); the driver reset the NPU");
        status = INFERD_TP_INF_ERROR;
        break;
      }
      if (control.ShouldStop()) {
        status = INFERD_TP_INF_CANCELLED;
        break;
      }
    }
  }
  if (status == INFERD_TP_INF_OK) {
    ETHOSU_PMU_CNTR_Disable(driver, counter_mask);
    counters->npu_cycles = ETHOSU_PMU_Get_CCNTR(driver);
    for (uint32_t i = 0; i < INFERD_TP_PMU_MAX; ++i) {
      counters->pmu_events[i] = events[i];
      counters->pmu_counts[i] =
          (counter_mask & (1u << i)) != 0 ? ETHOSU_PMU_Get_EVCNTR(driver, i) : 0;
    }
  }
  ETHOSU_PMU_Disable(driver);
  // Releasing a driver whose job still runs (a cancelled one) soft-resets the NPU and forgets the
  // job: the next Run starts on an idle NPU.
  ethosu_release_driver(driver);
  return status;
}

}  // namespace inferd::firmware

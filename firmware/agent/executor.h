// The one interface through which the agent runs networks. Each executor owns one network format
// (a pre-lowered TOSA cpu job, a Vela command stream for an Ethos-U NPU, ...); the agent picks the
// executor by the format named in NETWORK_LOAD_BEGIN and never looks inside a network itself.
#ifndef INFERD_FIRMWARE_AGENT_EXECUTOR_H_
#define INFERD_FIRMWARE_AGENT_EXECUTOR_H_

#include <stdint.h>

#include "backends/ethosu/protocol/inferd_target_protocol.h"

namespace inferd::firmware {

// An input handed to an executor, or an output it hands back. `data` holds desc.size_bytes bytes.
struct TensorView {
  inferd_tp_tensor_desc desc;
  const uint8_t* data;
};

// Lets a running job see cancellation: the agent answers frames that arrive meanwhile (PING,
// CANCEL) when the executor asks. Executors call ShouldStop between units of work (operators, NPU
// command stream chunks) and give up with INFERD_TP_INF_CANCELLED when it says so.
class RunControl {
 public:
  virtual bool ShouldStop() = 0;

 protected:
  ~RunControl() = default;
};

// Counters an executor reports beside its outputs (INFERENCE_RSP). The agent fills cpu_cycles.
struct RunCounters {
  uint32_t pmu_events[INFERD_TP_PMU_MAX] = {};
  uint32_t pmu_counts[INFERD_TP_PMU_MAX] = {};
  uint64_t npu_cycles = 0;
};

class Executor {
 public:
  // The INFERD_TP_NETWORK_FORMAT_* value this executor runs, and its INFERD_TP_EXEC_* bit for
  // CAPABILITIES.
  virtual uint32_t network_format() const = 0;
  virtual uint32_t capability_bit() const = 0;
  // A short lower-case name ("cpu", "ethos-u") that the VERSION reply lists, so that a host or a
  // person can tell which executors an image was built with.
  virtual const char* name() const = 0;

  // Checks a complete network (already CRC-checked) once, before it is marked loaded. Returns
  // INFERD_TP_NET_LOADED when Run may be called on these bytes, else INFERD_TP_NET_BAD_FORMAT,
  // INFERD_TP_NET_NO_MEMORY (it needs more scratch than this executor has) or
  // INFERD_TP_NET_UNSUPPORTED. Networks are stored 16-byte aligned and do not move while loaded
  // except between runs.
  virtual uint32_t Prepare(const uint8_t* network, uint32_t size) = 0;

  // Runs a prepared network. `inputs` (in the network's input order) are valid only until the
  // first control.ShouldStop() call: copy them first. On INFERD_TP_INF_OK, `outputs[0..*count)`
  // point at memory that stays valid until the next Run. `events` are the PMU events requested.
  // Returns an inferd_tp_inference_status.
  virtual uint32_t Run(const uint8_t* network, uint32_t size, const TensorView* inputs,
                       uint32_t input_count, TensorView* outputs, uint32_t output_capacity,
                       uint32_t* output_count, const uint32_t* events, RunCounters* counters,
                       RunControl& control) = 0;

  // Why the last Prepare or Run did not succeed, in words (sizes, driver codes), or "" when there
  // is nothing to add to the status code. The agent sends it to the host as an ERR(DETAIL) frame
  // ahead of the refusing response. Valid until the next Prepare or Run.
  virtual const char* failure_detail() const { return ""; }

 protected:
  // Executors live in static storage; nothing deletes them through this interface.
  ~Executor() = default;
};

}  // namespace inferd::firmware

#endif  // INFERD_FIRMWARE_AGENT_EXECUTOR_H_

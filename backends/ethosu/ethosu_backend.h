// The "ethosu" backend: runs models on remote inference targets (Ethos-U boards, emulators, host
// agents) through a TargetPool. A model's config picks targets by label with
//   parameters { key: "target_selector" value: { string_value: "npu=ethos-u55-128" } }
// and its file is a TOSA INT8 graph (for targets with the 'cpu' executor), a Vela bin stream (for
// targets with an NPU) or an ExecuTorch program delegated to the EthosUBackend (the bin stream
// inside goes to the target; quantize / dequantize steps at its float edges run on the host).
// Responses carry the target's counters as parameters: "target", "npu_cycles", "cpu_cycles",
// "pmu_event_<event>".
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "backends/ethosu/target_pool.h"
#include "engine/backend.h"

namespace inferd::ethosu {

// The ExecuTorch delegate id whose programs this backend serves.
inline constexpr char kEthosUBackendId[] = "EthosUBackend";

class EthosuBackend : public Backend {
 public:
  static constexpr std::string_view kName = "ethosu";

  explicit EthosuBackend(std::shared_ptr<TargetPool> pool);

  std::string_view name() const override { return kName; }
  std::string_view default_model_filename() const override { return "model.tosa"; }

  // INVALID_ARGUMENT for a bad selector or a payload that is neither TOSA nor a valid Vela bin
  // stream (or whose IO does not match the config); UNAVAILABLE when no target matches.
  absl::StatusOr<std::unique_ptr<Executable>> Load(const BackendLoadRequest& request) override;

  const std::shared_ptr<TargetPool>& pool() const { return pool_; }

 private:
  std::shared_ptr<TargetPool> pool_;
};

}  // namespace inferd::ethosu

// A backend for engine tests: copies each input to the output of the same index, and can hold
// batches at a gate so that tests control exactly when work finishes — no sleeps, no timing.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/backend.h"

namespace inferd::testing {

// Shared between a test and the executables it created.
struct TestBackendControl {
  std::mutex mutex;
  std::condition_variable changed;
  bool gate_open = true;
  int batches_started = 0;
  std::vector<int64_t> batch_sizes;
  std::string fail_load_message;  // non-empty: Load fails with it
  bool completes_inline = false;  // what the executables report from CompletesInline()
  // The executables answer every batch with outputs of no rows, as a broken backend might.
  bool answer_short = false;
  // Non-empty: the executables' Health() is UNAVAILABLE with it, as after a lost GPU.
  std::string unhealthy_reason;
  std::vector<std::thread::id> executing_threads;
  // Loads that wait in Backend::Load until ReleaseLoads(): every load while hold_all_loads, and
  // the loads of the models named in held_models.
  bool hold_all_loads = false;
  std::set<std::string> held_models;
  int loads_started = 0;
  // The batching the last load was asked for (BackendLoadRequest).
  int last_max_batch_size = 0;
  std::vector<int> last_preferred_batch_sizes;

  void CloseGate();
  void OpenGate();
  // Blocks until `count` batches have started executing.
  void WaitForBatchesStarted(int count);
  void HoldLoadsOf(const std::string& model);
  void HoldAllLoads();
  void ReleaseLoads();
  // Blocks until `count` loads have entered Backend::Load.
  void WaitForLoadsStarted(int count);
};

class TestBackend : public Backend {
 public:
  explicit TestBackend(std::shared_ptr<TestBackendControl> control)
      : control_(std::move(control)) {}
  std::string_view name() const override { return "test"; }
  std::string_view default_model_filename() const override { return "model.bin"; }
  absl::StatusOr<std::unique_ptr<Executable>> Load(const BackendLoadRequest& request) override;

 private:
  std::shared_ptr<TestBackendControl> control_;
};

// An executable that echoes inputs to outputs, honouring the control's gate.
std::unique_ptr<Executable> MakeEchoExecutable(std::shared_ptr<TestBackendControl> control);

}  // namespace inferd::testing

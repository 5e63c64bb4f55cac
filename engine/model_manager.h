// ModelManager: the lifecycle of every model in the repository — which versions serve, loads and
// unloads on a background thread, the LOADING / READY / UNLOADING / UNAVAILABLE states clients
// observe, and the model control modes (none, explicit, poll).
//
// A reload that fails leaves the previous version serving; an unload stops new requests at once,
// waits for those in flight, then frees the version.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/model_repository.h"
#include "engine/model_version_loader.h"
#include "engine/serving_model.h"

namespace inferd {

enum class ModelState { kLoading, kReady, kUnloading, kUnavailable };
std::string_view ModelStateName(ModelState state);

enum class ModelControlMode { kNone, kExplicit, kPoll };
// Parses "none" / "explicit" / "poll".
absl::StatusOr<ModelControlMode> ParseModelControlMode(std::string_view text);

struct ModelIndexEntry {
  std::string name;
  int64_t version =
      0;  // 0: the model has no version state yet (never loaded, or failed before one)
  ModelState state = ModelState::kUnavailable;
  std::string reason;
};

struct ModelManagerOptions {
  std::filesystem::path repository;
  ModelControlMode mode = ModelControlMode::kNone;
  std::vector<std::string> startup_models;  // explicit mode; "*" loads every model
  absl::Duration poll_interval = absl::Seconds(15);
};

class ModelManager {
 public:
  ModelManager(ModelManagerOptions options, ModelVersionLoader loader);
  ~ModelManager();

  // Loads the models the mode asks for at start-up and waits for them; starts polling in poll mode.
  // Fails when the repository is missing; a model that fails to load is reported, not fatal.
  absl::Status Start();

  // Loads (or reloads) a model and waits for the outcome. The work runs on the manager's thread, so
  // other calls see LOADING meanwhile. FAILED_PRECONDITION unless the mode is explicit.
  absl::Status Load(const std::string& name);
  absl::Status Unload(const std::string& name);

  // The READY version asked for: `version` empty means the newest READY one. NOT_FOUND /
  // UNAVAILABLE with a message naming the model otherwise.
  absl::StatusOr<std::shared_ptr<ServingModel>> Find(std::string_view name,
                                                     std::string_view version) const;

  // Every model in the repository and every version the manager knows, with states.
  std::vector<ModelIndexEntry> Index() const;

  // The READY versions of one model, ascending (no repository I/O).
  std::vector<int64_t> ReadyVersions(std::string_view name) const;

  // Every READY version, for statistics.
  std::vector<std::shared_ptr<ServingModel>> ReadyModels() const;

  // Poll mode: checks the repository now instead of at the next interval (new, changed and removed
  // models) and returns once the resulting loads and unloads are done.
  absl::Status PollNow();

  // Stops polling, unloads everything (waiting for in-flight requests) and stops the thread.
  void Shutdown();

  ModelControlMode mode() const { return options_.mode; }

 private:
  struct VersionRecord {
    ModelState state = ModelState::kUnavailable;
    std::string reason;
    std::shared_ptr<ServingModel> model;  // set while READY or UNLOADING
  };
  struct ModelRecord {
    std::map<int64_t, VersionRecord> versions;
    std::string reason;  // a failure that no version carries (bad config, no versions)
    std::string fingerprint;
    bool loading = false;
  };

  // Runs `task` on the manager thread and waits for its status.
  absl::Status RunOnManagerThread(std::function<absl::Status()> task);
  void ManagerLoop();
  void PollOnce();

  absl::Status DoLoad(const std::string& name);
  absl::Status DoUnload(const std::string& name, const std::string& reason);
  // Marks `versions` UNLOADING, drains them, then marks them UNAVAILABLE with `reason`.
  void RetireVersions(const std::string& name, const std::vector<int64_t>& versions,
                      const std::string& reason);
  std::vector<int64_t> SelectVersions(const inference::ModelConfig& config,
                                      const std::vector<int64_t>& available) const;

  const ModelManagerOptions options_;
  const ModelVersionLoader loader_;
  ModelRepository repository_;

  mutable std::mutex mutex_;  // guards models_
  std::map<std::string, ModelRecord> models_;

  std::mutex tasks_mutex_;
  std::condition_variable tasks_changed_;
  std::deque<std::packaged_task<absl::Status()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace inferd

// ModelManager: the lifecycle of every model in the repository — which versions serve, loads and
// unloads on a small bounded pool of threads (LifecycleExecutor), the LOADING / READY / UNLOADING /
// UNAVAILABLE states clients observe, and the model control modes (none, explicit, poll).
//
// A reload that fails leaves the previous version serving; an unload stops new requests at once,
// waits for those in flight, then frees the version. Operations on one model run in order; a load
// stuck in a backend or in I/O never holds up other models, the poller or a bounded Shutdown.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/lifecycle_executor.h"
#include "engine/model_file_reader.h"
#include "engine/model_push_overlay.h"
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
  int load_threads = 4;         // --model-load-threads: loads/unloads that can run at once
  size_t load_queue_size = 64;  // --model-load-queue-size: waiting beyond them
  uint64_t max_model_file_size = kDefaultMaxModelFileSize;  // --max-model-file-size
  // Explicit mode: where pushed model files go (--model-push-dir; empty: $TMPDIR) and how many.
  std::filesystem::path push_parent;
  ModelPushLimits push_limits;
};

class ModelManager {
 public:
  ModelManager(ModelManagerOptions options, ModelVersionLoader loader);
  // Shutdown(absl::InfiniteFuture()) unless Shutdown was called; after a Shutdown that abandoned
  // a stuck load, returns at once and leaves that thread to finish on its own.
  ~ModelManager();

  // Loads the models the mode asks for at start-up and waits for them (several at a time); starts
  // polling in poll mode. Fails when the repository is missing; a model that fails to load is
  // reported, not fatal.
  absl::Status Start();

  // Queue a load (or reload) / an unload of `name` and call `done` with the outcome, from a
  // lifecycle thread (or at once, from this thread, when refused). FAILED_PRECONDITION unless the
  // mode is explicit; RESOURCE_EXHAUSTED when --model-load-queue-size operations already wait;
  // UNAVAILABLE once shutdown began. Meanwhile other calls see the model LOADING.
  void LoadAsync(const std::string& name, LifecycleCallback done);
  // A load with Triton's overrides: `override->config` instead of config.pbtxt and, when
  // `override->files` is not empty, those files (written into the push overlay for the load's
  // duration) instead of the repository's folder. A later load without an override reads the
  // repository again.
  void LoadAsync(const std::string& name, std::shared_ptr<const ModelLoadOverride> override,
                 LifecycleCallback done);
  void UnloadAsync(const std::string& name, LifecycleCallback done);

  // LoadAsync / UnloadAsync, waiting for the outcome.
  absl::Status Load(const std::string& name);
  absl::Status Unload(const std::string& name);

  // The READY version asked for: `version` empty means the newest READY one. NOT_FOUND /
  // UNAVAILABLE with a message naming the model otherwise. A READY version whose instances can no
  // longer run (Executable::Health: a lost GPU) counts as UNAVAILABLE here, in Index (with the
  // reason) and in ReadyVersions.
  absl::StatusOr<std::shared_ptr<ServingModel>> Find(std::string_view name,
                                                     std::string_view version) const;

  // Every model in the repository and every version the manager knows, with states.
  std::vector<ModelIndexEntry> Index() const;

  // The READY versions of one model, ascending (no repository I/O).
  std::vector<int64_t> ReadyVersions(std::string_view name) const;

  // Every READY version, for statistics.
  std::vector<std::shared_ptr<ServingModel>> ReadyModels() const;

  // Poll mode: checks the repository now instead of at the next interval (new, changed and removed
  // models) and returns once the resulting loads and unloads are done. The scan only stats files.
  absl::Status PollNow();

  // Bounded shutdown: stops polling and taking lifecycle requests, answers every queued one with
  // UNAVAILABLE "the server is shutting down", waits for running loads/unloads and then drains
  // every READY version (waiting for its in-flight requests) — all until `deadline`. A load still
  // running then is abandoned and its waiter answered UNAVAILABLE. Returns true when everything
  // finished; false when something was abandoned: its thread may still be inside a backend, so the
  // caller must then end the process (std::_Exit) rather than destroy the backends. May be called
  // again with a later deadline to wait longer.
  bool Shutdown(absl::Time deadline);
  // Shutdown without a deadline (waits for whatever a load is doing).
  void Shutdown() { Shutdown(absl::InfiniteFuture()); }

  ModelControlMode mode() const { return options_.mode; }
  const ModelPushLimits& push_limits() const { return options_.push_limits; }
  // The private folder pushed files are written into; empty before Start() or outside explicit
  // mode.
  std::filesystem::path push_folder() const;

  // Threads that run loads and unloads (fixed: --model-load-threads).
  int lifecycle_thread_count() const { return executor_->thread_count(); }

 private:
  struct Core;  // the model table and load logic, shared with lifecycle threads

  void Submit(const std::string& name, bool load, std::string reason, LifecycleCallback done,
              bool bypass_limit, std::shared_ptr<const ModelLoadOverride> override = nullptr);
  // Scans the repository (stat only) and submits the loads and unloads it calls for; each calls
  // `done` when finished. Returns how many were submitted.
  int PollOnce(const std::function<void()>& on_submit, const std::function<void()>& done);
  void PollerLoop();

  const ModelManagerOptions options_;
  std::shared_ptr<Core> core_;
  std::unique_ptr<LifecycleExecutor> executor_;

  std::mutex scan_mutex_;  // one repository scan at a time

  std::mutex poller_mutex_;
  std::condition_variable poller_wake_;
  bool poller_stop_ = false;
  std::thread poller_;

  std::mutex shutdown_mutex_;
  bool shutdown_started_ = false;
  std::thread drainer_;
  std::shared_future<void> drained_;
};

}  // namespace inferd

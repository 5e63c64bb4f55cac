#include "engine/model_manager.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/model_config.h"
#include "engine/model_repository.h"
#include "spdlog/spdlog.h"

namespace inferd {
namespace fs = std::filesystem;

std::string_view ModelStateName(ModelState state) {
  switch (state) {
    case ModelState::kLoading:
      return "LOADING";
    case ModelState::kReady:
      return "READY";
    case ModelState::kUnloading:
      return "UNLOADING";
    case ModelState::kUnavailable:
      return "UNAVAILABLE";
  }
  return "UNAVAILABLE";
}

absl::StatusOr<ModelControlMode> ParseModelControlMode(std::string_view text) {
  if (text == "none") return ModelControlMode::kNone;
  if (text == "explicit") return ModelControlMode::kExplicit;
  if (text == "poll") return ModelControlMode::kPoll;
  return absl::InvalidArgumentError(absl::StrCat("unknown model control mode '", std::string(text),
                                                 "'; use none, explicit or poll"));
}

namespace {

// Counts outstanding operations so that a caller can wait for all it submitted.
class Latch {
 public:
  void Add() {
    std::lock_guard lock(mutex_);
    ++outstanding_;
  }
  void Done() {
    std::lock_guard lock(mutex_);
    if (--outstanding_ == 0) changed_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return outstanding_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int outstanding_ = 0;
};

absl::Status WaitFor(const std::function<void(LifecycleCallback)>& start) {
  auto outcome = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> future = outcome->get_future();
  start([outcome](absl::Status status) { outcome->set_value(std::move(status)); });
  return future.get();
}

const char kShuttingDown[] = "the server is shutting down";

}  // namespace

// The model table and everything a load or unload touches. Lifecycle threads hold it by shared_ptr:
// a load abandoned at shutdown may return from its backend after the ModelManager is gone.
struct ModelManager::Core {
  struct VersionRecord {
    ModelState state = ModelState::kUnavailable;
    std::string reason;
    std::shared_ptr<ServingModel> model;  // set while READY or UNLOADING
  };
  struct ModelRecord {
    std::map<int64_t, VersionRecord> versions;
    std::string reason;  // a failure that no version carries (bad config, no versions)
    std::string fingerprint;
  };

  Core(const ModelManagerOptions& options, ModelVersionLoader loader)
      : loader(std::move(loader)),
        repository(options.repository),
        files(options.repository, options.max_model_file_size) {}

  absl::Status DoLoad(const std::string& name, const ModelLoadOverride* override);
  absl::Status DoUnload(const std::string& name, const std::string& reason);
  // Marks `versions` UNLOADING, drains them, then marks them UNAVAILABLE with `reason`.
  void RetireVersions(const std::string& name, const std::vector<int64_t>& versions,
                      const std::string& reason);
  std::vector<int64_t> SelectVersions(const inference::ModelConfig& config,
                                      const std::vector<int64_t>& available) const;
  bool IsStopping() const {
    std::lock_guard lock(mutex);
    return stopping;
  }

  const ModelVersionLoader loader;
  const ModelRepository repository;
  const ModelFileReader files;
  // Set once by Start() in explicit mode, before any load runs; or why it could not be made.
  std::unique_ptr<ModelPushOverlay> push_overlay;
  std::string push_unavailable;

  mutable std::mutex mutex;  // guards everything below
  std::map<std::string, ModelRecord> models;
  std::set<std::string> poll_in_flight;  // models with a poll-submitted operation not yet done
  bool stopping = false;                 // no version becomes READY any more
};

ModelManager::ModelManager(ModelManagerOptions options, ModelVersionLoader loader)
    : options_(std::move(options)),
      core_(std::make_shared<Core>(options_, std::move(loader))),
      executor_(std::make_unique<LifecycleExecutor>(
          LifecycleExecutorOptions{.threads = std::max(1, options_.load_threads),
                                   .max_pending = options_.load_queue_size})) {}

ModelManager::~ModelManager() {
  bool started;
  {
    std::lock_guard lock(shutdown_mutex_);
    started = shutdown_started_;
  }
  if (!started) Shutdown(absl::InfiniteFuture());
  if (drainer_.joinable()) drainer_.detach();  // only when the drain was abandoned
}

absl::Status ModelManager::Start() {
  if (auto status = core_->repository.CheckExists(); !status.ok()) return status;
  if (options_.mode == ModelControlMode::kExplicit && core_->push_overlay == nullptr) {
    auto overlay = ModelPushOverlay::Create(options_.push_parent, options_.repository);
    if (overlay.ok()) {
      core_->push_overlay = *std::move(overlay);
      spdlog::info("pushed model files (load parameters file:...) go to {}",
                   core_->push_overlay->root().string());
    } else if (!options_.push_parent.empty()) {
      return overlay.status();  // the operator asked for this folder: a mistake to report
    } else {
      // Without a usable $TMPDIR the daemon still serves; only loads that push files are refused.
      core_->push_unavailable = std::string(overlay.status().message());
      spdlog::warn("model push is off: {}; set --model-push-dir", core_->push_unavailable);
    }
  }

  std::vector<std::string> names;
  const bool load_all = options_.mode != ModelControlMode::kExplicit ||
                        std::find(options_.startup_models.begin(), options_.startup_models.end(),
                                  "*") != options_.startup_models.end();
  if (load_all) {
    auto listed = core_->repository.ListModels();
    if (!listed.ok()) return listed.status();
    names = *std::move(listed);
  } else {
    names = options_.startup_models;
  }
  Latch latch;
  for (const std::string& name : names) {
    latch.Add();
    // Start-up loads are the daemon's own: not subject to the queue limit meant for clients.
    Submit(
        name, /*load=*/true, "",
        [&latch, name](absl::Status status) {
          if (!status.ok()) {
            spdlog::error("model '{}' failed to load: {}", name, std::string(status.message()));
          }
          latch.Done();
        },
        /*bypass_limit=*/true);
  }
  latch.Wait();
  if (options_.mode == ModelControlMode::kPoll) poller_ = std::thread([this] { PollerLoop(); });
  return absl::OkStatus();
}

void ModelManager::Submit(const std::string& name, bool load, std::string reason,
                          LifecycleCallback done, bool bypass_limit,
                          std::shared_ptr<const ModelLoadOverride> override) {
  std::string description = absl::StrCat(load ? "load" : "unload", " of model '",
                                         name.substr(0, 128), name.size() > 128 ? "...'" : "'");
  std::function<absl::Status()> work;
  if (load) {
    work = [core = core_, name, override = std::move(override)] {
      return core->DoLoad(name, override.get());
    };
  } else {
    work = [core = core_, name, reason = std::move(reason)] {
      return core->DoUnload(name, reason);
    };
  }
  executor_->Submit(name, std::move(description), std::move(work), std::move(done), bypass_limit);
}

void ModelManager::LoadAsync(const std::string& name, LifecycleCallback done) {
  LoadAsync(name, nullptr, std::move(done));
}

void ModelManager::LoadAsync(const std::string& name,
                             std::shared_ptr<const ModelLoadOverride> override,
                             LifecycleCallback done) {
  if (options_.mode != ModelControlMode::kExplicit) {
    done(absl::FailedPreconditionError(
        "explicit model load and unload need --model-control-mode=explicit"));
    return;
  }
  Submit(name, /*load=*/true, "", std::move(done), /*bypass_limit=*/false, std::move(override));
}

fs::path ModelManager::push_folder() const {
  return core_->push_overlay != nullptr ? core_->push_overlay->root() : fs::path();
}

void ModelManager::UnloadAsync(const std::string& name, LifecycleCallback done) {
  if (options_.mode != ModelControlMode::kExplicit) {
    done(absl::FailedPreconditionError(
        "explicit model load and unload need --model-control-mode=explicit"));
    return;
  }
  Submit(name, /*load=*/false, "unloaded by request", std::move(done), /*bypass_limit=*/false);
}

absl::Status ModelManager::Load(const std::string& name) {
  return WaitFor([&](LifecycleCallback done) { LoadAsync(name, std::move(done)); });
}

absl::Status ModelManager::Unload(const std::string& name) {
  return WaitFor([&](LifecycleCallback done) { UnloadAsync(name, std::move(done)); });
}

absl::Status ModelManager::PollNow() {
  if (options_.mode != ModelControlMode::kPoll) {
    return absl::FailedPreconditionError("repository polling needs --model-control-mode=poll");
  }
  if (core_->IsStopping()) return absl::UnavailableError(kShuttingDown);
  Latch latch;
  PollOnce([&latch] { latch.Add(); }, [&latch] { latch.Done(); });
  latch.Wait();
  return absl::OkStatus();
}

void ModelManager::PollerLoop() {
  std::unique_lock lock(poller_mutex_);
  while (true) {
    poller_wake_.wait_for(lock, absl::ToChronoSeconds(options_.poll_interval),
                          [this] { return poller_stop_; });
    if (poller_stop_) return;
    lock.unlock();
    // Fire and forget: the poller never waits for a load, so a stuck one cannot stall it.
    PollOnce([] {}, [] {});
    lock.lock();
  }
}

int ModelManager::PollOnce(const std::function<void()>& on_submit,
                           const std::function<void()>& done) {
  std::lock_guard scan(scan_mutex_);
  auto listed = core_->repository.ListModels();
  if (!listed.ok()) {
    spdlog::warn("repository poll: {}", std::string(listed.status().message()));
    return 0;
  }
  const std::set<std::string> present(listed->begin(), listed->end());
  std::vector<std::string> gone;
  std::vector<std::pair<std::string, std::string>> fingerprints;
  for (const std::string& name : present) {
    auto dir = core_->repository.ModelPath(name);
    if (!dir.ok()) continue;
    fingerprints.emplace_back(name, ModelRepository::Fingerprint(*dir));
  }
  std::vector<std::string> changed;
  {
    std::lock_guard lock(core_->mutex);
    for (const auto& [name, record] : core_->models) {
      if (present.contains(name) || core_->poll_in_flight.contains(name)) continue;
      const bool serving = std::any_of(record.versions.begin(), record.versions.end(),
                                       [](const auto& version) { return version.second.model; });
      if (serving) gone.push_back(name);
    }
    for (const auto& [name, fingerprint] : fingerprints) {
      if (core_->poll_in_flight.contains(name)) continue;  // its last change is still loading
      auto it = core_->models.find(name);
      if (it == core_->models.end() || it->second.fingerprint != fingerprint) {
        changed.push_back(name);
      }
    }
    for (const auto& name : gone) core_->poll_in_flight.insert(name);
    for (const auto& name : changed) core_->poll_in_flight.insert(name);
  }

  int submitted = 0;
  auto submit = [&](const std::string& name, bool load) {
    on_submit();
    ++submitted;
    Submit(
        name, load, load ? "" : "removed from the repository",
        [core = core_, name, load, done](absl::Status status) {
          {
            std::lock_guard lock(core->mutex);
            core->poll_in_flight.erase(name);
          }
          if (!status.ok()) {
            spdlog::error("repository poll: {} of model '{}' failed: {}", load ? "load" : "unload",
                          name, std::string(status.message()));
          }
          done();
        },
        /*bypass_limit=*/false);
  };
  for (const std::string& name : gone) {
    spdlog::info("repository poll: model '{}' was removed; unloading it", name);
    submit(name, /*load=*/false);
  }
  for (const std::string& name : changed) {
    spdlog::info("repository poll: model '{}' is new or changed; loading it", name);
    submit(name, /*load=*/true);
  }
  return submitted;
}

std::vector<int64_t> ModelManager::Core::SelectVersions(
    const inference::ModelConfig& config, const std::vector<int64_t>& available) const {
  const auto& policy = config.version_policy();
  if (policy.has_all()) return available;
  if (policy.has_specific()) {
    std::vector<int64_t> selected;
    for (int64_t version : policy.specific().versions()) {
      if (std::find(available.begin(), available.end(), version) != available.end()) {
        selected.push_back(version);
      }
    }
    std::sort(selected.begin(), selected.end());
    return selected;
  }
  const size_t count = std::max<uint32_t>(1, policy.latest().num_versions());
  const size_t skip = available.size() > count ? available.size() - count : 0;
  return std::vector<int64_t>(available.begin() + static_cast<std::ptrdiff_t>(skip),
                              available.end());
}

absl::Status ModelManager::Core::DoLoad(const std::string& name,
                                        const ModelLoadOverride* override) {
  if (IsStopping()) return absl::UnavailableError(kShuttingDown);
  // Pushed files replace the repository's folder for this load only; `pushed` keeps them on disk
  // until the load has read them.
  std::shared_ptr<const PushedModelFolder> pushed;
  std::optional<ModelFileReader> pushed_files;
  absl::StatusOr<fs::path> dir;
  if (override != nullptr && !override->files.empty()) {
    if (auto status = ModelRepository::CheckModelName(name); !status.ok()) return status;
    if (push_overlay == nullptr) {
      return absl::FailedPreconditionError(
          push_unavailable.empty()
              ? std::string("pushing model files needs --model-control-mode=explicit")
              : absl::StrCat("model push is off: ", push_unavailable));
    }
    auto written = push_overlay->Write(override->files);
    if (!written.ok()) {
      return absl::Status(written.status().code(),
                          absl::StrCat("load of model '", name, "': ", written.status().message()));
    }
    pushed = *std::move(written);
    pushed_files.emplace(pushed->path(), files.max_model_file_size());
    dir = pushed->path();
  } else {
    dir = repository.ModelPath(name);
  }
  if (!dir.ok()) return dir.status();
  const ModelFileReader& reader = pushed_files.has_value() ? *pushed_files : files;

  const std::string fingerprint = ModelRepository::Fingerprint(*dir);
  auto record_failure = [&](const absl::Status& status) {
    std::lock_guard lock(mutex);
    ModelRecord& record = models[name];
    record.reason = std::string(status.message());
    record.fingerprint = fingerprint;
    return status;
  };

  inference::ModelConfig config;
  const fs::path config_path = *dir / "config.pbtxt";
  std::error_code error;
  // symlink_status: a dangling link is a broken config, not a missing one.
  if (override != nullptr) {
    config = override->config;
  } else if (fs::exists(fs::symlink_status(config_path, error))) {
    auto parsed = ReadModelConfigFile(config_path, name, files);
    if (!parsed.ok()) return record_failure(parsed.status());
    config = *std::move(parsed);
  }
  if (auto status = NormalizeModelConfig(name, loader.options().default_backend, config);
      !status.ok()) {
    return record_failure(status);
  }
  const std::vector<int64_t> available = ModelRepository::ListVersions(*dir);
  const std::vector<int64_t> selected = SelectVersions(config, available);
  if (selected.empty()) {
    return record_failure(absl::NotFoundError(
        absl::StrCat("model '", name, "' has no version folder that its version policy selects",
                     available.empty() ? " (no numeric folders such as 1/)" : "")));
  }

  absl::Status first_error = absl::OkStatus();
  for (int64_t version : selected) {
    {
      std::lock_guard lock(mutex);
      if (stopping) return absl::UnavailableError(kShuttingDown);
      VersionRecord& entry = models[name].versions[version];
      if (entry.state != ModelState::kReady) entry.state = ModelState::kLoading;
      entry.reason.clear();
    }
    const absl::Time start = absl::Now();
    auto loaded = loader.Load(reader, *dir, config, version);
    const absl::Duration took = absl::Now() - start;
    std::shared_ptr<ServingModel> replaced;
    bool dropped = false;
    {
      std::lock_guard lock(mutex);
      VersionRecord& entry = models[name].versions[version];
      if (loaded.ok() && stopping) {
        // Shutdown has drained (or is draining) what serves; this one must not start serving.
        replaced = *loaded;
        dropped = true;
        if (entry.state == ModelState::kLoading) {
          entry.state = ModelState::kUnavailable;
          entry.reason = "server shutting down";
        }
      } else if (loaded.ok()) {
        replaced = std::move(entry.model);
        entry.model = *loaded;
        entry.state = ModelState::kReady;
        entry.reason = (*loaded)->load_note();
      } else if (entry.state == ModelState::kReady) {
        entry.reason =
            absl::StrCat("reload failed, previous load still serving: ", loaded.status().message());
      } else {
        entry.state = ModelState::kUnavailable;
        entry.reason = std::string(loaded.status().message());
      }
    }
    if (dropped) {
      replaced->Drain();
      return absl::UnavailableError(kShuttingDown);
    }
    if (loaded.ok()) {
      spdlog::info("loaded model '{}' version {} in {:.1f} ms (backend {}, {} instance(s)){}{}",
                   name, version, absl::ToDoubleMilliseconds(took), config.backend(),
                   config.instance_group(0).count(), (*loaded)->load_note().empty() ? "" : "; ",
                   (*loaded)->load_note());
    } else {
      spdlog::error("{}", std::string(loaded.status().message()));
      if (first_error.ok()) first_error = loaded.status();
    }
    // The old instance of a reloaded version finishes what it holds; new requests already go to the
    // new.
    if (replaced) replaced->Drain();
  }

  std::vector<int64_t> retired;
  {
    std::lock_guard lock(mutex);
    ModelRecord& record = models[name];
    record.reason = first_error.ok() ? "" : std::string(first_error.message());
    record.fingerprint = fingerprint;
    for (const auto& [version, entry] : record.versions) {
      if (entry.model && std::find(selected.begin(), selected.end(), version) == selected.end()) {
        retired.push_back(version);
      }
    }
  }
  RetireVersions(name, retired, "no longer selected by the version policy");
  return first_error;
}

absl::Status ModelManager::Core::DoUnload(const std::string& name, const std::string& reason) {
  std::vector<int64_t> versions;
  {
    std::lock_guard lock(mutex);
    auto it = models.find(name);
    if (it == models.end()) {
      return absl::NotFoundError(absl::StrCat("model '", name, "' is not loaded"));
    }
    for (const auto& [version, entry] : it->second.versions) {
      if (entry.model) versions.push_back(version);
    }
  }
  RetireVersions(name, versions, reason);
  if (!versions.empty()) spdlog::info("unloaded model '{}' ({})", name, reason);
  return absl::OkStatus();
}

void ModelManager::Core::RetireVersions(const std::string& name,
                                        const std::vector<int64_t>& versions,
                                        const std::string& reason) {
  // Only the caller that moves a version to UNLOADING drains it: at shutdown the drain of every
  // model can meet an unload of the same model, and a scheduler must not be drained by two threads
  // at once.
  std::vector<int64_t> claimed;
  std::vector<std::shared_ptr<ServingModel>> draining;
  {
    std::lock_guard lock(mutex);
    for (int64_t version : versions) {
      VersionRecord& entry = models[name].versions[version];
      if (entry.state == ModelState::kUnloading) continue;
      entry.state = ModelState::kUnloading;
      claimed.push_back(version);
      if (entry.model) draining.push_back(entry.model);
    }
  }
  // Outside the lock: draining waits for in-flight requests, and Find must keep answering
  // meanwhile.
  for (auto& model : draining) model->Drain();
  std::lock_guard lock(mutex);
  for (int64_t version : claimed) {
    VersionRecord& entry = models[name].versions[version];
    entry.model.reset();
    entry.state = ModelState::kUnavailable;
    entry.reason = reason;
  }
}

absl::StatusOr<std::shared_ptr<ServingModel>> ModelManager::Find(std::string_view name,
                                                                 std::string_view version) const {
  int64_t wanted = 0;
  if (!version.empty()) {
    const auto [end, error] =
        std::from_chars(version.data(), version.data() + version.size(), wanted);
    if (error != std::errc() || end != version.data() + version.size() || wanted <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("model '", std::string(name), "': version '",
                                                     std::string(version),
                                                     "' is not a positive integer"));
    }
  }
  std::lock_guard lock(core_->mutex);
  const auto& models = core_->models;
  auto it = models.find(std::string(name));
  // Triton's wording ("Request for unknown model: ..."): its client examples match on it.
  if (it == models.end()) {
    return absl::NotFoundError(
        absl::StrCat("Request for unknown model: '", std::string(name), "' is not found"));
  }
  const auto& versions = it->second.versions;
  if (wanted == 0) {
    std::string unhealthy;
    for (auto v = versions.rbegin(); v != versions.rend(); ++v) {
      if (v->second.state != ModelState::kReady) continue;
      const absl::Status health = v->second.model->Health();
      if (health.ok()) return v->second.model;
      if (unhealthy.empty()) {
        unhealthy = absl::StrCat("version ", v->first, ": ", health.message());
      }
    }
    const std::string& reason = unhealthy.empty() ? it->second.reason : unhealthy;
    return absl::UnavailableError(absl::StrCat("Request for unknown model: '", std::string(name),
                                               "' has no available versions",
                                               reason.empty() ? "" : absl::StrCat(": ", reason)));
  }
  auto v = versions.find(wanted);
  if (v == versions.end()) {
    return absl::NotFoundError(absl::StrCat("Request for unknown model: '", std::string(name),
                                            "' version ", wanted, " is not found"));
  }
  if (v->second.state != ModelState::kReady) {
    return absl::UnavailableError(
        absl::StrCat("Request for unknown model: '", std::string(name), "' version ", wanted,
                     " is not at ready state (", std::string(ModelStateName(v->second.state)), ")",
                     v->second.reason.empty() ? "" : absl::StrCat(": ", v->second.reason)));
  }
  if (absl::Status health = v->second.model->Health(); !health.ok()) {
    return absl::UnavailableError(
        absl::StrCat("Request for unknown model: '", std::string(name), "' version ", wanted,
                     " is not at ready state (UNAVAILABLE): ", health.message()));
  }
  return v->second.model;
}

std::vector<ModelIndexEntry> ModelManager::Index() const {
  std::vector<std::string> names;
  if (auto listed = core_->repository.ListModels(); listed.ok()) names = *std::move(listed);
  std::lock_guard lock(core_->mutex);
  const auto& models = core_->models;
  for (const auto& [name, record] : models) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  std::vector<ModelIndexEntry> index;
  for (const std::string& name : names) {
    auto it = models.find(name);
    if (it == models.end() || it->second.versions.empty()) {
      ModelIndexEntry entry;
      entry.name = name;
      entry.state = ModelState::kUnavailable;
      entry.reason = it == models.end() ? "not loaded" : it->second.reason;
      index.push_back(std::move(entry));
      continue;
    }
    for (const auto& [version, record] : it->second.versions) {
      ModelIndexEntry entry{name, version, record.state, record.reason};
      if (record.state == ModelState::kReady) {
        if (absl::Status health = record.model->Health(); !health.ok()) {
          entry.state = ModelState::kUnavailable;
          entry.reason = std::string(health.message());
        }
      }
      index.push_back(std::move(entry));
    }
  }
  return index;
}

std::vector<int64_t> ModelManager::ReadyVersions(std::string_view name) const {
  std::vector<int64_t> versions;
  std::lock_guard lock(core_->mutex);
  auto it = core_->models.find(std::string(name));
  if (it == core_->models.end()) return versions;
  for (const auto& [version, entry] : it->second.versions) {
    if (entry.state == ModelState::kReady && entry.model->Health().ok()) {
      versions.push_back(version);
    }
  }
  return versions;
}

std::vector<std::shared_ptr<ServingModel>> ModelManager::ReadyModels() const {
  std::vector<std::shared_ptr<ServingModel>> ready;
  std::lock_guard lock(core_->mutex);
  for (const auto& [name, record] : core_->models) {
    for (const auto& [version, entry] : record.versions) {
      if (entry.state == ModelState::kReady) ready.push_back(entry.model);
    }
  }
  return ready;
}

bool ModelManager::Shutdown(absl::Time deadline) {
  std::lock_guard shutdown(shutdown_mutex_);
  if (!shutdown_started_) {
    shutdown_started_ = true;
    {
      std::lock_guard lock(core_->mutex);
      core_->stopping = true;
    }
    {
      std::lock_guard lock(poller_mutex_);
      poller_stop_ = true;
    }
    poller_wake_.notify_all();
    // The poller only stats files and never waits for a load, so this join is short.
    if (poller_.joinable()) poller_.join();
  }

  // Drain what serves, on a thread of its own so that a request stuck in a backend cannot hold
  // this call past its deadline, and at the same time as the lifecycle threads wind down, so that
  // a stuck load does not delay it. Since `stopping` is set no version becomes READY any more, so
  // this sees every one. The thread shares the core, so it may outlive the manager.
  if (!drained_.valid()) {
    std::promise<void> done;
    drained_ = done.get_future().share();
    drainer_ = std::thread([core = core_, done = std::move(done)]() mutable {
      std::vector<std::string> names;
      {
        std::lock_guard lock(core->mutex);
        for (const auto& [name, record] : core->models) names.push_back(name);
      }
      for (const std::string& name : names) (void)core->DoUnload(name, "server shutting down");
      done.set_value();
    });
  }

  const bool lifecycle_finished = executor_->Shutdown(deadline);
  if (!lifecycle_finished) {
    spdlog::error("model shutdown: a model load or unload did not finish in time; abandoning it");
  }
  bool drained;
  if (deadline == absl::InfiniteFuture()) {
    drained_.wait();
    drained = true;
  } else {
    drained = drained_.wait_until(absl::ToChronoTime(deadline)) == std::future_status::ready;
  }
  if (drained && drainer_.joinable()) drainer_.join();
  if (!drained) spdlog::error("model shutdown: in-flight requests did not drain in time");
  return lifecycle_finished && drained;
}

}  // namespace inferd

#include "engine/model_manager.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/model_config.h"
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

ModelManager::ModelManager(ModelManagerOptions options, ModelVersionLoader loader)
    : options_(std::move(options)), loader_(std::move(loader)), repository_(options_.repository) {}

ModelManager::~ModelManager() { Shutdown(); }

absl::Status ModelManager::Start() {
  if (auto status = repository_.CheckExists(); !status.ok()) return status;
  thread_ = std::thread([this] { ManagerLoop(); });

  std::vector<std::string> names;
  const bool load_all = options_.mode != ModelControlMode::kExplicit ||
                        std::find(options_.startup_models.begin(), options_.startup_models.end(),
                                  "*") != options_.startup_models.end();
  if (load_all) {
    auto listed = repository_.ListModels();
    if (!listed.ok()) return listed.status();
    names = *std::move(listed);
  } else {
    names = options_.startup_models;
  }
  for (const std::string& name : names) {
    if (auto status = RunOnManagerThread([this, name] { return DoLoad(name); }); !status.ok()) {
      spdlog::error("model '{}' failed to load: {}", name, std::string(status.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status ModelManager::Load(const std::string& name) {
  if (options_.mode != ModelControlMode::kExplicit) {
    return absl::FailedPreconditionError(
        "explicit model load and unload need --model-control-mode=explicit");
  }
  return RunOnManagerThread([this, name] { return DoLoad(name); });
}

absl::Status ModelManager::Unload(const std::string& name) {
  if (options_.mode != ModelControlMode::kExplicit) {
    return absl::FailedPreconditionError(
        "explicit model load and unload need --model-control-mode=explicit");
  }
  return RunOnManagerThread([this, name] { return DoUnload(name, "unloaded by request"); });
}

absl::Status ModelManager::PollNow() {
  if (options_.mode != ModelControlMode::kPoll) {
    return absl::FailedPreconditionError("repository polling needs --model-control-mode=poll");
  }
  return RunOnManagerThread([this] {
    PollOnce();
    return absl::OkStatus();
  });
}

absl::Status ModelManager::RunOnManagerThread(std::function<absl::Status()> task) {
  std::packaged_task<absl::Status()> packaged(std::move(task));
  std::future<absl::Status> outcome = packaged.get_future();
  {
    std::lock_guard lock(tasks_mutex_);
    if (stopping_) return absl::UnavailableError("the server is shutting down");
    tasks_.push_back(std::move(packaged));
  }
  tasks_changed_.notify_one();
  return outcome.get();
}

void ModelManager::ManagerLoop() {
  while (true) {
    std::packaged_task<absl::Status()> task;
    {
      std::unique_lock lock(tasks_mutex_);
      const bool polling = options_.mode == ModelControlMode::kPoll;
      const auto ready = [this] { return stopping_ || !tasks_.empty(); };
      if (polling) {
        tasks_changed_.wait_for(lock, absl::ToChronoSeconds(options_.poll_interval), ready);
      } else {
        tasks_changed_.wait(lock, ready);
      }
      if (stopping_ && tasks_.empty()) return;
      if (!tasks_.empty()) {
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
    }
    if (task.valid()) {
      task();
    } else {
      PollOnce();
    }
  }
}

void ModelManager::PollOnce() {
  auto listed = repository_.ListModels();
  if (!listed.ok()) {
    spdlog::warn("repository poll: {}", std::string(listed.status().message()));
    return;
  }
  const std::set<std::string> present(listed->begin(), listed->end());
  std::vector<std::string> gone;
  std::vector<std::string> changed;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, record] : models_) {
      if (!present.contains(name)) gone.push_back(name);
    }
  }
  for (const std::string& name : present) {
    auto dir = repository_.ModelPath(name);
    if (!dir.ok()) continue;
    const std::string fingerprint = ModelRepository::Fingerprint(*dir);
    std::lock_guard lock(mutex_);
    auto it = models_.find(name);
    if (it == models_.end() || it->second.fingerprint != fingerprint) changed.push_back(name);
  }
  for (const std::string& name : gone) {
    spdlog::info("repository poll: model '{}' was removed; unloading it", name);
    (void)DoUnload(name, "removed from the repository");
  }
  for (const std::string& name : changed) {
    spdlog::info("repository poll: model '{}' is new or changed; loading it", name);
    if (auto status = DoLoad(name); !status.ok()) {
      spdlog::error("model '{}' failed to load: {}", name, std::string(status.message()));
    }
  }
}

std::vector<int64_t> ModelManager::SelectVersions(const inference::ModelConfig& config,
                                                  const std::vector<int64_t>& available) const {
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

absl::Status ModelManager::DoLoad(const std::string& name) {
  auto dir = repository_.ModelPath(name);
  if (!dir.ok()) return dir.status();

  const std::string fingerprint = ModelRepository::Fingerprint(*dir);
  auto record_failure = [&](const absl::Status& status) {
    std::lock_guard lock(mutex_);
    ModelRecord& record = models_[name];
    record.reason = std::string(status.message());
    record.fingerprint = fingerprint;
    return status;
  };

  inference::ModelConfig config;
  std::error_code error;
  if (fs::exists(*dir / "config.pbtxt", error)) {
    auto parsed = ReadModelConfigFile(*dir / "config.pbtxt", name);
    if (!parsed.ok()) return record_failure(parsed.status());
    config = *std::move(parsed);
  }
  if (auto status = NormalizeModelConfig(name, loader_.options().default_backend, config);
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
      std::lock_guard lock(mutex_);
      VersionRecord& entry = models_[name].versions[version];
      if (entry.state != ModelState::kReady) entry.state = ModelState::kLoading;
      entry.reason.clear();
    }
    const absl::Time start = absl::Now();
    auto loaded = loader_.Load(*dir, config, version);
    const absl::Duration took = absl::Now() - start;
    std::shared_ptr<ServingModel> replaced;
    {
      std::lock_guard lock(mutex_);
      VersionRecord& entry = models_[name].versions[version];
      if (loaded.ok()) {
        replaced = std::move(entry.model);
        entry.model = *loaded;
        entry.state = ModelState::kReady;
        entry.reason.clear();
      } else if (entry.state == ModelState::kReady) {
        entry.reason =
            absl::StrCat("reload failed, previous load still serving: ", loaded.status().message());
      } else {
        entry.state = ModelState::kUnavailable;
        entry.reason = std::string(loaded.status().message());
      }
    }
    if (loaded.ok()) {
      spdlog::info("loaded model '{}' version {} in {:.1f} ms (backend {}, {} instance(s))", name,
                   version, absl::ToDoubleMilliseconds(took), config.backend(),
                   config.instance_group(0).count());
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
    std::lock_guard lock(mutex_);
    ModelRecord& record = models_[name];
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

absl::Status ModelManager::DoUnload(const std::string& name, const std::string& reason) {
  std::vector<int64_t> versions;
  {
    std::lock_guard lock(mutex_);
    auto it = models_.find(name);
    if (it == models_.end()) {
      return absl::NotFoundError(absl::StrCat("model '", name, "' is not loaded"));
    }
    for (const auto& [version, entry] : it->second.versions) {
      if (entry.model) versions.push_back(version);
    }
  }
  RetireVersions(name, versions, reason);
  spdlog::info("unloaded model '{}' ({})", name, reason);
  return absl::OkStatus();
}

void ModelManager::RetireVersions(const std::string& name, const std::vector<int64_t>& versions,
                                  const std::string& reason) {
  std::vector<std::shared_ptr<ServingModel>> draining;
  {
    std::lock_guard lock(mutex_);
    for (int64_t version : versions) {
      VersionRecord& entry = models_[name].versions[version];
      entry.state = ModelState::kUnloading;
      if (entry.model) draining.push_back(entry.model);
    }
  }
  // Outside the lock: draining waits for in-flight requests, and Find must keep answering
  // meanwhile.
  for (auto& model : draining) model->Drain();
  std::lock_guard lock(mutex_);
  for (int64_t version : versions) {
    VersionRecord& entry = models_[name].versions[version];
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
  std::lock_guard lock(mutex_);
  auto it = models_.find(std::string(name));
  if (it == models_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown model '", std::string(name), "'"));
  }
  const auto& versions = it->second.versions;
  if (wanted == 0) {
    for (auto v = versions.rbegin(); v != versions.rend(); ++v) {
      if (v->second.state == ModelState::kReady) return v->second.model;
    }
    return absl::UnavailableError(
        absl::StrCat("model '", std::string(name), "' has no ready version",
                     it->second.reason.empty() ? "" : absl::StrCat(": ", it->second.reason)));
  }
  auto v = versions.find(wanted);
  if (v == versions.end()) {
    return absl::NotFoundError(
        absl::StrCat("model '", std::string(name), "' has no version ", wanted));
  }
  if (v->second.state != ModelState::kReady) {
    return absl::UnavailableError(
        absl::StrCat("model '", std::string(name), "' version ", wanted, " is ",
                     std::string(ModelStateName(v->second.state)),
                     v->second.reason.empty() ? "" : absl::StrCat(": ", v->second.reason)));
  }
  return v->second.model;
}

std::vector<ModelIndexEntry> ModelManager::Index() const {
  std::vector<std::string> names;
  if (auto listed = repository_.ListModels(); listed.ok()) names = *std::move(listed);
  std::lock_guard lock(mutex_);
  for (const auto& [name, record] : models_) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  std::vector<ModelIndexEntry> index;
  for (const std::string& name : names) {
    auto it = models_.find(name);
    if (it == models_.end() || it->second.versions.empty()) {
      ModelIndexEntry entry;
      entry.name = name;
      entry.state = ModelState::kUnavailable;
      entry.reason = it == models_.end() ? "not loaded" : it->second.reason;
      index.push_back(std::move(entry));
      continue;
    }
    for (const auto& [version, record] : it->second.versions) {
      index.push_back({name, version, record.state, record.reason});
    }
  }
  return index;
}

std::vector<int64_t> ModelManager::ReadyVersions(std::string_view name) const {
  std::vector<int64_t> versions;
  std::lock_guard lock(mutex_);
  auto it = models_.find(std::string(name));
  if (it == models_.end()) return versions;
  for (const auto& [version, entry] : it->second.versions) {
    if (entry.state == ModelState::kReady) versions.push_back(version);
  }
  return versions;
}

std::vector<std::shared_ptr<ServingModel>> ModelManager::ReadyModels() const {
  std::vector<std::shared_ptr<ServingModel>> ready;
  std::lock_guard lock(mutex_);
  for (const auto& [name, record] : models_) {
    for (const auto& [version, entry] : record.versions) {
      if (entry.state == ModelState::kReady) ready.push_back(entry.model);
    }
  }
  return ready;
}

void ModelManager::Shutdown() {
  {
    std::lock_guard lock(tasks_mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  tasks_changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<std::string> names;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, record] : models_) names.push_back(name);
  }
  for (const std::string& name : names) (void)DoUnload(name, "server shutting down");
}

}  // namespace inferd

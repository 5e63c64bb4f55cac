#include "backends/ethosu/target_pool.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace inferd::ethosu {

struct TargetPool::Target {
  TargetConfig config;
  std::unique_ptr<TargetClient> client;
  std::map<std::string, std::string> labels;
  uint32_t executors = 0;  // from CAPABILITIES; 0 until known
  uint64_t memory_bytes = 0;
  std::set<uint32_t> refused_formats;  // formats this target answered UNSUPPORTED to
  bool healthy = true;                 // assumed until a job or probe shows otherwise
  bool draining = false;
  bool removed = false;
  bool busy = false;
  std::optional<QueuedJob> assigned;
  uint64_t jobs = 0;
  uint64_t failures = 0;
  std::string last_error;
  std::string agent;
  absl::Duration backoff;
  absl::Time next_probe = absl::InfiniteFuture();
  absl::Time next_ping = absl::InfiniteFuture();
  uint64_t probe_requests = 0;
  uint64_t probes_done = 0;
  absl::Status last_probe;
  prometheus::Counter* jobs_metric = nullptr;
  prometheus::Counter* failures_metric = nullptr;
  prometheus::Counter* busy_metric = nullptr;
  prometheus::Counter* npu_cycles_metric = nullptr;
  std::map<uint32_t, prometheus::Counter*> pmu_event_metrics;  // by event number, made on use
  prometheus::Counter* upload_metric = nullptr;
  prometheus::Gauge* healthy_metric = nullptr;
  std::condition_variable wake;  // the worker waits here: a job assigned, a probe asked for
  bool worker_parked = false;    // the worker waits for a job on a caller's thread to end
  std::thread thread;
};

namespace {

std::string SelectorText(const std::map<std::string, std::string>& selector) {
  if (selector.empty()) return "(any)";
  return absl::StrJoin(selector, ",", absl::PairFormatter("="));
}

// A failure that says the target (or the way to it) is broken, not the job: worth another target.
bool IsTargetFault(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) ||
         absl::IsInternal(status);
}

}  // namespace

TargetPool::TargetPool(TargetPoolOptions options, std::shared_ptr<prometheus::Registry> registry)
    : options_(options),
      registry_(registry ? std::move(registry) : std::make_shared<prometheus::Registry>()),
      jobs_family_(prometheus::BuildCounter()
                       .Name("inferd_target_jobs_total")
                       .Help("Jobs a target completed successfully")
                       .Register(*registry_)),
      failures_family_(prometheus::BuildCounter()
                           .Name("inferd_target_failures_total")
                           .Help("Jobs that failed on a target")
                           .Register(*registry_)),
      busy_family_(prometheus::BuildCounter()
                       .Name("inferd_target_busy_seconds_total")
                       .Help("Seconds a target spent running jobs")
                       .Register(*registry_)),
      npu_cycles_family_(prometheus::BuildCounter()
                             .Name("inferd_target_npu_cycles_total")
                             .Help("NPU cycles targets reported for completed jobs")
                             .Register(*registry_)),
      pmu_events_family_(prometheus::BuildCounter()
                             .Name("inferd_target_pmu_events_total")
                             .Help("NPU PMU event counts targets reported for completed jobs, by "
                                   "event number (the model's pmu_events parameter)")
                             .Register(*registry_)),
      upload_family_(prometheus::BuildCounter()
                         .Name("inferd_target_upload_bytes_total")
                         .Help("Network bytes uploaded to a target")
                         .Register(*registry_)),
      healthy_family_(prometheus::BuildGauge()
                          .Name("inferd_target_healthy")
                          .Help("1 when a target answers, 0 when it is failing")
                          .Register(*registry_)) {
  reaper_ = std::thread([this] { Reaper(); });
}

TargetPool::~TargetPool() {
  std::vector<std::unique_ptr<Target>> targets;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& target : targets_) target->removed = true;
    WakeAll();
  }
  if (reaper_.joinable()) reaper_.join();
  for (auto& target : targets_) {
    if (target->thread.joinable()) target->thread.join();
  }
  std::vector<Completion> completions;
  {
    std::lock_guard lock(mutex_);
    for (auto& target : targets_) {
      if (target->assigned) queue_.push_back(std::move(*target->assigned));
    }
    for (QueuedJob& queued : queue_) {
      completions.push_back([done = std::move(queued.job.done)] {
        done(absl::UnavailableError("the target pool is shutting down"));
      });
    }
    queue_.clear();
  }
  RunCompletions(completions);
}

void TargetPool::WakeAll() {
  for (auto& target : targets_) target->wake.notify_one();
  queued_.notify_one();
  changed_.notify_all();
}

void TargetPool::RunCompletions(std::vector<Completion>& completions) {
  for (auto& completion : completions) completion();
  completions.clear();
}

void TargetPool::SetHealthy(Target& target, bool healthy, const std::string& error) {
  if (!error.empty()) target.last_error = error;
  if (healthy == target.healthy) return;
  target.healthy = healthy;
  target.healthy_metric->Set(healthy ? 1 : 0);
  if (!healthy) {
    target.backoff = options_.probe_backoff_min;
    target.next_probe = absl::Now() + target.backoff;
  } else {
    target.next_ping = absl::Now() + options_.health_interval;
  }
  target.wake.notify_one();
}

void TargetPool::LearnCapabilities(Target& target) {
  if (!target.client->connected()) return;
  const inferd_tp_capabilities_rsp& caps = target.client->capabilities();
  std::map<std::string, std::string> labels;
  labels["npu"] = caps.npu_product == 0
                      ? "none"
                      : absl::StrCat("ethos-u", caps.npu_product, "-", caps.npu_macs);
  if (caps.executors & INFERD_TP_EXEC_ETHOSU) labels["executor"] = "ethosu";
  if (caps.executors & INFERD_TP_EXEC_TOSA_CPU) {
    labels["executor"] = labels.count("executor") ? "ethosu+cpu" : "cpu";
  }
  for (const auto& [key, value] : target.config.labels) labels[key] = value;
  target.labels = std::move(labels);
  target.executors = caps.executors;
  target.memory_bytes = caps.dram_size;
  target.agent = FixedName(target.client->version().agent_name, INFERD_TP_NAME_SIZE);
}

absl::Status TargetPool::CheckRoomForTarget(const std::string& name) const {
  if (options_.max_targets == 0 || targets_.size() < options_.max_targets) {
    return absl::OkStatus();
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("cannot add target '", name, "': the pool holds its maximum of ",
                   options_.max_targets, " targets (--max-targets); remove one first"));
}

void TargetPool::RemoveTargetMetrics(const Target& target) {
  jobs_family_.Remove(target.jobs_metric);
  failures_family_.Remove(target.failures_metric);
  busy_family_.Remove(target.busy_metric);
  npu_cycles_family_.Remove(target.npu_cycles_metric);
  for (const auto& [event, metric] : target.pmu_event_metrics) pmu_events_family_.Remove(metric);
  upload_family_.Remove(target.upload_metric);
  healthy_family_.Remove(target.healthy_metric);
}

absl::Status TargetPool::AddTarget(const TargetConfig& config) {
  if (auto status = ValidateTargetConfig(config); !status.ok()) return status;
  {
    std::lock_guard lock(mutex_);
    for (const auto& target : targets_) {
      if (target->config.name == config.name) {
        return absl::AlreadyExistsError(absl::StrCat("target '", config.name, "' exists"));
      }
    }
    if (auto status = CheckRoomForTarget(config.name); !status.ok()) return status;
  }
  auto transport = MakeTransport(config);
  if (!transport.ok()) return transport.status();
  auto target = std::make_unique<Target>();
  target->config = config;
  target->labels = config.labels;
  target->client = std::make_unique<TargetClient>(std::move(*transport), options_.client);
  const prometheus::Labels labels{{"target", config.name}};
  target->jobs_metric = &jobs_family_.Add(labels);
  target->failures_metric = &failures_family_.Add(labels);
  target->busy_metric = &busy_family_.Add(labels);
  target->npu_cycles_metric = &npu_cycles_family_.Add(labels);
  target->upload_metric = &upload_family_.Add(labels);
  target->healthy_metric = &healthy_family_.Add(labels);
  // Connect once now so that labels from CAPABILITIES are there before models select by them.
  const absl::Status connected = target->client->Connect(absl::Now() + config.connect_timeout);
  std::lock_guard lock(mutex_);
  for (const auto& existing : targets_) {
    if (existing->config.name == config.name) {
      return absl::AlreadyExistsError(absl::StrCat("target '", config.name, "' exists"));
    }
  }
  // Again under the lock that adds it: concurrent AddTargets may have filled the pool meanwhile.
  if (auto status = CheckRoomForTarget(config.name); !status.ok()) {
    // The name is not taken (checked above), so these series are this target's alone.
    RemoveTargetMetrics(*target);
    return status;
  }
  target->healthy_metric->Set(1);
  if (connected.ok()) {
    LearnCapabilities(*target);
    target->next_ping = absl::Now() + options_.health_interval;
  } else {
    SetHealthy(*target, false, std::string(connected.message()));
  }
  Target* raw = target.get();
  targets_.push_back(std::move(target));
  raw->thread = std::thread([this, raw] { Worker(raw); });
  std::vector<Completion> completions;
  Dispatch(completions);
  WakeAll();
  return absl::OkStatus();
}

absl::Status TargetPool::DrainTarget(const std::string& name) {
  std::lock_guard lock(mutex_);
  for (auto& target : targets_) {
    if (target->config.name == name) {
      target->draining = true;
      target->wake.notify_one();
      return absl::OkStatus();
    }
  }
  return absl::NotFoundError(absl::StrCat("no target named '", name, "'"));
}

absl::Status TargetPool::RemoveTarget(const std::string& name) {
  std::unique_ptr<Target> target;
  {
    std::lock_guard lock(mutex_);
    auto found = std::find_if(targets_.begin(), targets_.end(),
                              [&](const auto& t) { return t->config.name == name; });
    if (found == targets_.end()) {
      return absl::NotFoundError(absl::StrCat("no target named '", name, "'"));
    }
    (*found)->removed = true;
    (*found)->wake.notify_one();
    changed_.notify_all();  // CheckTarget callers waiting on this target
    target = std::move(*found);
    targets_.erase(found);
  }
  if (target->thread.joinable()) target->thread.join();
  RemoveTargetMetrics(*target);
  // Jobs that only this target could take fail now rather than wait.
  std::vector<Completion> completions;
  {
    std::lock_guard lock(mutex_);
    Dispatch(completions);
  }
  RunCompletions(completions);
  return absl::OkStatus();
}

std::vector<TargetStatus> TargetPool::ListTargets() const {
  std::lock_guard lock(mutex_);
  std::vector<TargetStatus> list;
  for (const auto& target : targets_) {
    TargetStatus status;
    status.name = target->config.name;
    status.kind = target->config.kind;
    status.address =
        target->config.kind == "emulator" ? target->config.command : target->config.address;
    status.labels = target->labels;
    status.healthy = target->healthy;
    status.draining = target->draining;
    status.busy = target->busy || target->assigned.has_value();
    status.jobs = target->jobs;
    status.failures = target->failures;
    status.last_error = target->last_error;
    status.agent = target->agent;
    list.push_back(std::move(status));
  }
  return list;
}

bool TargetPool::HasMatchingTarget(const std::map<std::string, std::string>& selector) const {
  std::lock_guard lock(mutex_);
  for (const auto& target : targets_) {
    if (!target->draining && LabelsMatch(target->labels, selector)) return true;
  }
  return false;
}

absl::Status TargetPool::CheckTarget(const std::string& name) {
  std::unique_lock lock(mutex_);
  auto found = std::find_if(targets_.begin(), targets_.end(),
                            [&](const auto& t) { return t->config.name == name; });
  if (found == targets_.end()) {
    return absl::NotFoundError(absl::StrCat("no target named '", name, "'"));
  }
  Target* target = found->get();
  const uint64_t wanted = ++target->probe_requests;
  target->wake.notify_one();
  changed_.wait(lock, [&] { return target->removed || target->probes_done >= wanted; });
  if (target->removed) return absl::NotFoundError(absl::StrCat("target '", name, "' removed"));
  return target->last_probe;
}

void TargetPool::Submit(TargetJob job) {
  std::vector<Completion> completions;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      completions.push_back([done = std::move(job.done)] {
        done(absl::UnavailableError("the target pool is shutting down"));
      });
    } else {
      QueuedJob queued;
      queued.job = std::move(job);
      queue_.push_back(std::move(queued));
      Dispatch(completions);
      if (!queue_.empty()) queued_.notify_one();  // the reaper watches waiting jobs
    }
  }
  RunCompletions(completions);
}

void TargetPool::Dispatch(std::vector<Completion>& completions) {
  for (auto it = queue_.begin(); it != queue_.end();) {
    QueuedJob& queued = *it;
    Target* free_target = nullptr;
    bool any_healthy = false;
    std::vector<std::string> unhealthy;
    for (const auto& target : targets_) {
      if (target->removed || target->draining || queued.excluded.contains(target->config.name) ||
          !LabelsMatch(target->labels, queued.job.selector)) {
        continue;
      }
      if (target->executors != 0 &&
          (target->executors & queued.job.network->required_executor) == 0) {
        continue;
      }
      if (!target->healthy) {
        unhealthy.push_back(absl::StrCat("'", target->config.name, "': ", target->last_error));
        continue;
      }
      any_healthy = true;
      if (free_target == nullptr && !target->busy && !target->assigned) free_target = target.get();
    }
    if (free_target != nullptr) {
      free_target->assigned = std::move(queued);
      free_target->wake.notify_one();
      it = queue_.erase(it);
      continue;
    }
    if (!any_healthy) {
      std::string message;
      if (!queued.first_failure.empty()) {
        message = queued.first_failure;
      } else if (!unhealthy.empty()) {
        message =
            absl::StrCat("no healthy target matches selector ", SelectorText(queued.job.selector),
                         " (unhealthy: ", absl::StrJoin(unhealthy, "; "), ")");
      } else {
        message = absl::StrCat("no target matches selector ", SelectorText(queued.job.selector),
                               " for ", queued.job.network->description);
      }
      completions.push_back(
          [done = std::move(queued.job.done), message] { done(absl::UnavailableError(message)); });
      it = queue_.erase(it);
      continue;
    }
    ++it;
  }
}

void TargetPool::ExpireQueued(std::vector<Completion>& completions) {
  const absl::Time now = absl::Now();
  for (auto it = queue_.begin(); it != queue_.end();) {
    const TargetJob& job = it->job;
    const bool cancelled = job.cancellation != nullptr && job.cancellation->IsCancelled();
    if (!cancelled && now < job.deadline) {
      ++it;
      continue;
    }
    absl::Status status =
        cancelled ? absl::CancelledError("cancelled while waiting for a target")
                  : absl::DeadlineExceededError("deadline passed while waiting for a target");
    completions.push_back([done = std::move(it->job.done), status] { done(status); });
    it = queue_.erase(it);
  }
}

void TargetPool::Reaper() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      continue;
    }
    // Queued jobs hold no thread that could notice their cancellation: look every few ms.
    queued_.wait_for(lock, std::chrono::milliseconds(20));
    std::vector<Completion> completions;
    ExpireQueued(completions);
    if (!completions.empty()) {
      lock.unlock();
      RunCompletions(completions);
      lock.lock();
    }
  }
}

absl::StatusOr<TargetJobResult> TargetPool::RunJob(Target& target, const TargetJob& job) {
  const TargetConfig& config = target.config;
  const absl::Time deadline = std::min(job.deadline, absl::Now() + config.job_timeout);
  TargetClient& client = *target.client;
  const std::string who = absl::StrCat("target '", config.name, "' (", client.description(), ")");
  auto wrap = [&](const absl::Status& status) {
    return absl::Status(status.code(), absl::StrCat(who, ": ", status.message()));
  };
  if (auto status = client.Connect(std::min(deadline, absl::Now() + config.connect_timeout));
      !status.ok()) {
    return wrap(status);
  }
  const TargetNetwork& network = *job.network;
  const inferd_tp_capabilities_rsp& caps = client.capabilities();
  if ((caps.executors & network.required_executor) == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(who, " has no executor for ", network.description));
  }
  const uint64_t memory = std::max<uint64_t>(caps.sram_size, caps.dram_size);
  if (network.scratch_bytes > memory) {
    return absl::ResourceExhaustedError(
        absl::StrCat(network.description, " needs ", network.scratch_bytes,
                     " bytes of scratch memory; ", who, " has ", memory));
  }
  TargetJobResult result;
  result.target = config.name;
  for (int attempt = 0; attempt < 2; ++attempt) {
    // The first encoding the target has not refused; refusals are remembered per target (only
    // this worker touches refused_formats).
    const NetworkVariant* variant = nullptr;
    absl::StatusOr<NetworkUpload> upload = absl::UnimplementedError("no network encoding");
    for (const NetworkVariant& candidate : network.variants) {
      if (target.refused_formats.contains(candidate.format)) continue;
      upload = client.EnsureNetwork(candidate.id, *candidate.bytes, candidate.format, deadline);
      if (absl::IsUnimplemented(upload.status())) {
        target.refused_formats.insert(candidate.format);
        continue;
      }
      variant = &candidate;
      break;
    }
    if (!upload.ok()) {
      if (absl::IsUnimplemented(upload.status())) {
        return absl::FailedPreconditionError(
            absl::StrCat(who, " accepts none of the encodings of ", network.description));
      }
      return wrap(upload.status());
    }
    result.bytes_uploaded += upload->bytes_uploaded;
    result.network_cached = upload->cache_hit;
    target.upload_metric->Increment(static_cast<double>(upload->bytes_uploaded));
    auto response = InferJob(client, variant->id, job, deadline);
    if (!response.ok()) {
      if (absl::IsDeadlineExceeded(response.status()) && absl::Now() >= job.deadline) {
        return absl::DeadlineExceededError(absl::StrCat(who, ": request deadline passed"));
      }
      return wrap(response.status());
    }
    const uint32_t status = response->header.status;
    // The target lost the network (restart, eviction): upload again once.
    if (status == INFERD_TP_INF_NO_NETWORK && attempt == 0) continue;
    const std::string text = absl::StrCat("inference on ", network.description, " returned ",
                                          InferenceStatusName(status),
                                          response->detail.empty() ? "" : ": ", response->detail);
    switch (status) {
      case INFERD_TP_INF_OK:
        result.response = std::move(*response);
        return result;
      case INFERD_TP_INF_CANCELLED:
        return absl::CancelledError(absl::StrCat(who, ": cancelled"));
      case INFERD_TP_INF_BAD_INPUT:
        return absl::InvalidArgumentError(absl::StrCat(who, ": ", text));
      case INFERD_TP_INF_NO_MEMORY:
        return absl::ResourceExhaustedError(absl::StrCat(who, ": ", text));
      case INFERD_TP_INF_UNSUPPORTED:
        return absl::UnimplementedError(absl::StrCat(who, ": ", text));
      default:
        return absl::AbortedError(absl::StrCat(who, ": ", text));
    }
  }
  return absl::AbortedError(absl::StrCat(who, ": network vanished twice"));
}

absl::StatusOr<InferenceResponse> TargetPool::InferJob(TargetClient& client, const NetworkId& id,
                                                       const TargetJob& job, absl::Time deadline) {
  int64_t items = 1;
  if (job.batched && !job.inputs.empty() && !job.inputs[0].dims.empty()) {
    items = job.inputs[0].dims[0];
  }
  if (items <= 1 || (client.capabilities().flags & INFERD_TP_CAP_BATCH) != 0) {
    return client.Infer(id, job.inputs, job.num_outputs, job.cancellation.get(), deadline,
                        job.network->pmu_events);
  }
  // One request per item; outputs concatenated along the leading dimension, counters summed.
  InferenceResponse total;
  for (int64_t item = 0; item < items; ++item) {
    std::vector<WireTensor> inputs(job.inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
      const WireTensor& whole = job.inputs[i];
      const size_t bytes = whole.bytes().size() / static_cast<size_t>(items);
      inputs[i].dtype = whole.dtype;
      inputs[i].dims = whole.dims;
      inputs[i].dims[0] = 1;
      inputs[i].data = whole.bytes().subspan(static_cast<size_t>(item) * bytes, bytes);
    }
    auto response = client.Infer(id, inputs, job.num_outputs, job.cancellation.get(), deadline,
                                 job.network->pmu_events);
    if (!response.ok() || response->header.status != INFERD_TP_INF_OK) return response;
    if (item == 0) {
      total.header = response->header;
      total.outputs = std::move(response->outputs);
    } else {
      total.header.npu_cycles += response->header.npu_cycles;
      total.header.cpu_cycles += response->header.cpu_cycles;
      for (uint32_t p = 0; p < INFERD_TP_PMU_MAX; ++p) {
        total.header.pmu_counts[p] += response->header.pmu_counts[p];
      }
      if (response->outputs.size() != total.outputs.size()) {
        return absl::InternalError("a target returned different outputs for items of one batch");
      }
      for (size_t o = 0; o < total.outputs.size(); ++o) {
        const auto bytes = response->outputs[o].bytes();
        total.outputs[o].owned.insert(total.outputs[o].owned.end(), bytes.begin(), bytes.end());
      }
    }
  }
  // Each item's outputs have a leading dimension of 1; the batch's has `items`.
  for (WireTensor& output : total.outputs) {
    if (!output.dims.empty()) output.dims[0] = items;
  }
  return total;
}

void TargetPool::FinishJob(Target& target, QueuedJob queued, absl::StatusOr<TargetJobResult> result,
                           absl::Duration busy, std::vector<Completion>& completions) {
  target.busy_metric->Increment(absl::ToDoubleSeconds(busy));
  if (result.ok()) {
    ++target.jobs;
    target.jobs_metric->Increment();
    target.npu_cycles_metric->Increment(static_cast<double>(result->response.header.npu_cycles));
    const inferd_tp_inference_rsp& header = result->response.header;
    for (uint32_t p = 0; p < INFERD_TP_PMU_MAX; ++p) {
      if (header.pmu_events[p] == INFERD_TP_PMU_EVENT_NONE) continue;
      prometheus::Counter*& metric = target.pmu_event_metrics[header.pmu_events[p]];
      if (metric == nullptr) {
        metric = &pmu_events_family_.Add(
            {{"target", target.config.name}, {"event", std::to_string(header.pmu_events[p])}});
      }
      metric->Increment(static_cast<double>(header.pmu_counts[p]));
    }
    target.next_ping = absl::Now() + options_.health_interval;
    result->busy = busy;
    completions.push_back([done = std::move(queued.job.done),
                           value = std::move(*result)]() mutable { done(std::move(value)); });
  } else {
    ++target.failures;
    target.failures_metric->Increment();
    const absl::Status status = result.status();
    const bool cancelled =
        queued.job.cancellation != nullptr && queued.job.cancellation->IsCancelled();
    if (IsTargetFault(status) && !cancelled && absl::Now() < queued.job.deadline) {
      SetHealthy(target, false, std::string(status.message()));
      target.client->Disconnect();
      ++queued.attempts;
      queued.excluded.insert(target.config.name);
      if (queued.first_failure.empty()) queued.first_failure = std::string(status.message());
      if (queued.attempts < 2) {
        queue_.push_front(std::move(queued));  // retried on another target, or failed
      } else {
        completions.push_back([done = std::move(queued.job.done), status] {
          done(absl::UnavailableError(status.message()));
        });
      }
    } else {
      if (IsTargetFault(status)) target.client->Disconnect();
      completions.push_back([done = std::move(queued.job.done), status] { done(status); });
    }
  }
  Dispatch(completions);
  if (!queue_.empty()) queued_.notify_one();
}

TargetPool::Target* TargetPool::IdleTargetFor(const TargetJob& job) const {
  for (const auto& target : targets_) {
    if (!target->removed && !target->draining && target->healthy && !target->busy &&
        !target->assigned && LabelsMatch(target->labels, job.selector) &&
        (target->executors == 0 || (target->executors & job.network->required_executor) != 0)) {
      return target.get();
    }
  }
  return nullptr;
}

void TargetPool::Run(TargetJob job) {
  std::unique_lock lock(mutex_);
  Target* target = stopping_ || !queue_.empty() ? nullptr : IdleTargetFor(job);
  if (target == nullptr) {
    lock.unlock();
    Submit(std::move(job));
    return;
  }
  // `busy` keeps the target's worker off the client (no probe, no removal) until we are done.
  target->busy = true;
  lock.unlock();
  QueuedJob queued;
  queued.job = std::move(job);
  const absl::Time start = absl::Now();
  absl::StatusOr<TargetJobResult> result = RunJob(*target, queued.job);
  const absl::Duration busy = absl::Now() - start;
  lock.lock();
  target->busy = false;
  // Only a worker that waits for this job needs waking: a notify on every job would cost the
  // worker two wake-ups (the condition variable, then the mutex we hold).
  if (target->worker_parked) target->wake.notify_one();
  std::vector<Completion> completions;
  FinishJob(*target, std::move(queued), std::move(result), busy, completions);
  lock.unlock();
  RunCompletions(completions);
}

void TargetPool::Worker(Target* target) {
  std::unique_lock lock(mutex_);
  while (true) {
    if (target->busy) {  // a job runs on a caller's thread (Run); it wakes us when done
      target->worker_parked = true;
      target->wake.wait(lock);
      target->worker_parked = false;
      continue;
    }
    if (target->removed) {
      if (target->assigned) {
        queue_.push_front(std::move(*target->assigned));
        target->assigned.reset();
        std::vector<Completion> completions;
        Dispatch(completions);
        lock.unlock();
        RunCompletions(completions);
        lock.lock();
      }
      break;
    }
    if (target->assigned) {
      QueuedJob queued = std::move(*target->assigned);
      target->assigned.reset();
      target->busy = true;
      lock.unlock();
      const absl::Time start = absl::Now();
      absl::StatusOr<TargetJobResult> result = RunJob(*target, queued.job);
      const absl::Duration busy = absl::Now() - start;
      lock.lock();
      target->busy = false;
      std::vector<Completion> completions;
      FinishJob(*target, std::move(queued), std::move(result), busy, completions);
      lock.unlock();
      RunCompletions(completions);
      lock.lock();
      continue;
    }
    const absl::Time now = absl::Now();
    const bool requested = target->probe_requests > target->probes_done;
    const bool probe_due = requested || (!target->healthy && now >= target->next_probe) ||
                           (target->healthy && !target->draining && now >= target->next_ping);
    if (probe_due) {
      const uint64_t request = target->probe_requests;
      target->busy = true;
      lock.unlock();
      absl::Status status = target->client->Connect(absl::Now() + target->config.connect_timeout);
      if (status.ok()) status = target->client->Ping(absl::Now() + target->config.connect_timeout);
      lock.lock();
      target->busy = false;
      if (status.ok()) {
        LearnCapabilities(*target);
        SetHealthy(*target, true, "");
        target->next_ping = absl::Now() + options_.health_interval;
      } else {
        const bool was_healthy = target->healthy;
        SetHealthy(*target, false, std::string(status.message()));
        if (!was_healthy) {
          target->backoff = std::min(target->backoff * 2, options_.probe_backoff_max);
          target->next_probe = absl::Now() + target->backoff;
        }
      }
      target->probes_done = std::max(target->probes_done, request);
      target->last_probe = status;
      std::vector<Completion> completions;
      Dispatch(completions);
      changed_.notify_all();
      lock.unlock();
      RunCompletions(completions);
      lock.lock();
      continue;
    }
    const absl::Time wake = !target->healthy   ? target->next_probe
                            : target->draining ? absl::InfiniteFuture()
                                               : target->next_ping;
    if (wake == absl::InfiniteFuture()) {
      target->wake.wait(lock);
    } else {
      target->wake.wait_until(lock, absl::ToChronoTime(wake));
    }
  }
}

}  // namespace inferd::ethosu

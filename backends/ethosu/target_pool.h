// TargetPool: the inference targets inferd can send jobs to, and the queue in front of them.
//
// Jobs wait in one FIFO queue per pool and are handed to the first free, healthy, non-draining
// target (in the order targets were added) whose labels match the job's selector. Each target has
// one worker thread, the only user of its TargetClient. A target that fails a job (the stream
// broke, it stopped answering, it broke the protocol) is marked unhealthy and the job is retried
// once on another matching target; otherwise the job fails UNAVAILABLE naming the target. An
// unhealthy target's worker probes it (reconnect + PING) with backoff until it answers again;
// idle healthy targets are PINGed every health_interval.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "backends/ethosu/protocol/messages.h"
#include "backends/ethosu/target_client.h"
#include "backends/ethosu/target_config.h"
#include "engine/cancellation.h"
#include "engine/tensor.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace inferd::ethosu {

// One encoding of a network: the bytes sent, their id and format.
struct NetworkVariant {
  NetworkId id{};
  uint32_t format = INFERD_TP_NETWORK_FORMAT_TOSA;
  std::shared_ptr<const std::vector<uint8_t>> bytes;
};

// A network as the pool uploads it, and what it needs of a target. A TOSA model comes in more
// than one encoding (the .tosa flatbuffer; a cpu job pre-lowered for firmware that cannot parse
// flatbuffers): a target gets the first one it has an executor for, and the pool remembers which.
struct TargetNetwork {
  std::vector<NetworkVariant> variants;                  // in order of preference; never empty
  uint32_t required_executor = INFERD_TP_EXEC_TOSA_CPU;  // INFERD_TP_EXEC_* bit
  uint64_t scratch_bytes = 0;  // arena the network needs on the target; 0: unknown / none
  // NPU PMU events (ethosu_pmu_event_type numbers) each job asks the target to count; 0: unused.
  std::array<uint32_t, INFERD_TP_PMU_MAX> pmu_events{};
  std::string description;  // for messages, e.g. "model 'digits' v1"
};

struct TargetJobResult {
  InferenceResponse response;
  std::string target;
  uint64_t bytes_uploaded = 0;
  bool network_cached = false;
  absl::Duration busy;
};

struct TargetJob {
  std::map<std::string, std::string> selector;
  std::shared_ptr<const TargetNetwork> network;
  std::vector<WireTensor> inputs;  // views of `keep_alive`'s bytes
  std::vector<Tensor> keep_alive;
  uint32_t num_outputs = 0;
  // The inputs' leading dimension counts batch items; sent per item to targets without
  // INFERD_TP_CAP_BATCH.
  bool batched = false;
  std::shared_ptr<CancellationToken> cancellation;  // may be null
  absl::Time deadline = absl::InfiniteFuture();
  std::function<void(absl::StatusOr<TargetJobResult>)> done;
};

struct TargetStatus {
  std::string name;
  std::string kind;
  std::string address;
  std::map<std::string, std::string> labels;
  bool healthy = false;
  bool draining = false;
  bool busy = false;
  uint64_t jobs = 0;
  uint64_t failures = 0;
  std::string last_error;
  std::string agent;  // VERSION_RSP agent name, when known
};

struct TargetPoolOptions {
  absl::Duration health_interval = absl::Seconds(5);
  absl::Duration probe_backoff_min = absl::Milliseconds(100);
  absl::Duration probe_backoff_max = absl::Seconds(5);
  // Targets the pool holds at most, from --targets-config and the admin API together: each has a
  // worker thread and a connection. 0: no limit.
  size_t max_targets = 64;
  TargetClientOptions client;
};

class TargetPool {
 public:
  // `registry` receives the inferd_target_* families; null: metrics are kept privately.
  explicit TargetPool(TargetPoolOptions options = {},
                      std::shared_ptr<prometheus::Registry> registry = nullptr);
  ~TargetPool();

  TargetPool(const TargetPool&) = delete;
  TargetPool& operator=(const TargetPool&) = delete;

  // Adds a target and tries to connect once (within its connect timeout) to learn its
  // capabilities, which add labels: npu=ethos-u55-128 (or none), executor=ethosu / cpu. A target
  // that does not answer is added unhealthy and probed in the background. ALREADY_EXISTS for a
  // taken name, INVALID_ARGUMENT for a bad config, RESOURCE_EXHAUSTED (before connecting) when the
  // pool already holds options.max_targets targets.
  absl::Status AddTarget(const TargetConfig& config);
  // Stops giving the target jobs; its running job finishes.
  absl::Status DrainTarget(const std::string& name);
  // Removes the target once its running job (if any) has finished. NOT_FOUND for unknown names.
  absl::Status RemoveTarget(const std::string& name);
  std::vector<TargetStatus> ListTargets() const;

  // Probes one target now (reconnect + PING) from its worker and waits for the outcome.
  absl::Status CheckTarget(const std::string& name);

  // True when some target (healthy or not, not draining) matches the selector.
  bool HasMatchingTarget(const std::map<std::string, std::string>& selector) const;

  // Queues a job; `job.done` runs exactly once on a pool thread (or on this thread when the job
  // is refused at once: no matching target).
  void Submit(TargetJob job);

  // Runs a job on the calling thread when a matching target is idle and nothing is queued, and
  // returns after `job.done` has run; otherwise queues it like Submit. For callers that wait for
  // the job anyway (the backend's Execute, whose scheduler worker blocks until completion): it
  // saves the hand-over to the target's worker thread and back.
  void Run(TargetJob job);

 private:
  struct Target;
  struct QueuedJob {
    TargetJob job;
    std::set<std::string> excluded;  // targets that already failed it
    int attempts = 0;
    std::string first_failure;
  };
  using Completion = std::function<void()>;

  void Worker(Target* target);
  // RESOURCE_EXHAUSTED when the pool holds options_.max_targets targets. mutex_ held.
  absl::Status CheckRoomForTarget(const std::string& name) const;
  // Drops a target's metric series (on removal, or when its add is refused).
  void RemoveTargetMetrics(const Target& target);
  // A matching, healthy target with no job, or null. mutex_ held.
  Target* IdleTargetFor(const TargetJob& job) const;
  // Books a finished job: metrics, health, a retry on another target or the completion. Calls
  // Dispatch. mutex_ held.
  void FinishJob(Target& target, QueuedJob queued, absl::StatusOr<TargetJobResult> result,
                 absl::Duration busy, std::vector<Completion>& completions);
  absl::StatusOr<TargetJobResult> RunJob(Target& target, const TargetJob& job);
  // Infer, once or (for a batch on a target that does not split batches) once per item.
  static absl::StatusOr<InferenceResponse> InferJob(TargetClient& client, const NetworkId& id,
                                                    const TargetJob& job, absl::Time deadline);
  // Hands queued jobs to free targets; fails jobs nothing can take. mutex_ held.
  void Dispatch(std::vector<Completion>& completions);
  // Fails queued jobs that were cancelled or ran past their deadline. mutex_ held.
  void ExpireQueued(std::vector<Completion>& completions);
  void Reaper();
  void SetHealthy(Target& target, bool healthy, const std::string& error);  // mutex_ held
  void LearnCapabilities(Target& target);                                   // mutex_ held
  static void RunCompletions(std::vector<Completion>& completions);

  const TargetPoolOptions options_;
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& jobs_family_;
  prometheus::Family<prometheus::Counter>& failures_family_;
  prometheus::Family<prometheus::Counter>& busy_family_;
  prometheus::Family<prometheus::Counter>& npu_cycles_family_;
  prometheus::Family<prometheus::Counter>& pmu_events_family_;
  prometheus::Family<prometheus::Counter>& upload_family_;
  prometheus::Family<prometheus::Gauge>& healthy_family_;

  // Wakes every worker and the reaper: for changes to the set of targets or to the pool itself.
  // mutex_ held.
  void WakeAll();

  mutable std::mutex mutex_;
  // Three kinds of waiters, each woken only for what it waits on, so that a job does not wake
  // every thread of the pool: a target's worker on its own `wake`; the reaper on `queued_` (jobs
  // left waiting in the queue); CheckTarget callers on `changed_` (probes done).
  std::condition_variable changed_;
  std::condition_variable queued_;
  std::vector<std::unique_ptr<Target>> targets_;  // in the order added
  std::deque<QueuedJob> queue_;
  bool stopping_ = false;
  std::thread reaper_;
};

}  // namespace inferd::ethosu

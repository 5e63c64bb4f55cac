// inferd: the daemon. Wires the backends, the model manager, the gRPC services and the metrics
// endpoint together, then serves until SIGINT or SIGTERM, when it drains in-flight requests and
// exits.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "backends/ethosu/target_pool.h"
#include "engine/backend_registry.h"
#include "engine/metrics.h"
#include "engine/model_manager.h"
#include "engine/model_repository.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/admin_service.h"
#include "server/builtin_backends.h"
#include "server/daemon_options.h"
#include "server/descriptor_limit.h"
#include "server/device_admin_service.h"
#include "server/grpc_access_control.h"
#include "server/grpc_server_options.h"
#include "server/grpc_status.h"
#include "server/grpc_tls_credentials.h"
#include "server/health_service.h"
#include "server/http/http_server.h"
#include "server/http/http_tls.h"
#include "server/inference_service.h"
#include "server/metrics_endpoint.h"
#include "server/model_admin_service.h"
#include "server/process_metrics.h"
#include "server/request_memory_budget.h"
#include "server/security/exposure_warnings.h"
#include "server/security/refused_requests.h"
#include "server/security/restricted_groups.h"
#include "server/shared_memory/system_shared_memory.h"
#include "server/target_admission.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

#ifndef INFERD_VERSION
#define INFERD_VERSION "0.0.0"
#endif

namespace inferd {
namespace {

int Fail(const std::string& message) {
  spdlog::critical("{}", message);
  return 1;
}

// The operator-only listener (--allow-admin): TargetAdmin alone, on its own address, so that
// the public listener never carries it. Null when it cannot listen.
std::unique_ptr<grpc::Server> StartAdminListener(
    const DaemonOptions& options, AdminService& admin_service, const TargetAdmission& admission,
    const std::shared_ptr<grpc::ServerCredentials>& credentials) {
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(absl::StrCat(options.admin_address, ":", options.admin_port),
                           credentials, &bound_port);
  builder.RegisterService(&admin_service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port == 0) return nullptr;
  // Tests parse "admin listening on ADDR:PORT" (tests/integration/daemon_process.cc).
  spdlog::info("admin listening on {}:{}: inferd.admin.TargetAdmin; {}", options.admin_address,
               bound_port, admission.Describe());
  return server;
}

// The credentials every gRPC listener uses: TLS from the operator's files, or none.
absl::StatusOr<std::unique_ptr<GrpcTlsCredentials>> MakeTls(const DaemonOptions& options) {
  if (!options.grpc_use_ssl) return nullptr;
  auto tls = GrpcTlsCredentials::Create({.certificate = options.grpc_server_cert,
                                         .private_key = options.grpc_server_key,
                                         .root_certificates = options.grpc_root_cert,
                                         .require_client_certificate = options.grpc_use_ssl_mutual,
                                         .flag_prefix = "grpc"});
  if (!tls.ok()) return tls.status();
  spdlog::info("gRPC TLS{}: certificate {}",
               options.grpc_use_ssl_mutual ? " with client certificates required" : "",
               (*tls)->summary());
  return tls;
}

// The HTTP listener's TLS from the operator's files (--http-use-ssl), or none.
absl::StatusOr<std::unique_ptr<http::HttpTls>> MakeHttpTls(const DaemonOptions& options) {
  if (!options.allow_http || !options.http_use_ssl) return nullptr;
  auto tls = http::HttpTls::Create({.certificate = options.http_server_cert,
                                    .private_key = options.http_server_key,
                                    .root_certificates = options.http_root_cert,
                                    .require_client_certificate = options.http_use_ssl_mutual,
                                    .flag_prefix = "http"});
  if (!tls.ok()) return tls.status();
  spdlog::info("HTTP TLS{}: certificate {}",
               options.http_use_ssl_mutual ? " with client certificates required" : "",
               (*tls)->summary());
  return tls;
}

// Warns about each group that changes the server and that the network can reach through the
// HTTP listener with nothing in the way (docs/security.md).
void WarnAboutHttpExposure(const DaemonOptions& options, const RestrictedGroups& groups) {
  ListenerExposure exposure;
  exposure.name = "the HTTP listener";
  exposure.address = options.http_address;
  exposure.tls = options.http_use_ssl;
  exposure.mutual_tls = options.http_use_ssl_mutual;
  exposure.restrict_flag = "--http-restricted-api";
  exposure.tls_flag = "--http-use-ssl";
  exposure.mutual_tls_flag = "--http-use-ssl-mutual";
  if (options.model_control_mode == "explicit") {
    exposure.sensitive_groups.emplace_back(ProtocolGroup::kModelRepository,
                                           "can load and unload every model");
  }
  for (const std::string& warning : ExposureWarnings(exposure, groups)) spdlog::warn("{}", warning);
}

// The same for the gRPC listeners, public and admin.
void WarnAboutExposure(const DaemonOptions& options, const RestrictedGroups& groups) {
  auto listener = [&](const char* name, const std::string& address) {
    ListenerExposure exposure;
    exposure.name = name;
    exposure.address = address;
    exposure.tls = options.grpc_use_ssl;
    exposure.mutual_tls = options.grpc_use_ssl_mutual;
    return exposure;
  };
  ListenerExposure public_listener = listener("the public gRPC listener", options.grpc_address);
  if (options.model_control_mode == "explicit") {
    public_listener.sensitive_groups.emplace_back(ProtocolGroup::kModelRepository,
                                                  "can load and unload every model");
  }
  ListenerExposure admin_listener = listener("the admin listener", options.admin_address);
  if (options.allow_admin) {
    admin_listener.sensitive_groups.emplace_back(ProtocolGroup::kAdmin,
                                                 "can add, drain and remove inference targets");
  }
  for (const ListenerExposure& exposure : {public_listener, admin_listener}) {
    for (const std::string& warning : ExposureWarnings(exposure, groups)) {
      spdlog::warn("{}", warning);
    }
  }
}

// SIGHUP: rereads one listener's TLS files (`tls` null when it has none). A bad file leaves the
// running certificate in place. Tests wait for "<protocol> TLS certificates reloaded".
template <typename Tls>
void ReloadTls(const char* protocol, Tls* tls, const std::string& when) {
  if (tls == nullptr) {
    spdlog::info("received SIGHUP; {} has no TLS, so there is nothing to reload", protocol);
    return;
  }
  auto reloaded = tls->Reload();
  if (!reloaded.ok()) {
    spdlog::error(
        "received SIGHUP; {} TLS certificates not reloaded, the previous ones stay in use: {}",
        protocol, std::string(reloaded.status().message()));
    return;
  }
  spdlog::info(
      "received SIGHUP; {} TLS certificates reloaded: {}; open connections keep theirs, new ones "
      "get it {}",
      protocol, *reloaded, when);
}

// How long gRPC may go on writing answers once the listener is closed.
constexpr absl::Duration kFinalWriteGrace = absl::Seconds(1);

// Unloads every model, letting queued and running requests finish, until `deadline`. Past it,
// requests still queued and calls still running are answered UNAVAILABLE; returns false then.
bool DrainModels(ModelManager& models, InferenceService& service, absl::Time deadline) {
  // The versions that may hold requests, kept alive here so they can be told to give up.
  const std::vector<std::shared_ptr<ServingModel>> serving = models.ReadyModels();
  auto done = std::make_shared<absl::Notification>();
  std::thread([&models, done] {
    models.Shutdown();
    done->Notify();
  }).detach();
  if (done->WaitForNotificationWithDeadline(deadline)) return true;
  const absl::Status shutting_down = absl::UnavailableError(
      "the server is shutting down and its exit timeout passed before this request completed");
  size_t queued = 0;
  for (const auto& model : serving) queued += model->AbortQueued(shutting_down);
  const size_t running = service.FinishInFlight(ToGrpcStatus(shutting_down));
  spdlog::error(
      "in-flight requests did not finish within the exit timeout: answered {} queued and {} "
      "running request(s) with UNAVAILABLE",
      queued, running);
  return false;
}

int RunDaemon(const DaemonOptions& options) {
  // A daemon logs to stderr; stdout stays free for what a user asked to print.
  spdlog::set_default_logger(spdlog::stderr_color_mt("inferd"));
  spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] %v");
  spdlog::set_level(options.log_verbose == 0   ? spdlog::level::info
                    : options.log_verbose == 1 ? spdlog::level::debug
                                               : spdlog::level::trace);
  spdlog::flush_on(spdlog::level::trace);

  // Signals are taken synchronously by this thread (sigwait) rather than by a handler, so shutdown
  // runs as ordinary code. Blocked before any thread starts, so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);  // rereads the TLS files
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  if (auto limit = RaiseDescriptorLimit(); limit.ok()) {
    spdlog::info("open file limit (RLIMIT_NOFILE): {} (was {})", limit->after, limit->before);
  } else {
    spdlog::warn("open file limit not raised: {}", std::string(limit.status().message()));
  }

  auto repository = ResolveModelRepository(options);
  if (!repository.ok()) return Fail(std::string(repository.status().message()));
  // Checked before anything listens, so a typo in the path fails fast and says so.
  if (auto status = ModelRepository(*repository).CheckExists(); !status.ok()) {
    return Fail(std::string(status.message()));
  }
  auto mode = ParseModelControlMode(options.model_control_mode);
  if (!mode.ok()) return Fail(std::string(mode.status().message()));
  spdlog::info("inferd {} starting: repository {}, model control mode {}", INFERD_VERSION,
               *repository, options.model_control_mode);

  // What the admin API may add to the target pool (flags checked again here: a library caller
  // could have filled DaemonOptions without ParseDaemonOptions).
  auto admission = TargetAdmission::FromFlags(options.admin_allowed_tcp_targets,
                                              options.admin_allowed_serial_devices);
  if (!admission.ok()) return Fail(std::string(admission.status().message()));

  MetricsRegistry metrics;
  // Inference targets for the ethosu backend: a bad file is fatal, an unreachable target is not
  // (it is probed until it answers).
  ethosu::TargetPoolOptions pool_options;
  pool_options.max_targets = static_cast<size_t>(options.max_targets);
  auto target_pool = std::make_shared<ethosu::TargetPool>(pool_options, metrics.registry());
  if (!options.targets_config.empty()) {
    auto targets = ethosu::LoadTargetsConfig(options.targets_config);
    if (!targets.ok()) return Fail(std::string(targets.status().message()));
    for (const ethosu::TargetConfig& target : *targets) {
      if (auto status = target_pool->AddTarget(target); !status.ok()) {
        return Fail(std::string(status.message()));
      }
    }
    for (const ethosu::TargetStatus& target : target_pool->ListTargets()) {
      spdlog::info("target '{}' ({} {}): {}", target.name, target.kind, target.address,
                   target.healthy ? "ready" : "not answering: " + target.last_error);
    }
  }
  const VulkanSettings vulkan{.device_filter = options.vulkan_device_filter,
                              .pipeline_cache_dir = options.vulkan_pipeline_cache_dir,
                              .robust_buffer_access = options.vulkan_robust_buffer_access};
  if (!vulkan.pipeline_cache_dir.empty()) {
    // Checked now, so that a typo stops the start rather than every later save.
    std::error_code error;
    std::filesystem::create_directories(vulkan.pipeline_cache_dir, error);
    if (error || access(vulkan.pipeline_cache_dir.c_str(), W_OK) != 0) {
      return Fail(absl::StrCat("--vulkan-pipeline-cache-dir=", vulkan.pipeline_cache_dir,
                               ": not a writable folder",
                               error ? absl::StrCat(" (", error.message(), ")") : ""));
    }
  }
  BackendRegistry backends;
  if (auto status = RegisterBuiltinBackends(backends, target_pool, vulkan); !status.ok()) {
    return Fail(std::string(status.message()));
  }
  spdlog::info("{}", VulkanStartupNote());

  ModelVersionLoaderOptions loader_options;
  loader_options.default_max_queue_size = static_cast<size_t>(options.max_queue_size);
  ModelManagerOptions manager_options;
  manager_options.repository = *repository;
  manager_options.mode = *mode;
  manager_options.startup_models = options.load_models;
  manager_options.poll_interval = absl::Seconds(options.repository_poll_secs);
  manager_options.load_threads = options.model_load_threads;
  manager_options.load_queue_size = static_cast<size_t>(options.model_load_queue_size);
  manager_options.max_model_file_size = static_cast<uint64_t>(options.max_model_file_size);
  manager_options.push_parent = options.model_push_dir;
  manager_options.push_limits = {.max_bytes = static_cast<uint64_t>(options.max_model_push_bytes),
                                 .max_files = static_cast<size_t>(options.max_model_push_files)};
  ModelManager models(manager_options, ModelVersionLoader(loader_options, &backends, &metrics));

  std::unique_ptr<MetricsEndpoint> metrics_endpoint;
  auto process_metrics = std::make_shared<ProcessMetrics>();
  // Held here: the endpoint keeps only weak references.
  const std::vector<std::shared_ptr<prometheus::Collectable>> backend_metrics =
      BuiltinBackendMetrics();
  if (options.allow_metrics) {
    auto started = MetricsEndpoint::Start(options.metrics_address, options.metrics_port);
    if (!started.ok()) return Fail(std::string(started.status().message()));
    metrics_endpoint = *std::move(started);
    metrics_endpoint->Register(metrics.registry());
    metrics_endpoint->Register(process_metrics);
    for (const auto& collectable : backend_metrics) metrics_endpoint->Register(collectable);
    spdlog::info("metrics listening on {}:{}", options.metrics_address, metrics_endpoint->port());
  }

  // Access control: groups restricted to calls with a header, refusals counted.
  auto restricted = RestrictedGroups::Parse(options.grpc_restricted_protocols);
  if (!restricted.ok()) return Fail(std::string(restricted.status().message()));
  RefusedRequests refused_requests(*metrics.registry());
  const GrpcAccessControl access(*restricted, &refused_requests);
  auto tls = MakeTls(options);
  if (!tls.ok()) return Fail(std::string(tls.status().message()));
  const std::shared_ptr<grpc::ServerCredentials> credentials =
      *tls != nullptr ? (*tls)->credentials() : grpc::InsecureServerCredentials();
  WarnAboutExposure(options, *restricted);
  auto http_restricted = RestrictedGroups::Parse(options.http_restricted_apis);
  if (!http_restricted.ok()) return Fail(std::string(http_restricted.status().message()));
  if (options.allow_http) WarnAboutHttpExposure(options, *http_restricted);
  auto http_tls = MakeHttpTls(options);
  if (!http_tls.ok()) return Fail(std::string(http_tls.status().message()));

  RequestMemoryBudget request_memory(options.max_inflight_request_bytes);
  // Triton's system shared memory; off with --max-shared-memory-regions=0 (docs/shared-memory.md).
  std::unique_ptr<SystemSharedMemory> shared_memory;
  if (options.max_shared_memory_regions > 0) {
    shared_memory = std::make_unique<SystemSharedMemory>(SharedMemoryLimits{
        .max_regions = static_cast<size_t>(options.max_shared_memory_regions),
        .max_total_bytes = static_cast<uint64_t>(options.max_shared_memory_bytes)});
  }
  InferenceService service(&models, {.memory_budget = &request_memory,
                                     .metrics = &metrics,
                                     .allow_log_settings_update = options.allow_log_settings_update,
                                     .access = &access,
                                     .shared_memory = shared_memory.get()});
  AdminService admin_service(target_pool, *admission, &access);
  ModelAdminService model_admin_service(&models, &access);
  DeviceAdminService device_admin_service([vulkan] { return ListBackendDevices(vulkan); }, &access);
  // inferd's own grpc.health.v1, so that health checks pass through access control too.
  HealthService health(&access);
  grpc::EnableDefaultHealthCheckService(false);
  grpc::ServerBuilder builder;
  int bound_port = 0;
  const std::string grpc_address = absl::StrCat(options.grpc_address, ":", options.grpc_port);
  builder.AddListeningPort(grpc_address, credentials, &bound_port);
  // The public listener: inference, health and read-only observability. TargetAdmin is not
  // registered here, so it answers UNIMPLEMENTED (docs/security.md).
  builder.RegisterService(&service);
  builder.RegisterService(&model_admin_service);
  builder.RegisterService(&device_admin_service);
  builder.RegisterService(&health);
  ApplyGrpcServerLimits(options, builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port == 0) {
    return Fail(absl::StrCat("cannot listen for gRPC on ", grpc_address));
  }
  spdlog::info("gRPC listening on {}:{}{}", options.grpc_address, bound_port,
               !options.grpc_use_ssl         ? " (plaintext)"
               : options.grpc_use_ssl_mutual ? " (TLS, client certificates required)"
                                             : " (TLS)");
  spdlog::info(
      "public services on {}:{}: inference.GRPCInferenceService, grpc.health.v1.Health, "
      "inferd.admin.ModelAdmin, inferd.admin.DeviceAdmin (read-only)",
      options.grpc_address, bound_port);
  spdlog::info("restricted protocol groups: {}", restricted->Describe());

  // HTTP/REST over the same service, so both protocols share its checks, limits and statistics.
  std::unique_ptr<http::HttpServer> http_server;
  if (options.allow_http) {
    auto started = http::HttpServer::Start(&service, {.address = options.http_address,
                                                      .port = options.http_port,
                                                      .threads = options.http_thread_count,
                                                      .max_input_size = options.http_max_input_size,
                                                      .memory_budget = &request_memory,
                                                      .restricted = &*http_restricted,
                                                      .refused = &refused_requests,
                                                      .tls = http_tls->get()});
    if (!started.ok()) {
      server->Shutdown();
      return Fail(std::string(started.status().message()));
    }
    http_server = *std::move(started);
    // Tests parse "HTTP listening on ADDR:PORT" (tests/integration/daemon_process.cc).
    spdlog::info("HTTP listening on {}:{}: the KServe v2 REST API{}", options.http_address,
                 http_server->port(),
                 !options.http_use_ssl         ? " (plaintext)"
                 : options.http_use_ssl_mutual ? " (HTTPS, client certificates required)"
                                               : " (HTTPS)");
    spdlog::info("restricted HTTP API groups: {}", http_restricted->Describe());
  } else {
    spdlog::info("HTTP/REST endpoint off (--allow-http=false)");
  }

  std::unique_ptr<grpc::Server> admin_server;
  if (options.allow_admin) {
    admin_server = StartAdminListener(options, admin_service, *admission, credentials);
    if (admin_server == nullptr) {
      server->Shutdown();
      return Fail(absl::StrCat("cannot listen for admin gRPC on ", options.admin_address, ":",
                               options.admin_port));
    }
  } else {
    spdlog::info(
        "admin listener off (--allow-admin=false): inferd.admin.TargetAdmin is not served");
  }

  if (auto status = models.Start(); !status.ok()) {
    if (admin_server != nullptr) admin_server->Shutdown();
    server->Shutdown();
    return Fail(std::string(status.message()));
  }
  size_t ready = models.ReadyModels().size();
  service.SetReady(true);
  health.SetServing(true);
  spdlog::info("inferd ready: {} model version(s) serving", ready);

  int signal_number = 0;
  for (;;) {
    sigwait(&stop_signals, &signal_number);
    if (signal_number != SIGHUP) break;
    ReloadTls("gRPC", tls->get(),
              absl::StrCat("within ", GrpcTlsCredentials::kRefreshSeconds, " s"));
    if (options.allow_http) ReloadTls("HTTP", http_tls->get(), "at once");
  }
  const absl::Time drain_deadline = absl::Now() + absl::Seconds(options.exit_timeout_secs);
  // From here new requests are answered UNAVAILABLE ("the server is shutting down"). Turned on
  // before the log line, so that whoever reads "received SIGTERM" knows new requests are refused
  // (a request that raced the line used to be accepted and queued behind the drain).
  service.BeginShutdown();
  health.SetServing(false);
  spdlog::info("received {}; finishing in-flight requests (at most {} s)",
               signal_number == SIGTERM ? "SIGTERM" : "SIGINT", options.exit_timeout_secs);
  const bool drained = DrainModels(models, service, drain_deadline);
  if (!drained && http_server != nullptr) {
    http_server->AbortWaiting(absl::UnavailableError(
        "the server is shutting down and its exit timeout passed before this request completed"));
  }
  // Every response the engine completed is now in gRPC's hands; wait until gRPC has written them
  // (each call's OnDone) before stopping it, since stopping cancels calls still being written.
  // When the drain used up the whole timeout, the answers it just gave still get a second.
  const absl::Time write_deadline = std::max(drain_deadline, absl::Now() + absl::Seconds(1));
  if (const size_t unwritten = service.WaitForInFlight(write_deadline); unwritten > 0) {
    spdlog::warn("{} response(s) were not written before the deadline (slow or gone clients)",
                 unwritten);
  }
  // The listener closes at once and connections get GOAWAY; calls that are still being answered
  // (refusals of requests that arrived during the drain) get a moment to be written, after which
  // gRPC cancels what is left and drops the connections.
  // HTTP workers write the answers they hold before their threads are joined.
  http_server.reset();
  if (admin_server != nullptr) admin_server->Shutdown(absl::ToChronoTime(absl::Now()));
  server->Shutdown(absl::ToChronoTime(absl::Now() + kFinalWriteGrace));
  server->Wait();
  if (!drained) {
    // A backend still holds a request (a target that never answers): its thread cannot be joined,
    // so leave without running destructors that would wait for it.
    spdlog::error("inferd stopped after its exit timeout (exit code 1)");
    spdlog::shutdown();
    std::_Exit(1);
  }
  spdlog::info("inferd stopped");
  return 0;
}

}  // namespace
}  // namespace inferd

int main(int argc, char** argv) {
  // Debian builds Abseil with Mutex deadlock detection on (a debug aid): every absl::Mutex lock,
  // gRPC's included, then records itself in a process-wide lock graph, several thousand
  // instructions per inference request (benchmarks/README.md). Set before any thread starts.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  auto options = inferd::ParseDaemonOptions(argc, argv);
  if (!options.ok()) {
    std::fprintf(stderr, "inferd: %s\n", std::string(options.status().message()).c_str());
    return 2;
  }
  if (options->show_help) {
    std::fputs(inferd::DaemonUsage().c_str(), stdout);
    return 0;
  }
  if (options->show_version) {
    std::printf("inferd %s\n", INFERD_VERSION);
    return 0;
  }
  return inferd::RunDaemon(*options);
}

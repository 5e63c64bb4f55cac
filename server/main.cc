// inferd: the daemon. Wires the backends, the model manager, the gRPC services and the metrics
// endpoint together, then serves until SIGINT or SIGTERM, when it drains in-flight requests and
// exits.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "backends/ethosu/target_pool.h"
#include "engine/backend_registry.h"
#include "engine/metrics.h"
#include "engine/model_manager.h"
#include "engine/model_repository.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "prometheus/exposer.h"
#include "server/admin_service.h"
#include "server/builtin_backends.h"
#include "server/daemon_options.h"
#include "server/inference_service.h"
#include "server/model_admin_service.h"
#include "server/process_metrics.h"
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
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

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

  MetricsRegistry metrics;
  // Inference targets for the ethosu backend: a bad file is fatal, an unreachable target is not
  // (it is probed until it answers).
  auto target_pool =
      std::make_shared<ethosu::TargetPool>(ethosu::TargetPoolOptions{}, metrics.registry());
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
  BackendRegistry backends;
  if (auto status = RegisterBuiltinBackends(backends, target_pool); !status.ok()) {
    return Fail(std::string(status.message()));
  }

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
  ModelManager models(manager_options, ModelVersionLoader(loader_options, &backends, &metrics));

  std::unique_ptr<prometheus::Exposer> exposer;
  auto process_metrics = std::make_shared<ProcessMetrics>();
  if (options.allow_metrics) {
    const std::string address = absl::StrCat(options.metrics_address, ":", options.metrics_port);
    try {
      // civetweb reports a bind failure by throwing; nothing else in inferd uses exceptions.
      exposer = std::make_unique<prometheus::Exposer>(address);
    } catch (const std::exception& error) {
      return Fail(absl::StrCat("cannot serve metrics on ", address, ": ", error.what()));
    }
    exposer->RegisterCollectable(metrics.registry());
    exposer->RegisterCollectable(process_metrics);
    const auto ports = exposer->GetListeningPorts();
    spdlog::info("metrics listening on {}:{}", options.metrics_address,
                 ports.empty() ? options.metrics_port : ports.front());
  }

  InferenceService service(&models);
  AdminService admin_service(target_pool);
  ModelAdminService model_admin_service(&models);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int bound_port = 0;
  const std::string grpc_address = absl::StrCat(options.grpc_address, ":", options.grpc_port);
  builder.AddListeningPort(grpc_address, grpc::InsecureServerCredentials(), &bound_port);
  builder.RegisterService(&service);
  builder.RegisterService(&admin_service);
  builder.RegisterService(&model_admin_service);
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.grpc_max_message_size));
  builder.SetMaxSendMessageSize(static_cast<int>(options.grpc_max_message_size));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port == 0) {
    return Fail(absl::StrCat("cannot listen for gRPC on ", grpc_address));
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  if (health) health->SetServingStatus(false);
  spdlog::info("gRPC listening on {}:{}", options.grpc_address, bound_port);

  if (auto status = models.Start(); !status.ok()) {
    server->Shutdown();
    return Fail(std::string(status.message()));
  }
  size_t ready = models.ReadyModels().size();
  service.SetReady(true);
  if (health) health->SetServingStatus(true);
  spdlog::info("inferd ready: {} model version(s) serving", ready);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("received {}; finishing in-flight requests (at most {} s)",
               signal_number == SIGTERM ? "SIGTERM" : "SIGINT", options.exit_timeout_secs);
  service.SetReady(false);
  if (health) health->SetServingStatus(false);
  // Drain the models first: every queued or running inference completes and answers its client, and
  // new ones are refused with UNAVAILABLE. Only then stop gRPC, which has nothing left in flight to
  // wait for (gRPC's own graceful shutdown would also wait on idle client connections).
  std::future<void> drained = std::async(std::launch::async, [&models] { models.Shutdown(); });
  if (drained.wait_for(std::chrono::seconds(options.exit_timeout_secs)) !=
      std::future_status::ready) {
    spdlog::error("in-flight requests did not finish within {} s; exiting without them",
                  options.exit_timeout_secs);
    server->Shutdown(absl::ToChronoTime(absl::Now()));
    std::_Exit(1);
  }
  server->Shutdown(absl::ToChronoTime(absl::Now()));
  server->Wait();
  spdlog::info("inferd stopped");
  return 0;
}

}  // namespace
}  // namespace inferd

int main(int argc, char** argv) {
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

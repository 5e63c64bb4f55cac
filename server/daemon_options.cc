#include "server/daemon_options.h"

#include <filesystem>
#include <functional>
#include <map>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#ifndef INFERD_SOURCE_DIR
#define INFERD_SOURCE_DIR ""
#endif

namespace inferd {
namespace {

using Setter = std::function<absl::Status(DaemonOptions&, const std::string&)>;

absl::Status BadValue(const std::string& flag, const std::string& value, const char* expected) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, "=", value, ": expected ", expected));
}

Setter IntFlag(const std::string& flag, int64_t min, int64_t max,
               std::function<void(DaemonOptions&, int64_t)> assign) {
  return [=](DaemonOptions& options, const std::string& value) {
    int64_t number = 0;
    if (!absl::SimpleAtoi(value, &number) || number < min || number > max) {
      return BadValue(flag, value, absl::StrCat("an integer in ", min, "..", max).c_str());
    }
    assign(options, number);
    return absl::OkStatus();
  };
}

Setter BoolFlag(const std::string& flag, std::function<void(DaemonOptions&, bool)> assign) {
  return [=](DaemonOptions& options, const std::string& value) {
    bool parsed = false;
    if (!absl::SimpleAtob(value, &parsed)) return BadValue(flag, value, "true or false");
    assign(options, parsed);
    return absl::OkStatus();
  };
}

const std::map<std::string, Setter>& Setters() {
  static const auto* setters = new std::map<std::string, Setter>{
      {"model-repository",
       [](DaemonOptions& o, const std::string& v) {
         o.model_repository = v;
         return absl::OkStatus();
       }},
      {"grpc-address",
       [](DaemonOptions& o, const std::string& v) {
         o.grpc_address = v;
         return absl::OkStatus();
       }},
      {"grpc-port",
       IntFlag("grpc-port", 0, 65535,
               [](DaemonOptions& o, int64_t v) { o.grpc_port = static_cast<int>(v); })},
      {"metrics-address",
       [](DaemonOptions& o, const std::string& v) {
         o.metrics_address = v;
         return absl::OkStatus();
       }},
      {"metrics-port",
       IntFlag("metrics-port", 0, 65535,
               [](DaemonOptions& o, int64_t v) { o.metrics_port = static_cast<int>(v); })},
      {"allow-metrics",
       BoolFlag("allow-metrics", [](DaemonOptions& o, bool v) { o.allow_metrics = v; })},
      {"model-control-mode",
       [](DaemonOptions& o, const std::string& v) {
         if (v != "none" && v != "explicit" && v != "poll") {
           return BadValue("model-control-mode", v, "none, explicit or poll");
         }
         o.model_control_mode = v;
         return absl::OkStatus();
       }},
      {"load-model",
       [](DaemonOptions& o, const std::string& v) {
         o.load_models.push_back(v);
         return absl::OkStatus();
       }},
      {"repository-poll-secs",
       IntFlag("repository-poll-secs", 1, 86400,
               [](DaemonOptions& o, int64_t v) { o.repository_poll_secs = static_cast<int>(v); })},
      {"model-load-threads",
       IntFlag("model-load-threads", 1, 64,
               [](DaemonOptions& o, int64_t v) { o.model_load_threads = static_cast<int>(v); })},
      {"model-load-queue-size",
       IntFlag("model-load-queue-size", 1, 1 << 16,
               [](DaemonOptions& o, int64_t v) { o.model_load_queue_size = static_cast<int>(v); })},
      {"max-model-file-size",
       IntFlag("max-model-file-size", 1, int64_t{1} << 40,
               [](DaemonOptions& o, int64_t v) { o.max_model_file_size = v; })},
      {"grpc-max-message-size",
       IntFlag("grpc-max-message-size", 1024, 2147483647,
               [](DaemonOptions& o, int64_t v) { o.grpc_max_message_size = v; })},
      {"max-queue-size",
       IntFlag("max-queue-size", 1, 1 << 20,
               [](DaemonOptions& o, int64_t v) { o.max_queue_size = static_cast<int>(v); })},
      {"exit-timeout-secs",
       IntFlag("exit-timeout-secs", 0, 3600,
               [](DaemonOptions& o, int64_t v) { o.exit_timeout_secs = static_cast<int>(v); })},
      {"log-verbose",
       IntFlag("log-verbose", 0, 2,
               [](DaemonOptions& o, int64_t v) { o.log_verbose = static_cast<int>(v); })},
      {"targets-config",
       [](DaemonOptions& o, const std::string& v) {
         o.targets_config = v;
         return absl::OkStatus();
       }},
  };
  return *setters;
}

}  // namespace

absl::StatusOr<DaemonOptions> ParseDaemonOptions(int argc, const char* const* argv) {
  DaemonOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      options.show_help = true;
      continue;
    }
    if (arg == "--version") {
      options.show_version = true;
      continue;
    }
    if (arg.substr(0, 2) != "--") {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", std::string(arg), "'; see --help"));
    }
    arg.remove_prefix(2);
    std::string name;
    std::string value;
    if (const auto equals = arg.find('='); equals != std::string_view::npos) {
      name = std::string(arg.substr(0, equals));
      value = std::string(arg.substr(equals + 1));
    } else {
      name = std::string(arg);
      if (i + 1 >= argc) {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      }
      value = argv[++i];
    }
    // Triton spells some flags with underscores in older docs; accept both.
    for (char& c : name) {
      if (c == '_') c = '-';
    }
    auto setter = Setters().find(name);
    if (setter == Setters().end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name, "; see --help"));
    }
    if (auto status = setter->second(options, value); !status.ok()) return status;
  }
  if (!options.load_models.empty() && options.model_control_mode != "explicit") {
    return absl::InvalidArgumentError(
        "--load-model only applies with --model-control-mode=explicit");
  }
  return options;
}

std::string DaemonUsage() {
  return R"(inferd — serves TOSA models over the KServe v2 gRPC protocol (Triton-compatible).

Usage: inferd [flags]

With no flags, inferd serves the bundled example repository (examples/models) on gRPC port 8001 with
Prometheus metrics on port 8002.

Model repository
  --model-repository=PATH      Folder of models: PATH/<model>/config.pbtxt, PATH/<model>/<version>/model.tosa.
                               Default: ./examples/models, else the bundled copy.
  --model-control-mode=MODE    none: load every model at start-up, refuse load/unload requests (default).
                               explicit: load only --load-model models; clients load and unload.
                               poll: load every model; reload changed ones every --repository-poll-secs.
  --load-model=NAME            With explicit mode, a model to load at start-up; repeat it; '*' loads all.
  --repository-poll-secs=N     Poll interval for poll mode (default 15).
  --model-load-threads=N       Model loads/unloads that run at once (default 4); one model's run in order.
  --model-load-queue-size=N    Loads/unloads that may wait beyond those; more are refused with
                               RESOURCE_EXHAUSTED (default 64).
  --max-model-file-size=BYTES  Largest model file inferd reads (default 1073741824, 1 GiB); config.pbtxt
                               is capped at 1 MiB. Only regular files inside the repository are read.

Serving
  --grpc-address=ADDR          Address to listen on (default 0.0.0.0).
  --grpc-port=PORT             gRPC port (default 8001; 0 picks a free port and logs it).
  --grpc-max-message-size=N    Largest request or response in bytes (default 2147483647).
  --max-queue-size=N           Requests a model version queues before refusing with RESOURCE_EXHAUSTED,
                               unless its config sets dynamic_batching.default_queue_policy (default 1024).
  --exit-timeout-secs=N        On SIGTERM/SIGINT, how long in-flight requests may finish (default 30).

Metrics
  --allow-metrics=BOOL         Serve Prometheus metrics (default true).
  --metrics-address=ADDR       Address for /metrics (default 0.0.0.0).
  --metrics-port=PORT          Port for /metrics (default 8002; 0 picks a free port and logs it).

Inference targets
  --targets-config=PATH        Targets (boards, emulators, host agents) for the ethosu backend; see
                               docs/ethos-u.md. Without it the pool starts empty (admin API adds).

Other
  --log-verbose=N              0: info, 1: debug, 2: trace.
  --version                    Print the version and exit.
  --help                       This text.
)";
}

absl::StatusOr<std::string> ResolveModelRepository(const DaemonOptions& options) {
  if (!options.model_repository.empty()) return options.model_repository;
  namespace fs = std::filesystem;
  std::error_code error;
  std::vector<std::string> candidates = {"examples/models"};
  if (std::string_view(INFERD_SOURCE_DIR).size() > 0) {
    candidates.push_back(absl::StrCat(INFERD_SOURCE_DIR, "/examples/models"));
  }
  candidates.push_back("/usr/share/inferd/models");
  for (const std::string& candidate : candidates) {
    if (fs::is_directory(candidate, error)) return candidate;
  }
  return absl::NotFoundError(
      "no model repository: the bundled examples were not found; pass --model-repository=PATH");
}

}  // namespace inferd

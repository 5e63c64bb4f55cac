#include "server/daemon_options.h"

#include <filesystem>
#include <functional>
#include <map>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/security/restricted_groups.h"
#include "server/target_admission.h"

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

Setter StringFlag(std::string DaemonOptions::*member) {
  return [member](DaemonOptions& options, const std::string& value) {
    options.*member = value;
    return absl::OkStatus();
  };
}

// A repeatable access-control flag (--grpc-restricted-protocol, --http-restricted-api). The specs
// so far are parsed together on every occurrence, so that a typo or a group restricted twice stops
// start-up with the restriction named.
Setter RestrictionFlag(std::string name, std::vector<std::string> DaemonOptions::*member) {
  return [name, member](DaemonOptions& options, const std::string& value) {
    std::vector<std::string> specs = options.*member;
    specs.push_back(value);
    if (auto groups = RestrictedGroups::Parse(specs); !groups.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, ": ", groups.status().message()));
    }
    options.*member = std::move(specs);
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
      {"allow-http", BoolFlag("allow-http", [](DaemonOptions& o, bool v) { o.allow_http = v; })},
      {"http-address",
       [](DaemonOptions& o, const std::string& v) {
         o.http_address = v;
         return absl::OkStatus();
       }},
      {"http-port",
       IntFlag("http-port", 0, 65535,
               [](DaemonOptions& o, int64_t v) { o.http_port = static_cast<int>(v); })},
      {"http-thread-count",
       IntFlag("http-thread-count", 1, 256,
               [](DaemonOptions& o, int64_t v) { o.http_thread_count = static_cast<int>(v); })},
      {"http-max-input-size",
       IntFlag("http-max-input-size", 1024, int64_t{1} << 40,
               [](DaemonOptions& o, int64_t v) { o.http_max_input_size = v; })},
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
      {"model-push-dir",
       [](DaemonOptions& o, const std::string& v) {
         o.model_push_dir = v;
         return absl::OkStatus();
       }},
      {"max-model-push-bytes",
       IntFlag("max-model-push-bytes", 1, int64_t{1} << 40,
               [](DaemonOptions& o, int64_t v) { o.max_model_push_bytes = v; })},
      {"max-model-push-files",
       IntFlag("max-model-push-files", 1, 4096,
               [](DaemonOptions& o, int64_t v) { o.max_model_push_files = static_cast<int>(v); })},
      {"grpc-max-message-size",
       IntFlag("grpc-max-message-size", 1024, 2147483647,
               [](DaemonOptions& o, int64_t v) { o.grpc_max_message_size = v; })},
      {"max-inflight-request-bytes",
       IntFlag("max-inflight-request-bytes", 1024, int64_t{1} << 50,
               [](DaemonOptions& o, int64_t v) { o.max_inflight_request_bytes = v; })},
      {"grpc-keepalive-time",
       IntFlag("grpc-keepalive-time", 1, 2147483647,
               [](DaemonOptions& o, int64_t v) { o.grpc_keepalive_time_ms = v; })},
      {"grpc-keepalive-timeout",
       IntFlag("grpc-keepalive-timeout", 1, 2147483647,
               [](DaemonOptions& o, int64_t v) { o.grpc_keepalive_timeout_ms = v; })},
      {"grpc-http2-max-pings-without-data",
       IntFlag("grpc-http2-max-pings-without-data", 0, 2147483647,
               [](DaemonOptions& o, int64_t v) { o.grpc_http2_max_pings_without_data = v; })},
      {"grpc-http2-min-recv-ping-interval-without-data",
       IntFlag("grpc-http2-min-recv-ping-interval-without-data", 0, 2147483647,
               [](DaemonOptions& o, int64_t v) { o.grpc_http2_min_recv_ping_interval_without_data_ms = v; })},
      {"grpc-http2-max-ping-strikes",
       IntFlag("grpc-http2-max-ping-strikes", 0, 2147483647,
               [](DaemonOptions& o, int64_t v) { o.grpc_http2_max_ping_strikes = v; })},
      {"grpc-max-connection-idle-ms",
       IntFlag("grpc-max-connection-idle-ms", 0, 2147483647,
               [](DaemonOptions& o, int64_t v) { o.grpc_max_connection_idle_ms = v; })},
      {"grpc-max-connection-age-ms",
       IntFlag("grpc-max-connection-age-ms", 0, 2147483647,
               [](DaemonOptions& o, int64_t v) { o.grpc_max_connection_age_ms = v; })},
      {"grpc-max-connection-age-grace-ms",
       IntFlag("grpc-max-connection-age-grace-ms", 0, 2147483647,
               [](DaemonOptions& o, int64_t v) { o.grpc_max_connection_age_grace_ms = v; })},
      {"grpc-handshake-timeout-ms",
       IntFlag("grpc-handshake-timeout-ms", 1, 2147483647,
               [](DaemonOptions& o, int64_t v) { o.grpc_handshake_timeout_ms = v; })},
      {"grpc-max-concurrent-streams",
       IntFlag("grpc-max-concurrent-streams", 1, 2147483647,
               [](DaemonOptions& o, int64_t v) { o.grpc_max_concurrent_streams = v; })},
      {"grpc-keepalive-permit-without-calls",
       BoolFlag("grpc-keepalive-permit-without-calls",
                [](DaemonOptions& o, bool v) { o.grpc_keepalive_permit_without_calls = v; })},
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
      {"vulkan-device-filter",
       [](DaemonOptions& o, const std::string& v) {
         o.vulkan_device_filter = v;
         return absl::OkStatus();
       }},
      {"vulkan-pipeline-cache-dir",
       [](DaemonOptions& o, const std::string& v) {
         o.vulkan_pipeline_cache_dir = v;
         return absl::OkStatus();
       }},
      {"vulkan-robust-buffer-access",
       BoolFlag("vulkan-robust-buffer-access",
                [](DaemonOptions& o, bool v) { o.vulkan_robust_buffer_access = v; })},
      {"allow-admin", BoolFlag("allow-admin", [](DaemonOptions& o, bool v) { o.allow_admin = v; })},
      {"allow-log-settings-update",
       BoolFlag("allow-log-settings-update",
                [](DaemonOptions& o, bool v) { o.allow_log_settings_update = v; })},
      {"admin-address",
       [](DaemonOptions& o, const std::string& v) {
         o.admin_address = v;
         return absl::OkStatus();
       }},
      {"admin-port",
       IntFlag("admin-port", 0, 65535,
               [](DaemonOptions& o, int64_t v) { o.admin_port = static_cast<int>(v); })},
      // The allow-lists are parsed here too, so that a typo stops start-up with the entry named.
      {"admin-allowed-tcp-targets",
       [](DaemonOptions& o, const std::string& v) {
         if (auto list = TcpTargetAllowList::Parse(v); !list.ok()) {
           return absl::InvalidArgumentError(
               absl::StrCat("--admin-allowed-tcp-targets: ", list.status().message()));
         }
         o.admin_allowed_tcp_targets = v;
         return absl::OkStatus();
       }},
      {"admin-allowed-serial-devices",
       [](DaemonOptions& o, const std::string& v) {
         if (auto list = SerialDeviceAllowList::Parse(v); !list.ok()) {
           return absl::InvalidArgumentError(
               absl::StrCat("--admin-allowed-serial-devices: ", list.status().message()));
         }
         o.admin_allowed_serial_devices = v;
         return absl::OkStatus();
       }},
      {"grpc-use-ssl", BoolFlag("grpc-use-ssl", [](DaemonOptions& o, bool v) { o.grpc_use_ssl = v; })},
      // As in Triton, mutual TLS turns TLS on.
      {"grpc-use-ssl-mutual", BoolFlag("grpc-use-ssl-mutual",
                                       [](DaemonOptions& o, bool v) {
                                         o.grpc_use_ssl_mutual = v;
                                         if (v) o.grpc_use_ssl = true;
                                       })},
      {"grpc-server-cert", StringFlag(&DaemonOptions::grpc_server_cert)},
      {"grpc-server-key", StringFlag(&DaemonOptions::grpc_server_key)},
      {"grpc-root-cert", StringFlag(&DaemonOptions::grpc_root_cert)},
      {"http-use-ssl", BoolFlag("http-use-ssl", [](DaemonOptions& o, bool v) { o.http_use_ssl = v; })},
      {"http-use-ssl-mutual", BoolFlag("http-use-ssl-mutual",
                                       [](DaemonOptions& o, bool v) {
                                         o.http_use_ssl_mutual = v;
                                         if (v) o.http_use_ssl = true;
                                       })},
      {"http-server-cert", StringFlag(&DaemonOptions::http_server_cert)},
      {"http-server-key", StringFlag(&DaemonOptions::http_server_key)},
      {"http-root-cert", StringFlag(&DaemonOptions::http_root_cert)},
      {"grpc-restricted-protocol",
       RestrictionFlag("grpc-restricted-protocol", &DaemonOptions::grpc_restricted_protocols)},
      {"http-restricted-api",
       RestrictionFlag("http-restricted-api", &DaemonOptions::http_restricted_apis)},
      {"max-shared-memory-regions",
       IntFlag("max-shared-memory-regions", 0, 1 << 16,
               [](DaemonOptions& o, int64_t v) {
                 o.max_shared_memory_regions = static_cast<int>(v);
               })},
      {"max-shared-memory-bytes",
       IntFlag("max-shared-memory-bytes", 0, int64_t{1} << 50,
               [](DaemonOptions& o, int64_t v) { o.max_shared_memory_bytes = v; })},
      {"max-targets",
       IntFlag("max-targets", 1, 4096,
               [](DaemonOptions& o, int64_t v) { o.max_targets = static_cast<int>(v); })},
  };
  return *setters;
}

// One listener's TLS flags (--<prefix>-use-ssl, ...) belong together; the files themselves are
// checked at start-up (LoadTlsMaterial), with the flag named.
absl::Status CheckTlsFlags(const std::string& prefix, bool use_ssl, bool mutual,
                           const std::string& cert, const std::string& key,
                           const std::string& root) {
  const std::string p = "--" + prefix;
  if (use_ssl && (cert.empty() || key.empty())) {
    return absl::InvalidArgumentError(
        absl::StrCat(p, "-use-ssl needs ", p, "-server-cert and ", p, "-server-key"));
  }
  if (mutual && root.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(p, "-use-ssl-mutual needs ", p,
                     "-root-cert: the certificates client certificates must chain to"));
  }
  if (!use_ssl && !(cert.empty() && key.empty() && root.empty())) {
    return absl::InvalidArgumentError(
        absl::StrCat(p, "-server-cert, ", p, "-server-key and ", p, "-root-cert apply only with ",
                     p, "-use-ssl=true (or ", p, "-use-ssl-mutual=true)"));
  }
  return absl::OkStatus();
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
  if (auto status =
          CheckTlsFlags("grpc", options.grpc_use_ssl, options.grpc_use_ssl_mutual,
                        options.grpc_server_cert, options.grpc_server_key, options.grpc_root_cert);
      !status.ok()) {
    return status;
  }
  if (auto status =
          CheckTlsFlags("http", options.http_use_ssl, options.http_use_ssl_mutual,
                        options.http_server_cert, options.http_server_key, options.http_root_cert);
      !status.ok()) {
    return status;
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

With no flags, inferd serves the bundled example repository (examples/models) on gRPC port 8001 and
HTTP/REST port 8000, with Prometheus metrics on port 8002.

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
  --model-push-dir=PATH        Explicit mode: where a load's pushed files (Triton's file:<version>/<name>
                               parameters) are written, in a fresh private (0700) folder made at start
                               and removed at exit; never inside the repository (default: $TMPDIR, else
                               /tmp). Each load's files are removed once the load has read them.
  --max-model-push-bytes=BYTES Bytes of files one load may push (default 268435456, 256 MiB).
  --max-model-push-files=N     Files one load may push (default 64).

Serving
  --grpc-address=ADDR          Address of the public listener: inference, health and the read-only
                               ModelAdmin profile (default 0.0.0.0). Never the target admin API.
  --grpc-port=PORT             gRPC port (default 8001; 0 picks a free port and logs it).
  --grpc-max-message-size=N    Largest request or response in bytes (default 2147483647).
  --max-queue-size=N           Requests a model version queues before refusing with RESOURCE_EXHAUSTED,
                               unless its config sets dynamic_batching.default_queue_policy (default 1024).
  --exit-timeout-secs=N        On SIGTERM/SIGINT, how long in-flight requests may finish (default 30);
                               requests left then get UNAVAILABLE and inferd exits 1.

HTTP/REST (KServe v2 with Triton's binary tensor data; docs/http.md)
  --allow-http=BOOL            Serve the HTTP/REST endpoint (default true).
  --http-address=ADDR          Its address (default 0.0.0.0, as --grpc-address): the same endpoints as
                               the public gRPC listener.
  --http-port=PORT             HTTP port (default 8000; 0 picks a free port and logs it).
  --http-thread-count=N        Worker threads, each serving one connection at a time (default 8);
                               further connections wait for one.
  --http-max-input-size=BYTES  Largest request body (default 67108864, 64 MiB); larger ones get 413.
  --http-restricted-api=GROUPS:HEADER=VALUE
                               As --grpc-restricted-protocol, for the HTTP endpoints of GROUPS;
                               others get 403. The two listeners are restricted separately.
                               Bodies also count in --max-inflight-request-bytes, JSON at up to 32
                               times its size (what a parsed document may cost).
  --http-use-ssl=BOOL          Serve HTTPS only (TLS 1.2 or later) on --http-port (default false).
  --http-server-cert=PATH      PEM certificate chain of the HTTP listener, leaf first.
  --http-server-key=PATH       PEM private key of that certificate, unencrypted.
  --http-root-cert=PATH        PEM certificates that HTTP client certificates must chain to.
  --http-use-ssl-mutual=BOOL   Also require and verify a client certificate (implies
                               --http-use-ssl; needs --http-root-cert). SIGHUP rereads the three
                               files; connections stay open and new ones get the new certificate.

Resource limits (see docs/limits.md)
  --max-inflight-request-bytes=N  Bytes of inference requests held at once (queued, running, answering);
                               beyond it requests get RESOURCE_EXHAUSTED. Also sizes gRPC's buffer
                               quota, at twice this (default 1073741824, 1 GiB).
  --max-shared-memory-regions=N  System shared-memory regions clients may register at once
                               (default 64; 0 turns the extension off). See docs/shared-memory.md.
  --max-shared-memory-bytes=N  Bytes those regions may span together (default 1073741824, 1 GiB).
  --grpc-max-concurrent-streams=N  Calls one connection may have open at once (default 128).
  --grpc-max-connection-idle-ms=N  Close connections with no call for this long (default 600000; 0: never).
  --grpc-handshake-timeout-ms=N    Close connections that have not spoken HTTP/2 within this (default 10000).
  --grpc-max-connection-age-ms=N   Close every connection after this long, gracefully (default 0: never).
  --grpc-max-connection-age-grace-ms=N  Time calls get to finish after that (default 30000).
  --grpc-keepalive-time=MS     Ping idle connections this often (default 7200000, as Triton).
  --grpc-keepalive-timeout=MS  Close a connection whose ping is unanswered this long (default 20000).
  --grpc-keepalive-permit-without-calls=BOOL  Let clients ping with no call open (default false).
  --grpc-http2-max-pings-without-data=N  Pings sent without data before waiting for data (default 2).
  --grpc-http2-min-recv-ping-interval-without-data=MS  Shortest interval between client pings without
                               data; faster ones are strikes (default 300000).
  --grpc-http2-max-ping-strikes=N  Strikes before the connection is closed (default 2; 0: unlimited).

Metrics
  --allow-metrics=BOOL         Serve Prometheus metrics (default true).
  --metrics-address=ADDR       Address for /metrics (default 0.0.0.0).
  --metrics-port=PORT          Port for /metrics (default 8002; 0 picks a free port and logs it).

Vulkan (docs/vulkan.md)
  --vulkan-device-filter=LIST  Comma-separated substrings of device names; only matching Vulkan
                               devices are visible to tosa_vulkan models and numbered for
                               instance_group's `gpus` (default empty: every device, e.g. hide
                               lavapipe with --vulkan-device-filter=NVIDIA).
  --vulkan-pipeline-cache-dir=DIR  Keep each device's compiled pipelines in DIR (created if
                               missing) so that a restart skips shader compilation; one file per
                               device and driver (default empty: compile at every start).
  --vulkan-robust-buffer-access=BOOL  Turn on robust buffer access for all shaders of devices
                               without VK_EXT_pipeline_robustness (lavapipe in Debian 12), so that
                               VGF models with COMPUTE segments (a model's own shaders) load there;
                               costs some speed on every model of such a device. Devices with the
                               extension contain those shaders without it (default false).

Inference targets
  --targets-config=PATH        Targets (boards, emulators, host agents) for the ethosu backend; see
                               docs/ethos-u.md. The only way to configure emulator targets.
  --max-targets=N              Targets the pool holds at most, config and admin API together
                               (default 64); beyond it AddTarget answers RESOURCE_EXHAUSTED.

Administration (docs/security.md)
  --allow-admin=BOOL           Serve inferd.admin.TargetAdmin (list/add/drain/remove targets) on a
                               separate admin listener (default false: not served anywhere). It is
                               never served on --grpc-address.
  --admin-address=ADDR         Address of the admin listener (default 127.0.0.1). It has no
                               authentication: keep it on loopback or a trusted network.
  --admin-port=PORT            Admin gRPC port (default 8003; 0 picks a free port and logs it).
  --admin-allowed-tcp-targets=LIST
                               tcp targets AddTarget may add: HOST:PORT or HOST:FIRST-LAST, comma-
                               separated, hosts compared as written (default empty: none).
  --admin-allowed-serial-devices=LIST
                               Serial device paths AddTarget may add, exact, comma-separated
                               (default empty: none). Emulator targets are never allowed over the
                               API.

TLS and access control (docs/security.md)
  --grpc-use-ssl=BOOL          Serve gRPC over TLS, on the public and the admin listener (default false).
  --grpc-server-cert=PATH      PEM certificate chain of the server, leaf first.
  --grpc-server-key=PATH       PEM private key of that certificate, unencrypted.
  --grpc-root-cert=PATH        PEM certificates that client certificates must chain to.
  --grpc-use-ssl-mutual=BOOL   Also require and verify a client certificate (implies --grpc-use-ssl;
                               needs --grpc-root-cert). SIGHUP rereads the three files; connections
                               stay open and new ones get the new certificate within a second.
  --grpc-restricted-protocol=GROUPS:HEADER=VALUE
                               Serve the RPCs of GROUPS (comma-separated) only to calls carrying
                               HEADER with VALUE; others get PERMISSION_DENIED. Repeat for other
                               groups and headers. Groups: health, metadata, inference, shared-memory,
                               model-config, model-repository, statistics, trace, logging, admin.

Other
  --log-verbose=N              0: info, 1: debug, 2: trace.
  --allow-log-settings-update=BOOL
                               Let clients change the log level with Triton's LogSettings call
                               (default false: they may read the settings, not change them).
  --version                    Print the version and exit.
  --help                       This text.

Exit codes: 0 stopped by SIGTERM/SIGINT with every accepted request answered; 1 failed to start, or
the exit timeout passed with requests left; 2 bad command line.
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

// DaemonOptions: inferd's command line. Flag names follow Triton's wherever the meaning is the
// same, so that scripts written for tritonserver carry over.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace inferd {

struct DaemonOptions {
  std::string model_repository;  // empty: the bundled example repository
  std::string grpc_address = "0.0.0.0";
  int grpc_port = 8001;
  std::string metrics_address = "0.0.0.0";
  int metrics_port = 8002;
  // The KServe v2 HTTP/REST endpoint (server/http/, docs/http.md), Triton's flag names.
  bool allow_http = true;
  std::string http_address = "0.0.0.0";
  int http_port = 8000;
  int http_thread_count = 8;
  int64_t http_max_input_size = int64_t{64} << 20;  // 64 MiB, as Triton
  // HTTPS on the HTTP listener (docs/security.md); the gRPC flags' HTTP equivalents.
  bool http_use_ssl = false;
  bool http_use_ssl_mutual = false;  // implies http_use_ssl
  std::string http_server_cert;
  std::string http_server_key;
  std::string http_root_cert;
  // --http-restricted-api, once per flag: <group>[,<group>...]:<header>=<value> (as gRPC's).
  std::vector<std::string> http_restricted_apis;
  bool allow_metrics = true;
  std::string model_control_mode = "none";
  std::vector<std::string> load_models;
  int repository_poll_secs = 15;
  int model_load_threads = 4;                      // loads/unloads that run at once
  int model_load_queue_size = 64;                  // loads/unloads waiting beyond those
  int64_t max_model_file_size = int64_t{1} << 30;  // bytes; 1 GiB
  // Files pushed with a load (Triton's file: parameters): where, and how much one load may push.
  std::string model_push_dir;                         // empty: $TMPDIR, else /tmp
  int64_t max_model_push_bytes = int64_t{256} << 20;  // 256 MiB
  int max_model_push_files = 64;

  int64_t grpc_max_message_size = 2147483647;  // INT32_MAX, as Triton
  // Resource bounds of the data plane (docs/limits.md).
  int64_t max_inflight_request_bytes = int64_t{1} << 30;  // 1 GiB
  int64_t grpc_keepalive_time_ms = 7200000;               // Triton's defaults from here ...
  int64_t grpc_keepalive_timeout_ms = 20000;
  bool grpc_keepalive_permit_without_calls = false;
  int64_t grpc_http2_max_pings_without_data = 2;
  int64_t grpc_http2_min_recv_ping_interval_without_data_ms = 300000;
  int64_t grpc_http2_max_ping_strikes = 2;       // ... to here
  int64_t grpc_max_connection_idle_ms = 600000;  // 0: connections may idle forever
  int64_t grpc_max_connection_age_ms = 0;        // 0: no age limit
  int64_t grpc_max_connection_age_grace_ms = 30000;
  int64_t grpc_handshake_timeout_ms = 10000;
  int64_t grpc_max_concurrent_streams = 128;
  int max_queue_size = 1024;
  int exit_timeout_secs = 30;
  int log_verbose = 0;
  std::string targets_config;  // inference targets for the ethosu backend (docs/ethos-u.md)
  std::string
      vulkan_device_filter;  // substrings of the Vulkan device names to use (docs/vulkan.md)
  std::string vulkan_pipeline_cache_dir;  // where Vulkan pipeline caches persist; empty: nowhere
  // Robust buffer access for every shader on devices without VK_EXT_pipeline_robustness, so that
  // models' own compute shaders (VGF COMPUTE segments) can run there (docs/vulkan.md).
  bool vulkan_robust_buffer_access = false;
  // The admin listener (TargetAdmin), off unless asked for; docs/security.md.
  bool allow_admin = false;
  bool allow_log_settings_update = false;
  std::string admin_address = "127.0.0.1";
  int admin_port = 8003;
  std::string admin_allowed_tcp_targets;     // host:port[-port],...; empty: none
  std::string admin_allowed_serial_devices;  // /dev/path,...; empty: none
  int max_targets = 64;                      // --targets-config and admin API together
  // TLS on the gRPC listeners, public and admin (docs/security.md); Triton's flags.
  bool grpc_use_ssl = false;
  bool grpc_use_ssl_mutual = false;  // implies grpc_use_ssl
  std::string grpc_server_cert;
  std::string grpc_server_key;
  std::string grpc_root_cert;
  // --grpc-restricted-protocol, once per flag: <group>[,<group>...]:<header>=<value>.
  std::vector<std::string> grpc_restricted_protocols;
  // System shared memory (Triton's extension): regions registered at once, and their bytes.
  int max_shared_memory_regions = 64;
  int64_t max_shared_memory_bytes = int64_t{1} << 30;  // 1 GiB
  bool show_help = false;
  bool show_version = false;
};

// Parses argv[1..]. INVALID_ARGUMENT with the offending flag named on any mistake.
absl::StatusOr<DaemonOptions> ParseDaemonOptions(int argc, const char* const* argv);

// The text --help prints.
std::string DaemonUsage();

// The repository to serve: the flag's when given, else the bundled examples (./examples/models, the
// source tree's, or the installed copy), else NOT_FOUND saying to pass --model-repository.
absl::StatusOr<std::string> ResolveModelRepository(const DaemonOptions& options);

}  // namespace inferd

// inferctl's command line: the subcommand, its arguments and flags, parsed and checked before any
// RPC is made so that usage mistakes fail fast with one clear line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "client/channel_security.h"

namespace inferd::client {

struct InferctlInput {
  std::string name;
  std::string spec;  // a .npy path or inline "DTYPE:SHAPE:VALUES"
};

struct InferctlCommandLine {
  std::string url = "localhost:8001";
  bool help = false;  // --help, -h or the `help` subcommand; nothing else is checked then
  std::string
      command;  // health, list, load, unload, metadata, config, stats, infer, profile, devices
  std::string model;  // the MODEL argument, when the command takes one
  std::string model_version;
  std::optional<int64_t> timeout_ms;
  // --ssl, --root-cert, --client-cert, --client-key, --ssl-target-name (each implies TLS).
  ClientTlsFiles tls;
  bool ready_only = false;  // list --ready
  // infer only:
  std::vector<InferctlInput> inputs;
  std::vector<std::string> outputs;
  std::string output_dir;
  std::string request_id;
  int64_t max_values = 100;
  // Rows per request; 0: the model's max_batch_size when the inputs have more rows than that.
  int64_t batch_size = 0;
  std::string labels;  // a .npy of integer class labels: print the accuracy of the outputs' argmax
  // profile only: operators to list, slowest first (the per-type totals cover all of them).
  int64_t top = 20;
};

// Parses the arguments after argv[0]. Flags may come before or after the subcommand, as
// "--flag=value" or "--flag value"; "--" ends the flags.
absl::StatusOr<InferctlCommandLine> ParseInferctlCommandLine(const std::vector<std::string>& args);

// The --help text.
std::string InferctlUsage();

}  // namespace inferd::client

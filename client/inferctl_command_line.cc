#include "client/inferctl_command_line.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace inferd::client {
namespace {

struct CommandSpec {
  std::string_view name;
  int min_args;
  int max_args;
  std::string_view synopsis;
};

constexpr CommandSpec kCommands[] = {
    {"health", 0, 1, "health [MODEL]"},
    {"list", 0, 0, "list [--ready]"},
    {"load", 1, 1, "load MODEL"},
    {"unload", 1, 1, "unload MODEL"},
    {"metadata", 1, 1, "metadata MODEL"},
    {"config", 1, 1, "config MODEL"},
    {"stats", 0, 1, "stats [MODEL]"},
    {"infer", 1, 1, "infer MODEL --input NAME=SPEC..."},
    {"profile", 1, 1, "profile MODEL [--top N]"},
    {"devices", 0, 0, "devices"},
};

// Which commands a flag applies to; empty means every command.
struct FlagSpec {
  std::string_view name;
  bool takes_value;
  std::vector<std::string_view> commands;
};

const std::vector<FlagSpec>& Flags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {"help", false, {}},
      {"url", true, {}},
      {"timeout-ms", true, {}},
      {"ssl", false, {}},
      {"root-cert", true, {}},
      {"client-cert", true, {}},
      {"client-key", true, {}},
      {"ssl-target-name", true, {}},
      {"model-version", true, {"health", "metadata", "config", "stats", "infer", "profile"}},
      {"ready", false, {"list"}},
      {"input", true, {"infer"}},
      {"output", true, {"infer"}},
      {"output-dir", true, {"infer"}},
      {"id", true, {"infer"}},
      {"max-values", true, {"infer"}},
      {"batch-size", true, {"infer"}},
      {"labels", true, {"infer"}},
      {"top", true, {"profile"}},
  };
  return *flags;
}

absl::Status Usage(std::string_view message) {
  return absl::InvalidArgumentError(std::string(message));
}

absl::StatusOr<int64_t> ParsePositive(std::string_view flag, const std::string& value) {
  int64_t number = 0;
  if (!absl::SimpleAtoi(value, &number) || number <= 0) {
    return Usage(
        absl::StrCat("--", std::string(flag), " wants a positive integer, got '", value, "'"));
  }
  return number;
}

}  // namespace

absl::StatusOr<InferctlCommandLine> ParseInferctlCommandLine(const std::vector<std::string>& args) {
  InferctlCommandLine line;
  std::vector<std::string> positional;
  // Flags are applied after the command is known, so a flag may precede the command it belongs to.
  std::vector<std::pair<const FlagSpec*, std::string>> flags;
  bool flags_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_ended || arg.size() < 2 || arg[0] != '-') {
      positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_ended = true;
      continue;
    }
    if (arg == "-h") {
      line.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) return Usage(absl::StrCat("unknown flag '", arg, "'"));
    const size_t equals = arg.find('=');
    const std::string name =
        arg.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
    const auto spec = std::find_if(Flags().begin(), Flags().end(),
                                   [&](const FlagSpec& flag) { return flag.name == name; });
    if (spec == Flags().end()) return Usage(absl::StrCat("unknown flag '--", name, "'"));
    std::string value;
    if (equals != std::string::npos) {
      if (!spec->takes_value) return Usage(absl::StrCat("--", name, " takes no value"));
      value = arg.substr(equals + 1);
    } else if (spec->takes_value) {
      if (i + 1 >= args.size()) return Usage(absl::StrCat("--", name, " needs a value"));
      value = args[++i];
    }
    if (name == "help") line.help = true;
    flags.emplace_back(&*spec, std::move(value));
  }

  if (!positional.empty() && positional[0] == "help") line.help = true;
  if (line.help) return line;
  if (positional.empty()) return Usage("no command given");

  line.command = positional[0];
  const auto command =
      std::find_if(std::begin(kCommands), std::end(kCommands),
                   [&](const CommandSpec& spec) { return spec.name == line.command; });
  if (command == std::end(kCommands))
    return Usage(absl::StrCat("unknown command '", line.command, "'"));
  const int arg_count = static_cast<int>(positional.size()) - 1;
  if (arg_count < command->min_args || arg_count > command->max_args) {
    return Usage(absl::StrCat("usage: inferctl ", std::string(command->synopsis)));
  }
  if (arg_count == 1) line.model = positional[1];

  for (const auto& [spec, value] : flags) {
    if (!spec->commands.empty() && std::find(spec->commands.begin(), spec->commands.end(),
                                             line.command) == spec->commands.end()) {
      return Usage(
          absl::StrCat("--", std::string(spec->name), " does not apply to '", line.command, "'"));
    }
    const std::string_view name = spec->name;
    if (name == "url") {
      if (value.empty()) return Usage("--url wants host:port");
      line.url = value;
    } else if (name == "timeout-ms") {
      absl::StatusOr<int64_t> timeout = ParsePositive(name, value);
      if (!timeout.ok()) return timeout.status();
      line.timeout_ms = *timeout;
    } else if (name == "ssl") {
      line.tls.use_ssl = true;
    } else if (name == "root-cert" || name == "client-cert" || name == "client-key" ||
               name == "ssl-target-name") {
      if (value.empty()) return Usage(absl::StrCat("--", std::string(name), " wants a value"));
      std::string& field = name == "root-cert"     ? line.tls.root_cert
                           : name == "client-cert" ? line.tls.client_cert
                           : name == "client-key"  ? line.tls.client_key
                                                   : line.tls.target_name;
      field = value;
      line.tls.use_ssl = true;
    } else if (name == "model-version") {
      line.model_version = value;
    } else if (name == "ready") {
      line.ready_only = true;
    } else if (name == "input") {
      const size_t equals = value.find('=');
      if (equals == std::string::npos || equals == 0 || equals + 1 == value.size()) {
        return Usage(absl::StrCat("--input wants NAME=FILE.npy or NAME=DTYPE:SHAPE:VALUES, got '",
                                  value, "'"));
      }
      line.inputs.push_back({value.substr(0, equals), value.substr(equals + 1)});
    } else if (name == "output") {
      if (value.empty()) return Usage("--output wants an output name");
      line.outputs.push_back(value);
    } else if (name == "output-dir") {
      if (value.empty()) return Usage("--output-dir wants a directory");
      line.output_dir = value;
    } else if (name == "id") {
      line.request_id = value;
    } else if (name == "max-values") {
      absl::StatusOr<int64_t> max_values = ParsePositive(name, value);
      if (!max_values.ok()) return max_values.status();
      line.max_values = *max_values;
    } else if (name == "batch-size") {
      absl::StatusOr<int64_t> batch_size = ParsePositive(name, value);
      if (!batch_size.ok()) return batch_size.status();
      line.batch_size = *batch_size;
    } else if (name == "top") {
      absl::StatusOr<int64_t> top = ParsePositive(name, value);
      if (!top.ok()) return top.status();
      line.top = *top;
    } else if (name == "labels") {
      if (value.empty()) return Usage("--labels wants a .npy file of class labels");
      line.labels = value;
    }
  }
  if (line.tls.client_cert.empty() != line.tls.client_key.empty()) {
    return Usage("--client-cert and --client-key go together");
  }
  if (line.command == "infer" && line.inputs.empty()) {
    return Usage("infer needs at least one --input NAME=SPEC");
  }
  return line;
}

std::string InferctlUsage() {
  return R"(inferctl: command-line client for inferd (any KServe v2 / Triton gRPC server).

Usage: inferctl [--url HOST:PORT] [--timeout-ms N] COMMAND [ARGS] [FLAGS]

Commands:
  health [MODEL]     Server liveness, readiness and grpc.health.v1 status; with MODEL also whether that
                     model is ready. Exits 1 when anything is not live/ready/SERVING.
  list [--ready]     Every model in the repository with its version, state and, for UNAVAILABLE models,
                     the reason. --ready lists only READY models.
  load MODEL         Loads (or reloads) MODEL from the repository and waits until it is done.
  unload MODEL       Unloads MODEL.
  metadata MODEL     MODEL's versions, platform, and input/output names, datatypes and shapes.
  config MODEL       MODEL's configuration in protobuf text format.
  stats [MODEL]      Inference statistics for MODEL, or for every model.
  infer MODEL        Runs MODEL once and prints or saves its outputs.
  profile MODEL      Where MODEL spends its time: every operator's calls and wall time since the
                     model loaded (all instances together), slowest first, then totals per
                     operator type. Run some inferences first. Backends that run the model as
                     one job (ethosu) report no operators.
  devices            The server's Vulkan devices: type, driver, memory used by inferd and in
                     total, and the model instances placed on each (docs/vulkan.md).
  help               This text.

Flags for every command:
  --url HOST:PORT        Server address (default localhost:8001).
  --timeout-ms N         Deadline for each RPC in milliseconds (default: none).
  --ssl                  Speak TLS (a server started with --grpc-use-ssl); the server's certificate
                         must chain to gRPC's default roots unless --root-cert names others.
  --root-cert FILE       PEM CA certificates the server's certificate must chain to (implies --ssl).
  --client-cert FILE     PEM certificate to show a server that requires one (--grpc-use-ssl-mutual),
  --client-key FILE      with its unencrypted PEM key; the two go together (imply --ssl).
  --ssl-target-name NAME The name the server's certificate must carry when it is not the host in
                         --url (e.g. --url 127.0.0.1:8001 --ssl-target-name inferd.example.com).
  --model-version V      A specific model version (health, metadata, config, stats, infer,
                         profile).
  -h, --help             This text.

Flags for infer:
  --input NAME=FILE.npy              Input NAME read from a .npy file (C order, little-endian).
  --input NAME=DTYPE:SHAPE:VALUES    Input NAME given inline, e.g. x=FP32:1,3:0.5,1,2 or for a
                                     scalar x=INT32::7. DTYPE is BOOL, UINT8..UINT64, INT8..INT64,
                                     FP16, BF16, FP32 or FP64; one value per element.
  --output NAME                      Return only this output (repeatable; default: all).
  --output-dir DIR                   Write each output to DIR/NAME.npy instead of printing it.
  --id ID                            Request id, echoed back by the server.
  --max-values N                     Print at most N values per output (default 100).
  --batch-size N                     Send at most N rows (outermost dimension) per request and join
                                     the outputs; by default inputs with more rows than the model's
                                     max_batch_size are split into requests of that size.
  --labels FILE.npy                  Integer class labels, one per row: prints the accuracy of the
                                     argmax of the [N,K] output against them.

Flags for profile:
  --top N                            List the N slowest operators (default 20).

Printed outputs show name, datatype, shape and values; a rank-2 output [N,K] (class scores) also shows
the argmax of each row. Errors print one line on stderr and exit non-zero (2 for usage mistakes).
)";
}

}  // namespace inferd::client

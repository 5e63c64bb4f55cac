// inferctl: the command-line client for inferd. See InferctlUsage() or docs/inferctl.md.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "client/inferctl_command_line.h"
#include "client/inference_client.h"
#include "client/npy.h"
#include "client/tensor_text.h"
#include "engine/data_type.h"
#include "engine/shape.h"
#include "google/protobuf/text_format.h"

namespace inferd::client {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// One line on stderr, whatever the message holds.
void PrintError(std::string_view context, const absl::Status& status) {
  std::string message =
      absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
  message = absl::StrReplaceAll(message, {{"\r\n", " "}, {"\n", " "}, {"\r", " "}});
  std::cerr << "inferctl: " << context << ": " << message << std::endl;
}

std::string Str(std::string_view text) { return std::string(text); }

// A file name for an output: the model's name with anything a path could misread replaced.
std::string OutputFileName(const std::string& name) {
  std::string file = name;
  for (char& c : file) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.';
    if (!safe) c = '_';
  }
  if (file.empty() || file[0] == '.') file.insert(file.begin(), '_');
  return file + ".npy";
}

std::string TensorSummary(std::string_view dtype, const Shape& shape) {
  return absl::StrCat(Str(dtype), " ", ShapeToString(shape));
}

class Inferctl {
 public:
  Inferctl(const InferctlCommandLine& line, InferenceClient& client)
      : line_(line), client_(client) {}

  // The command's result; `context_` names what failed for the error line.
  absl::Status Run() {
    context_ = line_.model.empty() ? line_.command : absl::StrCat(line_.command, " ", line_.model);
    if (line_.command == "health") return Health();
    if (line_.command == "list") return List();
    if (line_.command == "load") return Load();
    if (line_.command == "unload") return Unload();
    if (line_.command == "metadata") return Metadata();
    if (line_.command == "config") return Config();
    if (line_.command == "stats") return Stats();
    if (line_.command == "infer") return Infer();
    if (line_.command == "profile") return Profile();
    if (line_.command == "devices") return Devices();
    return absl::InvalidArgumentError(absl::StrCat("unknown command '", line_.command, "'"));
  }

  const std::string& context() const { return context_; }

 private:
  absl::Status Health() {
    absl::StatusOr<bool> live = client_.ServerLive();
    if (!live.ok()) return live.status();
    absl::StatusOr<bool> ready = client_.ServerReady();
    if (!ready.ok()) return ready.status();
    absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus> health =
        client_.HealthCheck();
    if (!health.ok()) return health.status();
    const std::string health_name =
        grpc::health::v1::HealthCheckResponse::ServingStatus_Name(*health);
    std::cout << "live: " << (*live ? "true" : "false") << "\n"
              << "ready: " << (*ready ? "true" : "false") << "\n"
              << "health: " << health_name << "\n";
    std::optional<bool> model_ready;
    if (!line_.model.empty()) {
      absl::StatusOr<bool> result = client_.ModelReady(line_.model, line_.model_version);
      if (!result.ok()) return result.status();
      model_ready = *result;
      std::cout << "model " << line_.model << " ready: " << (*result ? "true" : "false") << "\n";
    }
    std::cout.flush();
    if (!*live) return absl::UnavailableError("server is not live");
    if (!*ready) return absl::UnavailableError("server is not ready");
    if (*health != grpc::health::v1::HealthCheckResponse::SERVING) {
      return absl::UnavailableError(absl::StrCat("health status is ", health_name));
    }
    if (model_ready.has_value() && !*model_ready) {
      return absl::UnavailableError(absl::StrCat("model ", line_.model, " is not ready"));
    }
    return absl::OkStatus();
  }

  absl::Status List() {
    absl::StatusOr<std::vector<inference::RepositoryIndexResponse::ModelIndex>> models =
        client_.RepositoryIndex(line_.ready_only);
    if (!models.ok()) return models.status();
    size_t name_width = 4;
    for (const auto& model : *models) name_width = std::max(name_width, model.name().size());
    auto row = [&](std::string_view name, std::string_view version, std::string_view state,
                   std::string_view reason) {
      std::string text = Str(name);
      text.resize(name_width + 2, ' ');
      std::string version_text = Str(version);
      version_text.resize(std::max<size_t>(version.size(), 7) + 2, ' ');
      std::string state_text = Str(state);
      state_text.resize(std::max<size_t>(state.size(), 11) + 2, ' ');
      std::cout << text << version_text << state_text << reason << "\n";
    };
    row("NAME", "VERSION", "STATE", "REASON");
    for (const auto& model : *models) {
      // A reason may span lines (a loader's diagnostics); the table keeps one row per model.
      const std::string reason =
          absl::StrReplaceAll(model.reason(), {{"\r\n", " "}, {"\n", " "}, {"\r", " "}});
      row(model.name(), model.version().empty() ? "-" : model.version(), model.state(), reason);
    }
    return absl::OkStatus();
  }

  absl::Status Load() {
    if (absl::Status status = client_.Load(line_.model); !status.ok()) return status;
    std::cout << "loaded " << line_.model << "\n";
    return absl::OkStatus();
  }

  absl::Status Unload() {
    if (absl::Status status = client_.Unload(line_.model); !status.ok()) return status;
    std::cout << "unloaded " << line_.model << "\n";
    return absl::OkStatus();
  }

  absl::Status Metadata() {
    absl::StatusOr<inference::ModelMetadataResponse> metadata =
        client_.ModelMetadata(line_.model, line_.model_version);
    if (!metadata.ok()) return metadata.status();
    std::cout << "name: " << metadata->name() << "\n"
              << "versions: " << absl::StrJoin(metadata->versions(), ", ") << "\n"
              << "platform: " << metadata->platform() << "\n";
    auto print_tensors = [](std::string_view title, const auto& tensors) {
      std::cout << title << ":\n";
      for (const auto& tensor : tensors) {
        std::cout << "  " << tensor.name() << ": "
                  << TensorSummary(tensor.datatype(),
                                   Shape(tensor.shape().begin(), tensor.shape().end()))
                  << "\n";
      }
    };
    print_tensors("inputs", metadata->inputs());
    print_tensors("outputs", metadata->outputs());
    return absl::OkStatus();
  }

  absl::Status Config() {
    absl::StatusOr<inference::ModelConfig> config =
        client_.ModelConfig(line_.model, line_.model_version);
    if (!config.ok()) return config.status();
    std::string text;
    if (!google::protobuf::TextFormat::PrintToString(*config, &text)) {
      return absl::InternalError("cannot print the configuration as text");
    }
    std::cout << text;
    return absl::OkStatus();
  }

  static std::string DurationSummary(const inference::StatisticDuration& duration) {
    if (duration.count() == 0) return "0";
    const double average_ms = static_cast<double>(duration.ns()) / duration.count() / 1e6;
    return absl::StrCat(duration.count(), " (avg ", absl::StrFormat("%.3f", average_ms), " ms)");
  }

  absl::Status Stats() {
    absl::StatusOr<inference::ModelStatisticsResponse> stats =
        client_.ModelStatistics(line_.model, line_.model_version);
    if (!stats.ok()) return stats.status();
    for (const inference::ModelStatistics& model : stats->model_stats()) {
      const inference::InferStatistics& infer = model.inference_stats();
      std::cout << model.name() << " version " << (model.version().empty() ? "-" : model.version())
                << ":\n"
                << "  inferences: " << model.inference_count() << "\n"
                << "  executions: " << model.execution_count() << "\n"
                << "  last inference: ";
      if (model.last_inference() == 0) {
        std::cout << "never\n";
      } else {
        const absl::Time when = absl::FromUnixMillis(static_cast<int64_t>(model.last_inference()));
        std::cout << absl::FormatTime(absl::RFC3339_sec, when, absl::UTCTimeZone()) << "\n";
      }
      std::cout << "  success: " << DurationSummary(infer.success()) << "\n"
                << "  fail: " << DurationSummary(infer.fail()) << "\n"
                << "  queue: " << DurationSummary(infer.queue()) << "\n"
                << "  compute input: " << DurationSummary(infer.compute_input()) << "\n"
                << "  compute infer: " << DurationSummary(infer.compute_infer()) << "\n"
                << "  compute output: " << DurationSummary(infer.compute_output()) << "\n";
      for (const inference::InferBatchStatistics& batch : model.batch_stats()) {
        std::cout << "  batch size " << batch.batch_size() << ": infer "
                  << DurationSummary(batch.compute_infer()) << "\n";
      }
    }
    if (stats->model_stats_size() == 0) std::cout << "no statistics\n";
    return absl::OkStatus();
  }

  absl::Status Devices() {
    absl::StatusOr<admin::ListDevicesResponse> list = client_.ListDevices();
    if (!list.ok()) return list.status();
    if (list->devices_size() == 0) {
      std::cout << "no Vulkan devices: " << list->unavailable_reason() << "\n";
      return absl::OkStatus();
    }
    for (const admin::Device& device : list->devices()) {
      std::cout << absl::StrFormat("%u  %s (%s, %s, Vulkan %s)\n", device.index(), device.name(),
                                   device.type(), device.driver(), device.api_version());
      std::cout << absl::StrFormat("   memory: %.1f MiB used by inferd of %.1f MiB\n",
                                   static_cast<double>(device.memory_used_bytes()) / (1 << 20),
                                   static_cast<double>(device.memory_total_bytes()) / (1 << 20));
      if (!device.unusable_reason().empty()) {
        std::cout << "   not usable: " << device.unusable_reason() << "\n";
      }
      for (const admin::DeviceInstance& instance : device.instances()) {
        std::cout << absl::StrFormat("   instance: %s version %d #%d\n", instance.model(),
                                     instance.version(), instance.instance());
      }
    }
    return absl::OkStatus();
  }

  absl::Status Profile() {
    absl::StatusOr<admin::OperatorProfileResponse> profile =
        client_.OperatorProfile(line_.model, line_.model_version);
    if (!profile.ok()) return profile.status();
    std::cout << profile->name() << " version " << profile->version() << ": "
              << profile->inference_count() << " inferences in " << profile->execution_count()
              << " executions\n";
    if (profile->operators_size() == 0) {
      std::cout << "  no per-operator times: this model's backend runs it as one job\n";
      return absl::OkStatus();
    }
    std::vector<const admin::OperatorTiming*> operators;
    uint64_t total_ns = 0;
    std::map<std::string, std::pair<uint64_t, int>> by_type;  // op -> (ns, operators)
    for (const admin::OperatorTiming& timing : profile->operators()) {
      operators.push_back(&timing);
      // A control-flow operator's time includes its blocks' operators: count only the leaves.
      if (timing.op() != "COND_IF" && timing.op() != "WHILE_LOOP") total_ns += timing.total_ns();
      auto& [ns, count] = by_type[timing.op()];
      ns += timing.total_ns();
      ++count;
    }
    if (total_ns == 0) {
      std::cout << "  no operator has run yet\n";
      return absl::OkStatus();
    }
    std::stable_sort(operators.begin(), operators.end(),
                     [](const admin::OperatorTiming* a, const admin::OperatorTiming* b) {
                       return a->total_ns() > b->total_ns();
                     });
    const auto share = [&](uint64_t ns) {
      return absl::StrFormat("%5.1f%%", 100.0 * static_cast<double>(ns) / total_ns);
    };
    std::cout << absl::StrFormat("  %-6s %12s %10s  %-28s %s\n", "share", "us per call", "calls",
                                 "operator", "output [shape]");
    const size_t shown = std::min(operators.size(), static_cast<size_t>(line_.top));
    for (size_t i = 0; i < shown; ++i) {
      const admin::OperatorTiming& timing = *operators[i];
      const double per_call_us =
          timing.calls() == 0 ? 0.0 : static_cast<double>(timing.total_ns()) / timing.calls() / 1e3;
      const std::string where =
          timing.block() == "main" ? "" : absl::StrCat(" (block ", timing.block(), ")");
      std::cout << absl::StrFormat("  %-6s %12.2f %10d  %-28s %s [%s]%s\n",
                                   share(timing.total_ns()), per_call_us, timing.calls(),
                                   absl::StrCat(timing.op(), " #", timing.index()), timing.output(),
                                   timing.shape(), where);
    }
    if (shown < operators.size()) {
      std::cout << "  ... " << operators.size() - shown << " more (--top N shows more)\n";
    }
    std::vector<std::pair<std::string, std::pair<uint64_t, int>>> types(by_type.begin(),
                                                                        by_type.end());
    std::stable_sort(types.begin(), types.end(),
                     [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
    std::cout << "  by operator type:\n";
    for (const auto& [op, totals] : types) {
      std::cout << absl::StrFormat("  %-6s %-28s %d operator%s, %.3f ms in all\n",
                                   share(totals.first), op, totals.second,
                                   totals.second == 1 ? "" : "s", totals.first / 1e6);
    }
    return absl::OkStatus();
  }

  absl::Status Infer() {
    std::vector<NamedTensor> inputs;
    for (const InferctlInput& input : line_.inputs) {
      absl::StatusOr<Tensor> tensor =
          LooksLikeTensorText(input.spec) ? ParseTensorText(input.spec) : ReadNpyFile(input.spec);
      if (!tensor.ok()) {
        return absl::Status(tensor.status().code(),
                            absl::StrCat("--input ", input.name, ": ", tensor.status().message()));
      }
      inputs.push_back({input.name, *std::move(tensor)});
    }
    InferOptions options;
    options.model_version = line_.model_version;
    options.request_id = line_.request_id;
    options.requested_outputs = line_.outputs;
    absl::StatusOr<int64_t> rows_per_request = RowsPerRequest(inputs);
    if (!rows_per_request.ok()) return rows_per_request.status();
    absl::StatusOr<InferResult> result = *rows_per_request > 0
                                             ? InferInChunks(inputs, options, *rows_per_request)
                                             : client_.Infer(line_.model, inputs, options);
    if (!result.ok()) return result.status();
    if (!line_.labels.empty()) {
      if (absl::Status status = PrintAccuracy(*result); !status.ok()) return status;
    }

    if (!line_.output_dir.empty()) {
      std::error_code error;
      std::filesystem::create_directories(line_.output_dir, error);
      if (error) {
        return absl::FailedPreconditionError(
            absl::StrCat("cannot create ", line_.output_dir, ": ", error.message()));
      }
    }
    if (!result->id.empty()) std::cout << "id: " << result->id << "\n";
    for (const NamedTensor& output : result->outputs) {
      const std::string summary =
          TensorSummary(DataTypeName(output.tensor.dtype()), output.tensor.shape());
      if (!line_.output_dir.empty()) {
        const std::string path =
            (std::filesystem::path(line_.output_dir) / OutputFileName(output.name)).string();
        if (absl::Status status = WriteNpyFile(path, output.tensor); !status.ok()) {
          return absl::Status(status.code(),
                              absl::StrCat("output ", output.name, ": ", status.message()));
        }
        std::cout << output.name << ": " << summary << " -> " << path << "\n";
        continue;
      }
      std::cout << output.name << ": " << summary << "\n"
                << "  " << FormatTensorValues(output.tensor, static_cast<size_t>(line_.max_values))
                << "\n";
      if (std::optional<std::vector<int64_t>> argmax = ArgmaxPerRow(output.tensor)) {
        // --max-values bounds this list too: 359 rows of digits would fill the terminal.
        const size_t shown = std::min(argmax->size(), static_cast<size_t>(line_.max_values));
        std::cout << "  argmax per row: ["
                  << absl::StrJoin(argmax->begin(), argmax->begin() + shown, ", ")
                  << (shown < argmax->size() ? ", ...]\n" : "]\n");
      }
    }
    return absl::OkStatus();
  }

  // 0 when the inputs go in one request; otherwise how many rows each request carries.
  absl::StatusOr<int64_t> RowsPerRequest(const std::vector<NamedTensor>& inputs) {
    if (inputs.empty() || inputs[0].tensor.shape().empty()) return 0;
    const int64_t rows = inputs[0].tensor.shape()[0];
    int64_t limit = line_.batch_size;
    if (limit == 0) {
      absl::StatusOr<inference::ModelConfig> config =
          client_.ModelConfig(line_.model, line_.model_version);
      if (!config.ok()) return config.status();
      limit = config->max_batch_size();
    }
    if (limit <= 0 || rows <= limit) return 0;
    for (const NamedTensor& input : inputs) {
      if (input.tensor.shape().empty() || input.tensor.shape()[0] != rows) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--input ", input.name, ": every input needs the same number of rows to be split"));
      }
    }
    return limit;
  }

  // Sends the inputs `rows` at a time and joins each output's rows back together in order.
  absl::StatusOr<InferResult> InferInChunks(const std::vector<NamedTensor>& inputs,
                                            const InferOptions& options, int64_t rows) {
    const int64_t total = inputs[0].tensor.shape()[0];
    InferResult joined;
    std::vector<std::vector<Tensor>> pieces;
    for (int64_t first = 0; first < total; first += rows) {
      const int64_t count = std::min(rows, total - first);
      std::vector<NamedTensor> chunk;
      for (const NamedTensor& input : inputs) {
        chunk.push_back({input.name, input.tensor.SliceOuter(first, count)});
      }
      absl::StatusOr<InferResult> result = client_.Infer(line_.model, chunk, options);
      if (!result.ok()) {
        return absl::Status(
            result.status().code(),
            absl::StrCat("rows ", first, "..", first + count - 1, ": ", result.status().message()));
      }
      if (pieces.empty()) {
        joined.model_name = result->model_name;
        joined.model_version = result->model_version;
        joined.id = result->id;
        for (const NamedTensor& output : result->outputs)
          joined.outputs.push_back({output.name, {}});
        pieces.resize(result->outputs.size());
      }
      for (size_t i = 0; i < result->outputs.size() && i < pieces.size(); ++i) {
        pieces[i].push_back(result->outputs[i].tensor);
      }
    }
    for (size_t i = 0; i < pieces.size(); ++i) {
      Shape shape = pieces[i][0].shape();
      if (shape.empty()) return absl::InternalError("a batched output has no rows to join");
      shape[0] = total;
      Tensor whole = Tensor::Allocate(pieces[i][0].dtype(), shape);
      uint8_t* out = whole.mutable_bytes().data();
      for (const Tensor& piece : pieces[i]) {
        std::memcpy(out, piece.bytes().data(), piece.byte_size());
        out += piece.byte_size();
      }
      joined.outputs[i].tensor = std::move(whole);
    }
    return joined;
  }

  absl::Status PrintAccuracy(const InferResult& result) {
    absl::StatusOr<Tensor> labels = ReadNpyFile(line_.labels);
    if (!labels.ok()) {
      return absl::Status(labels.status().code(),
                          absl::StrCat("--labels: ", labels.status().message()));
    }
    for (const NamedTensor& output : result.outputs) {
      std::optional<std::vector<int64_t>> argmax = ArgmaxPerRow(output.tensor);
      if (!argmax) continue;
      if (labels->element_count() != static_cast<int64_t>(argmax->size())) {
        return absl::InvalidArgumentError(absl::StrCat("--labels has ", labels->element_count(),
                                                       " labels but output ", output.name, " has ",
                                                       argmax->size(), " rows"));
      }
      int64_t correct = 0;
      for (size_t row = 0; row < argmax->size(); ++row) {
        if ((*argmax)[row] == LabelAt(*labels, static_cast<int64_t>(row))) ++correct;
      }
      std::cout << absl::StrFormat(
          "accuracy: %d/%d = %.2f %%\n", correct, argmax->size(),
          100.0 * static_cast<double>(correct) / static_cast<double>(argmax->size()));
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError("--labels needs an output of shape [N,K] to take argmax of");
  }

  static int64_t LabelAt(const Tensor& labels, int64_t row) {
    switch (labels.dtype()) {
      case DataType::kInt8:
        return labels.values<int8_t>()[row];
      case DataType::kUint8:
        return labels.values<uint8_t>()[row];
      case DataType::kInt16:
        return labels.values<int16_t>()[row];
      case DataType::kInt32:
        return labels.values<int32_t>()[row];
      case DataType::kInt64:
        return labels.values<int64_t>()[row];
      default:
        return -1;
    }
  }

  const InferctlCommandLine& line_;
  InferenceClient& client_;
  std::string context_;
};

int Main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<InferctlCommandLine> line = ParseInferctlCommandLine(args);
  if (!line.ok()) {
    std::cerr << "inferctl: " << line.status().message() << " (see inferctl --help)" << std::endl;
    return kExitUsage;
  }
  if (line->help) {
    std::cout << InferctlUsage();
    return 0;
  }
  const absl::Duration timeout =
      line->timeout_ms ? absl::Milliseconds(*line->timeout_ms) : absl::InfiniteDuration();
  absl::StatusOr<ChannelSecurity> security = LoadChannelSecurity(line->tls);
  if (!security.ok()) {
    std::cerr << "inferctl: " << security.status().message() << std::endl;
    return kExitUsage;
  }
  std::unique_ptr<InferenceClient> client =
      InferenceClient::Connect(line->url, timeout, &*security);
  Inferctl inferctl(*line, *client);
  const absl::Status status = inferctl.Run();
  std::cout.flush();
  if (!status.ok()) {
    PrintError(inferctl.context(), status);
    return kExitFailure;
  }
  return 0;
}

}  // namespace
}  // namespace inferd::client

int main(int argc, char** argv) { return inferd::client::Main(argc, argv); }

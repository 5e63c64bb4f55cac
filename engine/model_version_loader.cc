#include "engine/model_version_loader.h"

// glibc's malloc_trim, except under a sanitizer: ASan and TSan replace malloc, and trimming
// glibc's own (unused) arena there reads a null heap (an ASan SEGV in mtrim seen in CI).
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define INFERD_SANITIZED_MALLOC 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define INFERD_SANITIZED_MALLOC 1
#endif
#if defined(__GLIBC__) && !defined(INFERD_SANITIZED_MALLOC)
#define INFERD_TRIM_AFTER_LOAD 1
#include <malloc.h>
#endif

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "engine/executorch/bundled_program.h"
#include "engine/executorch/bundled_self_test.h"
#include "engine/executorch/executorch_program.h"
#include "engine/graph/graph_validator.h"
#include "engine/graph/tosa_reader.h"
#include "engine/graph_model_config.h"
#include "engine/model_config.h"
#include "engine/output_labels.h"
#include "engine/vgf_delegated_program.h"
#include "engine/vgf_model_graph.h"
#include "spdlog/spdlog.h"

namespace inferd {
namespace fs = std::filesystem;

namespace {

bool IsTosaFile(const fs::path& path) { return path.extension() == ".tosa"; }
bool IsVgfFile(const fs::path& path) { return path.extension() == ".vgf"; }

// The VGF alternative to a backend's default file name: a version folder holding only model.vgf
// serves it on the TOSA backends without naming it in config.pbtxt.
constexpr char kVgfModelFile[] = "model.vgf";

// Runs the bundle's test sets for the served method through every instance: a summary for the
// repository index, or why the model must not serve.
absl::StatusOr<std::string> SelfTestBundle(
    const executorch::BundledProgram& bundle,
    const std::vector<std::unique_ptr<Executable>>& instances, const BackendLoadRequest& request) {
  auto program = executorch::ParseExecuTorchProgram(bundle.program);
  if (!program.ok()) return program.status();
  auto tolerance = executorch::BundledToleranceFromParameters(request.parameters);
  if (!tolerance.ok()) return tolerance.status();
  executorch::BundledSelfTestOptions options;
  options.method = program->method;
  options.inputs = request.inputs;
  options.outputs = request.outputs;
  options.max_batch_size = request.max_batch_size;
  options.tolerance = *tolerance;
  return executorch::RunBundledSelfTest(bundle, instances, options);
}

}  // namespace

ModelVersionLoader::ModelVersionLoader(ModelVersionLoaderOptions options,
                                       const BackendRegistry* backends, MetricsRegistry* metrics)
    : options_(std::move(options)), backends_(backends), metrics_(metrics) {}

absl::StatusOr<std::shared_ptr<ServingModel>> ModelVersionLoader::Load(
    const ModelFileReader& files, const fs::path& model_dir, inference::ModelConfig config,
    int64_t version) const {
  const std::string model = config.name();
  const absl::Time start = absl::Now();
  auto loaded = LoadUntimed(files, model_dir, std::move(config), version);
#ifdef INFERD_TRIM_AFTER_LOAD
  // Loading freed the file's bytes and the parsed graph (a backend keeps what it needs, e.g. the
  // CPU backend its packed weights): give glibc's free pages back, which it would otherwise keep
  // resident between the chunks the model holds.
  malloc_trim(0);
#endif
  if (metrics_ != nullptr) {
    metrics_->RecordModelLoad(model, version, absl::ToDoubleSeconds(absl::Now() - start),
                              loaded.ok());
  }
  return loaded;
}

absl::StatusOr<std::shared_ptr<ServingModel>> ModelVersionLoader::LoadUntimed(
    const ModelFileReader& files, const fs::path& model_dir, inference::ModelConfig config,
    int64_t version) const {
  const std::string& model = config.name();
  Backend* backend = backends_->Find(config.backend());
  if (backend == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("model '", model, "': unknown backend '", config.backend(),
                     "'; this daemon has: ", absl::StrJoin(backends_->Names(), ", ")));
  }
  const std::string file_name = config.default_model_filename().empty()
                                    ? std::string(backend->default_model_filename())
                                    : config.default_model_filename();
  if (file_name.find('/') != std::string::npos || file_name == ".." || file_name == ".") {
    return absl::InvalidArgumentError(absl::StrCat("model '", model, "': default_model_filename '",
                                                   file_name, "' must be a plain file name"));
  }
  fs::path model_path = model_dir / std::to_string(version) / file_name;
  // Read whole: the TOSA reader keeps views into the bytes for constant data.
  auto read = files.ReadModelFile(model_path);
  if (!read.ok() && absl::IsNotFound(read.status()) && config.default_model_filename().empty() &&
      IsTosaFile(model_path)) {
    const fs::path vgf_path = model_dir / std::to_string(version) / kVgfModelFile;
    auto vgf = files.ReadModelFile(vgf_path);
    if (vgf.ok() || !absl::IsNotFound(vgf.status())) {
      spdlog::info("model '{}' version {}: {} is absent; loading {}", model, version,
                   model_path.filename().string(), vgf_path.filename().string());
      model_path = vgf_path;
      read = std::move(vgf);
    }
  }
  if (!read.ok()) {
    return absl::Status(read.status().code(), absl::StrCat("model '", model, "' version ", version,
                                                           ": ", read.status().message()));
  }
  auto bytes = std::make_shared<const std::vector<uint8_t>>(*std::move(read));

  // A bundled program: the backend loads the program inside; its test sets run once the instances
  // are up. `bundle` points into `file`, which lives until then.
  const std::shared_ptr<const std::vector<uint8_t>> file = bytes;
  std::optional<executorch::BundledProgram> bundle;
  if (executorch::LooksLikeBundledProgram(*file)) {
    auto parsed = executorch::ParseBundledProgram(*file);
    if (!parsed.ok()) {
      return absl::Status(
          parsed.status().code(),
          absl::StrCat("model '", model, "' version ", version, ": ", parsed.status().message()));
    }
    bundle = *std::move(parsed);
    bytes = std::make_shared<const std::vector<uint8_t>>(bundle->program.begin(),
                                                         bundle->program.end());
  }

  std::shared_ptr<const graph::Graph> graph;
  std::string platform = config.platform();
  if (IsTosaFile(model_path)) {
    auto parsed = graph::ReadTosaGraph(*bytes);
    if (!parsed.ok()) {
      return absl::Status(
          parsed.status().code(),
          absl::StrCat("model '", model, "' version ", version, ": ", parsed.status().message()));
    }
    if (auto status = graph::ValidateGraph(**parsed); !status.ok()) {
      return absl::Status(status.code(), absl::StrCat("model '", model, "' version ", version,
                                                      ": invalid TOSA graph: ", status.message()));
    }
    graph = *std::move(parsed);
    if (auto status = ReconcileConfigWithGraph(*graph, config); !status.ok()) return status;
    if (platform.empty()) platform = "tosa";
  } else if (IsVgfFile(model_path)) {
    auto parsed = LoadVgfModelGraph(*bytes, config);
    if (!parsed.ok()) {
      return absl::Status(
          parsed.status().code(),
          absl::StrCat("model '", model, "' version ", version, ": ", parsed.status().message()));
    }
    graph = *std::move(parsed);
    if (auto status = ReconcileConfigWithGraph(*graph, config); !status.ok()) return status;
    if (platform.empty()) platform = "vgf";
  } else if (config.input_size() == 0 || config.output_size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model '", model, "': ", model_path.filename().string(),
        " is not a TOSA or VGF graph, so config.pbtxt must declare the inputs and outputs"));
  }
  if (platform.empty()) platform = config.backend();

  auto labels = ReadOutputLabels(files, model_dir, config);
  if (!labels.ok()) return labels.status();

  BackendLoadRequest request;
  request.model_name = model;
  request.version = version;
  request.model_path = model_path;
  request.model_bytes = bytes;
  request.graph = graph;
  request.max_batch_size = config.max_batch_size();
  request.preferred_batch_sizes.assign(config.dynamic_batching().preferred_batch_size().begin(),
                                       config.dynamic_batching().preferred_batch_size().end());
  request.inputs = InputSpecs(config);
  request.outputs = OutputSpecs(config);
  for (const auto& [key, value] : config.parameters())
    request.parameters[key] = value.string_value();

  // An ExecuTorch program delegated to VgfBackend: the engine decodes its VGF payload for the
  // backend; other programs (EthosUBackend) go to the backend as they are.
  const bool vgf_program = graph == nullptr && IsVgfDelegatedProgram(*bytes);
  VgfPayloadCache vgf_payload;  // decoded by the first instance, shared by the others
  std::vector<std::unique_ptr<Executable>> instances;
  for (const auto& group : config.instance_group()) {
    // As in Triton, `count` instances go on each device the group lists.
    std::vector<std::optional<int>> devices(group.gpus().begin(), group.gpus().end());
    if (devices.empty()) devices.push_back(std::nullopt);
    for (const std::optional<int>& device : devices) {
      for (int i = 0; i < group.count(); ++i) {
        request.instance_index = static_cast<int>(instances.size());
        request.device_index = device;
        auto executable = vgf_program ? LoadVgfDelegatedProgram(*backend, request, &vgf_payload)
                                      : backend->Load(request);
        if (!executable.ok()) {
          return absl::Status(executable.status().code(),
                              absl::StrCat("model '", model, "' version ", version, " (backend ",
                                           config.backend(), "): ", executable.status().message()));
        }
        instances.push_back(*std::move(executable));
      }
    }
  }

  std::string load_note;
  if (bundle.has_value()) {
    auto note = SelfTestBundle(*bundle, instances, request);
    if (!note.ok()) {
      return absl::Status(note.status().code(),
                          absl::StrCat("model '", model, "' version ", version, " (backend ",
                                       config.backend(), "): ", note.status().message()));
    }
    load_note = *std::move(note);
  }

  SchedulerOptions scheduling;
  scheduling.model_name = model;
  scheduling.version = version;
  scheduling.max_batch_size = config.max_batch_size();
  scheduling.outputs = request.outputs;
  scheduling.dynamic_batching = config.has_dynamic_batching();
  scheduling.preferred_batch_sizes.assign(config.dynamic_batching().preferred_batch_size().begin(),
                                          config.dynamic_batching().preferred_batch_size().end());
  scheduling.max_queue_delay =
      absl::Microseconds(config.dynamic_batching().max_queue_delay_microseconds());
  const uint32_t configured_queue =
      config.dynamic_batching().default_queue_policy().max_queue_size();
  scheduling.max_queue_size =
      configured_queue > 0 ? configured_queue : options_.default_max_queue_size;

  auto statistics = std::make_shared<ModelStatistics>(
      metrics_ != nullptr ? metrics_->ForModel(model, version) : ModelMetrics{});
  auto scheduler =
      std::make_unique<Scheduler>(std::move(scheduling), std::move(instances), statistics);
  return std::make_shared<ServingModel>(std::move(config), version, std::move(platform),
                                        std::move(scheduler), std::move(statistics),
                                        *std::move(labels), std::move(load_note));
}

}  // namespace inferd

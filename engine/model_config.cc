#include "engine/model_config.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"

namespace inferd {
namespace {

// The kind of a text-format parse error, from protobuf's message but without the tokens it quotes:
// config.pbtxt may be a link to a file that is not a config at all, and its bytes must not reach
// a client or a log.
std::string DescribeParseError(const std::string& message) {
  static constexpr struct {
    const char* fragment;
    const char* description;
  } kKinds[] = {
      {"has no field named", "unknown field name"},
      {"Unknown enumeration value", "unknown enumeration value"},
      {"out of range", "number out of range"},
      {"specified multiple times", "a non-repeated field is given more than once"},
      {"Expected identifier", "expected a field name"},
      {"Expected integer", "expected an integer"},
      {"parse integer", "expected an integer"},
      {"Expected double", "expected a number"},
      {"Expected string", "expected a quoted string"},
      {"boolean", "expected true or false"},
      {"string literal", "malformed string literal"},
      {"end of string", "malformed string literal"},
      {"escape", "malformed escape sequence"},
      {"control characters", "control characters in the text"},
      {"Expected", "unexpected token"},
  };
  for (const auto& kind : kKinds) {
    if (message.find(kind.fragment) != std::string::npos) return kind.description;
  }
  return "syntax error";
}

// Collects the text parser's first complaint as line, column and kind.
class ConfigErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (first_error_.empty()) {
      first_error_ = absl::StrCat("line ", line + 1, " column ", column + 1, ": ",
                                  DescribeParseError(message));
    }
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
  const std::string& first_error() const { return first_error_; }

 private:
  std::string first_error_;
};

constexpr struct {
  inference::DataType config;
  DataType engine;
} kTypeMap[] = {
    {inference::TYPE_BOOL, DataType::kBool},     {inference::TYPE_UINT8, DataType::kUint8},
    {inference::TYPE_UINT16, DataType::kUint16}, {inference::TYPE_UINT32, DataType::kUint32},
    {inference::TYPE_UINT64, DataType::kUint64}, {inference::TYPE_INT8, DataType::kInt8},
    {inference::TYPE_INT16, DataType::kInt16},   {inference::TYPE_INT32, DataType::kInt32},
    {inference::TYPE_INT64, DataType::kInt64},   {inference::TYPE_FP16, DataType::kFp16},
    {inference::TYPE_FP32, DataType::kFp32},     {inference::TYPE_FP64, DataType::kFp64},
    {inference::TYPE_STRING, DataType::kBytes},  {inference::TYPE_BF16, DataType::kBf16},
};

absl::Status CheckTensorList(const std::string& model_name, const char* kind,
                             const std::string& name, inference::DataType type,
                             const google::protobuf::RepeatedField<int64_t>& dims) {
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("model '", model_name, "': an ", kind, " in config.pbtxt has no name"));
  }
  if (DataTypeFromConfig(type) == DataType::kInvalid) {
    return absl::InvalidArgumentError(
        absl::StrCat("model '", model_name, "': ", kind, " '", name, "' has no valid data_type"));
  }
  for (int64_t dim : dims) {
    if (dim < -1 || dim == 0) {
      return absl::InvalidArgumentError(absl::StrCat("model '", model_name, "': ", kind, " '", name,
                                                     "' has dimension ", dim,
                                                     "; dims must be positive or -1"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<inference::ModelConfig> ParseModelConfig(const std::string& text,
                                                        const std::string& model_name) {
  inference::ModelConfig config;
  google::protobuf::TextFormat::Parser parser;
  ConfigErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &config)) {
    return absl::InvalidArgumentError(
        absl::StrCat("model '", model_name, "': config.pbtxt does not parse: ",
                     errors.first_error().empty() ? "syntax error" : errors.first_error()));
  }
  return config;
}

absl::StatusOr<inference::ModelConfig> ParseModelConfigJson(const std::string& json) {
  if (json.size() > kMaxConfigFileSize) {
    return absl::InvalidArgumentError(absl::StrCat("Invalid config override: ", json.size(),
                                                   " bytes, over the limit of ", kMaxConfigFileSize,
                                                   " bytes for a configuration"));
  }
  inference::ModelConfig config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a misspelt field is a mistake to report, as Triton does
  if (auto status = google::protobuf::util::JsonStringToMessage(json, &config, options);
      !status.ok()) {
    // protobuf's message may quote the client's text; a bounded excerpt is enough to find it.
    constexpr size_t kShown = 256;
    const std::string reason(status.message().substr(0, kShown));
    return absl::InvalidArgumentError(absl::StrCat("Invalid config override: ", reason,
                                                   status.message().size() > kShown ? "..." : ""));
  }
  return config;
}

absl::StatusOr<inference::ModelConfig> ReadModelConfigFile(const std::filesystem::path& path,
                                                           const std::string& model_name,
                                                           const ModelFileReader& reader) {
  auto text = reader.ReadConfigFile(path);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat("model '", model_name, "': ", text.status().message()));
  }
  return ParseModelConfig(*text, model_name);
}

absl::Status NormalizeModelConfig(const std::string& model_name, const std::string& default_backend,
                                  inference::ModelConfig& config) {
  if (config.name().empty()) config.set_name(model_name);
  if (config.name() != model_name) {
    // Quoted only in part: the name comes from a file, and a long one would flood the message.
    constexpr size_t kQuoted = 64;
    return absl::InvalidArgumentError(absl::StrCat(
        "model '", model_name, "': config.pbtxt names it '", config.name().substr(0, kQuoted),
        config.name().size() > kQuoted ? "...'" : "'", "; the name must equal the folder name"));
  }
  if (config.backend().empty()) config.set_backend(default_backend);
  if (config.max_batch_size() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("model '", model_name, "': max_batch_size must be >= 0"));
  }
  if (config.has_sequence_batching() || config.has_ensemble_scheduling()) {
    return absl::UnimplementedError(absl::StrCat(
        "model '", model_name, "': sequence batching and ensembles are not supported by inferd"));
  }
  if (config.model_transaction_policy().decoupled()) {
    return absl::UnimplementedError(
        absl::StrCat("model '", model_name, "': decoupled models are not supported by inferd"));
  }
  if (config.has_dynamic_batching() && config.max_batch_size() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("model '", model_name, "': dynamic_batching needs max_batch_size > 0"));
  }
  for (int size : config.dynamic_batching().preferred_batch_size()) {
    if (size <= 0 || size > config.max_batch_size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("model '", model_name, "': preferred_batch_size ", size,
                       " is outside 1..max_batch_size (", config.max_batch_size(), ")"));
    }
  }
  if (!config.has_version_policy())
    config.mutable_version_policy()->mutable_latest()->set_num_versions(1);
  if (config.version_policy().has_latest() &&
      config.version_policy().latest().num_versions() == 0) {
    config.mutable_version_policy()->mutable_latest()->set_num_versions(1);
  }
  if (config.instance_group_size() == 0) {
    auto* group = config.add_instance_group();
    group->set_count(1);
    group->set_kind(inference::ModelInstanceGroup::KIND_CPU);
  }
  for (int i = 0; i < config.instance_group_size(); ++i) {
    auto& group = *config.mutable_instance_group(i);
    if (group.count() == 0) group.set_count(1);
    if (group.count() < 0 || group.count() > 64) {
      return absl::InvalidArgumentError(absl::StrCat(
          "model '", model_name, "': instance_group count ", group.count(), " is outside 1..64"));
    }
    for (int gpu : group.gpus()) {
      if (gpu < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "model '", model_name, "': instance_group gpus entry ", gpu, " is negative"));
      }
    }
    if (group.name().empty()) group.set_name(absl::StrCat(model_name, "_", i));
  }
  for (const auto& input : config.input()) {
    if (auto status =
            CheckTensorList(model_name, "input", input.name(), input.data_type(), input.dims());
        !status.ok()) {
      return status;
    }
  }
  for (const auto& output : config.output()) {
    if (auto status =
            CheckTensorList(model_name, "output", output.name(), output.data_type(), output.dims());
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

DataType DataTypeFromConfig(inference::DataType type) {
  for (const auto& entry : kTypeMap) {
    if (entry.config == type) return entry.engine;
  }
  return DataType::kInvalid;
}

inference::DataType DataTypeToConfig(DataType type) {
  for (const auto& entry : kTypeMap) {
    if (entry.engine == type) return entry.config;
  }
  return inference::TYPE_INVALID;
}

std::vector<TensorSpec> InputSpecs(const inference::ModelConfig& config) {
  std::vector<TensorSpec> specs;
  for (const auto& input : config.input()) {
    specs.push_back({input.name(), DataTypeFromConfig(input.data_type()),
                     Shape(input.dims().begin(), input.dims().end())});
  }
  return specs;
}

std::vector<TensorSpec> OutputSpecs(const inference::ModelConfig& config) {
  std::vector<TensorSpec> specs;
  for (const auto& output : config.output()) {
    specs.push_back({output.name(), DataTypeFromConfig(output.data_type()),
                     Shape(output.dims().begin(), output.dims().end())});
  }
  return specs;
}

}  // namespace inferd

#include "server/model_load_parameters.h"

#include <algorithm>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/model_config.h"
#include "server/client_text.h"

namespace inferd {
namespace {

constexpr char kFilePrefix[] = "file:";
constexpr size_t kFilePrefixSize = sizeof(kFilePrefix) - 1;

// Triton's names for parameter types, as its "Unrecognized load parameter" message gives them.
std::string_view TypeName(const inference::ModelRepositoryParameter& parameter) {
  switch (parameter.parameter_choice_case()) {
    case inference::ModelRepositoryParameter::kBoolParam:
      return "BOOL";
    case inference::ModelRepositoryParameter::kInt64Param:
      return "INT";
    case inference::ModelRepositoryParameter::kStringParam:
      return "STRING";
    case inference::ModelRepositoryParameter::kBytesParam:
      return "BYTES";
    default:
      return "UNSET";
  }
}

}  // namespace

absl::StatusOr<std::shared_ptr<const ModelLoadOverride>> ParseModelLoadParameters(
    const std::string& model_name, const ModelLoadParameters& parameters,
    const ModelPushLimits& limits) {
  if (parameters.empty()) return nullptr;
  // In name order, so that the same request always gets the same first error.
  std::vector<const std::string*> names;
  names.reserve(parameters.size());
  for (const auto& [name, value] : parameters) names.push_back(&name);
  std::sort(names.begin(), names.end(), [](auto* a, auto* b) { return *a < *b; });

  auto override = std::make_shared<ModelLoadOverride>();
  bool has_config = false;
  size_t file_count = 0;
  uint64_t total_bytes = 0;
  for (const std::string* name : names) {
    const inference::ModelRepositoryParameter& value = parameters.at(*name);
    if (*name == "config") {
      if (value.parameter_choice_case() != inference::ModelRepositoryParameter::kStringParam) {
        return absl::InvalidArgumentError(
            "Config parameter 'config' must have string type for its value");
      }
      auto config = ParseModelConfigJson(value.string_param());
      if (!config.ok()) return config.status();
      override->config = *std::move(config);
      has_config = true;
    } else if (absl::StartsWith(*name, kFilePrefix)) {
      if (value.parameter_choice_case() != inference::ModelRepositoryParameter::kBytesParam) {
        return absl::InvalidArgumentError(absl::StrCat("File parameter ", QuoteClientText(*name),
                                                       " must have bytes type for its value"));
      }
      const std::string path = name->substr(kFilePrefixSize);
      if (auto status = CheckPushedFileName(path); !status.ok()) return status;
      if (auto status =
              CountPushedFile(limits, value.bytes_param().size(), file_count, total_bytes);
          !status.ok()) {
        return absl::Status(
            status.code(),
            absl::StrCat("load of model ", QuoteClientText(model_name), ": ", status.message()));
      }
      override->files.push_back({path, value.bytes_param()});
    } else {
      return absl::InvalidArgumentError(absl::StrCat("Unrecognized load parameter ",
                                                     QuoteClientText(*name), " with type '",
                                                     std::string(TypeName(value)), "'"));
    }
  }
  if (!has_config) {
    return absl::InvalidArgumentError(
        "Load parameter 'config' must be specified for model file override");
  }
  // Triton's check: the config must name the model it is loaded as (an empty name is filled in).
  if (!override->config.name().empty() && override->config.name() != model_name) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unexpected directory name ", QuoteClientText(model_name), " for model ",
        QuoteClientText(override->config.name()), ", directory name must equal model name"));
  }
  return override;
}

}  // namespace inferd

#include "benchmarks/serving/input_spec.h"

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace inferd::bench {
namespace {

DataType TypeFromName(absl::string_view name) {
  return DataTypeFromName(std::string_view(name.data(), name.size()));
}

std::string TypeName(DataType type) { return std::string(DataTypeName(type)); }

absl::Status CheckFillable(const InputSpec& spec) {
  if (spec.type == DataType::kInvalid || spec.type == DataType::kBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("input '", spec.name, "': the load generator fills only fixed-size numeric ",
                     "types, not ", TypeName(spec.type)));
  }
  for (int64_t dim : spec.shape) {
    if (dim <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("input '", spec.name, "': dimension ", dim,
                                                     " in its shape is not a positive size"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

int64_t InputSpec::ByteSize() const {
  int64_t elements = 1;
  for (int64_t dim : shape) elements *= dim;
  return elements * static_cast<int64_t>(DataTypeByteSize(type));
}

absl::StatusOr<std::vector<InputSpec>> ParseInputSpecs(absl::string_view text) {
  std::vector<InputSpec> specs;
  for (absl::string_view entry : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
    std::vector<absl::string_view> parts = absl::StrSplit(entry, ':');
    if (parts.size() != 3) {
      return absl::InvalidArgumentError(
          absl::StrCat("input spec '", entry, "' is not name:DATATYPE:d0xd1x..."));
    }
    InputSpec spec;
    spec.name = std::string(parts[0]);
    spec.type = TypeFromName(parts[1]);
    for (absl::string_view dim_text : absl::StrSplit(parts[2], 'x')) {
      int64_t dim = 0;
      if (!absl::SimpleAtoi(dim_text, &dim)) {
        return absl::InvalidArgumentError(
            absl::StrCat("input spec '", entry, "': '", dim_text, "' is not a dimension"));
      }
      spec.shape.push_back(dim);
    }
    if (absl::Status status = CheckFillable(spec); !status.ok()) return status;
    specs.push_back(std::move(spec));
  }
  if (specs.empty()) return absl::InvalidArgumentError("input spec names no input");
  return specs;
}

absl::StatusOr<std::vector<InputSpec>> InputSpecsFromMetadata(
    const inference::ModelMetadataResponse& metadata, int64_t batch) {
  std::vector<InputSpec> specs;
  for (const auto& input : metadata.inputs()) {
    InputSpec spec;
    spec.name = input.name();
    spec.type = TypeFromName(input.datatype());
    for (int64_t dim : input.shape()) spec.shape.push_back(dim < 0 ? batch : dim);
    if (absl::Status status = CheckFillable(spec); !status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("model '", metadata.name(), "': ", status.message()));
    }
    specs.push_back(std::move(spec));
  }
  if (specs.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("model '", metadata.name(), "' declares no inputs in its metadata"));
  }
  return specs;
}

std::string DescribeInputSpecs(const std::vector<InputSpec>& specs) {
  return absl::StrJoin(specs, "; ", [](std::string* out, const InputSpec& spec) {
    absl::StrAppend(out, spec.name, " ", TypeName(spec.type), " [", absl::StrJoin(spec.shape, ","),
                    "]");
  });
}

}  // namespace inferd::bench

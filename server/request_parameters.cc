#include "server/request_parameters.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/client_text.h"

namespace inferd {
namespace {

using Parameter = inference::InferParameter;

constexpr char kSupportedRequestParameters[] =
    "timeout (microseconds), priority (0 only), sequence_id (0 only), sequence_start and "
    "sequence_end (false only), binary_data_output, triton_enable_empty_final_response";

absl::Status Refuse(const std::string& where, const std::string& key, const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": request parameter ", QuoteClientText(key), " ", why));
}

// An integer parameter's value, whichever integer type the client chose; nullopt for other types
// and for uint64 values beyond int64.
std::optional<int64_t> IntegerValue(const Parameter& value) {
  switch (value.parameter_choice_case()) {
    case Parameter::kInt64Param:
      return value.int64_param();
    case Parameter::kUint64Param:
      if (value.uint64_param() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return std::nullopt;
      }
      return static_cast<int64_t>(value.uint64_param());
    default:
      return std::nullopt;
  }
}

}  // namespace

absl::StatusOr<RequestParameters> ParseRequestParameters(
    const inference::ModelInferRequest& request, const std::string& where) {
  RequestParameters parsed;
  for (const auto& [key, value] : request.parameters()) {
    if (key == "timeout") {
      const auto micros = IntegerValue(value);
      if (!micros.has_value() || *micros < 0) {
        return Refuse(where, key, "must be a non-negative integer number of microseconds");
      }
      if (*micros > 0) parsed.timeout = absl::Microseconds(*micros);
    } else if (key == "priority") {
      const auto priority = IntegerValue(value);
      if (!priority.has_value()) return Refuse(where, key, "must be an integer");
      if (*priority != 0) {
        return Refuse(where, key,
                      absl::StrCat("is ", *priority,
                                   ", but inferd has a single priority level; send 0 or omit it"));
      }
    } else if (key == "sequence_id") {
      // tritonclient sends no sequence_id unless asked; 0 or "" also mean "no sequence".
      const bool none = (IntegerValue(value).has_value() && *IntegerValue(value) == 0) ||
                        (value.has_string_param() && value.string_param().empty());
      if (!none) {
        return Refuse(where, key,
                      "asks for a sequence, but inferd has no sequence batcher; models are "
                      "stateless");
      }
    } else if (key == "sequence_start" || key == "sequence_end") {
      if (!value.has_bool_param()) return Refuse(where, key, "must be a bool");
      if (value.bool_param()) {
        return Refuse(where, key,
                      "asks for a sequence, but inferd has no sequence batcher; models are "
                      "stateless");
      }
    } else if (key == "triton_enable_empty_final_response") {
      if (!value.has_bool_param()) return Refuse(where, key, "must be a bool");
      parsed.enable_final_response_flag = value.bool_param();
    } else if (key == "binary_data_output") {
      // An HTTP framing choice; gRPC responses always carry raw bytes, so it changes nothing.
      if (!value.has_bool_param()) return Refuse(where, key, "must be a bool");
    } else {
      return Refuse(
          where, key,
          absl::StrCat("is not supported; inferd supports ", kSupportedRequestParameters));
    }
  }
  return parsed;
}

absl::Time EffectiveDeadline(absl::Time grpc_deadline, const RequestParameters& parameters,
                             absl::Time arrival) {
  if (!parameters.timeout.has_value()) return grpc_deadline;
  return std::min(grpc_deadline, arrival + *parameters.timeout);
}

absl::StatusOr<OutputParameters> ParseOutputParameters(
    const google::protobuf::Map<std::string, inference::InferParameter>& parameters,
    const std::string& where) {
  OutputParameters parsed;
  google::protobuf::Map<std::string, inference::InferParameter> others;
  for (const auto& [key, value] : parameters) {
    if (key != "classification") {
      others[key] = value;
      continue;
    }
    const std::optional<int64_t> k = IntegerValue(value);
    if (!k.has_value() || *k < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where,
                       ": tensor parameter \"classification\" must be a non-negative "
                       "integer (the number of top classes to return)"));
    }
    parsed.class_count = *k;
  }
  auto shared_memory = ParseTensorParameters(others, where);
  if (!shared_memory.ok()) return shared_memory.status();
  parsed.shared_memory = *std::move(shared_memory);
  return parsed;
}

absl::StatusOr<std::optional<SharedMemoryReference>> ParseTensorParameters(
    const google::protobuf::Map<std::string, inference::InferParameter>& parameters,
    const std::string& where) {
  std::optional<std::string> region;
  std::optional<int64_t> byte_size;
  int64_t offset = 0;
  auto non_negative = [&](const std::string& key,
                          const Parameter& value) -> absl::StatusOr<int64_t> {
    const std::optional<int64_t> number = IntegerValue(value);
    if (!number.has_value() || *number < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": tensor parameter \"", key, "\" must be a non-negative integer"));
    }
    return *number;
  };
  for (const auto& [key, value] : parameters) {
    if (key == "binary_data" || key == "binary_data_size") continue;
    if (key == "shared_memory_region") {
      if (value.parameter_choice_case() != Parameter::kStringParam) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": tensor parameter \"shared_memory_region\" must be a string"));
      }
      region = value.string_param();
    } else if (key == "shared_memory_byte_size") {
      auto number = non_negative(key, value);
      if (!number.ok()) return number.status();
      byte_size = *number;
    } else if (key == "shared_memory_offset") {
      auto number = non_negative(key, value);
      if (!number.ok()) return number.status();
      offset = *number;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": tensor parameter ", QuoteClientText(key),
          " is not supported; it accepts shared_memory_region, shared_memory_byte_size, "
          "shared_memory_offset, binary_data and binary_data_size, and classification on "
          "requested outputs"));
    }
  }
  if (!region.has_value()) {
    if (byte_size.has_value() || offset != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": shared_memory_byte_size and shared_memory_offset need shared_memory_region"));
    }
    return std::nullopt;
  }
  if (!byte_size.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": shared_memory_region needs shared_memory_byte_size"));
  }
  return SharedMemoryReference{*region, static_cast<uint64_t>(offset),
                               static_cast<uint64_t>(*byte_size)};
}

}  // namespace inferd

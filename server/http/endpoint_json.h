// JSON for the HTTP/REST endpoint: parsing untrusted bodies (depth-bounded, errors as
// INVALID_ARGUMENT with the position), KServe parameters both ways, the protobuf responses the
// gRPC service fills written as Triton's HTTP JSON, and the request bodies of the repository and
// logging endpoints. Only this file's .cc and infer_codec.cc include nlohmann's full header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/map.h"
#include "google/protobuf/message.h"
#include "inference.pb.h"
#include "nlohmann/json_fwd.hpp"
#include "server/shared_memory/system_shared_memory.h"

namespace inferd::http {

using ParameterMap = google::protobuf::Map<std::string, inference::InferParameter>;

// Parses `text` as one JSON value. INVALID_ARGUMENT naming where it is malformed, or that it nests
// deeper than kMaxJsonDepth (infer_codec.h).
absl::StatusOr<nlohmann::json> ParseJsonText(std::string_view text);

// `value` as compact JSON text; invalid UTF-8 in strings is replaced, never an error. Answers are
// built as ordered_json, so that fields keep the order Triton writes them in.
std::string WriteJson(const nlohmann::ordered_json& value);

// A KServe `parameters` object into `out`: booleans, integers, numbers and strings become the
// InferParameter of that kind; anything else is INVALID_ARGUMENT prefixed with `where`.
absl::Status ReadParameters(const nlohmann::json& object, const std::string& where,
                            ParameterMap& out);
nlohmann::ordered_json ParametersJson(const ParameterMap& parameters);

// {"error": message}: the body of every error answer.
std::string ErrorJson(std::string_view message);

// A protobuf response as Triton's HTTP endpoint writes it: the proto's field names, every scalar
// field (defaults included), 64-bit integers as numbers, enums by name, unset messages left out.
std::string ProtoJson(const google::protobuf::Message& message);
// The repository index as Triton's HTTP endpoint answers it: a JSON array of the models.
std::string RepositoryIndexJson(const inference::RepositoryIndexResponse& response);
// The log settings as one object of plain values, as Triton's HTTP endpoint answers them.
std::string LogSettingsJson(const inference::LogSettingsResponse& response);

// Request bodies; an empty body is an empty request.
// {"ready": bool}
absl::StatusOr<inference::RepositoryIndexRequest> ParseRepositoryIndexBody(std::string_view body);
// {"parameters": {...}}, for load and unload alike. A "file:..." string is base64 and becomes
// bytes (Triton's HTTP model push); INVALID_ARGUMENT when it does not decode.
absl::StatusOr<google::protobuf::Map<std::string, inference::ModelRepositoryParameter>>
ParseRepositoryParametersBody(std::string_view body);
// {"log_info": bool, "log_verbose_level": uint, ...}
absl::StatusOr<inference::LogSettingsRequest> ParseLogSettingsBody(std::string_view body);
// {"key": "/shm-name", "offset": uint, "byte_size": uint}: a system shared-memory registration
// (the region's name is in the path). `key` and `byte_size` are required, `offset` defaults to 0.
struct SharedMemoryRegistration {
  std::string key;
  uint64_t offset = 0;
  uint64_t byte_size = 0;
};
absl::StatusOr<SharedMemoryRegistration> ParseSharedMemoryRegisterBody(std::string_view body);
// The regions as Triton's HTTP endpoint lists them: an array of {"name", "key", "offset",
// "byte_size"}.
std::string SharedMemoryStatusJson(const std::vector<SharedMemoryRegionStatus>& regions);

}  // namespace inferd::http

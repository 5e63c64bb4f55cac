#include "server/http/endpoint_json.h"

#include <cstdint>
#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "server/client_text.h"
#include "server/http/infer_codec.h"

namespace inferd::http {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The deepest nesting of arrays and objects in `text`, counted lexically (strings skipped). Run
// before the parser so that a deeply nested body is refused before it costs a document.
int NestingDepth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

ojson ScalarField(const Message& message, const Reflection& reflection,
                  const FieldDescriptor& field, int index);

ojson MessageJson(const Message& message) {
  ojson out = ojson::object();
  const auto* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const std::string& name = field->name();
    if (field->is_map()) {
      ojson map = ojson::object();
      const int size = reflection->FieldSize(message, field);
      for (int j = 0; j < size; ++j) {
        const Message& entry = reflection->GetRepeatedMessage(message, field, j);
        const Reflection* entry_reflection = entry.GetReflection();
        const FieldDescriptor* key = entry.GetDescriptor()->map_key();
        const FieldDescriptor* value = entry.GetDescriptor()->map_value();
        ojson key_json = ScalarField(entry, *entry_reflection, *key, -1);
        std::string key_text = key_json.is_string() ? key_json.get<std::string>() : key_json.dump();
        map[key_text] = ScalarField(entry, *entry_reflection, *value, -1);
      }
      out[name] = std::move(map);
    } else if (field->is_repeated()) {
      ojson array = ojson::array();
      const int size = reflection->FieldSize(message, field);
      for (int j = 0; j < size; ++j) array.push_back(ScalarField(message, *reflection, *field, j));
      out[name] = std::move(array);
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE ||
               field->real_containing_oneof() != nullptr) {
      if (reflection->HasField(message, field)) {
        out[name] = ScalarField(message, *reflection, *field, -1);
      }
    } else {
      out[name] = ScalarField(message, *reflection, *field, -1);
    }
  }
  return out;
}

// One value of `field` (element `index` of a repeated field, or the field itself when -1).
ojson ScalarField(const Message& message, const Reflection& reflection,
                  const FieldDescriptor& field, int index) {
  const bool repeated = index >= 0;
#define INFERD_FIELD(getter)                                         \
  (repeated ? reflection.GetRepeated##getter(message, &field, index) \
            : reflection.Get##getter(message, &field))
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return INFERD_FIELD(Int32);
    case FieldDescriptor::CPPTYPE_INT64:
      return INFERD_FIELD(Int64);
    case FieldDescriptor::CPPTYPE_UINT32:
      return INFERD_FIELD(UInt32);
    case FieldDescriptor::CPPTYPE_UINT64:
      return INFERD_FIELD(UInt64);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return INFERD_FIELD(Double);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return INFERD_FIELD(Float);
    case FieldDescriptor::CPPTYPE_BOOL:
      return INFERD_FIELD(Bool);
    case FieldDescriptor::CPPTYPE_ENUM:
      return INFERD_FIELD(Enum)->name();
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string text = INFERD_FIELD(String);
      if (field.type() == FieldDescriptor::TYPE_BYTES) return absl::Base64Escape(text);
      return text;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return MessageJson(INFERD_FIELD(Message));
  }
#undef INFERD_FIELD
  return nullptr;
}

ojson ParameterJson(const inference::InferParameter& parameter) {
  switch (parameter.parameter_choice_case()) {
    case inference::InferParameter::kBoolParam:
      return parameter.bool_param();
    case inference::InferParameter::kInt64Param:
      return parameter.int64_param();
    case inference::InferParameter::kUint64Param:
      return parameter.uint64_param();
    case inference::InferParameter::kDoubleParam:
      return parameter.double_param();
    case inference::InferParameter::kStringParam:
      return parameter.string_param();
    default:
      return nullptr;
  }
}

absl::StatusOr<json> ParseObjectBody(std::string_view body, std::string_view what) {
  if (body.empty()) return json::object();
  auto parsed = ParseJsonText(body);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(what), " must be a JSON object"));
  }
  return parsed;
}

}  // namespace

absl::StatusOr<json> ParseJsonText(std::string_view text) {
  if (NestingDepth(text) > kMaxJsonDepth) {
    return absl::InvalidArgumentError(
        absl::StrCat("the JSON nests deeper than ", kMaxJsonDepth, " levels"));
  }
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& error) {
    // nlohmann's text starts with its exception's id and ends with the token it stopped at, which
    // is client text of any length and bytes: kept short and printable.
    std::string_view what = error.what();
    if (const size_t id_end = what.find("] "); id_end != std::string_view::npos) {
      what.remove_prefix(id_end + 2);
    }
    std::string message(what.substr(0, 200));
    for (char& c : message) {
      if (c < 0x20 || c > 0x7e) c = '?';
    }
    if (what.size() > 200) message += "...";
    return absl::InvalidArgumentError(absl::StrCat("malformed JSON: ", message));
  }
}

std::string WriteJson(const ojson& value) {
  return value.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

absl::Status ReadParameters(const json& object, const std::string& where, ParameterMap& out) {
  if (!object.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": parameters must be a JSON object"));
  }
  for (const auto& [key, value] : object.items()) {
    inference::InferParameter& parameter = out[key];
    if (value.is_boolean()) {
      parameter.set_bool_param(value.get<bool>());
    } else if (value.is_number_unsigned()) {
      const auto number = value.get<uint64_t>();
      if (number <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        parameter.set_int64_param(static_cast<int64_t>(number));
      } else {
        parameter.set_uint64_param(number);
      }
    } else if (value.is_number_integer()) {
      parameter.set_int64_param(value.get<int64_t>());
    } else if (value.is_number_float()) {
      parameter.set_double_param(value.get<double>());
    } else if (value.is_string()) {
      parameter.set_string_param(value.get<std::string>());
    } else {
      return absl::InvalidArgumentError(absl::StrCat(where, ": parameter ", QuoteClientText(key),
                                                     " must be a bool, a number or a string"));
    }
  }
  return absl::OkStatus();
}

ojson ParametersJson(const ParameterMap& parameters) {
  ojson out = ojson::object();
  for (const auto& [key, value] : parameters) out[key] = ParameterJson(value);
  return out;
}

std::string ErrorJson(std::string_view message) {
  return WriteJson(ojson{{"error", std::string(message)}});
}

std::string ProtoJson(const Message& message) { return WriteJson(MessageJson(message)); }

std::string RepositoryIndexJson(const inference::RepositoryIndexResponse& response) {
  ojson models = ojson::array();
  for (const auto& model : response.models()) models.push_back(MessageJson(model));
  return WriteJson(models);
}

std::string LogSettingsJson(const inference::LogSettingsResponse& response) {
  ojson out = ojson::object();
  for (const auto& [key, value] : response.settings()) {
    switch (value.parameter_choice_case()) {
      case inference::LogSettingsResponse::SettingValue::kBoolParam:
        out[key] = value.bool_param();
        break;
      case inference::LogSettingsResponse::SettingValue::kUint32Param:
        out[key] = value.uint32_param();
        break;
      case inference::LogSettingsResponse::SettingValue::kStringParam:
        out[key] = value.string_param();
        break;
      default:
        break;
    }
  }
  return WriteJson(out);
}

absl::StatusOr<inference::RepositoryIndexRequest> ParseRepositoryIndexBody(std::string_view body) {
  auto parsed = ParseObjectBody(body, "a repository index request");
  if (!parsed.ok()) return parsed.status();
  inference::RepositoryIndexRequest request;
  if (auto ready = parsed->find("ready"); ready != parsed->end()) {
    if (!ready->is_boolean()) return absl::InvalidArgumentError("\"ready\" must be a bool");
    request.set_ready(ready->get<bool>());
  }
  return request;
}

absl::StatusOr<google::protobuf::Map<std::string, inference::ModelRepositoryParameter>>
ParseRepositoryParametersBody(std::string_view body) {
  auto parsed = ParseObjectBody(body, "a repository load or unload request");
  if (!parsed.ok()) return parsed.status();
  google::protobuf::Map<std::string, inference::ModelRepositoryParameter> parameters;
  auto found = parsed->find("parameters");
  if (found == parsed->end()) return parameters;
  if (!found->is_object()) {
    return absl::InvalidArgumentError("\"parameters\" must be a JSON object");
  }
  for (const auto& [key, value] : found->items()) {
    auto& parameter = parameters[key];
    if (value.is_string() && absl::StartsWith(key, "file:")) {
      // A pushed file's bytes travel as base64 text, as Triton's HTTP client sends them.
      std::string bytes;
      if (!absl::Base64Unescape(value.get<std::string>(), &bytes)) {
        return absl::InvalidArgumentError(
            absl::StrCat("file parameter ", QuoteClientText(key), " is not valid base64"));
      }
      parameter.set_bytes_param(std::move(bytes));
    } else if (value.is_boolean()) {
      parameter.set_bool_param(value.get<bool>());
    } else if (value.is_number_integer()) {
      parameter.set_int64_param(value.get<int64_t>());
    } else if (value.is_string()) {
      parameter.set_string_param(value.get<std::string>());
    } else {
      // Triton's config override is a JSON string; a file's contents are base64 text.
      parameter.set_string_param(WriteJson(value));
    }
  }
  return parameters;
}

absl::StatusOr<inference::LogSettingsRequest> ParseLogSettingsBody(std::string_view body) {
  auto parsed = ParseObjectBody(body, "a log settings request");
  if (!parsed.ok()) return parsed.status();
  inference::LogSettingsRequest request;
  for (const auto& [key, value] : parsed->items()) {
    auto& setting = (*request.mutable_settings())[key];
    if (value.is_boolean()) {
      setting.set_bool_param(value.get<bool>());
    } else if (value.is_number_unsigned() &&
               value.get<uint64_t>() <= std::numeric_limits<uint32_t>::max()) {
      setting.set_uint32_param(static_cast<uint32_t>(value.get<uint64_t>()));
    } else if (value.is_string()) {
      setting.set_string_param(value.get<std::string>());
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("log setting ", QuoteClientText(key),
                       " must be a bool, an unsigned 32-bit integer or a string"));
    }
  }
  return request;
}

absl::StatusOr<SharedMemoryRegistration> ParseSharedMemoryRegisterBody(std::string_view body) {
  auto parsed = ParseObjectBody(body, "a shared memory registration");
  if (!parsed.ok()) return parsed.status();
  SharedMemoryRegistration registration;
  auto key = parsed->find("key");
  if (key == parsed->end() || !key->is_string()) {
    return absl::InvalidArgumentError(
        "a shared memory registration needs \"key\", the shm object's name, as a string");
  }
  registration.key = key->get<std::string>();
  // Non-negative integers only: a negative or fractional size is refused, not wrapped or cut.
  auto unsigned_field = [&](const char* name, bool required, uint64_t& out) -> absl::Status {
    auto found = parsed->find(name);
    if (found == parsed->end()) {
      return required ? absl::InvalidArgumentError(
                            absl::StrCat("a shared memory registration needs \"", name, "\""))
                      : absl::OkStatus();
    }
    if (!found->is_number_unsigned()) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", name, "\" must be a non-negative integer"));
    }
    out = found->get<uint64_t>();
    return absl::OkStatus();
  };
  if (auto status = unsigned_field("offset", false, registration.offset); !status.ok()) {
    return status;
  }
  if (auto status = unsigned_field("byte_size", true, registration.byte_size); !status.ok()) {
    return status;
  }
  return registration;
}

std::string SharedMemoryStatusJson(const std::vector<SharedMemoryRegionStatus>& regions) {
  ojson out = ojson::array();
  for (const SharedMemoryRegionStatus& region : regions) {
    out.push_back(ojson{{"name", region.name},
                        {"key", region.key},
                        {"offset", region.offset},
                        {"byte_size", region.byte_size}});
  }
  return WriteJson(out);
}

}  // namespace inferd::http

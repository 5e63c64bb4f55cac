#include "server/http/infer_codec.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "backends/cpu/kernels/float_formats.h"
#include "engine/data_type.h"
#include "engine/shape.h"
#include "nlohmann/json.hpp"
#include "server/client_text.h"
#include "server/http/endpoint_json.h"
#include "server/infer_request_decoder.h"

namespace inferd::http {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
namespace k = ::inferd::cpu::kernels;

absl::Status Invalid(const std::string& where, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", std::string(why)));
}

// The leaves of a `data` value, which may be flat or nested row-major arrays, in order; walked
// with an explicit stack (the depth is bounded by the parser, but no recursion is needed).
std::vector<const json*> Leaves(const json& data) {
  std::vector<const json*> leaves;
  std::vector<std::pair<const json*, size_t>> stack;
  if (!data.is_array()) {
    leaves.push_back(&data);
    return leaves;
  }
  stack.emplace_back(&data, 0);
  while (!stack.empty()) {
    auto& [array, next] = stack.back();
    if (next == array->size()) {
      stack.pop_back();
      continue;
    }
    const json& element = (*array)[next++];
    if (element.is_array()) {
      stack.emplace_back(&element, 0);
    } else {
      leaves.push_back(&element);
    }
  }
  return leaves;
}

// An integer leaf within [low, high]; nullopt for non-integers and values outside.
std::optional<int64_t> SignedValue(const json& value, int64_t low, int64_t high) {
  if (value.is_number_unsigned()) {
    const auto number = value.get<uint64_t>();
    if (number > static_cast<uint64_t>(high)) return std::nullopt;
    return static_cast<int64_t>(number);
  }
  if (!value.is_number_integer()) return std::nullopt;
  const auto number = value.get<int64_t>();
  if (number < low || number > high) return std::nullopt;
  return number;
}

std::optional<uint64_t> UnsignedValue(const json& value, uint64_t high) {
  if (value.is_number_unsigned()) {
    const auto number = value.get<uint64_t>();
    if (number > high) return std::nullopt;
    return number;
  }
  if (value.is_number_integer() && value.get<int64_t>() >= 0 &&
      static_cast<uint64_t>(value.get<int64_t>()) <= high) {
    return static_cast<uint64_t>(value.get<int64_t>());
  }
  return std::nullopt;
}

// JSON `data` into the typed contents field a gRPC client would fill for `datatype`. The
// values are only checked to fit that field here; the decoder checks them against the element
// type (300 is not an INT8) and their count against the shape, with gRPC's messages.
absl::Status FillContents(const json& data, const std::string& datatype, const std::string& where,
                          inference::InferTensorContents& contents) {
  const DataType type = DataTypeFromName(datatype);
  const std::vector<const json*> leaves = Leaves(data);
  auto bad = [&](size_t i, std::string_view expected) {
    return Invalid(where,
                   absl::StrCat("data value at index ", i, " is not ", std::string(expected)));
  };
  for (size_t i = 0; i < leaves.size(); ++i) {
    const json& value = *leaves[i];
    switch (type) {
      case DataType::kBool:
        if (!value.is_boolean()) return bad(i, "a bool");
        contents.add_bool_contents(value.get<bool>());
        break;
      case DataType::kInt8:
      case DataType::kInt16:
      case DataType::kInt32: {
        auto number = SignedValue(value, std::numeric_limits<int32_t>::min(),
                                  std::numeric_limits<int32_t>::max());
        if (!number.has_value()) return bad(i, "a 32-bit integer");
        contents.add_int_contents(static_cast<int32_t>(*number));
        break;
      }
      case DataType::kInt64: {
        auto number = SignedValue(value, std::numeric_limits<int64_t>::min(),
                                  std::numeric_limits<int64_t>::max());
        if (!number.has_value()) return bad(i, "a 64-bit integer");
        contents.add_int64_contents(*number);
        break;
      }
      case DataType::kUint8:
      case DataType::kUint16:
      case DataType::kUint32: {
        auto number = UnsignedValue(value, std::numeric_limits<uint32_t>::max());
        if (!number.has_value()) return bad(i, "an unsigned 32-bit integer");
        contents.add_uint_contents(static_cast<uint32_t>(*number));
        break;
      }
      case DataType::kUint64: {
        auto number = UnsignedValue(value, std::numeric_limits<uint64_t>::max());
        if (!number.has_value()) return bad(i, "an unsigned 64-bit integer");
        contents.add_uint64_contents(*number);
        break;
      }
      case DataType::kFp32: {
        if (!value.is_number()) return bad(i, "a number");
        const double number = value.get<double>();
        if (std::abs(number) > std::numeric_limits<float>::max()) {
          return bad(i, "within FP32's range");
        }
        contents.add_fp32_contents(static_cast<float>(number));
        break;
      }
      case DataType::kFp64:
        if (!value.is_number()) return bad(i, "a number");
        contents.add_fp64_contents(value.get<double>());
        break;
      case DataType::kBytes:
        if (!value.is_string()) return bad(i, "a string");
        contents.add_bytes_contents(value.get<std::string>());
        break;
      case DataType::kFp16:
      case DataType::kBf16:
        return Invalid(where, absl::StrCat(datatype,
                                           " has no JSON form; send the tensor as binary data "
                                           "(the binary_data_size parameter)"));
      default:
        // An unknown datatype: the decoder names it against the model's.
        return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> StringField(const json& object, const char* key,
                                        const std::string& where, bool required) {
  auto found = object.find(key);
  if (found == object.end()) {
    if (required) return Invalid(where, absl::StrCat("\"", key, "\" is missing"));
    return std::string();
  }
  if (!found->is_string()) return Invalid(where, absl::StrCat("\"", key, "\" must be a string"));
  return found->get<std::string>();
}

// The input's binary_data_size parameter: how many bytes after the JSON are its data.
absl::StatusOr<std::optional<size_t>> BinaryDataSize(const json& input, const std::string& where) {
  auto parameters = input.find("parameters");
  if (parameters == input.end() || !parameters->is_object()) return std::nullopt;
  auto size = parameters->find("binary_data_size");
  if (size == parameters->end()) return std::nullopt;
  auto bytes = UnsignedValue(*size, std::numeric_limits<uint64_t>::max());
  if (!bytes.has_value()) {
    return Invalid(where, "parameter \"binary_data_size\" must be a non-negative integer");
  }
  return static_cast<size_t>(*bytes);
}

// Parses one input into `message`. Its bytes are JSON `data` (typed contents), binary data (`raw`,
// taken from the front of `binary`), or in a shared-memory region (`in_shared_memory`: neither).
absl::Status ParseInput(const json& input, size_t index, std::string_view* binary,
                        inference::ModelInferRequest& message, std::optional<std::string>* raw,
                        bool* in_shared_memory) {
  std::string where = absl::StrCat("input ", index);
  if (!input.is_object()) return Invalid(where, "must be a JSON object");
  auto* tensor = message.add_inputs();
  auto name = StringField(input, "name", where, true);
  if (!name.ok()) return name.status();
  tensor->set_name(*name);
  where = absl::StrCat("input ", QuoteClientText(*name));
  auto datatype = StringField(input, "datatype", where, true);
  if (!datatype.ok()) return datatype.status();
  tensor->set_datatype(*datatype);
  auto shape = input.find("shape");
  if (shape == input.end() || !shape->is_array()) {
    return Invalid(where, "\"shape\" must be an array of integers");
  }
  for (const json& dim : *shape) {
    auto value =
        SignedValue(dim, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
    if (!value.has_value()) return Invalid(where, "\"shape\" must be an array of integers");
    tensor->add_shape(*value);
  }
  if (auto parameters = input.find("parameters"); parameters != input.end()) {
    if (auto status = ReadParameters(*parameters, where, *tensor->mutable_parameters());
        !status.ok()) {
      return status;
    }
  }
  auto binary_size = BinaryDataSize(input, where);
  if (!binary_size.ok()) return binary_size.status();
  auto data = input.find("data");
  *in_shared_memory = tensor->parameters().contains("shared_memory_region");
  if (*in_shared_memory) {
    // The decoder checks the region's parameters against the registry and the input's size.
    if (data != input.end() || binary_size->has_value()) {
      return Invalid(where,
                     "is in shared memory (shared_memory_region) and so has neither \"data\" "
                     "nor the binary_data_size parameter");
    }
    return absl::OkStatus();
  }
  if (binary_size->has_value()) {
    if (data != input.end()) {
      return Invalid(where, "has both \"data\" and the binary_data_size parameter");
    }
    if (**binary_size > binary->size()) {
      return Invalid(where, absl::StrCat("binary_data_size is ", **binary_size, " but only ",
                                         binary->size(), " bytes of binary data are left"));
    }
    *raw = std::string(binary->substr(0, **binary_size));
    binary->remove_prefix(**binary_size);
    return absl::OkStatus();
  }
  if (data == input.end()) {
    return Invalid(where, "has neither \"data\" nor the binary_data_size parameter");
  }
  return FillContents(*data, *datatype, where, *tensor->mutable_contents());
}

absl::Status ParseOutput(const json& output, size_t index, HttpInferRequest& request) {
  std::string where = absl::StrCat("requested output ", index);
  if (!output.is_object()) return Invalid(where, "must be a JSON object");
  auto name = StringField(output, "name", where, true);
  if (!name.ok()) return name.status();
  where = absl::StrCat("requested output ", QuoteClientText(*name));
  auto* tensor = request.message->add_outputs();
  tensor->set_name(*name);
  if (auto parameters = output.find("parameters"); parameters != output.end()) {
    if (auto status = ReadParameters(*parameters, where, *tensor->mutable_parameters());
        !status.ok()) {
      return status;
    }
  }
  if (auto binary = tensor->parameters().find("binary_data");
      binary != tensor->parameters().end()) {
    if (!binary->second.has_bool_param()) {
      return Invalid(where, "parameter \"binary_data\" must be a bool");
    }
    request.binary_output[*name] = binary->second.bool_param();
  }
  return absl::OkStatus();
}

// Appends the `count` elements of `raw` (little-endian `type`) to `data` as JSON values.
absl::Status AppendValues(const std::string& raw, DataType type, ojson& data) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(raw.data());
  auto load = [&](auto zero, size_t i) {
    decltype(zero) value;
    std::memcpy(&value, bytes + i * sizeof(value), sizeof(value));
    return value;
  };
  const size_t size = DataTypeByteSize(type);
  if (type == DataType::kBytes) {
    // KServe's BYTES layout: each element a 4-byte little-endian length, then its bytes.
    size_t at = 0;
    while (at < raw.size()) {
      if (raw.size() - at < 4) return absl::InternalError("a BYTES output is truncated");
      uint32_t length = 0;
      for (int b = 0; b < 4; ++b) length |= static_cast<uint32_t>(bytes[at + b]) << (8 * b);
      at += 4;
      if (raw.size() - at < length) return absl::InternalError("a BYTES output is truncated");
      data.push_back(raw.substr(at, length));
      at += length;
    }
    return absl::OkStatus();
  }
  if (size == 0 || raw.size() % size != 0) {
    return absl::InternalError("an output's bytes do not fit its datatype");
  }
  const size_t count = raw.size() / size;
  for (size_t i = 0; i < count; ++i) {
    switch (type) {
      case DataType::kBool:
        data.push_back(bytes[i] != 0);
        break;
      case DataType::kUint8:
        data.push_back(load(uint8_t{}, i));
        break;
      case DataType::kUint16:
        data.push_back(load(uint16_t{}, i));
        break;
      case DataType::kUint32:
        data.push_back(load(uint32_t{}, i));
        break;
      case DataType::kUint64:
        data.push_back(load(uint64_t{}, i));
        break;
      case DataType::kInt8:
        data.push_back(load(int8_t{}, i));
        break;
      case DataType::kInt16:
        data.push_back(load(int16_t{}, i));
        break;
      case DataType::kInt32:
        data.push_back(load(int32_t{}, i));
        break;
      case DataType::kInt64:
        data.push_back(load(int64_t{}, i));
        break;
      case DataType::kFp16:
        data.push_back(k::Widen(k::Fp16{load(uint16_t{}, i)}));
        break;
      case DataType::kBf16:
        data.push_back(k::Widen(k::Bf16{load(uint16_t{}, i)}));
        break;
      case DataType::kFp32:
        // As a double: its shortest text reads back as exactly this float.
        data.push_back(static_cast<double>(load(float{}, i)));
        break;
      case DataType::kFp64:
        data.push_back(load(double{}, i));
        break;
      default:
        return absl::InternalError("an output has no JSON form");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<size_t> ParseInferenceHeaderLength(std::string_view value, size_t body_size) {
  uint64_t length = 0;
  if (!absl::SimpleAtoi(absl::string_view(value.data(), value.size()), &length) ||
      length > body_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Inference-Header-Content-Length is ", QuoteClientText(value),
        "; it must be the size in bytes of the JSON at the start of the body, at most the body's ",
        body_size));
  }
  return static_cast<size_t>(length);
}

absl::StatusOr<HttpInferRequest> ParseHttpInferRequest(std::string_view body,
                                                       std::optional<size_t> json_size) {
  const size_t header = json_size.value_or(body.size());
  auto parsed = ParseJsonText(body.substr(0, header));
  if (!parsed.ok()) return parsed.status();
  const json& root = *parsed;
  if (!root.is_object()) {
    return absl::InvalidArgumentError("an inference request must be a JSON object");
  }
  HttpInferRequest request;
  request.message = std::make_shared<inference::ModelInferRequest>();
  inference::ModelInferRequest& message = *request.message;
  auto id = StringField(root, "id", "the request", false);
  if (!id.ok()) return id.status();
  message.set_id(*id);
  if (auto parameters = root.find("parameters"); parameters != root.end()) {
    if (auto status = ReadParameters(*parameters, "the request", *message.mutable_parameters());
        !status.ok()) {
      return status;
    }
    if (auto binary = message.parameters().find("binary_data_output");
        binary != message.parameters().end() && binary->second.has_bool_param()) {
      request.binary_outputs_by_default = binary->second.bool_param();
    }
  }
  auto inputs = root.find("inputs");
  if (inputs == root.end() || !inputs->is_array()) {
    return absl::InvalidArgumentError("an inference request needs \"inputs\", an array");
  }
  std::string_view binary = body.substr(header);
  std::vector<std::optional<std::string>> raw(inputs->size());
  std::vector<bool> in_shared_memory(inputs->size());
  bool any_raw = false;
  for (size_t i = 0; i < inputs->size(); ++i) {
    bool shared = false;
    if (auto status = ParseInput((*inputs)[i], i, &binary, message, &raw[i], &shared);
        !status.ok()) {
      return status;
    }
    in_shared_memory[i] = shared;
    any_raw = any_raw || raw[i].has_value();
  }
  if (!binary.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(binary.size(),
                     " bytes of binary data follow the JSON that no input's "
                     "binary_data_size accounts for"));
  }
  if (any_raw) {
    // gRPC's raw_input_contents holds every input not in shared memory or none: the JSON ones
    // become raw bytes too, their values checked as the decoder checks typed contents.
    for (int i = 0; i < message.inputs_size(); ++i) {
      if (in_shared_memory[i]) continue;
      auto* input = message.mutable_inputs(i);
      if (!raw[i].has_value()) {
        const Shape shape(input->shape().begin(), input->shape().end());
        const auto elements = ElementCount(shape);
        const DataType type = DataTypeFromName(input->datatype());
        if (!elements.has_value()) {
          return absl::InvalidArgumentError(absl::StrCat("input ", QuoteClientText(input->name()),
                                                         ": shape ", ShapeToString(shape),
                                                         " has no valid element count"));
        }
        auto bytes = TypedContentsToBytes(input->contents(), type, *elements,
                                          absl::StrCat("input ", QuoteClientText(input->name())));
        if (!bytes.ok()) return bytes.status();
        raw[i] = std::string((*bytes)->begin(), (*bytes)->end());
        input->clear_contents();
      }
      *message.add_raw_input_contents() = std::move(*raw[i]);
    }
  }
  if (auto outputs = root.find("outputs"); outputs != root.end()) {
    if (!outputs->is_array()) return absl::InvalidArgumentError("\"outputs\" must be an array");
    for (size_t i = 0; i < outputs->size(); ++i) {
      if (auto status = ParseOutput((*outputs)[i], i, request); !status.ok()) return status;
    }
  }
  return request;
}

absl::StatusOr<HttpInferBody> EncodeHttpInferResponse(const inference::ModelInferResponse& response,
                                                      const HttpInferRequest& request) {
  ojson root = ojson::object();
  root["model_name"] = response.model_name();
  root["model_version"] = response.model_version();
  if (!response.id().empty()) root["id"] = response.id();
  if (!response.parameters().empty()) root["parameters"] = ParametersJson(response.parameters());
  ojson outputs = ojson::array();
  std::string binary;
  bool any_binary = false;
  for (int i = 0; i < response.outputs_size(); ++i) {
    const auto& output = response.outputs(i);
    const std::string& raw =
        i < response.raw_output_contents_size() ? response.raw_output_contents(i) : std::string();
    ojson out = ojson::object();
    out["name"] = output.name();
    out["datatype"] = output.datatype();
    out["shape"] = ojson::array();
    for (int64_t dim : output.shape()) out["shape"].push_back(dim);
    if (output.parameters().contains("shared_memory_region")) {
      // Written into the region; the parameters say where and how many bytes, as Triton answers.
      out["parameters"] = ParametersJson(output.parameters());
      outputs.push_back(std::move(out));
      continue;
    }
    bool as_binary = request.binary_outputs_by_default;
    if (auto choice = request.binary_output.find(output.name());
        choice != request.binary_output.end()) {
      as_binary = choice->second;
    }
    if (as_binary) {
      out["parameters"] = ojson{{"binary_data_size", raw.size()}};
      binary += raw;
      any_binary = true;
    } else {
      ojson data = ojson::array();
      if (auto status = AppendValues(raw, DataTypeFromName(output.datatype()), data);
          !status.ok()) {
        return status;
      }
      out["data"] = std::move(data);
    }
    outputs.push_back(std::move(out));
  }
  root["outputs"] = std::move(outputs);
  HttpInferBody encoded;
  encoded.body = WriteJson(root);
  if (any_binary) {
    encoded.json_size = encoded.body.size();
    encoded.body += binary;
  }
  return encoded;
}

}  // namespace inferd::http

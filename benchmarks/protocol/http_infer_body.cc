#include "benchmarks/protocol/http_infer_body.h"

#include <cstdint>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/data_type.h"
#include "nlohmann/json.hpp"

namespace inferd::bench {
namespace {

template <typename T>
nlohmann::json Values(const std::string& bytes) {
  nlohmann::json values = nlohmann::json::array();
  const size_t count = bytes.size() / sizeof(T);
  for (size_t i = 0; i < count; ++i) {
    T value;
    std::memcpy(&value, bytes.data() + i * sizeof(T), sizeof(T));
    values.push_back(value);
  }
  return values;
}

// The flat row-major JSON "data" of one input's raw bytes.
absl::StatusOr<nlohmann::json> JsonData(const std::string& datatype, const std::string& bytes) {
  switch (DataTypeFromName(datatype)) {
    case DataType::kBool: {
      nlohmann::json values = nlohmann::json::array();
      for (char byte : bytes) values.push_back(byte != 0);
      return values;
    }
    case DataType::kInt8:
      return Values<int8_t>(bytes);
    case DataType::kUint8:
      return Values<uint8_t>(bytes);
    case DataType::kInt16:
      return Values<int16_t>(bytes);
    case DataType::kUint16:
      return Values<uint16_t>(bytes);
    case DataType::kInt32:
      return Values<int32_t>(bytes);
    case DataType::kUint32:
      return Values<uint32_t>(bytes);
    case DataType::kInt64:
      return Values<int64_t>(bytes);
    case DataType::kUint64:
      return Values<uint64_t>(bytes);
    case DataType::kFp32:
      return Values<float>(bytes);
    case DataType::kFp64:
      return Values<double>(bytes);
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(datatype, " has no JSON form; use the binary encoding"));
  }
}

}  // namespace

const char* HttpEncodingName(HttpEncoding encoding) {
  return encoding == HttpEncoding::kJson ? "json" : "binary";
}

absl::StatusOr<HttpInferBody> EncodeHttpInfer(const inference::ModelInferRequest& request,
                                              HttpEncoding encoding) {
  if (request.raw_input_contents_size() != request.inputs_size()) {
    return absl::InvalidArgumentError("every input must be in raw_input_contents");
  }
  HttpInferBody out;
  out.path = absl::StrCat(
      "/v2/models/", request.model_name(),
      request.model_version().empty() ? "" : absl::StrCat("/versions/", request.model_version()),
      "/infer");
  nlohmann::json header = {{"inputs", nlohmann::json::array()}};
  std::string binary;
  for (int i = 0; i < request.inputs_size(); ++i) {
    const auto& input = request.inputs(i);
    const std::string& bytes = request.raw_input_contents(i);
    nlohmann::json entry = {
        {"name", input.name()},
        {"datatype", input.datatype()},
        {"shape", std::vector<int64_t>(input.shape().begin(), input.shape().end())}};
    if (encoding == HttpEncoding::kJson) {
      absl::StatusOr<nlohmann::json> data = JsonData(input.datatype(), bytes);
      if (!data.ok()) {
        return absl::Status(data.status().code(),
                            absl::StrCat("input '", input.name(), "': ", data.status().message()));
      }
      entry["data"] = *std::move(data);
    } else {
      entry["parameters"] = {{"binary_data_size", bytes.size()}};
      binary += bytes;
    }
    header["inputs"].push_back(std::move(entry));
  }
  if (encoding == HttpEncoding::kBinary) header["parameters"] = {{"binary_data_output", true}};
  out.body = header.dump();
  if (encoding == HttpEncoding::kBinary) {
    out.json_header_bytes = out.body.size();
    out.body += binary;
  }
  return out;
}

}  // namespace inferd::bench

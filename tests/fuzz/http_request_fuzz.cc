// libFuzzer target for the HTTP endpoint's parsing of untrusted bodies (server/http/): the KServe
// JSON inference request with Triton's binary tensor data, and the JSON bodies of the repository
// and logging endpoints. Each input is parsed or refused with a status, never a crash; a parsed
// request's inputs are also written back through the response encoder, as outputs of the same
// names, datatypes, shapes and bytes.
//
// Input layout: two bytes (little-endian) that, unless 0xffff, are the Inference-Header-Content-
// Length header's value (as decimal text, so its parser is fuzzed too), then the body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/http/endpoint_json.h"
#include "server/http/infer_codec.h"

namespace {

void EchoInputs(const inferd::http::HttpInferRequest& request) {
  inference::ModelInferResponse response;
  response.set_model_name("fuzz");
  const auto& message = *request.message;
  for (int i = 0; i < message.inputs_size(); ++i) {
    auto* output = response.add_outputs();
    output->set_name(message.inputs(i).name());
    output->set_datatype(message.inputs(i).datatype());
    *output->mutable_shape() = message.inputs(i).shape();
    response.add_raw_output_contents(
        i < message.raw_input_contents_size() ? message.raw_input_contents(i) : std::string());
  }
  (void)inferd::http::EncodeHttpInferResponse(response, request);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const unsigned header = data[0] | (static_cast<unsigned>(data[1]) << 8);
  const std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);
  std::optional<size_t> json_size;
  if (header != 0xffff) {
    auto parsed = inferd::http::ParseInferenceHeaderLength(std::to_string(header), body.size());
    if (!parsed.ok()) return 0;
    json_size = *parsed;
  }
  auto request = inferd::http::ParseHttpInferRequest(body, json_size);
  if (request.ok()) EchoInputs(*request);
  (void)inferd::http::ParseSharedMemoryRegisterBody(body);
  (void)inferd::http::ParseLogSettingsBody(body);
  (void)inferd::http::ParseRepositoryIndexBody(body);
  (void)inferd::http::ParseRepositoryParametersBody(body);
  return 0;
}

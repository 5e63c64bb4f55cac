// HttpInferBody: a ModelInferRequest as the body of KServe v2's HTTP `POST .../infer`, either all
// JSON or with Triton's binary tensor extension, so that HTTP subjects send exactly the tensors the
// gRPC subjects send.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "inference.pb.h"

namespace inferd::bench {

enum class HttpEncoding {
  kJson,    // every input as JSON "data"; outputs come back as JSON
  kBinary,  // every input as bytes after the JSON header; outputs come back as bytes too
};

struct HttpInferBody {
  std::string path;  // /v2/models/<name>[/versions/<v>]/infer
  std::string body;
  // Length of the JSON header that starts `body`, for Inference-Header-Content-Length; 0 when the
  // body is all JSON (the header is then not sent).
  size_t json_header_bytes = 0;
};

// `request` must carry its inputs as raw_input_contents (as InferRequestSet builds them). Fails for
// datatypes that have no JSON form (FP16, BF16, BYTES) when `encoding` is kJson.
absl::StatusOr<HttpInferBody> EncodeHttpInfer(const inference::ModelInferRequest& request,
                                              HttpEncoding encoding);

const char* HttpEncodingName(HttpEncoding encoding);

}  // namespace inferd::bench

// InferRequestSet: a fixed pool of seeded, pre-serialised ModelInfer requests, so that every target
// in a run receives byte-identical requests and the client spends no time serialising while timed.
#pragma once

#include <grpcpp/support/byte_buffer.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "benchmarks/serving/input_spec.h"
#include "inference.pb.h"

namespace inferd::bench {

class InferRequestSet {
 public:
  // Builds `count` requests for `model_name` (empty `model_version`: the server's choice) whose
  // inputs are drawn from a generator seeded with `seed`: the same arguments give the same bytes.
  // Inputs travel as raw_input_contents, the representation tritonclient and perf_analyzer use.
  static absl::StatusOr<InferRequestSet> Build(const std::string& model_name,
                                               const std::string& model_version,
                                               const std::vector<InputSpec>& inputs, size_t count,
                                               uint64_t seed);

  // A set of the given requests, serialised once here.
  static absl::StatusOr<InferRequestSet> FromMessages(
      const std::vector<inference::ModelInferRequest>& messages);

  size_t size() const { return requests_.size(); }
  // The i-th request, wrapping around; copies of a ByteBuffer share its slices, so callers on any
  // thread may copy it cheaply.
  const grpc::ByteBuffer& Get(size_t i) const { return requests_[i % requests_.size()]; }
  // Serialised size of one request (the last one: in a Build() set they all have the same size).
  size_t request_bytes() const { return request_bytes_; }
  // The i-th request parsed back (wrapping around), to derive another encoding of the same
  // request; not for the timed window.
  absl::StatusOr<inference::ModelInferRequest> Message(size_t i) const;

 private:
  std::vector<grpc::ByteBuffer> requests_;
  size_t request_bytes_ = 0;
};

}  // namespace inferd::bench

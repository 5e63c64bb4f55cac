// RequestCaller: how one client thread of a closed-loop run sends a request and waits for its
// answer, whatever the protocol (gRPC unary or streaming, HTTP/REST), so that one closed loop and
// one report serve every subject a benchmark compares.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace inferd::bench {

class RequestCaller {
 public:
  virtual ~RequestCaller() = default;

  // Sends request `index` of the caller's pool (wrapping around) and waits for its answer. A
  // non-OK status is the server's error or the transport's, with the server's code where it has
  // one.
  virtual absl::Status Call(size_t index) = 0;

  // Whether the last OK answer is a real inference result rather than an empty one; called once
  // per client, after its first warm-up call, so that a run never times error-free nonsense.
  virtual absl::Status CheckLastAnswer() = 0;
};

// Makes the caller of client thread `client` (0-based). Called on that thread, before warm-up.
using CallerFactory = std::function<absl::StatusOr<std::unique_ptr<RequestCaller>>(int client)>;

}  // namespace inferd::bench

// The HTTP status code for an absl::Status, following Triton's HTTP endpoint: 400 for a request
// that cannot be served as sent, 404 for an unknown model, 503 for one that is not available or a
// server that is stopping, 501 for what inferd does not implement, 500 for its own failures.
#pragma once

#include "absl/status/status.h"

namespace inferd::http {

int HttpStatusFor(const absl::Status& status);

}  // namespace inferd::http

// QueryModelMetadata: one ModelMetadata call to a server, for the benchmarks that size their
// requests from what the model declares.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "inference.pb.h"

namespace inferd::bench {

// Asks the server at `address` (insecure, 5 s deadline) for the metadata of `model` (`version`
// empty: the server's choice). On failure, the gRPC status with its code kept, so that a caller
// can tell UNIMPLEMENTED (a server without metadata) from an unknown model.
absl::StatusOr<inference::ModelMetadataResponse> QueryModelMetadata(const std::string& address,
                                                                    const std::string& model,
                                                                    const std::string& version);

}  // namespace inferd::bench

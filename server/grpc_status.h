// Conversion of absl::Status to grpc::Status: the same code and message, so that clients read the
// engine's explanation unchanged.
#pragma once

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace inferd {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace inferd

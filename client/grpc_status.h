// Conversion of a gRPC call's outcome into absl::Status, so client code speaks the project's error
// type.
#pragma once

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace inferd::client {

// The absl status with the same canonical code and the server's message unchanged. Codes outside
// the canonical range (a misbehaving peer) become kUnknown, keeping the message.
absl::Status FromGrpcStatus(const grpc::Status& status);

// The reverse, for fakes and servers written against absl::Status.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace inferd::client

#include "client/grpc_status.h"

#include "gtest/gtest.h"

namespace inferd::client {
namespace {

TEST(FromGrpcStatus, OkIsOk) { EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok()); }

TEST(FromGrpcStatus, EveryCanonicalCodeKeepsItsMeaningAndTheMessage) {
  const std::pair<grpc::StatusCode, absl::StatusCode> pairs[] = {
      {grpc::StatusCode::CANCELLED, absl::StatusCode::kCancelled},
      {grpc::StatusCode::UNKNOWN, absl::StatusCode::kUnknown},
      {grpc::StatusCode::INVALID_ARGUMENT, absl::StatusCode::kInvalidArgument},
      {grpc::StatusCode::DEADLINE_EXCEEDED, absl::StatusCode::kDeadlineExceeded},
      {grpc::StatusCode::NOT_FOUND, absl::StatusCode::kNotFound},
      {grpc::StatusCode::ALREADY_EXISTS, absl::StatusCode::kAlreadyExists},
      {grpc::StatusCode::PERMISSION_DENIED, absl::StatusCode::kPermissionDenied},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, absl::StatusCode::kResourceExhausted},
      {grpc::StatusCode::FAILED_PRECONDITION, absl::StatusCode::kFailedPrecondition},
      {grpc::StatusCode::ABORTED, absl::StatusCode::kAborted},
      {grpc::StatusCode::OUT_OF_RANGE, absl::StatusCode::kOutOfRange},
      {grpc::StatusCode::UNIMPLEMENTED, absl::StatusCode::kUnimplemented},
      {grpc::StatusCode::INTERNAL, absl::StatusCode::kInternal},
      {grpc::StatusCode::UNAVAILABLE, absl::StatusCode::kUnavailable},
      {grpc::StatusCode::DATA_LOSS, absl::StatusCode::kDataLoss},
      {grpc::StatusCode::UNAUTHENTICATED, absl::StatusCode::kUnauthenticated},
  };
  for (const auto& [grpc_code, absl_code] : pairs) {
    const absl::Status status =
        FromGrpcStatus(grpc::Status(grpc_code, "model 'm': input 'x' wrong"));
    EXPECT_EQ(status.code(), absl_code) << grpc_code;
    EXPECT_EQ(status.message(), "model 'm': input 'x' wrong");
    const grpc::Status back = ToGrpcStatus(status);
    EXPECT_EQ(back.error_code(), grpc_code);
    EXPECT_EQ(back.error_message(), "model 'm': input 'x' wrong");
  }
}

TEST(FromGrpcStatus, OutOfRangeCodeBecomesUnknown) {
  // 20 is no gRPC code but, unlike 99, a value grpc::StatusCode can hold (its values -1..16 give it
  // the range -32..31): casting 99 is itself undefined behaviour, which UBSan reported.
  const absl::Status status =
      FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(20), "odd"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnknown);
  EXPECT_EQ(status.message(), "odd");
}

TEST(ToGrpcStatus, OkIsOk) { EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok()); }

}  // namespace
}  // namespace inferd::client

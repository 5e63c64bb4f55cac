// SharedMemoryInput: one input tensor in a POSIX shared-memory object that the benchmark creates,
// registered with the server as a system shared-memory region (Triton's extension) for as long as
// the object lives, and the request that names the region instead of carrying the bytes.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "inference.grpc.pb.h"

namespace inferd::bench {

class SharedMemoryInput {
 public:
  // Creates the object (a name unique to this process), writes `bytes` into it and registers it as
  // region `region` over gRPC at `grpc_address`.
  static absl::StatusOr<std::unique_ptr<SharedMemoryInput>> Create(const std::string& grpc_address,
                                                                   const std::string& region,
                                                                   const std::string& bytes);
  // Unregisters the region, then closes and unlinks the object.
  ~SharedMemoryInput();
  SharedMemoryInput(const SharedMemoryInput&) = delete;
  SharedMemoryInput& operator=(const SharedMemoryInput&) = delete;

  // `request` with input `input`'s bytes taken out of raw_input_contents and the region named in
  // its parameters instead: the same tensor, by reference.
  absl::StatusOr<inference::ModelInferRequest> Refer(inference::ModelInferRequest request,
                                                     int input) const;

 private:
  SharedMemoryInput() = default;

  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
  std::string region_;
  std::string key_;
  int fd_ = -1;
  size_t byte_size_ = 0;
  bool registered_ = false;
};

}  // namespace inferd::bench

#include "benchmarks/protocol/shared_memory_input.h"

#include <fcntl.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "benchmarks/serving/grpc_unary_caller.h"

namespace inferd::bench {

absl::StatusOr<std::unique_ptr<SharedMemoryInput>> SharedMemoryInput::Create(
    const std::string& grpc_address, const std::string& region, const std::string& bytes) {
  std::unique_ptr<SharedMemoryInput> input(new SharedMemoryInput());
  input->region_ = region;
  input->byte_size_ = bytes.size();
  input->key_ = absl::StrCat("/inferd-protocol-bench-", getpid(), "-", region);
  input->fd_ = shm_open(input->key_.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  if (input->fd_ < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("shm_open ", input->key_, ": ", std::strerror(errno)));
  }
  if (ftruncate(input->fd_, static_cast<off_t>(bytes.size())) != 0 ||
      pwrite(input->fd_, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
    return absl::FailedPreconditionError(
        absl::StrCat("writing ", input->key_, ": ", std::strerror(errno)));
  }
  input->stub_ = inference::GRPCInferenceService::NewStub(
      grpc::CreateChannel(grpc_address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  inference::SystemSharedMemoryRegisterRequest request;
  request.set_name(region);
  request.set_key(input->key_);
  request.set_offset(0);
  request.set_byte_size(bytes.size());
  inference::SystemSharedMemoryRegisterResponse response;
  const grpc::Status status =
      input->stub_->SystemSharedMemoryRegister(&context, request, &response);
  if (!status.ok()) {
    const absl::Status error = FromGrpcStatus(status);
    return absl::Status(error.code(),
                        absl::StrCat("SystemSharedMemoryRegister: ", error.message()));
  }
  input->registered_ = true;
  return input;
}

SharedMemoryInput::~SharedMemoryInput() {
  if (registered_) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    inference::SystemSharedMemoryUnregisterRequest request;
    request.set_name(region_);
    inference::SystemSharedMemoryUnregisterResponse response;
    (void)stub_->SystemSharedMemoryUnregister(&context, request, &response);
  }
  if (fd_ >= 0) {
    close(fd_);
    shm_unlink(key_.c_str());
  }
}

absl::StatusOr<inference::ModelInferRequest> SharedMemoryInput::Refer(
    inference::ModelInferRequest request, int input) const {
  if (input < 0 || input >= request.inputs_size() ||
      request.raw_input_contents_size() != request.inputs_size()) {
    return absl::InvalidArgumentError("the request has no such input in raw_input_contents");
  }
  if (request.raw_input_contents(input).size() != byte_size_) {
    return absl::InvalidArgumentError(absl::StrCat("input ", input, " has ",
                                                   request.raw_input_contents(input).size(),
                                                   " bytes, the region ", byte_size_));
  }
  auto& parameters = *request.mutable_inputs(input)->mutable_parameters();
  parameters["shared_memory_region"].set_string_param(region_);
  parameters["shared_memory_byte_size"].set_int64_param(static_cast<int64_t>(byte_size_));
  // The remaining raw entries belong, in order, to the inputs not in shared memory.
  auto* raw = request.mutable_raw_input_contents();
  raw->erase(raw->begin() + input);
  return request;
}

}  // namespace inferd::bench

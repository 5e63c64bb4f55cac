// InferenceService: the KServe v2 / Triton GRPCInferenceService over the ModelManager. Built on
// gRPC's callback API so that an inference occupies no thread while it waits in a queue or on a
// remote target.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/metrics.h"
#include "engine/model_manager.h"
#include "inference.grpc.pb.h"
#include "server/arena_message_allocator.h"
#include "server/grpc_access_control.h"
#include "server/in_flight_calls.h"
#include "server/infer_request_decoder.h"
#include "server/request_memory_budget.h"
#include "server/shared_memory/system_shared_memory.h"

namespace inferd {

// What the inference service bounds and records into; null members are not used.
struct InferenceServiceLimits {
  // Requests reserve their size here for as long as they are in flight
  // (--max-inflight-request-bytes).
  RequestMemoryBudget* memory_budget = nullptr;
  // Where inference requests that reach no model version are counted.
  MetricsRegistry* metrics = nullptr;
  // LogSettings may change the log level (--allow-log-settings-update); reading is always allowed.
  bool allow_log_settings_update = false;
  // Decides, before anything else, whether each call may run (restricted protocol groups).
  const GrpcAccessControl* access = nullptr;
  // System shared-memory regions (Triton's extension); null: the RPCs answer UNIMPLEMENTED and
  // requests naming a region are refused.
  SystemSharedMemory* shared_memory = nullptr;
};

// The longest model name the service looks up; longer ones are refused before reaching the engine.
inline constexpr size_t kMaxModelNameBytes = 255;

// Requests one ModelStreamInfer stream may have read and not yet answered; past this the stream
// stops reading until responses are written (the client's writes then wait on flow control).
inline constexpr size_t kMaxStreamRequestsInFlight = 64;

// A request found its model and was decoded, ready to submit.
struct PreparedInference {
  std::shared_ptr<ServingModel> model;
  DecodedRequest decoded;
};

// How an inference started with StartInference ended.
struct InferenceOutcome {
  absl::Status status;
  // OK: the outputs. Otherwise what the request can still be told by: its id, and the model name
  // and version where known.
  inference::ModelInferResponse response;
  // The request asked for Triton's `triton_final_response` flag (decoded; false when the request
  // was refused before that).
  bool final_response_flag = false;
};

class InferenceService final : public inference::GRPCInferenceService::CallbackService {
 public:
  explicit InferenceService(ModelManager* models, InferenceServiceLimits limits = {});

  // ServerReady answers true only between these two calls.
  void SetReady(bool ready) { ready_.store(ready); }

  // The server is stopping: ServerReady answers false and new inferences are refused with
  // UNAVAILABLE saying so; accepted ones go on.
  void BeginShutdown();
  // Answers every accepted inference not yet answered with `status`; returns how many.
  size_t FinishInFlight(const grpc::Status& status) { return in_flight_.FinishAll(status); }
  // Waits until gRPC has written every answered inference, or `deadline`; returns how many remain.
  size_t WaitForInFlight(absl::Time deadline) { return in_flight_.WaitUntilDone(deadline); }

  grpc::ServerUnaryReactor* ServerLive(grpc::CallbackServerContext* context,
                                       const inference::ServerLiveRequest* request,
                                       inference::ServerLiveResponse* response) override;
  grpc::ServerUnaryReactor* ServerReady(grpc::CallbackServerContext* context,
                                        const inference::ServerReadyRequest* request,
                                        inference::ServerReadyResponse* response) override;
  grpc::ServerUnaryReactor* ModelReady(grpc::CallbackServerContext* context,
                                       const inference::ModelReadyRequest* request,
                                       inference::ModelReadyResponse* response) override;
  grpc::ServerUnaryReactor* ServerMetadata(grpc::CallbackServerContext* context,
                                           const inference::ServerMetadataRequest* request,
                                           inference::ServerMetadataResponse* response) override;
  grpc::ServerUnaryReactor* ModelMetadata(grpc::CallbackServerContext* context,
                                          const inference::ModelMetadataRequest* request,
                                          inference::ModelMetadataResponse* response) override;
  grpc::ServerUnaryReactor* ModelInfer(grpc::CallbackServerContext* context,
                                       const inference::ModelInferRequest* request,
                                       inference::ModelInferResponse* response) override;
  grpc::ServerBidiReactor<inference::ModelInferRequest, inference::ModelStreamInferResponse>*
  ModelStreamInfer(grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* ModelConfig(grpc::CallbackServerContext* context,
                                        const inference::ModelConfigRequest* request,
                                        inference::ModelConfigResponse* response) override;
  grpc::ServerUnaryReactor* ModelStatistics(grpc::CallbackServerContext* context,
                                            const inference::ModelStatisticsRequest* request,
                                            inference::ModelStatisticsResponse* response) override;
  grpc::ServerUnaryReactor* RepositoryIndex(grpc::CallbackServerContext* context,
                                            const inference::RepositoryIndexRequest* request,
                                            inference::RepositoryIndexResponse* response) override;
  grpc::ServerUnaryReactor* RepositoryModelLoad(
      grpc::CallbackServerContext* context, const inference::RepositoryModelLoadRequest* request,
      inference::RepositoryModelLoadResponse* response) override;
  grpc::ServerUnaryReactor* RepositoryModelUnload(
      grpc::CallbackServerContext* context, const inference::RepositoryModelUnloadRequest* request,
      inference::RepositoryModelUnloadResponse* response) override;

  grpc::ServerUnaryReactor* LogSettings(grpc::CallbackServerContext* context,
                                        const inference::LogSettingsRequest* request,
                                        inference::LogSettingsResponse* response) override;
  grpc::ServerUnaryReactor* TraceSetting(grpc::CallbackServerContext* context,
                                         const inference::TraceSettingRequest* request,
                                         inference::TraceSettingResponse* response) override;
  grpc::ServerUnaryReactor* SystemSharedMemoryStatus(
      grpc::CallbackServerContext* context, const inference::SystemSharedMemoryStatusRequest*,
      inference::SystemSharedMemoryStatusResponse*) override;
  grpc::ServerUnaryReactor* SystemSharedMemoryRegister(
      grpc::CallbackServerContext* context, const inference::SystemSharedMemoryRegisterRequest*,
      inference::SystemSharedMemoryRegisterResponse*) override;
  grpc::ServerUnaryReactor* SystemSharedMemoryUnregister(
      grpc::CallbackServerContext* context, const inference::SystemSharedMemoryUnregisterRequest*,
      inference::SystemSharedMemoryUnregisterResponse*) override;
  grpc::ServerUnaryReactor* CudaSharedMemoryStatus(
      grpc::CallbackServerContext* context, const inference::CudaSharedMemoryStatusRequest*,
      inference::CudaSharedMemoryStatusResponse*) override;
  grpc::ServerUnaryReactor* CudaSharedMemoryRegister(
      grpc::CallbackServerContext* context, const inference::CudaSharedMemoryRegisterRequest*,
      inference::CudaSharedMemoryRegisterResponse*) override;
  grpc::ServerUnaryReactor* CudaSharedMemoryUnregister(
      grpc::CallbackServerContext* context, const inference::CudaSharedMemoryUnregisterRequest*,
      inference::CudaSharedMemoryUnregisterResponse*) override;

  // One request of a ModelStreamInfer stream: `done` is called exactly once, right away when the
  // request is refused or later from the engine, with the response to write (error_message set on
  // failure; the id, model name and version echoed either way). Returns the request's
  // cancellation token, null when it was refused before reaching the engine.
  std::shared_ptr<CancellationToken> StartStreamRequest(
      std::shared_ptr<const inference::ModelInferRequest> request, absl::Time stream_deadline,
      std::function<void(inference::ModelStreamInferResponse)> done);

  // The work of the RPCs above without gRPC's call objects, so that the HTTP/REST endpoint
  // (server/http/) answers exactly as gRPC does: the same checks, limits, statistics and messages.

  // One inference that is not a unary gRPC call (a stream's request, an HTTP request): the memory
  // budget reserved, the model found, the request decoded and submitted. `done` is called exactly
  // once, right away when the request is refused or later from the engine. Returns the request's
  // cancellation token, null when it was refused before reaching the engine.
  std::shared_ptr<CancellationToken> StartInference(
      std::shared_ptr<const inference::ModelInferRequest> request, absl::Time deadline,
      std::function<void(InferenceOutcome)> done);
  bool IsReady() const { return ready_.load(); }
  bool IsModelReady(const std::string& name, const std::string& version) const {
    return FindModel(name, version).ok();
  }
  void GetServerMetadata(inference::ServerMetadataResponse& response) const;
  absl::Status GetModelMetadata(const inference::ModelMetadataRequest& request,
                                inference::ModelMetadataResponse& response) const;
  absl::Status GetModelConfig(const inference::ModelConfigRequest& request,
                              inference::ModelConfigResponse& response) const;
  absl::Status GetModelStatistics(const inference::ModelStatisticsRequest& request,
                                  inference::ModelStatisticsResponse& response) const;
  void GetRepositoryIndex(const inference::RepositoryIndexRequest& request,
                          inference::RepositoryIndexResponse& response) const;
  // Load and unload finish through `done`, exactly once: right away when refused, else from the
  // model manager's lifecycle pool.
  void LoadModel(const inference::RepositoryModelLoadRequest& request,
                 std::function<void(absl::Status)> done);
  void UnloadModel(const inference::RepositoryModelUnloadRequest& request,
                   std::function<void(absl::Status)> done);
  absl::Status UpdateLogSettings(const inference::LogSettingsRequest& request,
                                 inference::LogSettingsResponse& response) const;
  // System shared memory (server/shared_memory/, one registry for both protocols); UNIMPLEMENTED
  // when it is off (--max-shared-memory-regions=0).
  absl::StatusOr<std::vector<SharedMemoryRegionStatus>> SharedMemoryStatus(
      const std::string& name) const;
  absl::Status RegisterSharedMemory(const std::string& name, const std::string& key,
                                    uint64_t offset, uint64_t byte_size);
  absl::Status UnregisterSharedMemory(const std::string& name);
  // The answers to what inferd does not implement, with messages that say what to use instead.
  static absl::Status TraceUnsupported();
  static absl::Status SystemSharedMemoryUnsupported();
  static absl::Status CudaSharedMemoryUnsupported();

 private:
  // OK when access control lets this call of `method` run; PERMISSION_DENIED otherwise.
  grpc::Status Admit(const grpc::CallbackServerContext& context, std::string_view method) const;
  // ModelManager::Find with the client's name and version checked first and quoted in errors only
  // up to a short limit.
  absl::StatusOr<std::shared_ptr<ServingModel>> FindModel(const std::string& name,
                                                          const std::string& version) const;
  // The shared front of ModelInfer and ModelStreamInfer: finds the model (counting requests that
  // reach none) and decodes the request (counting refusals in the model's statistics).
  absl::StatusOr<PreparedInference> Prepare(const inference::ModelInferRequest& request) const;
  // Reserves `request`'s size in the memory budget, when there is one.
  absl::StatusOr<RequestMemoryBudget::Reservation> Reserve(
      const inference::ModelInferRequest& request) const;

  ModelManager* models_;
  InferenceServiceLimits limits_;
  // ModelInfer's request and response on a reused arena per call (arena_message_allocator.h):
  // a first block of 4 KiB holds a small request and its response; at most 64 idle ones are kept
  // (256 KiB).
  ArenaMessageAllocator<inference::ModelInferRequest, inference::ModelInferResponse>
      infer_messages_{4096, 64};
  std::atomic<bool> ready_{false};
  std::atomic<bool> shutting_down_{false};
  InFlightCalls in_flight_;
};

}  // namespace inferd

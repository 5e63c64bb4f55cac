#include "server/inference_service.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "server/classification.h"
#include "server/client_text.h"
#include "server/grpc_status.h"
#include "server/infer_request_decoder.h"
#include "server/log_settings.h"
#include "server/model_load_parameters.h"
#include "server/stream_infer_reactor.h"

#ifndef INFERD_VERSION
#define INFERD_VERSION "0.0.0"
#endif

namespace inferd {
namespace {

grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context,
                                    const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context,
                                    const absl::Status& status) {
  return FinishNow(context, ToGrpcStatus(status));
}

// A ModelStreamInfer call refused before it reads anything (access control).
class RefusedStream final : public grpc::ServerBidiReactor<inference::ModelInferRequest,
                                                           inference::ModelStreamInferResponse> {
 public:
  explicit RefusedStream(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

// Passes the client's cancellation on to the engine; holds the request's share of the memory
// budget until gRPC is done with the call; unregisters the call and frees itself then (the
// response written, or the client gone).
class InferReactor final : public grpc::ServerUnaryReactor {
 public:
  InferReactor(std::shared_ptr<CancellationToken> cancellation,
               RequestMemoryBudget::Reservation reservation, InFlightCalls* in_flight)
      : cancellation_(std::move(cancellation)),
        reservation_(std::move(reservation)),
        in_flight_(in_flight),
        call_(std::make_shared<InFlightCall>(this)) {
    in_flight_->Add(call_);
  }
  void OnCancel() override { cancellation_->Cancel(); }
  void OnDone() override {
    in_flight_->Remove(call_);
    delete this;
  }
  // Both reactions are short and never block: OnCancel sets a flag and runs the engine's cancel
  // callbacks (which only set flags and count), OnDone takes one uncontended lock and frees the
  // reactor. Saying so lets gRPC run them on the thread that completes the call, as it does for
  // the default reactor, instead of handing every call's OnDone to its executor thread (a thread
  // switch per request; benchmarks/README.md has the figures). gRPC marks the hook as internal:
  // it is a public virtual of grpc::ServerReactor that grpc++ 1.51 (Debian 12) honours.
  bool InternalInlineable() override { return true; }
  const std::shared_ptr<InFlightCall>& call() const { return call_; }

 private:
  std::shared_ptr<CancellationToken> cancellation_;
  RequestMemoryBudget::Reservation reservation_;
  InFlightCalls* const in_flight_;
  const std::shared_ptr<InFlightCall> call_;
};

// The longest version string that can name a version (an int64 has at most 19 digits).
constexpr size_t kMaxVersionBytes = 19;

UnroutedReason UnroutedReasonOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      return UnroutedReason::kUnknownModel;
    case absl::StatusCode::kInvalidArgument:
      return UnroutedReason::kInvalidName;
    default:
      return UnroutedReason::kNotReady;
  }
}

absl::Time DeadlineOf(const grpc::CallbackServerContext& context) {
  const auto deadline = context.deadline();
  // gRPC reports "no deadline" as the far end of system_clock; absl::FromChrono would overflow.
  if (deadline >= std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 50)) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

void SetParameter(google::protobuf::Map<std::string, inference::InferParameter>& parameters,
                  const std::string& key, const std::string& value) {
  int64_t number = 0;
  if (absl::SimpleAtoi(value, &number)) {
    parameters[key].set_int64_param(number);
  } else {
    parameters[key].set_string_param(value);
  }
}

// The top classes of each requested output that asked for them (Triton's classification), one
// entry per requested output, nullopt for those returned as tensors. Done before the response is
// written, so that its only possible error can still become the call's status while the outputs
// are written straight into gRPC's response message.
absl::StatusOr<std::vector<std::optional<ClassificationOutput>>> ClassifyRequested(
    const ServingModel& model, const std::vector<size_t>& output_indices,
    const std::vector<int64_t>& class_counts, const InferenceResponse& result) {
  std::vector<std::optional<ClassificationOutput>> classified(output_indices.size());
  for (size_t i = 0; i < output_indices.size() && i < class_counts.size(); ++i) {
    if (class_counts[i] <= 0) continue;
    const size_t index = output_indices[i];
    auto classes = Classify(result.outputs[index], model.max_batch_size() > 0, class_counts[i],
                            model.output_labels(index));
    if (!classes.ok()) return classes.status();
    classified[i] = *std::move(classes);
  }
  return classified;
}

// Writes each requested output that names a shared-memory region into it. Done, like
// ClassifyRequested, before the response is written, so that a failure is the call's status.
absl::Status WriteSharedMemoryOutputs(
    const SystemSharedMemory* shared_memory, const ServingModel& model,
    const std::vector<size_t>& output_indices,
    const std::vector<std::optional<SharedMemoryReference>>& regions,
    const InferenceResponse& result) {
  for (size_t i = 0; i < output_indices.size() && i < regions.size(); ++i) {
    if (!regions[i].has_value()) continue;
    const size_t index = output_indices[i];
    const std::string what = absl::StrCat("model '", model.name(), "' version ", model.version(),
                                          " output '", model.outputs()[index].name, "'");
    if (shared_memory == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": no shared memory here"));
    }
    if (auto status = shared_memory->Write(*regions[i], result.outputs[index].bytes(), what);
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

// The requested outputs of `result` into `response`: each tensor's raw bytes, the BYTES top
// classes ClassifyRequested made for it, or, for an output WriteSharedMemoryOutputs wrote, its
// region's parameters and an empty raw entry (so that the entries still line up with the outputs,
// which is how clients find them).
void EncodeResponse(const ServingModel& model, const inference::ModelInferRequest& request,
                    const std::vector<size_t>& output_indices,
                    std::vector<std::optional<ClassificationOutput>>& classified,
                    const std::vector<std::optional<SharedMemoryReference>>& regions,
                    const InferenceResponse& result, inference::ModelInferResponse& response) {
  response.set_model_name(model.name());
  response.set_model_version(std::to_string(model.version()));
  response.set_id(request.id());
  for (const auto& [key, value] : result.parameters) {
    SetParameter(*response.mutable_parameters(), key, value);
  }
  for (size_t i = 0; i < output_indices.size(); ++i) {
    const size_t index = output_indices[i];
    const Tensor& tensor = result.outputs[index];
    auto* output = response.add_outputs();
    output->set_name(model.outputs()[index].name);
    if (i < classified.size() && classified[i].has_value()) {
      ClassificationOutput* classes = &*classified[i];
      output->set_datatype("BYTES");
      for (int64_t dim : classes->shape) output->add_shape(dim);
      *response.add_raw_output_contents() = std::move(classes->raw);
      continue;
    }
    output->set_datatype(std::string(DataTypeName(tensor.dtype())));
    for (int64_t dim : tensor.shape()) output->add_shape(dim);
    const auto bytes = tensor.bytes();
    if (i < regions.size() && regions[i].has_value()) {
      auto& parameters = *output->mutable_parameters();
      parameters["shared_memory_region"].set_string_param(regions[i]->region);
      parameters["shared_memory_byte_size"].set_int64_param(static_cast<int64_t>(bytes.size()));
      if (regions[i]->offset > 0) {
        parameters["shared_memory_offset"].set_int64_param(
            static_cast<int64_t>(regions[i]->offset));
      }
      response.add_raw_output_contents();
      continue;
    }
    response.add_raw_output_contents()->assign(reinterpret_cast<const char*>(bytes.data()),
                                               bytes.size());
  }
}

void FillDuration(const DurationStat& from, inference::StatisticDuration* to) {
  to->set_count(from.count);
  to->set_ns(from.ns);
}

void FillStatistics(const ServingModel& model, inference::ModelStatistics* out) {
  const StatisticsSnapshot stats = model.statistics().Snapshot();
  out->set_name(model.name());
  out->set_version(std::to_string(model.version()));
  out->set_last_inference(stats.last_inference_ms);
  out->set_inference_count(stats.inference_count);
  out->set_execution_count(stats.execution_count);
  auto* infer = out->mutable_inference_stats();
  FillDuration(stats.success, infer->mutable_success());
  FillDuration(stats.fail, infer->mutable_fail());
  FillDuration(stats.queue, infer->mutable_queue());
  FillDuration(stats.compute_input, infer->mutable_compute_input());
  FillDuration(stats.compute_infer, infer->mutable_compute_infer());
  FillDuration(stats.compute_output, infer->mutable_compute_output());
  for (const auto& [size, batch] : stats.batches) {
    auto* entry = out->add_batch_stats();
    entry->set_batch_size(static_cast<uint64_t>(size));
    FillDuration(batch.compute_input, entry->mutable_compute_input());
    FillDuration(batch.compute_infer, entry->mutable_compute_infer());
    FillDuration(batch.compute_output, entry->mutable_compute_output());
  }
}

}  // namespace

InferenceService::InferenceService(ModelManager* models, InferenceServiceLimits limits)
    : models_(models), limits_(limits) {
  SetMessageAllocatorFor_ModelInfer(&infer_messages_);
}

namespace {

// Names that no model can have are refused before they reach the engine, whose messages quote them.
absl::Status CheckModelName(const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError("no model name given");
  if (name.size() > kMaxModelNameBytes) {
    return absl::InvalidArgumentError(absl::StrCat("model name ", QuoteClientText(name),
                                                   " is longer than the ", kMaxModelNameBytes,
                                                   " bytes a model name may have"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<ServingModel>> InferenceService::FindModel(
    const std::string& name, const std::string& version) const {
  if (auto status = CheckModelName(name); !status.ok()) return status;
  if (version.size() > kMaxVersionBytes) {
    return absl::InvalidArgumentError(absl::StrCat("model ", QuoteClientText(name), ": version ",
                                                   QuoteClientText(version),
                                                   " is not a positive integer"));
  }
  auto found = models_->Find(name, version);
  if (found.ok()) return found;
  // The engine quotes the name whole; a short excerpt is enough for the client to recognise it.
  const std::string message = absl::StrReplaceAll(
      found.status().message(), {{absl::StrCat("'", name, "'"), QuoteClientText(name)},
                                 {absl::StrCat("'", version, "'"), QuoteClientText(version)}});
  return absl::Status(found.status().code(), message);
}

absl::StatusOr<RequestMemoryBudget::Reservation> InferenceService::Reserve(
    const inference::ModelInferRequest& request) const {
  if (limits_.memory_budget == nullptr) return RequestMemoryBudget::Reservation();
  // Inputs in shared memory are copied out of their regions: their bytes count too. Capped, so
  // that absurd sizes add up without overflowing and are then refused by the budget.
  constexpr int64_t kCap = int64_t{1} << 60;
  int64_t bytes = static_cast<int64_t>(request.ByteSizeLong());
  for (const auto& input : request.inputs()) {
    const auto found = input.parameters().find("shared_memory_byte_size");
    if (found == input.parameters().end()) continue;
    const inference::InferParameter& size = found->second;
    const int64_t claimed =
        size.parameter_choice_case() == inference::InferParameter::kUint64Param
            ? static_cast<int64_t>(std::min<uint64_t>(size.uint64_param(), kCap))
            : std::clamp<int64_t>(size.int64_param(), 0, kCap);
    bytes = std::min(bytes + claimed, kCap);
  }
  return limits_.memory_budget->Reserve(bytes);
}

absl::StatusOr<PreparedInference> InferenceService::Prepare(
    const inference::ModelInferRequest& request) const {
  auto found = FindModel(request.model_name(), request.model_version());
  if (!found.ok()) {
    if (limits_.metrics != nullptr) {
      limits_.metrics->RecordUnroutedFailure(UnroutedReasonOf(found.status()));
    }
    return found.status();
  }
  auto decoded = DecodeInferRequest(request, **found, limits_.shared_memory);
  if (!decoded.ok()) {
    (*found)->statistics().RequestFailed(FailureReason::kRejected, absl::ZeroDuration(),
                                         /*was_accepted=*/false);
    return decoded.status();
  }
  return PreparedInference{*std::move(found), *std::move(decoded)};
}

std::shared_ptr<CancellationToken> InferenceService::StartInference(
    std::shared_ptr<const inference::ModelInferRequest> request, absl::Time deadline,
    std::function<void(InferenceOutcome)> done) {
  auto fail = [&](const absl::Status& status) {
    InferenceOutcome outcome;
    outcome.status = status;
    outcome.response.set_id(request->id());
    outcome.response.set_model_name(request->model_name());
    outcome.response.set_model_version(request->model_version());
    done(std::move(outcome));
    return nullptr;
  };
  if (shutting_down_.load()) {
    return fail(absl::UnavailableError("the server is shutting down and accepts no new requests"));
  }
  const absl::Time arrival = absl::Now();
  auto reservation = Reserve(*request);
  if (!reservation.ok()) return fail(reservation.status());
  auto prepared = Prepare(*request);
  if (!prepared.ok()) return fail(prepared.status());
  std::shared_ptr<ServingModel> model = std::move(prepared->model);
  DecodedRequest& decoded = prepared->decoded;
  InferenceRequest& inference = *decoded.request;
  inference.deadline = EffectiveDeadline(deadline, decoded.parameters, arrival);
  std::shared_ptr<CancellationToken> cancellation = inference.cancellation;
  // The request message outlives the engine's use of it (raw inputs are views of its bytes), and
  // its share of the memory budget is held until the response is handed on.
  inference.on_complete =
      [model, request, done, final_flag = decoded.parameters.enable_final_response_flag,
       outputs = std::move(decoded.output_indices), class_counts = std::move(decoded.class_counts),
       regions = std::move(decoded.output_regions), shared_memory = limits_.shared_memory,
       held = std::make_shared<RequestMemoryBudget::Reservation>(*std::move(reservation))](
          absl::StatusOr<InferenceResponse> result) {
        InferenceOutcome outcome;
        outcome.final_response_flag = final_flag;
        if (!result.ok()) {
          outcome.status = result.status();
          outcome.response.set_id(request->id());
          outcome.response.set_model_name(model->name());
          outcome.response.set_model_version(std::to_string(model->version()));
        } else if (auto classified = ClassifyRequested(*model, outputs, class_counts, *result);
                   !classified.ok()) {
          outcome.status = classified.status();
          outcome.response.set_id(request->id());
        } else if (auto written =
                       WriteSharedMemoryOutputs(shared_memory, *model, outputs, regions, *result);
                   !written.ok()) {
          outcome.status = written;
          outcome.response.set_id(request->id());
        } else {
          EncodeResponse(*model, *request, outputs, *classified, regions, *result,
                         outcome.response);
        }
        done(std::move(outcome));
      };
  if (auto status = model->Submit(std::move(decoded.request)); !status.ok()) {
    model->statistics().RequestFailed(FailureReason::kRejected, absl::ZeroDuration(),
                                      /*was_accepted=*/false);
    return fail(status);
  }
  return cancellation;
}

std::shared_ptr<CancellationToken> InferenceService::StartStreamRequest(
    std::shared_ptr<const inference::ModelInferRequest> request, absl::Time stream_deadline,
    std::function<void(inference::ModelStreamInferResponse)> done) {
  return StartInference(std::move(request), stream_deadline, [done](InferenceOutcome outcome) {
    inference::ModelStreamInferResponse response;
    if (!outcome.status.ok()) response.set_error_message(std::string(outcome.status.message()));
    *response.mutable_infer_response() = std::move(outcome.response);
    if (outcome.final_response_flag) {
      (*response.mutable_infer_response()->mutable_parameters())["triton_final_response"]
          .set_bool_param(true);
    }
    done(std::move(response));
  });
}

grpc::ServerBidiReactor<inference::ModelInferRequest, inference::ModelStreamInferResponse>*
InferenceService::ModelStreamInfer(grpc::CallbackServerContext* context) {
  if (grpc::Status refused = Admit(*context, "ModelStreamInfer"); !refused.ok()) {
    return new RefusedStream(refused);
  }
  return new StreamInferReactor(this, DeadlineOf(*context), kMaxStreamRequestsInFlight);
}

grpc::Status InferenceService::Admit(const grpc::CallbackServerContext& context,
                                     std::string_view method) const {
  if (limits_.access == nullptr) return grpc::Status::OK;
  return limits_.access->Check(context, inference::GRPCInferenceService::service_full_name(),
                               method);
}

void InferenceService::BeginShutdown() {
  ready_.store(false);
  shutting_down_.store(true);
}

grpc::ServerUnaryReactor* InferenceService::ServerLive(grpc::CallbackServerContext* context,
                                                       const inference::ServerLiveRequest*,
                                                       inference::ServerLiveResponse* response) {
  if (grpc::Status refused = Admit(*context, "ServerLive"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  response->set_live(true);
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* InferenceService::ServerReady(grpc::CallbackServerContext* context,
                                                        const inference::ServerReadyRequest*,
                                                        inference::ServerReadyResponse* response) {
  if (grpc::Status refused = Admit(*context, "ServerReady"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  response->set_ready(ready_.load());
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* InferenceService::ModelReady(grpc::CallbackServerContext* context,
                                                       const inference::ModelReadyRequest* request,
                                                       inference::ModelReadyResponse* response) {
  if (grpc::Status refused = Admit(*context, "ModelReady"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  response->set_ready(IsModelReady(request->name(), request->version()));
  return FinishNow(context, grpc::Status::OK);
}

void InferenceService::GetServerMetadata(inference::ServerMetadataResponse& response) const {
  response.set_name("inferd");
  response.set_version(INFERD_VERSION);
  for (const char* extension : {"model_repository", "model_configuration", "statistics", "logging",
                                "binary_tensor_data", "classification"}) {
    response.add_extensions(extension);
  }
  if (limits_.shared_memory != nullptr) response.add_extensions("system_shared_memory");
}

grpc::ServerUnaryReactor* InferenceService::ServerMetadata(
    grpc::CallbackServerContext* context, const inference::ServerMetadataRequest*,
    inference::ServerMetadataResponse* response) {
  if (grpc::Status refused = Admit(*context, "ServerMetadata"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  GetServerMetadata(*response);
  return FinishNow(context, grpc::Status::OK);
}

absl::Status InferenceService::GetModelMetadata(const inference::ModelMetadataRequest& request,
                                                inference::ModelMetadataResponse& response) const {
  auto model = FindModel(request.name(), request.version());
  if (!model.ok()) return model.status();
  const ServingModel& serving = **model;
  response.set_name(serving.name());
  response.set_platform(serving.platform());
  for (int64_t version : models_->ReadyVersions(serving.name())) {
    response.add_versions(std::to_string(version));
  }
  auto describe = [&](const TensorSpec& spec,
                      inference::ModelMetadataResponse::TensorMetadata* out) {
    out->set_name(spec.name);
    out->set_datatype(std::string(DataTypeName(spec.dtype)));
    if (serving.max_batch_size() > 0) out->add_shape(-1);
    for (int64_t dim : spec.dims) out->add_shape(dim);
  };
  for (const auto& spec : serving.inputs()) describe(spec, response.add_inputs());
  for (const auto& spec : serving.outputs()) describe(spec, response.add_outputs());
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* InferenceService::ModelMetadata(
    grpc::CallbackServerContext* context, const inference::ModelMetadataRequest* request,
    inference::ModelMetadataResponse* response) {
  if (grpc::Status refused = Admit(*context, "ModelMetadata"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  return FinishNow(context, GetModelMetadata(*request, *response));
}

grpc::ServerUnaryReactor* InferenceService::ModelInfer(grpc::CallbackServerContext* context,
                                                       const inference::ModelInferRequest* request,
                                                       inference::ModelInferResponse* response) {
  if (grpc::Status refused = Admit(*context, "ModelInfer"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  if (shutting_down_.load()) {
    return FinishNow(
        context, absl::UnavailableError("the server is shutting down and accepts no new requests"));
  }
  const absl::Time arrival = absl::Now();
  // Counted before anything else, so that requests the daemon holds (queued, running, answering)
  // never add up to more than the budget; the reservation lives until the response is sent.
  auto reservation = Reserve(*request);
  if (!reservation.ok()) return FinishNow(context, reservation.status());
  auto prepared = Prepare(*request);
  if (!prepared.ok()) return FinishNow(context, prepared.status());
  std::shared_ptr<ServingModel> model = std::move(prepared->model);
  DecodedRequest* decoded = &prepared->decoded;
  InferenceRequest& inference = *decoded->request;
  inference.deadline = EffectiveDeadline(DeadlineOf(*context), decoded->parameters, arrival);
  auto* reactor = new InferReactor(inference.cancellation, *std::move(reservation), &in_flight_);
  // The call, not the reactor: at the shutdown deadline the server may answer the call itself, and
  // then this completion must leave the (possibly freed) messages alone.
  inference.on_complete = [call = reactor->call(), model, request, response,
                           outputs = std::move(decoded->output_indices),
                           class_counts = std::move(decoded->class_counts),
                           regions = std::move(decoded->output_regions),
                           shared_memory =
                               limits_.shared_memory](absl::StatusOr<InferenceResponse> result) {
    if (!result.ok()) {
      call->TryFinish(ToGrpcStatus(result.status()));
      return;
    }
    auto classified = ClassifyRequested(*model, outputs, class_counts, *result);
    if (!classified.ok()) {
      call->TryFinish(ToGrpcStatus(classified.status()));
      return;
    }
    if (auto status = WriteSharedMemoryOutputs(shared_memory, *model, outputs, regions, *result);
        !status.ok()) {
      call->TryFinish(ToGrpcStatus(status));
      return;
    }
    call->TryFinish(grpc::Status::OK, [&] {
      EncodeResponse(*model, *request, outputs, *classified, regions, *result, *response);
    });
  };
  if (auto status = model->Submit(std::move(decoded->request)); !status.ok()) {
    model->statistics().RequestFailed(FailureReason::kRejected, absl::ZeroDuration(),
                                      /*was_accepted=*/false);
    reactor->call()->TryFinish(ToGrpcStatus(status));
  }
  return reactor;
}

absl::Status InferenceService::GetModelConfig(const inference::ModelConfigRequest& request,
                                              inference::ModelConfigResponse& response) const {
  auto model = FindModel(request.name(), request.version());
  if (!model.ok()) return model.status();
  *response.mutable_config() = (*model)->config();
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* InferenceService::ModelConfig(
    grpc::CallbackServerContext* context, const inference::ModelConfigRequest* request,
    inference::ModelConfigResponse* response) {
  if (grpc::Status refused = Admit(*context, "ModelConfig"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  return FinishNow(context, GetModelConfig(*request, *response));
}

absl::Status InferenceService::GetModelStatistics(
    const inference::ModelStatisticsRequest& request,
    inference::ModelStatisticsResponse& response) const {
  if (!request.name().empty()) {
    // Asking for one model that is not ready is an error, as in Triton; asking for all is not.
    auto model = FindModel(request.name(), request.version());
    if (!model.ok()) return model.status();
    if (!request.version().empty()) {
      FillStatistics(**model, response.add_model_stats());
      return absl::OkStatus();
    }
  }
  for (const auto& model : models_->ReadyModels()) {
    if (!request.name().empty() && model->name() != request.name()) continue;
    FillStatistics(*model, response.add_model_stats());
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* InferenceService::ModelStatistics(
    grpc::CallbackServerContext* context, const inference::ModelStatisticsRequest* request,
    inference::ModelStatisticsResponse* response) {
  if (grpc::Status refused = Admit(*context, "ModelStatistics"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  return FinishNow(context, GetModelStatistics(*request, *response));
}

void InferenceService::GetRepositoryIndex(const inference::RepositoryIndexRequest& request,
                                          inference::RepositoryIndexResponse& response) const {
  for (const ModelIndexEntry& entry : models_->Index()) {
    if (request.ready() && entry.state != ModelState::kReady) continue;
    auto* model = response.add_models();
    model->set_name(entry.name);
    if (entry.version > 0) model->set_version(std::to_string(entry.version));
    model->set_state(std::string(ModelStateName(entry.state)));
    model->set_reason(entry.reason);
  }
}

grpc::ServerUnaryReactor* InferenceService::RepositoryIndex(
    grpc::CallbackServerContext* context, const inference::RepositoryIndexRequest* request,
    inference::RepositoryIndexResponse* response) {
  if (grpc::Status refused = Admit(*context, "RepositoryIndex"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  GetRepositoryIndex(*request, *response);
  return FinishNow(context, grpc::Status::OK);
}

void InferenceService::LoadModel(const inference::RepositoryModelLoadRequest& request,
                                 std::function<void(absl::Status)> done) {
  if (auto status = CheckModelName(request.model_name()); !status.ok()) {
    done(status);
    return;
  }
  if (models_->mode() != ModelControlMode::kExplicit) {
    // Refused for the mode before any parameter is looked at, with the manager's message.
    models_->LoadAsync(request.model_name(), std::move(done));
    return;
  }
  // Triton's `config` and `file:` overrides, checked here so that a bad one is never queued.
  auto override =
      ParseModelLoadParameters(request.model_name(), request.parameters(), models_->push_limits());
  if (!override.ok()) {
    done(override.status());
    return;
  }
  // Pushed files are copied into the queued load: their bytes come out of the request memory
  // budget until the load finishes, so that a queue of pushes cannot hold unbounded memory.
  int64_t pushed_bytes = 0;
  if (*override != nullptr) {
    for (const PushedFile& file : (*override)->files) {
      pushed_bytes += static_cast<int64_t>(file.contents.size());
    }
  }
  if (pushed_bytes > 0 && limits_.memory_budget != nullptr) {
    auto reservation = limits_.memory_budget->Reserve(pushed_bytes);
    if (!reservation.ok()) {
      done(reservation.status());
      return;
    }
    done = [done = std::move(done), held = std::make_shared<RequestMemoryBudget::Reservation>(
                                        *std::move(reservation))](absl::Status status) mutable {
      held.reset();
      done(std::move(status));
    };
  }
  // Loading can take long: it runs on the model manager's bounded lifecycle pool, never on a
  // thread that serves requests, and the pool's callback finishes the call.
  models_->LoadAsync(request.model_name(), *std::move(override), std::move(done));
}

grpc::ServerUnaryReactor* InferenceService::RepositoryModelLoad(
    grpc::CallbackServerContext* context, const inference::RepositoryModelLoadRequest* request,
    inference::RepositoryModelLoadResponse*) {
  if (grpc::Status refused = Admit(*context, "RepositoryModelLoad"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  LoadModel(*request, [reactor](absl::Status status) { reactor->Finish(ToGrpcStatus(status)); });
  return reactor;
}

absl::Status InferenceService::UpdateLogSettings(const inference::LogSettingsRequest& request,
                                                 inference::LogSettingsResponse& response) const {
  return ApplyLogSettings(request, limits_.allow_log_settings_update, response);
}

grpc::ServerUnaryReactor* InferenceService::LogSettings(
    grpc::CallbackServerContext* context, const inference::LogSettingsRequest* request,
    inference::LogSettingsResponse* response) {
  if (grpc::Status refused = Admit(*context, "LogSettings"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  return FinishNow(context, UpdateLogSettings(*request, *response));
}

absl::Status InferenceService::TraceUnsupported() {
  return absl::UnimplementedError(
      "inferd does not trace requests; per-model timings are in ModelStatistics and per-operator "
      "timings in inferd.admin.ModelAdmin/OperatorProfile");
}

grpc::ServerUnaryReactor* InferenceService::TraceSetting(grpc::CallbackServerContext* context,
                                                         const inference::TraceSettingRequest*,
                                                         inference::TraceSettingResponse*) {
  if (grpc::Status refused = Admit(*context, "TraceSetting"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  return FinishNow(context, TraceUnsupported());
}

absl::Status InferenceService::SystemSharedMemoryUnsupported() {
  return absl::UnimplementedError(
      "this endpoint serves no system shared memory; send tensors in the request "
      "(raw_input_contents, or binary data over HTTP)");
}

absl::Status InferenceService::CudaSharedMemoryUnsupported() {
  return absl::UnimplementedError(
      "inferd has no CUDA devices, so it has no CUDA shared memory; send tensors in the request "
      "(raw_input_contents, or binary data over HTTP) or in system shared memory");
}

namespace {

absl::Status NoCudaSharedMemory() { return InferenceService::CudaSharedMemoryUnsupported(); }

}  // namespace

absl::StatusOr<std::vector<SharedMemoryRegionStatus>> InferenceService::SharedMemoryStatus(
    const std::string& name) const {
  if (limits_.shared_memory == nullptr) return SystemSharedMemoryUnsupported();
  return limits_.shared_memory->Status(name);
}

absl::Status InferenceService::RegisterSharedMemory(const std::string& name, const std::string& key,
                                                    uint64_t offset, uint64_t byte_size) {
  if (limits_.shared_memory == nullptr) return SystemSharedMemoryUnsupported();
  return limits_.shared_memory->Register(name, key, offset, byte_size);
}

absl::Status InferenceService::UnregisterSharedMemory(const std::string& name) {
  if (limits_.shared_memory == nullptr) return SystemSharedMemoryUnsupported();
  return limits_.shared_memory->Unregister(name);
}

grpc::ServerUnaryReactor* InferenceService::SystemSharedMemoryStatus(
    grpc::CallbackServerContext* context, const inference::SystemSharedMemoryStatusRequest* request,
    inference::SystemSharedMemoryStatusResponse* response) {
  if (grpc::Status refused = Admit(*context, "SystemSharedMemoryStatus"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  auto regions = SharedMemoryStatus(request->name());
  if (!regions.ok()) return FinishNow(context, regions.status());
  for (const SharedMemoryRegionStatus& region : *regions) {
    auto& entry = (*response->mutable_regions())[region.name];
    entry.set_name(region.name);
    entry.set_key(region.key);
    entry.set_offset(region.offset);
    entry.set_byte_size(region.byte_size);
  }
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* InferenceService::SystemSharedMemoryRegister(
    grpc::CallbackServerContext* context,
    const inference::SystemSharedMemoryRegisterRequest* request,
    inference::SystemSharedMemoryRegisterResponse*) {
  if (grpc::Status refused = Admit(*context, "SystemSharedMemoryRegister"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  return FinishNow(context, RegisterSharedMemory(request->name(), request->key(), request->offset(),
                                                 request->byte_size()));
}

grpc::ServerUnaryReactor* InferenceService::SystemSharedMemoryUnregister(
    grpc::CallbackServerContext* context,
    const inference::SystemSharedMemoryUnregisterRequest* request,
    inference::SystemSharedMemoryUnregisterResponse*) {
  if (grpc::Status refused = Admit(*context, "SystemSharedMemoryUnregister"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  return FinishNow(context, UnregisterSharedMemory(request->name()));
}

grpc::ServerUnaryReactor* InferenceService::CudaSharedMemoryStatus(
    grpc::CallbackServerContext* context, const inference::CudaSharedMemoryStatusRequest*,
    inference::CudaSharedMemoryStatusResponse*) {
  if (grpc::Status refused = Admit(*context, "CudaSharedMemoryStatus"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  return FinishNow(context, NoCudaSharedMemory());
}

grpc::ServerUnaryReactor* InferenceService::CudaSharedMemoryRegister(
    grpc::CallbackServerContext* context, const inference::CudaSharedMemoryRegisterRequest*,
    inference::CudaSharedMemoryRegisterResponse*) {
  if (grpc::Status refused = Admit(*context, "CudaSharedMemoryRegister"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  return FinishNow(context, NoCudaSharedMemory());
}

grpc::ServerUnaryReactor* InferenceService::CudaSharedMemoryUnregister(
    grpc::CallbackServerContext* context, const inference::CudaSharedMemoryUnregisterRequest*,
    inference::CudaSharedMemoryUnregisterResponse*) {
  if (grpc::Status refused = Admit(*context, "CudaSharedMemoryUnregister"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  return FinishNow(context, NoCudaSharedMemory());
}

void InferenceService::UnloadModel(const inference::RepositoryModelUnloadRequest& request,
                                   std::function<void(absl::Status)> done) {
  if (auto status = CheckModelName(request.model_name()); !status.ok()) {
    done(status);
    return;
  }
  // Unloading waits for in-flight requests, which may need the serving threads to finish: it runs
  // on the lifecycle pool too.
  models_->UnloadAsync(request.model_name(), std::move(done));
}

grpc::ServerUnaryReactor* InferenceService::RepositoryModelUnload(
    grpc::CallbackServerContext* context, const inference::RepositoryModelUnloadRequest* request,
    inference::RepositoryModelUnloadResponse*) {
  if (grpc::Status refused = Admit(*context, "RepositoryModelUnload"); !refused.ok()) {
    return FinishNow(context, refused);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  UnloadModel(*request, [reactor](absl::Status status) { reactor->Finish(ToGrpcStatus(status)); });
  return reactor;
}

}  // namespace inferd

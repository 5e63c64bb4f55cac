#include "backends/ethosu/ethosu_backend.h"

#include <array>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "backends/ethosu/payload/vela_bin_stream.h"
#include "engine/executorch/executorch_loader.h"
#include "engine/graph/graph.h"
#ifdef INFERD_HAVE_CPU_JOB_LOWERING
#include "firmware/host/cpu_job_lowering.h"
#endif

namespace inferd::ethosu {
namespace {

class EthosuExecutable : public Executable {
 public:
  EthosuExecutable(std::shared_ptr<TargetPool> pool, std::shared_ptr<const TargetNetwork> network,
                   std::map<std::string, std::string> selector, BackendLoadRequest request)
      : pool_(std::move(pool)),
        network_(std::move(network)),
        selector_(std::move(selector)),
        model_name_(request.model_name),
        batching_(request.max_batch_size > 0),
        inputs_(std::move(request.inputs)),
        outputs_(std::move(request.outputs)) {}

  void Execute(Batch batch, BatchCallback done) override {
    TargetJob job;
    job.selector = selector_;
    job.network = network_;
    job.num_outputs = static_cast<uint32_t>(outputs_.size());
    job.batched = batching_;
    job.cancellation = batch.cancellation;
    job.deadline = batch.deadline;
    for (const Tensor& tensor : batch.inputs) {
      WireTensor wire;
      wire.dtype = ToWireDType(tensor.dtype());
      if (wire.dtype == INFERD_TP_DTYPE_UNKNOWN) {
        done(Error(absl::InvalidArgumentError(
            absl::StrCat("input type ", std::string(DataTypeName(tensor.dtype())),
                         " cannot be sent to a target"))));
        return;
      }
      wire.dims = tensor.shape();
      wire.data = tensor.bytes();
      job.inputs.push_back(std::move(wire));
    }
    job.keep_alive = std::move(batch.inputs);
    const int64_t batch_size = batch.batch_size;
    job.done = [this, batch_size, done = std::move(done)](absl::StatusOr<TargetJobResult> result) {
      done(Convert(std::move(result), batch_size));
    };
    // The scheduler's worker waits for this batch anyway: run it right here when a target is free.
    pool_->Run(std::move(job));
  }

 private:
  absl::Status Error(const absl::Status& status) const {
    return absl::Status(status.code(),
                        absl::StrCat("model '", model_name_, "': ", status.message()));
  }

  // Gives a Vela output the config's type and shape (with the batch's leading dimension) when its
  // element size and byte count agree with them.
  absl::Status AdoptConfiguredShape(const TensorSpec& spec, int64_t batch_size,
                                    WireTensor& wire) const {
    std::vector<int64_t> dims;
    if (batching_) dims.push_back(batch_size);
    dims.insert(dims.end(), spec.dims.begin(), spec.dims.end());
    int64_t elements = 1;
    for (int64_t dim : dims) elements *= dim;
    const int64_t element_size = static_cast<int64_t>(DataTypeByteSize(spec.dtype));
    const DataType wire_type = FromWireDType(wire.dtype);
    const int64_t wire_element_size =
        wire_type == DataType::kInvalid ? 0 : static_cast<int64_t>(DataTypeByteSize(wire_type));
    if (wire_element_size != element_size ||
        static_cast<int64_t>(wire.bytes().size()) != elements * element_size) {
      return absl::InternalError(
          absl::StrCat("output '", spec.name, "' came as ", wire.bytes().size(), " bytes of ",
                       wire_element_size, "-byte elements; the model declares ",
                       std::string(DataTypeName(spec.dtype)), " ", ShapeToString(dims)));
    }
    wire.dtype = ToWireDType(spec.dtype);
    wire.dims = std::move(dims);
    return absl::OkStatus();
  }

  absl::StatusOr<BatchResult> Convert(absl::StatusOr<TargetJobResult> result,
                                      int64_t batch_size) const {
    if (!result.ok()) return Error(result.status());
    InferenceResponse& response = result->response;
    if (response.outputs.size() != outputs_.size()) {
      return Error(absl::InternalError(absl::StrCat("target '", result->target, "' returned ",
                                                    response.outputs.size(), " outputs, want ",
                                                    outputs_.size())));
    }
    BatchResult batch_result;
    for (size_t i = 0; i < outputs_.size(); ++i) {
      WireTensor& wire = response.outputs[i];
      const TensorSpec& spec = outputs_[i];
      if (network_->required_executor == INFERD_TP_EXEC_ETHOSU) {
        // An NPU executor knows its outputs' element sizes and Vela's (4-D or 6-D) shapes only:
        // the config says what the bytes are, and the element sizes were checked against it at
        // load (CheckVelaIo).
        if (auto status = AdoptConfiguredShape(spec, batch_size, wire); !status.ok()) {
          return Error(absl::InternalError(
              absl::StrCat("target '", result->target, "': ", status.message())));
        }
      }
      if (FromWireDType(wire.dtype) != spec.dtype ||
          (batching_ && (wire.dims.empty() || wire.dims[0] != batch_size))) {
        return Error(absl::InternalError(
            absl::StrCat("target '", result->target, "' returned output '", spec.name, "' as ",
                         std::string(DataTypeName(FromWireDType(wire.dtype))), " ",
                         ShapeToString(wire.dims), "; the model declares ",
                         std::string(DataTypeName(spec.dtype)), " ", ShapeToString(spec.dims))));
      }
      Tensor tensor = Tensor::Allocate(spec.dtype, wire.dims);
      if (tensor.byte_size() != wire.bytes().size()) {
        return Error(absl::InternalError(absl::StrCat(
            "target '", result->target, "' returned inconsistent output '", spec.name, "'")));
      }
      std::memcpy(tensor.mutable_bytes().data(), wire.bytes().data(), wire.bytes().size());
      batch_result.outputs.push_back(std::move(tensor));
    }
    const inferd_tp_inference_rsp& header = response.header;
    batch_result.parameters["target"] = result->target;
    batch_result.parameters["npu_cycles"] = std::to_string(header.npu_cycles);
    batch_result.parameters["cpu_cycles"] = std::to_string(header.cpu_cycles);
    for (uint32_t p = 0; p < INFERD_TP_PMU_MAX; ++p) {
      if (header.pmu_events[p] != INFERD_TP_PMU_EVENT_NONE) {
        batch_result.parameters[absl::StrCat("pmu_event_", header.pmu_events[p])] =
            std::to_string(header.pmu_counts[p]);
      }
    }
    batch_result.parameters["network_cached"] = result->network_cached ? "true" : "false";
    batch_result.compute_infer = result->busy;
    return batch_result;
  }

  const std::shared_ptr<TargetPool> pool_;
  const std::shared_ptr<const TargetNetwork> network_;
  const std::map<std::string, std::string> selector_;
  const std::string model_name_;
  const bool batching_;
  const std::vector<TensorSpec> inputs_;
  const std::vector<TensorSpec> outputs_;
};

// The stream's IO layout must be the config's: same count, element sizes and bytes per item.
absl::Status CheckVelaIo(const VelaBinStream& stream, const BackendLoadRequest& request) {
  auto check = [](const std::vector<VelaIo>& ios, const std::vector<TensorSpec>& specs,
                  const char* what) -> absl::Status {
    if (ios.size() != specs.size()) {
      return absl::InvalidArgumentError(absl::StrCat("the Vela stream has ", ios.size(), " ", what,
                                                     ", the config ", specs.size()));
    }
    for (size_t i = 0; i < ios.size(); ++i) {
      const size_t element = DataTypeByteSize(specs[i].dtype);
      if (static_cast<size_t>(ios[i].element_size) != element) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, " '", specs[i].name, "': the Vela stream has ", ios[i].element_size,
                         "-byte elements, the config ", std::string(DataTypeName(specs[i].dtype))));
      }
      const std::optional<int64_t> count = ElementCount(specs[i].dims);
      if (count.has_value() && *count * static_cast<int64_t>(element) != ios[i].bytes()) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, " '", specs[i].name, "': the Vela stream holds ", ios[i].bytes(),
                         " bytes per item, the config ", ShapeToString(specs[i].dims), " needs ",
                         *count * static_cast<int64_t>(element)));
      }
    }
    return absl::OkStatus();
  };
  if (auto status = check(stream.inputs, request.inputs, "inputs"); !status.ok()) return status;
  return check(stream.outputs, request.outputs, "outputs");
}

// The model parameter pmu_events: up to INFERD_TP_PMU_MAX NPU PMU event numbers (the driver's
// ethosu_pmu_event_type, e.g. 5 for NPU_ACTIVE on Ethos-U55), comma-separated. The target checks
// that its NPU has them.
absl::StatusOr<std::array<uint32_t, INFERD_TP_PMU_MAX>> ParsePmuEvents(absl::string_view text) {
  std::array<uint32_t, INFERD_TP_PMU_MAX> events{};
  size_t count = 0;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    uint32_t event = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(item), &event) || event == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "parameter pmu_events: '", item, "' is not a PMU event number (a positive integer)"));
    }
    if (count == events.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter pmu_events: at most ", events.size(), " events are counted"));
    }
    events[count++] = event;
  }
  return events;
}

// TOSA flatbuffers carry the file identifier "TOSA" at byte 4.
bool LooksLikeTosaFile(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data() + 4, "TOSA", 4) == 0;
}

}  // namespace

EthosuBackend::EthosuBackend(std::shared_ptr<TargetPool> pool) : pool_(std::move(pool)) {}

absl::StatusOr<std::unique_ptr<Executable>> EthosuBackend::Load(const BackendLoadRequest& request) {
  std::map<std::string, std::string> selector;
  if (auto found = request.parameters.find("target_selector"); found != request.parameters.end()) {
    auto parsed = ParseLabels(found->second);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter target_selector: ", parsed.status().message()));
    }
    selector = std::move(*parsed);
  }
  if (request.model_bytes == nullptr || request.model_bytes->empty()) {
    return absl::InvalidArgumentError("the model file is empty");
  }
  auto network = std::make_shared<TargetNetwork>();
  if (auto found = request.parameters.find("pmu_events"); found != request.parameters.end()) {
    auto events = ParsePmuEvents(found->second);
    if (!events.ok()) return events.status();
    network->pmu_events = *events;
  }
  NetworkVariant original;
  original.bytes = request.model_bytes;
  original.id = ComputeNetworkId(*request.model_bytes);
  network->description = absl::StrCat("model '", request.model_name, "' v", request.version);
  if (request.graph != nullptr && !LooksLikeTosaFile(*request.model_bytes)) {
    // A graph the engine decoded from another format (a VGF, a VgfBackend program): targets take
    // the .tosa file itself, which this model does not have.
    return absl::InvalidArgumentError(absl::StrCat(
        request.model_path.filename().string(),
        " holds a graph in another format than .tosa (a VGF); the ethosu backend sends targets "
        "TOSA files, Vela bin streams or EthosUBackend programs"));
  }
  if (request.graph != nullptr) {
    original.format = INFERD_TP_NETWORK_FORMAT_TOSA;
    network->variants.push_back(original);
    network->required_executor = INFERD_TP_EXEC_TOSA_CPU;
#ifdef INFERD_HAVE_CPU_JOB_LOWERING
    // Firmware 'cpu' executors take the graph pre-lowered (firmware/host/cpu_job_lowering.h). A
    // graph the lowering cannot express still runs on targets that take .tosa (the host agent).
    if (auto job = firmware::LowerToCpuJob(*request.graph); job.ok()) {
      NetworkVariant lowered;
      lowered.format = INFERD_TP_NETWORK_FORMAT_CPU_JOB;
      lowered.bytes = std::make_shared<const std::vector<uint8_t>>(std::move(*job));
      lowered.id = ComputeNetworkId(*lowered.bytes);
      network->variants.push_back(std::move(lowered));
    }
#endif
  } else if (executorch::LooksLikeExecuTorchProgram(*request.model_bytes)) {
    // The target gets the delegate's bin stream alone, exactly as if model.bin held it; the
    // quantize / dequantize steps at a program's float edges run here, on the host.
    return executorch::LoadDelegatedProgram(
        request, kName, {kEthosUBackendId},
        [this](const BackendLoadRequest& delegate_request,
               const executorch::DelegatedProgram&) -> absl::StatusOr<std::unique_ptr<Executable>> {
          if (auto stream = ParseVelaBinStream(*delegate_request.model_bytes); !stream.ok()) {
            return absl::InvalidArgumentError(absl::StrCat(
                "the ", kEthosUBackendId, " delegate's data: ", stream.status().message()));
          }
          return Load(delegate_request);
        });
  } else if (LooksLikeVelaBinStream(*request.model_bytes)) {
    auto stream = ParseVelaBinStream(*request.model_bytes);
    if (!stream.ok()) return stream.status();
    if (auto status = CheckVelaIo(*stream, request); !status.ok()) return status;
    original.format = INFERD_TP_NETWORK_FORMAT_VELA_BIN;
    network->variants.push_back(original);
    network->required_executor = INFERD_TP_EXEC_ETHOSU;
    network->scratch_bytes = stream->scratch_size;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        request.model_path.filename().string(),
        " is neither a TOSA graph, an ExecuTorch program nor a Vela bin stream; the ethosu "
        "backend takes those"));
  }
  for (const TensorSpec& spec : request.inputs) {
    if (ToWireDType(spec.dtype) == INFERD_TP_DTYPE_UNKNOWN) {
      return absl::InvalidArgumentError(absl::StrCat("input '", spec.name, "' has type ",
                                                     std::string(DataTypeName(spec.dtype)),
                                                     ", which the target protocol cannot carry"));
    }
  }
  if (request.inputs.size() > INFERD_TP_MAX_TENSORS ||
      request.outputs.size() > INFERD_TP_MAX_TENSORS) {
    return absl::InvalidArgumentError(
        absl::StrCat("targets take at most ", INFERD_TP_MAX_TENSORS, " inputs and outputs"));
  }
  if (!pool_->HasMatchingTarget(selector)) {
    std::string selector_text;
    for (const auto& [key, value] : selector) {
      absl::StrAppend(&selector_text, selector_text.empty() ? "" : ",", key, "=", value);
    }
    return absl::UnavailableError(
        absl::StrCat("no inference target matches selector '", selector_text,
                     "' (add targets with --targets-config or the admin API)"));
  }
  return std::make_unique<EthosuExecutable>(pool_, network, std::move(selector), request);
}

}  // namespace inferd::ethosu

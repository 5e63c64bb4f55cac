#include "backends/ethosu/host_agent/agent_core.h"

#include <algorithm>
#include <condition_variable>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "backends/cpu/graph_executor.h"
#include "engine/graph/tosa_reader.h"

namespace inferd::ethosu {
namespace {

Frame Reply(const Frame& request, uint16_t type, std::vector<uint8_t> payload) {
  Frame frame;
  frame.type = type;
  frame.sequence = request.sequence;
  frame.payload = std::move(payload);
  return frame;
}

Frame ErrorReply(const Frame& request, uint32_t code, absl::string_view text) {
  return Reply(request, INFERD_TP_MSG_ERR, EncodeError(code, text));
}

uint8_t WireDTypeFromGraph(graph::DType dtype) {
  switch (dtype) {
    case graph::DType::kBool:
      return INFERD_TP_DTYPE_BOOL;
    case graph::DType::kInt8:
      return INFERD_TP_DTYPE_INT8;
    case graph::DType::kInt16:
      return INFERD_TP_DTYPE_INT16;
    case graph::DType::kInt32:
      return INFERD_TP_DTYPE_INT32;
    case graph::DType::kFp16:
      return INFERD_TP_DTYPE_FP16;
    case graph::DType::kFp32:
      return INFERD_TP_DTYPE_FP32;
    default:
      return INFERD_TP_DTYPE_UNKNOWN;
  }
}

Frame InferenceReply(const Frame& request, uint32_t status) {
  inferd_tp_inference_rsp rsp{};
  rsp.status = status;
  return Reply(request, INFERD_TP_MSG_INFERENCE_RSP, EncodeInferenceResponse(rsp, {}));
}

}  // namespace

AgentCore::AgentCore(AgentOptions options) : options_(std::move(options)) {}
AgentCore::~AgentCore() = default;

uint64_t AgentCore::uploads_completed() const {
  std::lock_guard lock(mutex_);
  return uploads_completed_;
}

uint64_t AgentCore::inferences_run() const {
  std::lock_guard lock(mutex_);
  return inferences_run_;
}

void AgentCore::set_on_inference_start(std::function<void(uint32_t)> callback) {
  std::lock_guard lock(mutex_);
  on_inference_start_ = std::move(callback);
}

size_t AgentCore::CachedBytes() const {
  size_t total = 0;
  for (const auto& [id, network] : networks_) total += network.total;
  return total;
}

Frame AgentCore::Handle(const Frame& request) {
  switch (request.type) {
    case INFERD_TP_MSG_PING: {
      if (request.payload.size() > INFERD_TP_PING_MAX) {
        return ErrorReply(request, INFERD_TP_ERR_BAD_PAYLOAD, "PING payload over 64 bytes");
      }
      return Reply(request, INFERD_TP_MSG_PONG, request.payload);
    }
    case INFERD_TP_MSG_VERSION_REQ: {
      inferd_tp_version_rsp rsp{};
      rsp.protocol_major = INFERD_TP_VERSION_MAJOR;
      rsp.protocol_minor = INFERD_TP_VERSION_MINOR;
      rsp.agent_version = 1u << 16;
      SetFixedName(rsp.agent_name, sizeof(rsp.agent_name), options_.name);
      return Reply(request, INFERD_TP_MSG_VERSION_RSP, StructBytes(rsp));
    }
    case INFERD_TP_MSG_CAPABILITIES_REQ: {
      inferd_tp_capabilities_rsp rsp{};
      rsp.npu_product = options_.simulated_npu_product;
      rsp.npu_macs = options_.simulated_npu_macs;
      rsp.executors = INFERD_TP_EXEC_TOSA_CPU | options_.extra_executors;
      rsp.sram_size = options_.sram_bytes;
      rsp.dram_size = options_.dram_bytes;
      rsp.network_cache_size = options_.network_cache_bytes;
      rsp.max_payload = options_.max_payload;
      rsp.pmu_counters = options_.simulated_npu_product ? INFERD_TP_PMU_MAX : 0;
      rsp.max_networks = 64;
      rsp.flags = INFERD_TP_CAP_BATCH;
      SetFixedName(rsp.target_name, sizeof(rsp.target_name), "host");
      return Reply(request, INFERD_TP_MSG_CAPABILITIES_RSP, StructBytes(rsp));
    }
    case INFERD_TP_MSG_NETWORK_LOAD_BEGIN:
      return LoadBegin(request);
    case INFERD_TP_MSG_NETWORK_LOAD_CHUNK:
      return LoadChunk(request);
    case INFERD_TP_MSG_NETWORK_UNLOAD_REQ:
      return Unload(request);
    default:
      return ErrorReply(request, INFERD_TP_ERR_UNKNOWN_TYPE,
                        absl::StrCat("unexpected message type ", request.type, " (",
                                     MessageTypeName(request.type), ")"));
  }
}

Frame AgentCore::LoadBegin(const Frame& request) {
  auto begin = ParseStruct<inferd_tp_network_load_begin>(request.payload, "NETWORK_LOAD_BEGIN");
  if (!begin.ok()) {
    return ErrorReply(request, INFERD_TP_ERR_BAD_PAYLOAD, begin.status().message());
  }
  inferd_tp_network_load_rsp rsp{};
  std::copy(std::begin(begin->network_id), std::end(begin->network_id), rsp.network_id);
  NetworkId id;
  std::copy(std::begin(begin->network_id), std::end(begin->network_id), id.begin());
  std::lock_guard lock(mutex_);
  auto found = networks_.find(id);
  if (found != networks_.end() && found->second.complete) {
    rsp.status = INFERD_TP_NET_CACHED;
    rsp.bytes_received = found->second.total;
    return Reply(request, INFERD_TP_MSG_NETWORK_LOAD_RSP, StructBytes(rsp));
  }
  if (begin->format != INFERD_TP_NETWORK_FORMAT_TOSA) {
    rsp.status = INFERD_TP_NET_UNSUPPORTED;
  } else if (begin->total_size == 0 || begin->total_size > options_.network_cache_bytes) {
    rsp.status = INFERD_TP_NET_NO_MEMORY;
  } else {
    if (found != networks_.end()) networks_.erase(found);  // restart an interrupted upload
    // Evict complete networks (oldest key order; the host agent keeps no LRU) until it fits.
    while (CachedBytes() + begin->total_size > options_.network_cache_bytes && !networks_.empty()) {
      networks_.erase(networks_.begin());
    }
    Network& network = networks_[id];
    network.format = begin->format;
    network.crc32 = begin->crc32;
    network.total = begin->total_size;
    network.bytes.reserve(begin->total_size);
    rsp.status = INFERD_TP_NET_READY;
  }
  return Reply(request, INFERD_TP_MSG_NETWORK_LOAD_RSP, StructBytes(rsp));
}

Frame AgentCore::LoadChunk(const Frame& request) {
  auto chunk = ParseStruct<inferd_tp_network_load_chunk>(request.payload, "NETWORK_LOAD_CHUNK");
  if (!chunk.ok()) {
    return ErrorReply(request, INFERD_TP_ERR_BAD_PAYLOAD, chunk.status().message());
  }
  inferd_tp_network_load_rsp rsp{};
  std::copy(std::begin(chunk->network_id), std::end(chunk->network_id), rsp.network_id);
  NetworkId id;
  std::copy(std::begin(chunk->network_id), std::end(chunk->network_id), id.begin());
  const size_t data_size = request.payload.size() - sizeof(inferd_tp_network_load_chunk);
  std::lock_guard lock(mutex_);
  auto found = networks_.find(id);
  if (found == networks_.end() || found->second.complete || chunk->length != data_size ||
      chunk->offset != found->second.bytes.size() ||
      found->second.bytes.size() + data_size > found->second.total) {
    rsp.status = INFERD_TP_NET_BAD_CHUNK;
    if (found != networks_.end())
      rsp.bytes_received = static_cast<uint32_t>(found->second.bytes.size());
    return Reply(request, INFERD_TP_MSG_NETWORK_LOAD_RSP, StructBytes(rsp));
  }
  Network& network = found->second;
  const uint8_t* data = request.payload.data() + sizeof(inferd_tp_network_load_chunk);
  network.bytes.insert(network.bytes.end(), data, data + data_size);
  rsp.bytes_received = static_cast<uint32_t>(network.bytes.size());
  if (network.bytes.size() < network.total) {
    rsp.status = INFERD_TP_NET_CHUNK_OK;
    return Reply(request, INFERD_TP_MSG_NETWORK_LOAD_RSP, StructBytes(rsp));
  }
  if (inferd_tp_crc32(network.bytes.data(), network.bytes.size()) != network.crc32) {
    rsp.status = INFERD_TP_NET_CRC_MISMATCH;
    networks_.erase(found);
    return Reply(request, INFERD_TP_MSG_NETWORK_LOAD_RSP, StructBytes(rsp));
  }
  // Prepare once at load, as firmware would: a graph that does not parse or bind is refused now.
  auto graph = graph::LoadTosaGraph(network.bytes);
  absl::StatusOr<std::unique_ptr<cpu::GraphExecutor>> executor =
      graph.ok() ? cpu::GraphExecutor::Create(*graph)
                 : absl::StatusOr<std::unique_ptr<cpu::GraphExecutor>>(graph.status());
  if (!executor.ok()) {
    rsp.status = INFERD_TP_NET_BAD_FORMAT;
    networks_.erase(found);
    return Reply(request, INFERD_TP_MSG_NETWORK_LOAD_RSP, StructBytes(rsp));
  }
  network.executor = std::move(*executor);
  network.complete = true;
  ++uploads_completed_;
  rsp.status = INFERD_TP_NET_LOADED;
  return Reply(request, INFERD_TP_MSG_NETWORK_LOAD_RSP, StructBytes(rsp));
}

Frame AgentCore::Unload(const Frame& request) {
  auto ref = ParseStruct<inferd_tp_network_ref>(request.payload, "NETWORK_UNLOAD_REQ");
  if (!ref.ok()) return ErrorReply(request, INFERD_TP_ERR_BAD_PAYLOAD, ref.status().message());
  NetworkId id;
  std::copy(std::begin(ref->network_id), std::end(ref->network_id), id.begin());
  inferd_tp_network_unload_rsp rsp{};
  std::copy(id.begin(), id.end(), rsp.network_id);
  std::lock_guard lock(mutex_);
  rsp.status = networks_.erase(id) > 0 ? 0 : 1;
  return Reply(request, INFERD_TP_MSG_NETWORK_UNLOAD_RSP, StructBytes(rsp));
}

Frame AgentCore::RunInference(const Frame& request, CancellationToken& cancellation) {
  auto decoded = DecodeInferenceRequest(request.payload);
  if (!decoded.ok()) {
    return ErrorReply(request, INFERD_TP_ERR_BAD_PAYLOAD, decoded.status().message());
  }
  NetworkId id;
  std::copy(std::begin(decoded->header.network_id), std::end(decoded->header.network_id),
            id.begin());
  std::shared_ptr<cpu::GraphExecutor> executor;
  std::shared_ptr<std::mutex> run_mutex;
  std::function<void(uint32_t)> on_start;
  {
    std::lock_guard lock(mutex_);
    auto found = networks_.find(id);
    if (found == networks_.end() || !found->second.complete) {
      return InferenceReply(request, INFERD_TP_INF_NO_NETWORK);
    }
    executor = found->second.executor;
    run_mutex = found->second.run_mutex;
    on_start = on_inference_start_;
  }
  if (on_start) on_start(request.sequence);
  if (options_.inference_delay > absl::ZeroDuration()) {
    // A simulated slow job that a CANCEL cuts short. The waiter state is shared because the
    // token may be cancelled after this job has returned.
    struct Waiter {
      std::mutex mutex;
      std::condition_variable wake;
      bool cancelled = false;
    };
    auto waiter = std::make_shared<Waiter>();
    cancellation.OnCancel([waiter] {
      std::lock_guard lock(waiter->mutex);
      waiter->cancelled = true;
      waiter->wake.notify_all();
    });
    std::unique_lock lock(waiter->mutex);
    waiter->wake.wait_for(lock, absl::ToChronoNanoseconds(options_.inference_delay),
                          [&] { return waiter->cancelled; });
  }
  if (cancellation.IsCancelled()) return InferenceReply(request, INFERD_TP_INF_CANCELLED);

  const graph::Graph& graph = executor->graph();
  const auto& graph_inputs = graph.main_block().inputs;
  const auto& graph_outputs = graph.main_block().outputs;
  if (decoded->inputs.size() != graph_inputs.size()) {
    return InferenceReply(request, INFERD_TP_INF_BAD_INPUT);
  }
  // A batch arrives as one tensor per input whose leading dimension counts items; the graph takes
  // one item at a time (leading dimension 1), as the CPU backend runs it.
  int64_t items = -1;
  for (size_t i = 0; i < graph_inputs.size(); ++i) {
    const size_t item_bytes = executor->StorageBytes(graph_inputs[i]);
    const WireTensor& input = decoded->inputs[i];
    if (input.dtype != WireDTypeFromGraph(graph.tensor(graph_inputs[i]).dtype) || item_bytes == 0 ||
        input.bytes().size() % item_bytes != 0) {
      return InferenceReply(request, INFERD_TP_INF_BAD_INPUT);
    }
    const int64_t n = static_cast<int64_t>(input.bytes().size() / item_bytes);
    if (items >= 0 && n != items) return InferenceReply(request, INFERD_TP_INF_BAD_INPUT);
    items = n;
  }
  if (items <= 0) items = 1;
  std::vector<WireTensor> outputs(graph_outputs.size());
  for (size_t o = 0; o < graph_outputs.size(); ++o) {
    const graph::Tensor& tensor = graph.tensor(graph_outputs[o]);
    outputs[o].dtype = WireDTypeFromGraph(tensor.dtype);
    outputs[o].dims = tensor.shape;
    if (!outputs[o].dims.empty()) outputs[o].dims[0] *= items;
    outputs[o].owned.resize(executor->StorageBytes(graph_outputs[o]) * static_cast<size_t>(items));
  }
  const absl::Time start = absl::Now();
  {
    std::lock_guard run_lock(*run_mutex);  // one GraphExecutor runs one job at a time
    std::vector<std::span<const uint8_t>> in(graph_inputs.size());
    std::vector<std::span<uint8_t>> out(graph_outputs.size());
    for (int64_t item = 0; item < items; ++item) {
      for (size_t i = 0; i < in.size(); ++i) {
        const size_t bytes = executor->StorageBytes(graph_inputs[i]);
        in[i] = decoded->inputs[i].bytes().subspan(static_cast<size_t>(item) * bytes, bytes);
      }
      for (size_t o = 0; o < out.size(); ++o) {
        const size_t bytes = executor->StorageBytes(graph_outputs[o]);
        out[o] =
            std::span<uint8_t>(outputs[o].owned).subspan(static_cast<size_t>(item) * bytes, bytes);
      }
      absl::Status status = executor->Run(in, out, &cancellation);
      if (absl::IsCancelled(status)) return InferenceReply(request, INFERD_TP_INF_CANCELLED);
      if (!status.ok()) {
        return InferenceReply(request, INFERD_TP_INF_ERROR);
      }
    }
  }
  inferd_tp_inference_rsp rsp{};
  rsp.status = INFERD_TP_INF_OK;
  rsp.cpu_cycles = static_cast<uint64_t>(absl::ToInt64Nanoseconds(absl::Now() - start));
  if (options_.simulated_npu_product != 0) {
    // Synthetic and deterministic: operators x items x 1000, and PMU events echo that scaled.
    const uint64_t ops = graph.main_block().operators.size();
    rsp.npu_cycles = ops * static_cast<uint64_t>(items) * 1000;
    for (uint32_t p = 0; p < INFERD_TP_PMU_MAX; ++p) {
      rsp.pmu_events[p] = decoded->header.pmu_events[p];
      rsp.pmu_counts[p] =
          rsp.pmu_events[p] == INFERD_TP_PMU_EVENT_NONE ? 0 : static_cast<uint32_t>(ops * items);
    }
  }
  {
    std::lock_guard lock(mutex_);
    ++inferences_run_;
  }
  return Reply(request, INFERD_TP_MSG_INFERENCE_RSP, EncodeInferenceResponse(rsp, outputs));
}

}  // namespace inferd::ethosu

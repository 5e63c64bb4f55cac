#include "firmware/agent/agent.h"

#include <string.h>

#include "firmware/agent/frame_writer.h"

namespace inferd::firmware {
namespace {

void CopyName(char* out, const char* name) {
  memset(out, 0, INFERD_TP_NAME_SIZE);
  for (uint32_t i = 0; i + 1 < INFERD_TP_NAME_SIZE && name[i] != '\0'; ++i) out[i] = name[i];
}

// Appends `text` at `*length` inside a name field, keeping the terminating NUL.
void AppendName(char* out, uint32_t* length, const char* text) {
  for (; *text != '\0' && *length + 1 < INFERD_TP_NAME_SIZE; ++text) out[(*length)++] = *text;
}

}  // namespace

Agent::Agent(const AgentConfig& config)
    : config_(config),
      parser_(config.rx_buffer, config.rx_capacity),
      cache_(config.network_arena, config.network_arena_size) {}

void Agent::Serve() {
  while (Poll(/*wait=*/true)) {
  }
}

bool Agent::Poll(bool wait) { return Pump(wait, /*busy=*/false); }

void Agent::ResetStream() {
  parser_ = FrameParser(config_.rx_buffer, config_.rx_capacity);
  read_pos_ = 0;
  read_len_ = 0;
  stream_failed_ = false;
}

bool Agent::Pump(bool wait, bool busy) {
  if (stream_failed_) return false;
  if (read_pos_ == read_len_) {
    const int32_t got = config_.stream.read(config_.stream.context, read_buffer_, kReadChunk, wait);
    if (got < 0) {
      stream_failed_ = true;
      return false;
    }
    read_pos_ = 0;
    read_len_ = static_cast<uint32_t>(got);
  }
  // Handlers may pump again (a running job polls for CANCEL); all reading state is in members,
  // so the nested call simply continues where this one stopped.
  while (read_pos_ < read_len_ && !stream_failed_) {
    bool ready = false;
    read_pos_ += parser_.Feed(read_buffer_ + read_pos_, read_len_ - read_pos_, &ready);
    if (!ready) continue;
    if (busy) {
      HandleFrameWhileBusy();
    } else {
      HandleFrame();
    }
  }
  return !stream_failed_;
}

uint64_t Agent::Now() const {
  return config_.cycles.now != nullptr ? config_.cycles.now(config_.cycles.context) : 0;
}

Executor* Agent::ExecutorFor(uint32_t format) const {
  for (uint32_t i = 0; i < config_.executor_count; ++i) {
    if (config_.executors[i]->network_format() == format) return config_.executors[i];
  }
  return nullptr;
}

void Agent::Reply(uint16_t type, const void* payload, uint32_t size) {
  const PayloadPiece piece = {payload, size};
  if (!WriteFrame(config_.stream, type, parser_.header().sequence, &piece, 1)) {
    stream_failed_ = true;
  }
}

void Agent::ReplyError(uint32_t code, const char* text) {
  inferd_tp_err err = {};
  err.code = code;
  err.text_length = static_cast<uint32_t>(strlen(text));
  if (err.text_length > INFERD_TP_ERR_TEXT_MAX) err.text_length = INFERD_TP_ERR_TEXT_MAX;
  const PayloadPiece pieces[2] = {{&err, sizeof err}, {text, err.text_length}};
  if (!WriteFrame(config_.stream, INFERD_TP_MSG_ERR, parser_.header().sequence, pieces, 2)) {
    stream_failed_ = true;
  }
}

void Agent::ReplyDetail(uint32_t sequence, const Executor& executor) {
  const char* text = executor.failure_detail();
  if (text == nullptr || text[0] == '\0') return;
  inferd_tp_err err = {};
  err.code = INFERD_TP_ERR_DETAIL;
  err.text_length = static_cast<uint32_t>(strlen(text));
  if (err.text_length > INFERD_TP_ERR_TEXT_MAX) err.text_length = INFERD_TP_ERR_TEXT_MAX;
  const PayloadPiece pieces[2] = {{&err, sizeof err}, {text, err.text_length}};
  if (!WriteFrame(config_.stream, INFERD_TP_MSG_ERR, sequence, pieces, 2)) stream_failed_ = true;
}

void Agent::HandleFrame() {
  switch (parser_.header().type) {
    case INFERD_TP_MSG_PING:
      return HandlePing();
    case INFERD_TP_MSG_VERSION_REQ:
      return HandleVersion();
    case INFERD_TP_MSG_CAPABILITIES_REQ:
      return HandleCapabilities();
    case INFERD_TP_MSG_NETWORK_LOAD_BEGIN:
      return HandleLoadBegin();
    case INFERD_TP_MSG_NETWORK_LOAD_CHUNK:
      return HandleLoadChunk();
    case INFERD_TP_MSG_NETWORK_UNLOAD_REQ:
      return HandleUnload();
    case INFERD_TP_MSG_INFERENCE_REQ:
      return HandleInference();
    case INFERD_TP_MSG_CANCEL_REQ:
      return HandleCancel(/*busy=*/false);
    default:
      return ReplyError(INFERD_TP_ERR_UNKNOWN_TYPE, "the target does not handle this type");
  }
}

void Agent::HandleFrameWhileBusy() {
  switch (parser_.header().type) {
    case INFERD_TP_MSG_PING:
      return HandlePing();
    case INFERD_TP_MSG_CANCEL_REQ:
      return HandleCancel(/*busy=*/true);
    default:
      return ReplyError(INFERD_TP_ERR_BUSY, "an inference is running");
  }
}

void Agent::HandlePing() {
  const uint32_t size = parser_.header().payload_length;
  if (size > INFERD_TP_PING_MAX) {
    return ReplyError(INFERD_TP_ERR_BAD_PAYLOAD, "PING payload longer than 64 bytes");
  }
  Reply(INFERD_TP_MSG_PONG, parser_.payload(), size);
}

void Agent::HandleVersion() {
  if (parser_.header().payload_length < sizeof(inferd_tp_version_req)) {
    return ReplyError(INFERD_TP_ERR_BAD_PAYLOAD, "VERSION_REQ payload too short");
  }
  inferd_tp_version_rsp rsp = {};
  rsp.protocol_major = INFERD_TP_VERSION_MAJOR;
  rsp.protocol_minor = INFERD_TP_VERSION_MINOR;
  rsp.agent_version = kAgentVersion;
  // "inferd-agent cpu+ethos-u", or "inferd-agent cpu (no ethos-u)": which executors this image
  // has is what a person checking a board or an FVP wants to know first.
  uint32_t length = 0;
  AppendName(rsp.agent_name, &length, kAgentName);
  for (uint32_t i = 0; i < config_.executor_count; ++i) {
    AppendName(rsp.agent_name, &length, i == 0 ? " " : "+");
    AppendName(rsp.agent_name, &length, config_.executors[i]->name());
  }
  if (config_.executors_not_built != nullptr) {
    AppendName(rsp.agent_name, &length, " (no ");
    AppendName(rsp.agent_name, &length, config_.executors_not_built);
    AppendName(rsp.agent_name, &length, ")");
  }
  Reply(INFERD_TP_MSG_VERSION_RSP, &rsp, sizeof rsp);
}

void Agent::HandleCapabilities() {
  inferd_tp_capabilities_rsp rsp = {};
  const TargetDescription& t = config_.target;
  rsp.npu_product = t.npu_product;
  rsp.npu_macs = t.npu_macs;
  rsp.npu_version = t.npu_version;
  for (uint32_t i = 0; i < config_.executor_count; ++i) {
    rsp.executors |= config_.executors[i]->capability_bit();
  }
  rsp.sram_size = t.sram_size;
  rsp.dram_size = t.dram_size;
  rsp.network_cache_size = cache_.arena_size();
  rsp.max_payload = parser_.capacity();
  rsp.cpu_clock_hz = t.cpu_clock_hz;
  rsp.pmu_counters = t.pmu_counters;
  rsp.max_networks = NetworkCache::kMaxNetworks;
  CopyName(rsp.target_name, t.target_name);
  Reply(INFERD_TP_MSG_CAPABILITIES_RSP, &rsp, sizeof rsp);
}

void Agent::ReplyLoad(const uint8_t* id, uint32_t status, uint32_t bytes_received) {
  inferd_tp_network_load_rsp rsp = {};
  memcpy(rsp.network_id, id, INFERD_TP_NETWORK_ID_SIZE);
  rsp.status = status;
  rsp.bytes_received = bytes_received;
  Reply(INFERD_TP_MSG_NETWORK_LOAD_RSP, &rsp, sizeof rsp);
}

void Agent::HandleLoadBegin() {
  inferd_tp_network_load_begin begin;
  if (parser_.header().payload_length < sizeof begin) {
    return ReplyError(INFERD_TP_ERR_BAD_PAYLOAD, "NETWORK_LOAD_BEGIN payload too short");
  }
  memcpy(&begin, parser_.payload(), sizeof begin);
  CachedNetwork* existing = cache_.Find(begin.network_id);
  if (existing != nullptr && existing->complete && existing->format == begin.format &&
      existing->size == begin.total_size) {
    cache_.Touch(existing);
    return ReplyLoad(begin.network_id, INFERD_TP_NET_CACHED, existing->size);
  }
  if (ExecutorFor(begin.format) == nullptr) {
    return ReplyLoad(begin.network_id, INFERD_TP_NET_UNSUPPORTED, 0);
  }
  if (begin.total_size == 0) return ReplyLoad(begin.network_id, INFERD_TP_NET_BAD_FORMAT, 0);
  CachedNetwork* network =
      cache_.Reserve(begin.network_id, begin.format, begin.total_size, begin.crc32);
  if (network == nullptr) return ReplyLoad(begin.network_id, INFERD_TP_NET_NO_MEMORY, 0);
  ReplyLoad(begin.network_id, INFERD_TP_NET_READY, 0);
}

void Agent::HandleLoadChunk() {
  inferd_tp_network_load_chunk chunk;
  const uint32_t size = parser_.header().payload_length;
  if (size < sizeof chunk) {
    return ReplyError(INFERD_TP_ERR_BAD_PAYLOAD, "NETWORK_LOAD_CHUNK payload too short");
  }
  memcpy(&chunk, parser_.payload(), sizeof chunk);
  if (chunk.length != size - sizeof chunk) {
    return ReplyError(INFERD_TP_ERR_BAD_PAYLOAD, "NETWORK_LOAD_CHUNK length disagrees with frame");
  }
  CachedNetwork* network = cache_.Find(chunk.network_id);
  if (network == nullptr || network->complete) {
    return ReplyLoad(chunk.network_id, INFERD_TP_NET_BAD_CHUNK, 0);
  }
  if (!cache_.Append(network, chunk.offset, parser_.payload() + sizeof chunk, chunk.length)) {
    return ReplyLoad(chunk.network_id, INFERD_TP_NET_BAD_CHUNK, network->received);
  }
  if (network->received < network->size) {
    return ReplyLoad(chunk.network_id, INFERD_TP_NET_CHUNK_OK, network->received);
  }
  const uint32_t received = network->received;
  if (inferd_tp_crc32(cache_.bytes(*network), network->size) != network->crc32) {
    cache_.Remove(chunk.network_id);
    return ReplyLoad(chunk.network_id, INFERD_TP_NET_CRC_MISMATCH, received);
  }
  Executor* executor = ExecutorFor(network->format);
  const uint32_t status = executor->Prepare(cache_.bytes(*network), network->size);
  if (status != INFERD_TP_NET_LOADED) {
    cache_.Remove(chunk.network_id);
    ReplyDetail(parser_.header().sequence, *executor);
    return ReplyLoad(chunk.network_id, status, received);
  }
  network->complete = true;
  ReplyLoad(chunk.network_id, INFERD_TP_NET_LOADED, received);
}

void Agent::HandleUnload() {
  inferd_tp_network_ref ref;
  if (parser_.header().payload_length < sizeof ref) {
    return ReplyError(INFERD_TP_ERR_BAD_PAYLOAD, "NETWORK_UNLOAD_REQ payload too short");
  }
  memcpy(&ref, parser_.payload(), sizeof ref);
  inferd_tp_network_unload_rsp rsp = {};
  memcpy(rsp.network_id, ref.network_id, INFERD_TP_NETWORK_ID_SIZE);
  rsp.status = cache_.Remove(ref.network_id) ? 0 : 1;
  Reply(INFERD_TP_MSG_NETWORK_UNLOAD_RSP, &rsp, sizeof rsp);
}

void Agent::HandleCancel(bool busy) {
  inferd_tp_cancel_req req;
  if (parser_.header().payload_length < sizeof req) {
    return ReplyError(INFERD_TP_ERR_BAD_PAYLOAD, "CANCEL_REQ payload too short");
  }
  memcpy(&req, parser_.payload(), sizeof req);
  inferd_tp_cancel_rsp rsp = {};
  rsp.sequence = req.sequence;
  rsp.status = 1;
  if (busy && running_ && req.sequence == running_sequence_) {
    cancel_requested_ = true;
    rsp.status = 0;
  }
  Reply(INFERD_TP_MSG_CANCEL_RSP, &rsp, sizeof rsp);
}

void Agent::ReplyInference(uint32_t sequence, uint32_t status, const RunCounters& counters,
                           uint64_t cpu_cycles, const TensorView* outputs, uint32_t output_count) {
  inferd_tp_inference_rsp rsp = {};
  rsp.status = status;
  rsp.num_outputs = status == INFERD_TP_INF_OK ? output_count : 0;
  memcpy(rsp.pmu_events, counters.pmu_events, sizeof rsp.pmu_events);
  memcpy(rsp.pmu_counts, counters.pmu_counts, sizeof rsp.pmu_counts);
  rsp.npu_cycles = counters.npu_cycles;
  rsp.cpu_cycles = cpu_cycles;
  inferd_tp_tensor_desc descs[INFERD_TP_MAX_TENSORS];
  PayloadPiece pieces[2 + INFERD_TP_MAX_TENSORS];
  uint32_t count = 0;
  pieces[count++] = {&rsp, sizeof rsp};
  for (uint32_t i = 0; i < rsp.num_outputs; ++i) descs[i] = outputs[i].desc;
  pieces[count++] = {descs, static_cast<uint32_t>(sizeof(descs[0]) * rsp.num_outputs)};
  for (uint32_t i = 0; i < rsp.num_outputs; ++i) {
    pieces[count++] = {outputs[i].data, outputs[i].desc.size_bytes};
  }
  if (!WriteFrame(config_.stream, INFERD_TP_MSG_INFERENCE_RSP, sequence, pieces, count)) {
    stream_failed_ = true;
  }
}

void Agent::HandleInference() {
  // The header and payload live in the parser, which frames arriving during the run overwrite:
  // keep what is needed afterwards.
  const uint32_t sequence = parser_.header().sequence;
  const uint32_t size = parser_.header().payload_length;
  const uint8_t* payload = parser_.payload();
  const RunCounters no_counters;
  inferd_tp_inference_req req;
  if (size < sizeof req) {
    return ReplyError(INFERD_TP_ERR_BAD_PAYLOAD, "INFERENCE_REQ payload too short");
  }
  memcpy(&req, payload, sizeof req);
  if (req.num_inputs > INFERD_TP_MAX_TENSORS ||
      size - sizeof req < req.num_inputs * sizeof(inferd_tp_tensor_desc)) {
    return ReplyInference(sequence, INFERD_TP_INF_BAD_INPUT, no_counters, 0, nullptr, 0);
  }
  TensorView inputs[INFERD_TP_MAX_TENSORS];
  uint32_t data_offset = sizeof req + req.num_inputs * sizeof(inferd_tp_tensor_desc);
  for (uint32_t i = 0; i < req.num_inputs; ++i) {
    memcpy(&inputs[i].desc, payload + sizeof req + i * sizeof(inferd_tp_tensor_desc),
           sizeof(inferd_tp_tensor_desc));
    if (inputs[i].desc.rank > INFERD_TP_MAX_RANK ||
        inputs[i].desc.size_bytes > size - data_offset) {
      return ReplyInference(sequence, INFERD_TP_INF_BAD_INPUT, no_counters, 0, nullptr, 0);
    }
    inputs[i].data = payload + data_offset;
    data_offset += inputs[i].desc.size_bytes;
  }
  if (data_offset != size) {
    return ReplyInference(sequence, INFERD_TP_INF_BAD_INPUT, no_counters, 0, nullptr, 0);
  }
  CachedNetwork* network = cache_.Find(req.network_id);
  if (network == nullptr || !network->complete) {
    return ReplyInference(sequence, INFERD_TP_INF_NO_NETWORK, no_counters, 0, nullptr, 0);
  }
  Executor* executor = ExecutorFor(network->format);
  if (executor == nullptr) {
    return ReplyInference(sequence, INFERD_TP_INF_UNSUPPORTED, no_counters, 0, nullptr, 0);
  }
  cache_.Touch(network);
  TensorView outputs[INFERD_TP_MAX_TENSORS];
  uint32_t output_count = 0;
  RunCounters counters;
  memcpy(counters.pmu_events, req.pmu_events, sizeof counters.pmu_events);
  running_ = true;
  running_sequence_ = sequence;
  cancel_requested_ = false;
  const uint64_t start = Now();
  uint32_t status =
      executor->Run(cache_.bytes(*network), network->size, inputs, req.num_inputs, outputs,
                    INFERD_TP_MAX_TENSORS, &output_count, req.pmu_events, &counters, *this);
  const uint64_t cycles = Now() - start;
  running_ = false;
  if (status == INFERD_TP_INF_OK && req.num_outputs != 0 && req.num_outputs != output_count) {
    status = INFERD_TP_INF_BAD_INPUT;
  }
  if (status != INFERD_TP_INF_OK && status != INFERD_TP_INF_CANCELLED) {
    ReplyDetail(sequence, *executor);
  }
  ReplyInference(sequence, status, counters, cycles, outputs, output_count);
}

bool Agent::ShouldStop() {
  Pump(/*wait=*/false, /*busy=*/true);
  return cancel_requested_ || stream_failed_;
}

}  // namespace inferd::firmware

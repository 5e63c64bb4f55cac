#include "tests/firmware/target_link.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "firmware/agent/frame_writer.h"

namespace inferd::firmware::testing {

std::vector<uint8_t> EncodeFrame(uint16_t type, uint32_t sequence,
                                 std::span<const uint8_t> payload) {
  std::vector<uint8_t> out(INFERD_TP_HEADER_SIZE + payload.size());
  inferd_tp_write_header(out.data(), type, sequence, payload.data(),
                         static_cast<uint32_t>(payload.size()));
  if (!payload.empty())
    std::memcpy(out.data() + INFERD_TP_HEADER_SIZE, payload.data(), payload.size());
  return out;
}

NetworkId TestNetworkId(std::span<const uint8_t> bytes) {
  NetworkId id{};
  // Four FNV-1a lanes with different seeds fill the 32 bytes.
  for (size_t lane = 0; lane < 4; ++lane) {
    uint64_t h = 0xcbf29ce484222325ull ^ (lane * 0x9e3779b97f4a7c15ull);
    for (uint8_t b : bytes) h = (h ^ b) * 0x100000001b3ull;
    std::memcpy(id.data() + lane * 8, &h, 8);
  }
  return id;
}

FrameDecoder::FrameDecoder()
    : buffer_(INFERD_TP_MAX_PAYLOAD), parser_(buffer_.data(), INFERD_TP_MAX_PAYLOAD) {}

void FrameDecoder::Push(std::span<const uint8_t> bytes) {
  if (pending_pos_ == pending_.size()) {
    pending_.clear();
    pending_pos_ = 0;
  }
  pending_.insert(pending_.end(), bytes.begin(), bytes.end());
}

std::optional<Frame> FrameDecoder::Next() {
  while (pending_pos_ < pending_.size()) {
    bool ready = false;
    pending_pos_ += parser_.Feed(pending_.data() + pending_pos_,
                                 static_cast<uint32_t>(pending_.size() - pending_pos_), &ready);
    if (ready) {
      Frame frame;
      frame.header = parser_.header();
      frame.payload.assign(parser_.payload(), parser_.payload() + frame.header.payload_length);
      return frame;
    }
  }
  return std::nullopt;
}

Input Int8Input(std::vector<int32_t> dims, std::span<const int8_t> values) {
  Input input;
  input.desc.dtype = INFERD_TP_DTYPE_INT8;
  input.desc.rank = static_cast<uint8_t>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) input.desc.dims[i] = dims[i];
  input.desc.size_bytes = static_cast<uint32_t>(values.size());
  input.bytes.assign(reinterpret_cast<const uint8_t*>(values.data()),
                     reinterpret_cast<const uint8_t*>(values.data()) + values.size());
  return input;
}

std::vector<uint8_t> InferenceRequestPayload(const NetworkId& id, std::span<const Input> inputs,
                                             uint32_t num_outputs) {
  inferd_tp_inference_req req{};
  std::memcpy(req.network_id, id.data(), id.size());
  req.num_inputs = static_cast<uint32_t>(inputs.size());
  req.num_outputs = num_outputs;
  std::vector<uint8_t> out;
  auto append = [&out](std::span<const uint8_t> bytes) {
    out.insert(out.end(), bytes.begin(), bytes.end());
  };
  append(AsBytes(req));
  for (const Input& input : inputs) append(AsBytes(input.desc));
  for (const Input& input : inputs) append(input.bytes);
  return out;
}

std::optional<InferenceResult> ParseInferenceResponse(std::span<const uint8_t> payload) {
  InferenceResult result;
  if (payload.size() < sizeof result.rsp) return std::nullopt;
  std::memcpy(&result.rsp, payload.data(), sizeof result.rsp);
  size_t offset = sizeof result.rsp;
  if (result.rsp.num_outputs > INFERD_TP_MAX_TENSORS ||
      payload.size() < offset + result.rsp.num_outputs * sizeof(inferd_tp_tensor_desc)) {
    return std::nullopt;
  }
  for (uint32_t i = 0; i < result.rsp.num_outputs; ++i) {
    inferd_tp_tensor_desc desc;
    std::memcpy(&desc, payload.data() + offset, sizeof desc);
    offset += sizeof desc;
    result.descs.push_back(desc);
  }
  for (const inferd_tp_tensor_desc& desc : result.descs) {
    if (payload.size() - offset < desc.size_bytes) return std::nullopt;
    result.outputs.emplace_back(payload.begin() + offset,
                                payload.begin() + offset + desc.size_bytes);
    offset += desc.size_bytes;
  }
  if (offset != payload.size()) return std::nullopt;
  return result;
}

std::optional<Frame> TargetSession::CallWithSequence(uint16_t type, uint32_t sequence,
                                                     std::span<const uint8_t> payload) {
  last_detail_.clear();
  if (!link_.Send(EncodeFrame(type, sequence, payload))) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    std::optional<Frame> frame = link_.Receive(left);
    if (!frame) return std::nullopt;
    if (frame->header.sequence != sequence) continue;
    // ERR(DETAIL) explains the response that follows it; keep its text and wait for that.
    if (frame->header.type == INFERD_TP_MSG_ERR && frame->payload.size() >= sizeof(inferd_tp_err)) {
      inferd_tp_err err;
      std::memcpy(&err, frame->payload.data(), sizeof err);
      if (err.code == INFERD_TP_ERR_DETAIL) {
        last_detail_.assign(frame->payload.begin() + sizeof err, frame->payload.end());
        continue;
      }
    }
    return frame;
  }
  return std::nullopt;
}

std::optional<Frame> TargetSession::Call(uint16_t type, std::span<const uint8_t> payload) {
  return CallWithSequence(type, next_sequence(), payload);
}

std::optional<uint32_t> TargetSession::LoadNetwork(const NetworkId& id,
                                                   std::span<const uint8_t> bytes, uint32_t format,
                                                   uint32_t chunk_size, uint32_t* chunks_sent) {
  if (chunks_sent != nullptr) *chunks_sent = 0;
  inferd_tp_network_load_begin begin{};
  std::memcpy(begin.network_id, id.data(), id.size());
  begin.total_size = static_cast<uint32_t>(bytes.size());
  begin.crc32 = inferd_tp_crc32(bytes.data(), bytes.size());
  begin.format = format;
  begin.chunk_size = chunk_size;
  auto status_of = [](const Frame& frame) -> std::optional<uint32_t> {
    if (frame.header.type != INFERD_TP_MSG_NETWORK_LOAD_RSP ||
        frame.payload.size() != sizeof(inferd_tp_network_load_rsp)) {
      return std::nullopt;
    }
    inferd_tp_network_load_rsp rsp;
    std::memcpy(&rsp, frame.payload.data(), sizeof rsp);
    return rsp.status;
  };
  std::optional<Frame> reply = Call(INFERD_TP_MSG_NETWORK_LOAD_BEGIN, AsBytes(begin));
  if (!reply) return std::nullopt;
  std::optional<uint32_t> status = status_of(*reply);
  if (!status || *status != INFERD_TP_NET_READY) return status;
  for (size_t offset = 0; offset < bytes.size(); offset += chunk_size) {
    const size_t length = std::min<size_t>(chunk_size, bytes.size() - offset);
    inferd_tp_network_load_chunk chunk{};
    std::memcpy(chunk.network_id, id.data(), id.size());
    chunk.offset = static_cast<uint32_t>(offset);
    chunk.length = static_cast<uint32_t>(length);
    std::vector<uint8_t> payload(AsBytes(chunk).begin(), AsBytes(chunk).end());
    payload.insert(payload.end(), bytes.begin() + offset, bytes.begin() + offset + length);
    reply = Call(INFERD_TP_MSG_NETWORK_LOAD_CHUNK, payload);
    if (chunks_sent != nullptr) ++*chunks_sent;
    if (!reply) return std::nullopt;
    status = status_of(*reply);
    if (!status) return std::nullopt;
    if (*status != INFERD_TP_NET_CHUNK_OK) return status;
  }
  return status;
}

std::optional<InferenceResult> TargetSession::Infer(const NetworkId& id,
                                                    std::span<const Input> inputs,
                                                    uint32_t num_outputs) {
  std::optional<Frame> reply =
      Call(INFERD_TP_MSG_INFERENCE_REQ, InferenceRequestPayload(id, inputs, num_outputs));
  if (!reply || reply->header.type != INFERD_TP_MSG_INFERENCE_RSP) return std::nullopt;
  return ParseInferenceResponse(reply->payload);
}

// ---------------------------------------------------------------------------------- in memory

InMemoryAgentLink::InMemoryAgentLink(const Sizes& sizes, Executor* second_executor)
    : rx_(sizes.rx_capacity),
      arena_(sizes.network_arena / 8),
      scratch_(sizes.scratch / 8),
      executor_(std::make_unique<CpuJobExecutor>(reinterpret_cast<uint8_t*>(scratch_.data()),
                                                 sizes.scratch)) {
  executors_[0] = executor_.get();
  executors_[1] = second_executor;
  AgentConfig config;
  config.stream.context = this;
  config.stream.read = &InMemoryAgentLink::Read;
  config.stream.write = &InMemoryAgentLink::Write;
  config.cycles.context = this;
  config.cycles.now = [](void* context) -> uint64_t {
    return static_cast<InMemoryAgentLink*>(context)->fake_cycles_ += 1000;
  };
  config.target.target_name = "host-test";
  config.rx_buffer = rx_.data();
  config.rx_capacity = sizes.rx_capacity;
  config.network_arena = reinterpret_cast<uint8_t*>(arena_.data());
  config.network_arena_size = sizes.network_arena;
  config.executors = executors_;
  config.executor_count = second_executor != nullptr ? 2 : 1;
  agent_ = std::make_unique<Agent>(config);
}

int32_t InMemoryAgentLink::Read(void* context, uint8_t* buffer, uint32_t capacity, bool wait) {
  auto* self = static_cast<InMemoryAgentLink*>(context);
  const size_t available = self->to_agent_.size() - self->to_agent_pos_;
  if (available == 0) return wait ? -1 : 0;  // nothing will ever arrive while blocked
  const auto n = static_cast<uint32_t>(std::min<size_t>(capacity, available));
  std::memcpy(buffer, self->to_agent_.data() + self->to_agent_pos_, n);
  self->to_agent_pos_ += n;
  return static_cast<int32_t>(n);
}

bool InMemoryAgentLink::Write(void* context, const uint8_t* data, uint32_t size) {
  static_cast<InMemoryAgentLink*>(context)->from_agent_.Push({data, size});
  return true;
}

bool InMemoryAgentLink::Send(std::span<const uint8_t> bytes) {
  to_agent_.insert(to_agent_.end(), bytes.begin(), bytes.end());
  return true;
}

std::optional<Frame> InMemoryAgentLink::Receive(std::chrono::milliseconds /*timeout*/) {
  for (;;) {
    if (std::optional<Frame> frame = from_agent_.Next()) return frame;
    if (to_agent_pos_ == to_agent_.size()) return std::nullopt;
    agent_->Poll(/*wait=*/false);
  }
}

// ---------------------------------------------------------------------------------- TCP

std::unique_ptr<TcpLink> TcpLink::Connect(int port,
                                          std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return nullptr;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return std::unique_ptr<TcpLink>(new TcpLink(fd));
    }
    ::close(fd);
    if (std::chrono::steady_clock::now() >= deadline) return nullptr;
    // The listener is not up yet (QEMU still starting): retry shortly, bounded by the deadline.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

TcpLink::~TcpLink() { ::close(fd_); }

bool TcpLink::Send(std::span<const uint8_t> bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::optional<Frame> TcpLink::Receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (std::optional<Frame> frame = decoder_.Next()) return frame;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd pfd{fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    uint8_t buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return std::nullopt;
    decoder_.Push({buffer, static_cast<size_t>(n)});
  }
}

}  // namespace inferd::firmware::testing

#include "backends/ethosu/target_client.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace inferd::ethosu {

TargetClient::TargetClient(std::unique_ptr<Transport> transport, TargetClientOptions options)
    : transport_(std::move(transport)), options_(options) {}

TargetClient::~TargetClient() { Disconnect(); }

void TargetClient::Disconnect() {
  transport_->Close();
  decoder_.Reset();
  have_capabilities_ = false;
  resident_.clear();
}

absl::Status TargetClient::Fail(absl::Status status) {
  Disconnect();
  return status;
}

absl::Status TargetClient::Connect(absl::Time deadline) {
  if (connected()) return absl::OkStatus();
  Disconnect();
  if (auto status = transport_->Open(deadline); !status.ok()) return status;
  auto version = Hail(deadline);
  if (!version.ok()) return Fail(version.status());
  auto parsed = ParseStruct<inferd_tp_version_rsp>(version->payload, "VERSION_RSP");
  if (!parsed.ok()) return Fail(parsed.status());
  if (parsed->protocol_major != INFERD_TP_VERSION_MAJOR) {
    return Fail(absl::FailedPreconditionError(
        absl::StrCat(description(), ": target speaks protocol ", parsed->protocol_major, ".",
                     parsed->protocol_minor, ", inferd ", INFERD_TP_VERSION_MAJOR)));
  }
  version_ = *parsed;
  auto caps =
      Exchange(INFERD_TP_MSG_CAPABILITIES_REQ, {}, INFERD_TP_MSG_CAPABILITIES_RSP, deadline);
  if (!caps.ok()) return Fail(caps.status());
  auto parsed_caps = ParseStruct<inferd_tp_capabilities_rsp>(caps->payload, "CAPABILITIES_RSP");
  if (!parsed_caps.ok()) return Fail(parsed_caps.status());
  capabilities_ = *parsed_caps;
  have_capabilities_ = true;
  return absl::OkStatus();
}

absl::StatusOr<Frame> TargetClient::Hail(absl::Time deadline) {
  inferd_tp_version_req req{};
  req.host_major = INFERD_TP_VERSION_MAJOR;
  req.host_minor = INFERD_TP_VERSION_MINOR;
  absl::Duration interval = options_.hail_interval;
  while (true) {
    auto sequence = Send(INFERD_TP_MSG_VERSION_REQ, StructBytes(req), deadline);
    if (!sequence.ok()) return sequence.status();
    const absl::Time attempt_deadline = std::min(deadline, absl::Now() + interval);
    // An answer to an earlier attempt carries that attempt's sequence and is skipped by Await.
    auto version = Await(*sequence, INFERD_TP_MSG_VERSION_RSP, attempt_deadline);
    if (version.ok() || !absl::IsDeadlineExceeded(version.status()) ||
        attempt_deadline >= deadline) {
      return version;
    }
    interval = std::min(interval * 2, absl::Seconds(2));
  }
}

absl::StatusOr<uint32_t> TargetClient::Send(uint16_t type, std::span<const uint8_t> payload,
                                            absl::Time deadline) {
  const uint32_t sequence = next_sequence_++;
  if (next_sequence_ == 0) next_sequence_ = 1;
  const std::vector<uint8_t> frame = EncodeFrame(type, sequence, payload);
  if (auto status = transport_->Write(frame, deadline); !status.ok()) return Fail(status);
  return sequence;
}

absl::StatusOr<Frame> TargetClient::Await(uint32_t sequence, uint16_t expected_type,
                                          absl::Time deadline,
                                          const CancellationToken* cancellation) {
  uint8_t buffer[4096];
  detail_.clear();
  while (true) {
    while (auto frame = decoder_.Next()) {
      if (frame->sequence != sequence) continue;  // a late reply to something abandoned
      if (frame->type == INFERD_TP_MSG_ERR) {
        auto err = DecodeError(frame->payload);
        if (err.ok() && err->code == INFERD_TP_ERR_DETAIL) {
          detail_ = err->text;
          continue;
        }
        return absl::InternalError(
            absl::StrCat(description(), ": target error ", err.ok() ? err->code : 0, ": ",
                         err.ok() ? err->text : std::string(err.status().message())));
      }
      if (frame->type != expected_type) {
        return Fail(absl::InternalError(absl::StrCat(description(), ": expected ",
                                                     MessageTypeName(expected_type), ", got ",
                                                     MessageTypeName(frame->type))));
      }
      return std::move(*frame);
    }
    if (cancellation != nullptr && cancellation->IsCancelled()) {
      return absl::CancelledError(absl::StrCat(description(), ": cancelled"));
    }
    absl::Time wait_until = deadline;
    if (cancellation != nullptr)
      wait_until = std::min(deadline, absl::Now() + options_.cancel_poll);
    auto n = transport_->Read(buffer, wait_until);
    if (!n.ok()) {
      if (absl::IsDeadlineExceeded(n.status()) && wait_until < deadline) continue;
      if (absl::IsDeadlineExceeded(n.status())) {
        return absl::DeadlineExceededError(absl::StrCat(
            description(), ": no ", MessageTypeName(expected_type), " before the deadline"));
      }
      return Fail(n.status());
    }
    decoder_.Feed(std::span<const uint8_t>(buffer, *n));
  }
}

absl::StatusOr<Frame> TargetClient::Exchange(uint16_t type, std::span<const uint8_t> payload,
                                             uint16_t expected_type, absl::Time deadline) {
  auto sequence = Send(type, payload, deadline);
  if (!sequence.ok()) return sequence.status();
  auto frame = Await(*sequence, expected_type, deadline);
  // A timed-out exchange leaves the stream's state unknown: start over on the next call.
  if (!frame.ok() && absl::IsDeadlineExceeded(frame.status())) Disconnect();
  return frame;
}

absl::Status TargetClient::Ping(absl::Time deadline) {
  if (auto status = Connect(deadline); !status.ok()) return status;
  static constexpr uint8_t kProbe[8] = {'i', 'n', 'f', 'e', 'r', 'd', 'p', 'g'};
  auto pong = Exchange(INFERD_TP_MSG_PING, kProbe, INFERD_TP_MSG_PONG, deadline);
  if (!pong.ok()) return pong.status();
  if (!std::equal(pong->payload.begin(), pong->payload.end(), std::begin(kProbe),
                  std::end(kProbe))) {
    return Fail(absl::InternalError(absl::StrCat(description(), ": PONG does not echo PING")));
  }
  return absl::OkStatus();
}

absl::StatusOr<NetworkUpload> TargetClient::EnsureNetwork(const NetworkId& id,
                                                          std::span<const uint8_t> network,
                                                          uint32_t format, absl::Time deadline) {
  if (auto status = Connect(deadline); !status.ok()) return status;
  NetworkUpload upload;
  if (resident_.contains(id)) {
    upload.cache_hit = true;
    return upload;
  }
  const uint32_t max_payload = std::min<uint32_t>(
      capabilities_.max_payload == 0 ? INFERD_TP_MAX_PAYLOAD : capabilities_.max_payload,
      INFERD_TP_MAX_PAYLOAD);
  if (max_payload <= sizeof(inferd_tp_network_load_chunk)) {
    return absl::FailedPreconditionError(
        absl::StrCat(description(), ": target max_payload ", max_payload, " is too small"));
  }
  const uint32_t chunk =
      std::min<uint32_t>(options_.chunk_size,
                         max_payload - static_cast<uint32_t>(sizeof(inferd_tp_network_load_chunk)));
  inferd_tp_network_load_begin begin{};
  std::copy(id.begin(), id.end(), begin.network_id);
  begin.total_size = static_cast<uint32_t>(network.size());
  begin.crc32 = inferd_tp_crc32(network.data(), network.size());
  begin.format = format;
  begin.chunk_size = chunk;
  auto rsp = Exchange(INFERD_TP_MSG_NETWORK_LOAD_BEGIN, StructBytes(begin),
                      INFERD_TP_MSG_NETWORK_LOAD_RSP, deadline);
  if (!rsp.ok()) return rsp.status();
  auto status = ParseStruct<inferd_tp_network_load_rsp>(rsp->payload, "NETWORK_LOAD_RSP");
  if (!status.ok()) return Fail(status.status());
  auto refuse = [&](uint32_t code) {
    // UNIMPLEMENTED for "no executor for this format", so the caller can offer another format.
    const absl::StatusCode kind = code == INFERD_TP_NET_UNSUPPORTED
                                      ? absl::StatusCode::kUnimplemented
                                      : absl::StatusCode::kFailedPrecondition;
    return absl::Status(
        kind, absl::StrCat(description(), ": target refused network ", NetworkIdHex(id), " (",
                           network.size(), " bytes, format ", format,
                           "): ", NetworkStatusName(code), detail_.empty() ? "" : ": ", detail_));
  };
  if (status->status == INFERD_TP_NET_CACHED) {
    resident_.insert(id);
    upload.cache_hit = true;
    return upload;
  }
  if (status->status != INFERD_TP_NET_READY) return refuse(status->status);
  for (size_t offset = 0; offset < network.size(); offset += chunk) {
    const uint32_t length = static_cast<uint32_t>(std::min<size_t>(chunk, network.size() - offset));
    inferd_tp_network_load_chunk header{};
    std::copy(id.begin(), id.end(), header.network_id);
    header.offset = static_cast<uint32_t>(offset);
    header.length = length;
    std::vector<uint8_t> payload = StructBytes(header);
    payload.insert(payload.end(), network.begin() + offset, network.begin() + offset + length);
    auto chunk_rsp = Exchange(INFERD_TP_MSG_NETWORK_LOAD_CHUNK, payload,
                              INFERD_TP_MSG_NETWORK_LOAD_RSP, deadline);
    if (!chunk_rsp.ok()) return chunk_rsp.status();
    auto chunk_status =
        ParseStruct<inferd_tp_network_load_rsp>(chunk_rsp->payload, "NETWORK_LOAD_RSP");
    if (!chunk_status.ok()) return Fail(chunk_status.status());
    upload.bytes_uploaded += length;
    const bool last = offset + length == network.size();
    const uint32_t want = last ? INFERD_TP_NET_LOADED : INFERD_TP_NET_CHUNK_OK;
    if (chunk_status->status != want) return refuse(chunk_status->status);
  }
  resident_.insert(id);
  return upload;
}

absl::StatusOr<InferenceResponse> TargetClient::Infer(
    const NetworkId& id, std::span<const WireTensor> inputs, uint32_t num_outputs,
    const CancellationToken* cancellation, absl::Time deadline,
    const std::array<uint32_t, INFERD_TP_PMU_MAX>& pmu_events) {
  if (auto status = Connect(deadline); !status.ok()) return status;
  inferd_tp_inference_req header{};
  std::copy(id.begin(), id.end(), header.network_id);
  header.num_outputs = num_outputs;
  std::copy(pmu_events.begin(), pmu_events.end(), header.pmu_events);
  const std::vector<uint8_t> payload = EncodeInferenceRequest(header, inputs);
  const uint32_t max_payload =
      capabilities_.max_payload == 0 ? INFERD_TP_MAX_PAYLOAD : capabilities_.max_payload;
  if (payload.size() > max_payload) {
    return absl::ResourceExhaustedError(
        absl::StrCat(description(), ": inference request of ", payload.size(),
                     " bytes exceeds the target's frame limit of ", max_payload));
  }
  auto sequence = Send(INFERD_TP_MSG_INFERENCE_REQ, payload, deadline);
  if (!sequence.ok()) return sequence.status();
  auto frame = Await(*sequence, INFERD_TP_MSG_INFERENCE_RSP, deadline, cancellation);
  if (!frame.ok()) {
    const absl::Status failure = frame.status();
    if (!absl::IsCancelled(failure) && !absl::IsDeadlineExceeded(failure)) return failure;
    if (!transport_->is_open()) return failure;
    // Abandon the job on the target too, then wait (briefly) for its final reply so that the
    // stream is clean for the next job.
    inferd_tp_cancel_req cancel{};
    cancel.sequence = *sequence;
    const absl::Time grace = absl::Now() + options_.cancel_grace;
    auto cancel_seq = Send(INFERD_TP_MSG_CANCEL_REQ, StructBytes(cancel), grace);
    if (cancel_seq.ok()) {
      auto ack = Await(*cancel_seq, INFERD_TP_MSG_CANCEL_RSP, grace);
      auto final_rsp = ack.ok() ? Await(*sequence, INFERD_TP_MSG_INFERENCE_RSP, grace)
                                : absl::StatusOr<Frame>(ack.status());
      if (!final_rsp.ok()) Disconnect();
    }
    return failure;
  }
  auto response = DecodeInferenceResponse(frame->payload);
  if (!response.ok()) return Fail(response.status());
  if (response->header.status == INFERD_TP_INF_NO_NETWORK) resident_.erase(id);
  response->detail = detail_;
  return response;
}

absl::Status TargetClient::Unload(const NetworkId& id, absl::Time deadline) {
  if (auto status = Connect(deadline); !status.ok()) return status;
  inferd_tp_network_ref ref{};
  std::copy(id.begin(), id.end(), ref.network_id);
  auto rsp = Exchange(INFERD_TP_MSG_NETWORK_UNLOAD_REQ, StructBytes(ref),
                      INFERD_TP_MSG_NETWORK_UNLOAD_RSP, deadline);
  if (!rsp.ok()) return rsp.status();
  resident_.erase(id);
  return absl::OkStatus();
}

}  // namespace inferd::ethosu

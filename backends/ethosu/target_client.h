// TargetClient: the host's side of one conversation with one target over a Transport. Sends
// requests and waits for the matching responses, each under a deadline; uploads networks in
// chunks only when the target does not already hold them.
//
// Not thread-safe: the TargetPool gives a target to one job at a time. Any transport failure
// closes the stream; the next call reconnects (with the transport's backoff).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "backends/ethosu/protocol/frame_codec.h"
#include "backends/ethosu/protocol/messages.h"
#include "backends/ethosu/transport/transport.h"
#include "engine/cancellation.h"

namespace inferd::ethosu {

struct TargetClientOptions {
  uint32_t chunk_size = 16 * 1024;  // capped by the target's max_payload
  // How long a CANCEL waits for the cancelled job's response before the stream is dropped.
  absl::Duration cancel_grace = absl::Milliseconds(500);
  // How often a wait wakes to look at a cancellation token.
  absl::Duration cancel_poll = absl::Milliseconds(10);
  // A freshly opened stream is hailed: VERSION_REQ is sent again after this long without an
  // answer (doubling up to 2 s) until the connect deadline. A board or emulator that is still
  // booting drops what arrives before its UART is enabled (QEMU's CMSDK UART does), so a single
  // request could go unanswered however long the wait.
  absl::Duration hail_interval = absl::Milliseconds(250);
};

struct NetworkUpload {
  uint64_t bytes_uploaded = 0;  // 0 on a cache hit
  bool cache_hit = false;
};

class TargetClient {
 public:
  TargetClient(std::unique_ptr<Transport> transport, TargetClientOptions options = {});
  ~TargetClient();

  // Opens the transport when closed and exchanges VERSION and CAPABILITIES.
  absl::Status Connect(absl::Time deadline);
  void Disconnect();
  bool connected() const { return transport_->is_open() && have_capabilities_; }

  absl::Status Ping(absl::Time deadline);

  // Valid after Connect.
  const inferd_tp_capabilities_rsp& capabilities() const { return capabilities_; }
  const inferd_tp_version_rsp& version() const { return version_; }

  // Makes `network` resident on the target: BEGIN, then chunks unless the target reports CACHED.
  // UNIMPLEMENTED when the target has no executor for `format`; FAILED_PRECONDITION for other
  // refusals (no memory, bad format, CRC mismatch).
  absl::StatusOr<NetworkUpload> EnsureNetwork(const NetworkId& id, std::span<const uint8_t> network,
                                              uint32_t format, absl::Time deadline);

  // Runs one inference. With `cancellation` cancelled (or the deadline passed) while waiting,
  // sends CANCEL and returns CANCELLED (DEADLINE_EXCEEDED), waiting at most cancel_grace for the
  // target to acknowledge; if it does not, the stream is dropped so no stale reply is misread.
  // `pmu_events` are the NPU PMU events the target should count (0: unused).
  absl::StatusOr<InferenceResponse> Infer(
      const NetworkId& id, std::span<const WireTensor> inputs, uint32_t num_outputs,
      const CancellationToken* cancellation, absl::Time deadline,
      const std::array<uint32_t, INFERD_TP_PMU_MAX>& pmu_events = {});

  absl::Status Unload(const NetworkId& id, absl::Time deadline);

  std::string description() const { return transport_->description(); }

 private:
  absl::StatusOr<uint32_t> Send(uint16_t type, std::span<const uint8_t> payload,
                                absl::Time deadline);
  // Waits for the response to `sequence`, dropping frames for other sequences (late replies to
  // abandoned requests). An ERR reply becomes an error status, except ERR(DETAIL), whose text is
  // kept in `detail_` for the response that follows it. With `cancellation`, returns
  // CANCELLED as soon as it is cancelled.
  absl::StatusOr<Frame> Await(uint32_t sequence, uint16_t expected_type, absl::Time deadline,
                              const CancellationToken* cancellation = nullptr);
  absl::StatusOr<Frame> Exchange(uint16_t type, std::span<const uint8_t> payload,
                                 uint16_t expected_type, absl::Time deadline);
  // Sends VERSION_REQ until the target answers one or `deadline` passes (see hail_interval).
  absl::StatusOr<Frame> Hail(absl::Time deadline);
  absl::Status Fail(absl::Status status);  // drops the stream, returns status

  std::unique_ptr<Transport> transport_;
  TargetClientOptions options_;
  FrameDecoder decoder_;
  uint32_t next_sequence_ = 1;
  bool have_capabilities_ = false;
  inferd_tp_capabilities_rsp capabilities_{};
  inferd_tp_version_rsp version_{};
  std::set<NetworkId> resident_;  // networks this connection has seen loaded
  std::string detail_;            // the last ERR(DETAIL) text for the request awaited
};

}  // namespace inferd::ethosu

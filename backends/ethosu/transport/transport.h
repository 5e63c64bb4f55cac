// Transport: a reliable-enough byte stream to one inference target (TCP socket, serial line, or
// an emulator's redirected UART), with a deadline on every operation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace inferd::ethosu {

class Transport {
 public:
  virtual ~Transport() = default;

  // Connects (or opens the device). Retries with backoff until `deadline` where the far end may
  // not be up yet. UNAVAILABLE / DEADLINE_EXCEEDED naming the address on failure.
  virtual absl::Status Open(absl::Time deadline) = 0;

  // Reads at least one byte into `buffer`, returning how many. DEADLINE_EXCEEDED when nothing
  // arrived in time (the stream stays usable), UNAVAILABLE when the far end closed or failed.
  virtual absl::StatusOr<size_t> Read(std::span<uint8_t> buffer, absl::Time deadline) = 0;

  // Writes all of `bytes`. DEADLINE_EXCEEDED or UNAVAILABLE on failure (the stream is then in an
  // unknown state: close and reopen).
  virtual absl::Status Write(std::span<const uint8_t> bytes, absl::Time deadline) = 0;

  virtual void Close() = 0;
  virtual bool is_open() const = 0;

  // For messages: "tcp://127.0.0.1:5000", "serial:///dev/ttyUSB0@115200", ...
  virtual std::string description() const = 0;
};

}  // namespace inferd::ethosu

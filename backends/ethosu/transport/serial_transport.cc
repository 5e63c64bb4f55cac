#include "backends/ethosu/transport/serial_transport.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "backends/ethosu/transport/fd_stream.h"

namespace inferd::ethosu {
namespace {

// termios speeds are symbolic constants, not numbers.
bool BaudConstant(int baud, speed_t& out) {
  switch (baud) {
    case 9600:
      out = B9600;
      return true;
    case 19200:
      out = B19200;
      return true;
    case 38400:
      out = B38400;
      return true;
    case 57600:
      out = B57600;
      return true;
    case 115200:
      out = B115200;
      return true;
    case 230400:
      out = B230400;
      return true;
    case 460800:
      out = B460800;
      return true;
    case 921600:
      out = B921600;
      return true;
    case 1000000:
      out = B1000000;
      return true;
    case 2000000:
      out = B2000000;
      return true;
    case 3000000:
      out = B3000000;
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::Status SetRawSerialMode(int fd, int baud, const std::string& what) {
  speed_t speed;
  if (!BaudConstant(baud, speed)) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported baud rate ", baud));
  }
  termios tio{};
  if (::tcgetattr(fd, &tio) != 0) {
    return absl::UnavailableError(absl::StrCat(what, ": not a terminal: ", std::strerror(errno)));
  }
  // Raw bytes: no echo, no line editing, no CR/LF translation, no flow control; 8N1.
  ::cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~(CSTOPB | PARENB | CRTSCTS);
  tio.c_iflag &= ~(IXON | IXOFF | IXANY);
  // VMIN 1: an empty line reads as EAGAIN on a non-blocking descriptor. With VMIN 0 and VTIME 0
  // the tty driver answers read() with 0, which is indistinguishable from end of file.
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;
  ::cfsetispeed(&tio, speed);
  ::cfsetospeed(&tio, speed);
  if (::tcsetattr(fd, TCSANOW, &tio) != 0) {
    return absl::UnavailableError(absl::StrCat(what, ": cannot configure: ", std::strerror(errno)));
  }
  ::tcflush(fd, TCIOFLUSH);
  return absl::OkStatus();
}

SerialTransport::SerialTransport(std::string device, int baud)
    : device_(std::move(device)), baud_(baud) {}

SerialTransport::~SerialTransport() { Close(); }

absl::StatusOr<SerialAddress> ParseSerialAddress(const std::string& address) {
  SerialAddress parsed;
  parsed.device = address;
  if (const size_t at = address.rfind('@'); at != std::string::npos) {
    parsed.device = address.substr(0, at);
    if (!absl::SimpleAtoi(address.substr(at + 1), &parsed.baud)) {
      return absl::InvalidArgumentError(absl::StrCat("bad baud rate in '", address, "'"));
    }
  }
  if (parsed.device.empty()) return absl::InvalidArgumentError("serial address names no device");
  speed_t unused;
  if (!BaudConstant(parsed.baud, unused)) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported baud rate ", parsed.baud));
  }
  return parsed;
}

absl::StatusOr<std::unique_ptr<SerialTransport>> SerialTransport::FromAddress(
    const std::string& address) {
  auto parsed = ParseSerialAddress(address);
  if (!parsed.ok()) return parsed.status();
  return std::make_unique<SerialTransport>(parsed->device, parsed->baud);
}

std::string SerialTransport::description() const {
  return absl::StrCat("serial://", device_, "@", baud_);
}

absl::Status SerialTransport::Open(absl::Time) {
  Close();
  const int fd = ::open(device_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat(description(), ": cannot open: ", std::strerror(errno)));
  }
  if (auto status = SetRawSerialMode(fd, baud_, description()); !status.ok()) {
    ::close(fd);
    return status;
  }
  fd_ = fd;
  return absl::OkStatus();
}

absl::StatusOr<size_t> SerialTransport::Read(std::span<uint8_t> buffer, absl::Time deadline) {
  return ReadFd(fd_, buffer, deadline, description());
}

absl::Status SerialTransport::Write(std::span<const uint8_t> bytes, absl::Time deadline) {
  return WriteFd(fd_, bytes, deadline, description());
}

void SerialTransport::Close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace inferd::ethosu

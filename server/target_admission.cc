#include "server/target_admission.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "backends/ethosu/transport/serial_transport.h"

namespace inferd {
namespace {

// Client input quoted in a message is cut here, so that a megabyte of name does not come back.
constexpr size_t kMaxQuoted = 64;

std::string Quote(absl::string_view text) {
  if (text.size() <= kMaxQuoted) return absl::StrCat("'", text, "'");
  return absl::StrCat("'", text.substr(0, kMaxQuoted), "...' (", text.size(), " bytes)");
}

// A decimal port, 1..65535, digits only (no sign, no spaces), so that what matched here is what
// the transport will connect to.
bool ParsePort(absl::string_view text, uint16_t& port) {
  if (text.empty() || text.size() > 5) return false;
  uint32_t value = 0;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value == 0 || value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

// Splits "host:port" / "[v6]:port" the way TcpTransport::FromAddress does.
bool SplitHostPort(absl::string_view address, absl::string_view& host, absl::string_view& port) {
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    if (close == absl::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return false;
    }
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == absl::string_view::npos) return false;
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
  }
  return !host.empty();
}

bool IsNameCharacter(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

bool IsPrintable(absl::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<TcpTargetAllowList> TcpTargetAllowList::Parse(absl::string_view text) {
  TcpTargetAllowList list;
  for (absl::string_view entry : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("allowed tcp target '", entry, "': ", why,
                       " (want host:port or host:first-last, e.g. 127.0.0.1:7000-7100)"));
    };
    absl::string_view host;
    absl::string_view ports;
    if (!SplitHostPort(entry, host, ports)) return bad("no host:port");
    for (char c : host) {
      if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '[' || c == ']' || c == '/' ||
          c == '@') {
        return bad("bad host");
      }
    }
    Pattern pattern;
    pattern.host = absl::AsciiStrToLower(host);
    const size_t dash = ports.find('-');
    if (dash == absl::string_view::npos) {
      if (!ParsePort(ports, pattern.first_port)) return bad("bad port");
      pattern.last_port = pattern.first_port;
    } else if (!ParsePort(ports.substr(0, dash), pattern.first_port) ||
               !ParsePort(ports.substr(dash + 1), pattern.last_port)) {
      return bad("bad port range");
    } else if (pattern.first_port > pattern.last_port) {
      return bad("port range runs backwards");
    }
    list.patterns_.push_back(std::move(pattern));
  }
  return list;
}

bool TcpTargetAllowList::Allows(absl::string_view address) const {
  absl::string_view host;
  absl::string_view port_text;
  uint16_t port = 0;
  if (!SplitHostPort(address, host, port_text) || !ParsePort(port_text, port)) return false;
  for (const Pattern& pattern : patterns_) {
    if (absl::EqualsIgnoreCase(pattern.host, host) && port >= pattern.first_port &&
        port <= pattern.last_port) {
      return true;
    }
  }
  return false;
}

std::string TcpTargetAllowList::ToString() const {
  std::string text;
  for (const Pattern& pattern : patterns_) {
    const bool v6 = pattern.host.find(':') != std::string::npos;
    absl::StrAppend(&text, text.empty() ? "" : ",", v6 ? "[" : "", pattern.host, v6 ? "]" : "", ":",
                    pattern.first_port);
    if (pattern.last_port != pattern.first_port) absl::StrAppend(&text, "-", pattern.last_port);
  }
  return text;
}

absl::StatusOr<SerialDeviceAllowList> SerialDeviceAllowList::Parse(absl::string_view text) {
  SerialDeviceAllowList list;
  for (absl::string_view entry : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    if (entry.front() != '/' || absl::StrContains(entry, '@')) {
      return absl::InvalidArgumentError(absl::StrCat(
          "allowed serial device '", entry, "': want an absolute device path, e.g. /dev/ttyUSB0"));
    }
    list.devices_.emplace_back(entry);
  }
  return list;
}

bool SerialDeviceAllowList::Allows(absl::string_view address) const {
  // The transport's own parser, so that the device matched is the device opened.
  auto parsed = ethosu::ParseSerialAddress(std::string(address));
  if (!parsed.ok()) return false;
  for (const std::string& device : devices_) {
    if (device == parsed->device) return true;
  }
  return false;
}

std::string SerialDeviceAllowList::ToString() const { return absl::StrJoin(devices_, ","); }

TargetAdmission::TargetAdmission(TcpTargetAllowList tcp, SerialDeviceAllowList serial,
                                 TargetRequestLimits limits)
    : tcp_(std::move(tcp)), serial_(std::move(serial)), limits_(limits) {}

absl::StatusOr<TargetAdmission> TargetAdmission::FromFlags(
    absl::string_view allowed_tcp_targets, absl::string_view allowed_serial_devices) {
  auto tcp = TcpTargetAllowList::Parse(allowed_tcp_targets);
  if (!tcp.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--admin-allowed-tcp-targets: ", tcp.status().message()));
  }
  auto serial = SerialDeviceAllowList::Parse(allowed_serial_devices);
  if (!serial.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--admin-allowed-serial-devices: ", serial.status().message()));
  }
  return TargetAdmission(std::move(*tcp), std::move(*serial));
}

absl::Status TargetAdmission::Check(const ethosu::TargetConfig& config) const {
  // The name first: every later message quotes it.
  if (config.name.empty()) return absl::InvalidArgumentError("a target needs a name");
  if (config.name.size() > limits_.max_name_length) {
    return absl::InvalidArgumentError(absl::StrCat("target name ", Quote(config.name),
                                                   " is longer than ", limits_.max_name_length,
                                                   " characters"));
  }
  for (char c : config.name) {
    if (!IsNameCharacter(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "target name ", Quote(config.name), " may use only letters, digits, '.', '_' and '-'"));
    }
  }
  const std::string where = absl::StrCat("target '", config.name, "'");
  if (config.kind == "emulator") {
    return absl::PermissionDeniedError(absl::StrCat(
        where,
        ": emulator targets start a process on the daemon's host, so they come only from the "
        "operator's --targets-config file, never from the admin API; add a [target ",
        config.name, "] section with kind = emulator there and restart inferd"));
  }
  if (config.kind != "tcp" && config.kind != "serial") {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": unknown kind ", Quote(config.kind), " (want tcp or serial)"));
  }
  if (!config.command.empty() || !config.image.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": command and image are for emulator targets only"));
  }
  if (config.address.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": kind ", config.kind, " needs an address"));
  }
  if (config.address.size() > limits_.max_address_length || !IsPrintable(config.address)) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": address ", Quote(config.address),
                                                   " is not a printable address of at most ",
                                                   limits_.max_address_length, " characters"));
  }
  if (config.labels.size() > limits_.max_labels) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", config.labels.size(), " labels; at most ", limits_.max_labels));
  }
  for (const auto& [key, value] : config.labels) {
    bool key_ok = !key.empty() && key.size() <= limits_.max_label_key_length;
    for (char c : key) key_ok = key_ok && IsNameCharacter(c);
    if (!key_ok) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": label key ", Quote(key),
                                                     " must be 1 to ", limits_.max_label_key_length,
                                                     " letters, digits, '.', '_' or '-'"));
    }
    if (value.size() > limits_.max_label_value_length || !IsPrintable(value)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": label '", key, "' has a value that is not printable text of at most ",
          limits_.max_label_value_length, " characters"));
    }
  }
  if (config.connect_timeout > limits_.max_connect_timeout ||
      config.job_timeout > limits_.max_job_timeout) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": connect_timeout_ms may be at most ",
        absl::ToInt64Milliseconds(limits_.max_connect_timeout), " and job_timeout_ms at most ",
        absl::ToInt64Milliseconds(limits_.max_job_timeout)));
  }
  // The allow-lists last, and from the address text alone: nothing has been connected to or
  // opened, so the answer is the same whether or not something listens there.
  if (config.kind == "tcp" && !tcp_.Allows(config.address)) {
    return absl::PermissionDeniedError(absl::StrCat(
        where, ": tcp address ", Quote(config.address),
        " is not allowed for the admin API; the operator can allow it with "
        "--admin-allowed-tcp-targets=HOST:PORT[-PORT],... or list the target in --targets-config"));
  }
  if (config.kind == "serial" && !serial_.Allows(config.address)) {
    return absl::PermissionDeniedError(absl::StrCat(
        where, ": serial device ", Quote(config.address),
        " is not allowed for the admin API; the operator can allow it with "
        "--admin-allowed-serial-devices=/dev/PATH,... or list the target in --targets-config"));
  }
  return absl::OkStatus();
}

std::string TargetAdmission::Describe() const {
  return absl::StrCat("AddTarget allows no emulators, tcp targets ",
                      tcp_.empty() ? "none" : tcp_.ToString(), ", serial devices ",
                      serial_.empty() ? "none" : serial_.ToString());
}

}  // namespace inferd

#include "backends/ethosu/target_config.h"

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "backends/ethosu/transport/emulator_transport.h"
#include "backends/ethosu/transport/serial_transport.h"
#include "backends/ethosu/transport/tcp_transport.h"

namespace inferd::ethosu {

absl::StatusOr<std::map<std::string, std::string>> ParseLabels(const std::string& text) {
  std::map<std::string, std::string> labels;
  for (absl::string_view term : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    term = absl::StripAsciiWhitespace(term);
    const size_t eq = term.find('=');
    if (eq == absl::string_view::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat("label '", term, "' is not key=value"));
    }
    labels[std::string(absl::StripAsciiWhitespace(term.substr(0, eq)))] =
        std::string(absl::StripAsciiWhitespace(term.substr(eq + 1)));
  }
  return labels;
}

bool LabelsMatch(const std::map<std::string, std::string>& labels,
                 const std::map<std::string, std::string>& selector) {
  for (const auto& [key, value] : selector) {
    auto found = labels.find(key);
    if (found == labels.end() || found->second != value) return false;
  }
  return true;
}

absl::Status ValidateTargetConfig(const TargetConfig& config) {
  const std::string where = absl::StrCat("target '", config.name, "'");
  if (config.name.empty()) return absl::InvalidArgumentError("a target needs a name");
  if (config.kind == "tcp" || config.kind == "serial") {
    if (config.address.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": kind ", config.kind, " needs an address"));
    }
  } else if (config.kind == "emulator") {
    if (config.command.empty() || config.command.find("{port}") == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": kind emulator needs a command containing {port}"));
    }
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": unknown kind '", config.kind, "' (want tcp, serial or emulator)"));
  }
  if (config.job_timeout <= absl::ZeroDuration() ||
      config.connect_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": timeouts must be positive"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Transport>> MakeTransport(const TargetConfig& config) {
  if (auto status = ValidateTargetConfig(config); !status.ok()) return status;
  if (config.kind == "tcp") {
    auto tcp = TcpTransport::FromAddress(config.address);
    if (!tcp.ok()) return tcp.status();
    return std::unique_ptr<Transport>(std::move(*tcp));
  }
  if (config.kind == "serial") {
    auto serial = SerialTransport::FromAddress(config.address);
    if (!serial.ok()) return serial.status();
    return std::unique_ptr<Transport>(std::move(*serial));
  }
  return std::unique_ptr<Transport>(
      std::make_unique<EmulatorTransport>(config.command, config.image));
}

absl::StatusOr<std::vector<TargetConfig>> ParseTargetsConfig(const std::string& text) {
  std::vector<TargetConfig> targets;
  std::set<std::string> names;
  int line_number = 0;
  auto error = [&](absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("targets config line ", line_number, ": ", what));
  };
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_number;
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '[') {
      if (line.back() != ']') return error("unterminated section header");
      absl::string_view inner = absl::StripAsciiWhitespace(line.substr(1, line.size() - 2));
      if (!absl::ConsumePrefix(&inner, "target")) return error("sections are [target NAME]");
      const std::string name(absl::StripAsciiWhitespace(inner));
      if (name.empty()) return error("target has no name");
      if (!names.insert(name).second) return error(absl::StrCat("duplicate target '", name, "'"));
      targets.emplace_back();
      targets.back().name = name;
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) return error("expected key = value");
    if (targets.empty()) return error("setting before any [target NAME]");
    const std::string key(absl::StripAsciiWhitespace(line.substr(0, eq)));
    const std::string value(absl::StripAsciiWhitespace(line.substr(eq + 1)));
    TargetConfig& target = targets.back();
    if (key == "kind") {
      target.kind = value;
    } else if (key == "address") {
      target.address = value;
    } else if (key == "command") {
      target.command = value;
    } else if (key == "image") {
      target.image = value;
    } else if (key == "labels") {
      auto labels = ParseLabels(value);
      if (!labels.ok()) return error(labels.status().message());
      target.labels = std::move(*labels);
    } else if (key == "job_timeout_ms" || key == "connect_timeout_ms") {
      int64_t ms = 0;
      if (!absl::SimpleAtoi(value, &ms) || ms <= 0) return error(absl::StrCat("bad ", key));
      (key == "job_timeout_ms" ? target.job_timeout : target.connect_timeout) =
          absl::Milliseconds(ms);
    } else {
      return error(absl::StrCat("unknown setting '", key, "'"));
    }
  }
  for (const TargetConfig& target : targets) {
    if (auto status = ValidateTargetConfig(target); !status.ok()) return status;
  }
  return targets;
}

absl::StatusOr<std::vector<TargetConfig>> LoadTargetsConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read targets config '", path, "'"));
  std::stringstream text;
  text << in.rdbuf();
  auto targets = ParseTargetsConfig(text.str());
  if (!targets.ok()) {
    return absl::Status(targets.status().code(),
                        absl::StrCat(path, ": ", targets.status().message()));
  }
  return targets;
}

}  // namespace inferd::ethosu

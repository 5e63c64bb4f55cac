// TargetConfig: how to reach one inference target and what it is labelled with, and the parser
// for the targets file that `--targets-config` names (format in docs/ethos-u.md).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "backends/ethosu/transport/transport.h"

namespace inferd::ethosu {

struct TargetConfig {
  std::string name;
  std::string kind;                           // "tcp", "serial" or "emulator"
  std::string address;                        // tcp: host:port; serial: /dev/ttyX[@baud]
  std::string command;                        // emulator: command template with {image} and {port}
  std::string image;                          // emulator: firmware image path
  std::map<std::string, std::string> labels;  // added to those derived from CAPABILITIES
  absl::Duration job_timeout = absl::Seconds(30);
  absl::Duration connect_timeout = absl::Seconds(10);
};

// Parses the targets file:
//
//   # comment
//   [target board0]
//   kind = tcp
//   address = 192.168.1.20:5000
//   labels = npu=ethos-u55-128, board=an547
//   job_timeout_ms = 10000
//
// INVALID_ARGUMENT naming the line on any mistake; duplicate names are an error.
absl::StatusOr<std::vector<TargetConfig>> ParseTargetsConfig(const std::string& text);
absl::StatusOr<std::vector<TargetConfig>> LoadTargetsConfig(const std::string& path);

// Checks the fields a kind needs.
absl::Status ValidateTargetConfig(const TargetConfig& config);

// The transport a config describes (not opened).
absl::StatusOr<std::unique_ptr<Transport>> MakeTransport(const TargetConfig& config);

// "npu=ethos-u55-128, board=an547" as a map; INVALID_ARGUMENT when a term has no '='.
absl::StatusOr<std::map<std::string, std::string>> ParseLabels(const std::string& text);

// A selector is labels that must all be present with equal values ("" selects everything).
bool LabelsMatch(const std::map<std::string, std::string>& labels,
                 const std::map<std::string, std::string>& selector);

}  // namespace inferd::ethosu

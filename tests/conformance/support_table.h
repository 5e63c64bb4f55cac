// docs/tosa-support.md: the CPU and Vulkan backends' operator × data type support (CpuOpSupport,
// VulkanOpSupport) and, optionally, conformance pass/fail/skip counts per operator and backend.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/conformance/conformance_runner.h"

namespace inferd::conformance {

inline constexpr char kSupportBegin[] = "<!-- BEGIN SUPPORT TABLE -->";
inline constexpr char kSupportEnd[] = "<!-- END SUPPORT TABLE -->";

// The support section, from kSupportBegin to kSupportEnd inclusive.
std::string SupportSection();

// False in a build without the Vulkan backend, whose support section cannot match the committed
// one (the check is then skipped rather than failed).
bool SupportSectionCoversVulkan();

// One backend's conformance run over the same folders.
struct BackendReports {
  std::string backend;  // the column heading, e.g. "tosa_cpu"
  std::vector<FolderReport> reports;
};

// The whole document. `conformance` holds one conformance run per backend, whose counts go in
// their own section; when empty that section says how to produce them.
std::string SupportDocument(const std::vector<BackendReports>& conformance,
                            const std::string& conformance_source);

// The support section of a document (kSupportBegin..kSupportEnd); nullopt when it has none.
std::optional<std::string> ExtractSupportSection(const std::string& document);

}  // namespace inferd::conformance

// docs/tosa-support.md: the CPU backend's operator × data type support (from CpuOpSupport) and,
// optionally, conformance pass/fail/skip counts per operator.
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

// The whole document. `conformance` holds the reports of a conformance run whose counts go in
// their own section; without it that section says how to produce them.
std::string SupportDocument(const std::optional<std::vector<FolderReport>>& conformance,
                            const std::string& conformance_source);

// The support section of a document (kSupportBegin..kSupportEnd); nullopt when it has none.
std::optional<std::string> ExtractSupportSection(const std::string& document);

}  // namespace inferd::conformance

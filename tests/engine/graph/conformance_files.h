// Locates the shared TOSA conformance set for tests (never copied into the repository).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace inferd::graph::testing {

// $INFERD_TOSA_CONFORMANCE_DIR, else <repo>/../shared/tosa-conformance; nullopt when that
// directory does not exist.
std::optional<std::filesystem::path> ConformanceDir();

// Every operators/**/test.tosa under `root`, sorted.
std::vector<std::filesystem::path> AllTestFiles(const std::filesystem::path& root);

std::vector<uint8_t> ReadBytes(const std::filesystem::path& path);

}  // namespace inferd::graph::testing

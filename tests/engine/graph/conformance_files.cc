#include "tests/engine/graph/conformance_files.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace inferd::graph::testing {

std::optional<std::filesystem::path> ConformanceDir() {
  std::filesystem::path dir;
  if (const char* env = std::getenv("INFERD_TOSA_CONFORMANCE_DIR"); env != nullptr && *env) {
    dir = env;
  } else {
    dir = std::filesystem::path(INFERD_SOURCE_DIR) / ".." / "shared" / "tosa-conformance";
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return std::nullopt;
  return dir;
}

std::vector<std::filesystem::path> AllTestFiles(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path operators = root / "operators";
  std::error_code ec;
  if (!std::filesystem::is_directory(operators, ec)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(operators)) {
    if (entry.is_regular_file() && entry.path().filename() == "test.tosa") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<uint8_t> ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

}  // namespace inferd::graph::testing

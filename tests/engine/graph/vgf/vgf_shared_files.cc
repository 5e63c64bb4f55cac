#include "tests/engine/graph/vgf/vgf_shared_files.h"

#include <cstdlib>

namespace inferd::graph::vgf::testing {

std::optional<std::filesystem::path> VgfModelsDir() {
  std::filesystem::path dir;
  if (const char* env = std::getenv("INFERD_VGF_MODELS_DIR"); env != nullptr && *env) {
    dir = env;
  } else {
    dir = std::filesystem::path(INFERD_SOURCE_DIR) / ".." / "shared" / "models" / "vgf";
  }
  if (!std::filesystem::is_directory(dir)) return std::nullopt;
  return dir;
}

std::optional<std::filesystem::path> NssModelPath() {
  auto dir = VgfModelsDir();
  if (!dir.has_value()) return std::nullopt;
  auto path = *dir / "nss_v0_1_1_int8.vgf";
  if (!std::filesystem::is_regular_file(path)) return std::nullopt;
  return path;
}

}  // namespace inferd::graph::vgf::testing

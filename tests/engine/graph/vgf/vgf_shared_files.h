// Locates ../shared/models/vgf for tests (read in place, never copied into the repository).
#pragma once

#include <filesystem>
#include <optional>

namespace inferd::graph::vgf::testing {

// $INFERD_VGF_MODELS_DIR, else <repo>/../shared/models/vgf; nullopt when it does not exist.
std::optional<std::filesystem::path> VgfModelsDir();

// The NSS model's path when the shared folder has it.
std::optional<std::filesystem::path> NssModelPath();

}  // namespace inferd::graph::vgf::testing

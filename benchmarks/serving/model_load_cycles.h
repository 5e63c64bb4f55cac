// LoadUnloadCycles: a model loaded and unloaded over and over through the repository RPCs, for the
// scaling report's check that the daemon's memory does not grow with load/unload cycles.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace inferd::bench {

// Calls RepositoryModelLoad then RepositoryModelUnload for `model` on the server at `address`
// (insecure; the server must run with --model-control-mode=explicit) `cycles` times, each call
// waiting for its answer. Stops at the first failure, saying which cycle and call it was.
absl::Status LoadUnloadCycles(const std::string& address, const std::string& model, int cycles);

}  // namespace inferd::bench

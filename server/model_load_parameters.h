// The parameters of a RepositoryModelLoad (gRPC and HTTP alike), as Triton's model_repository
// extension defines them: `config`, a JSON string of the model configuration that replaces
// config.pbtxt for this load, and `file:<version>/<path>`, the bytes of a model file, which need
// `config` too. Names, types and sizes are checked here, on the calling thread, so that a bad
// request is answered at once and never queued; the files are written later, on the load's thread.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "engine/model_push_overlay.h"
#include "google/protobuf/map.h"
#include "inference.pb.h"

namespace inferd {

using ModelLoadParameters = google::protobuf::Map<std::string, inference::ModelRepositoryParameter>;

// nullptr when `parameters` is empty (a plain load from the repository). Otherwise the override,
// or with Triton's wording: INVALID_ARGUMENT for an unknown parameter, `config` not a string or not
// a valid configuration (or naming another model), a `file:` value not bytes or with a bad name
// (CheckPushedFileName), `file:` without `config`; RESOURCE_EXHAUSTED past `limits`.
absl::StatusOr<std::shared_ptr<const ModelLoadOverride>> ParseModelLoadParameters(
    const std::string& model_name, const ModelLoadParameters& parameters,
    const ModelPushLimits& limits);

}  // namespace inferd

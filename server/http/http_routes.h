// The KServe v2 / Triton HTTP paths inferd serves, matched to an endpoint with the model name and
// version they carry. Kept apart from the server so that routing is tested without a socket.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/security/protocol_group.h"

namespace inferd::http {

enum class Endpoint {
  kNotFound,          // no such path
  kMethodNotAllowed,  // a known path with another method
  kHealthLive,
  kHealthReady,
  kServerMetadata,
  kModelMetadata,
  kModelReady,
  kModelConfig,
  kModelStatistics,  // model empty: every model
  kModelInfer,
  kRepositoryIndex,
  kModelLoad,
  kModelUnload,
  kLogging,
  kTrace,
  kSystemSharedMemory,
  kCudaSharedMemory,
};

struct Route {
  Endpoint endpoint = Endpoint::kNotFound;
  std::string model;
  std::string version;  // empty: the model's policy picks
};

// `path` is the request's decoded path without the query string; `method` as sent ("GET", ...).
Route MatchRoute(std::string_view method, std::string_view path);

// The protocol group an endpoint belongs to, as Triton classifies its HTTP APIs (the same groups
// as the gRPC RPCs); nullopt for kNotFound and kMethodNotAllowed, which do nothing.
std::optional<ProtocolGroup> EndpointGroup(Endpoint endpoint);

}  // namespace inferd::http

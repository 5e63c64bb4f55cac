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

// A call under /v2/systemsharedmemory (Triton's system shared-memory extension).
struct SharedMemoryRoute {
  enum class Call {
    kNotFound,          // no such path
    kMethodNotAllowed,  // a known path with another method
    kStatus,            // GET .../status (every region) or .../region/<r>/status
    kRegister,          // POST .../region/<r>/register
    kUnregister,        // POST .../region/<r>/unregister, or .../unregister (every region)
  };
  Call call = Call::kNotFound;
  std::string region;  // empty: every region
};

// `path` as for MatchRoute, one that MatchRoute gave Endpoint::kSystemSharedMemory.
SharedMemoryRoute MatchSharedMemoryRoute(std::string_view method, std::string_view path);

}  // namespace inferd::http

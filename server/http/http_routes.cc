#include "server/http/http_routes.h"

#include <vector>

namespace inferd::http {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

// `endpoint` when `method` is one of the allowed ones, else kMethodNotAllowed.
Route Allow(std::string_view method, bool get, bool post, Endpoint endpoint) {
  Route route;
  route.endpoint = ((get && method == "GET") || (post && method == "POST"))
                       ? endpoint
                       : Endpoint::kMethodNotAllowed;
  return route;
}

// What follows /v2/models/<m>[/versions/<v>].
Route ModelRoute(std::string_view method, const std::vector<std::string_view>& rest) {
  if (rest.empty()) return Allow(method, true, false, Endpoint::kModelMetadata);
  if (rest.size() == 1) {
    if (rest[0] == "ready") return Allow(method, true, false, Endpoint::kModelReady);
    if (rest[0] == "config") return Allow(method, true, false, Endpoint::kModelConfig);
    if (rest[0] == "stats") return Allow(method, true, false, Endpoint::kModelStatistics);
    if (rest[0] == "infer") return Allow(method, false, true, Endpoint::kModelInfer);
  }
  if (rest.size() == 2 && rest[0] == "trace" && rest[1] == "setting") {
    return Allow(method, true, true, Endpoint::kTrace);
  }
  return {};
}

}  // namespace

Route MatchRoute(std::string_view method, std::string_view path) {
  const std::vector<std::string_view> s = Segments(path);
  const size_t n = s.size();
  if (n == 0 || s[0] != "v2") return {};
  if (n == 1) return Allow(method, true, false, Endpoint::kServerMetadata);
  if (s[1] == "health" && n == 3) {
    if (s[2] == "live") return Allow(method, true, false, Endpoint::kHealthLive);
    if (s[2] == "ready") return Allow(method, true, false, Endpoint::kHealthReady);
    return {};
  }
  if (s[1] == "logging" && n == 2) return Allow(method, true, true, Endpoint::kLogging);
  if (s[1] == "trace" && n == 3 && s[2] == "setting") {
    return Allow(method, true, true, Endpoint::kTrace);
  }
  if (s[1] == "systemsharedmemory") return Allow(method, true, true, Endpoint::kSystemSharedMemory);
  if (s[1] == "cudasharedmemory") return Allow(method, true, true, Endpoint::kCudaSharedMemory);
  if (s[1] == "repository") {
    if (n == 3 && s[2] == "index") return Allow(method, false, true, Endpoint::kRepositoryIndex);
    if (n == 5 && s[2] == "models" && (s[4] == "load" || s[4] == "unload")) {
      Route route = Allow(method, false, true,
                          s[4] == "load" ? Endpoint::kModelLoad : Endpoint::kModelUnload);
      route.model = std::string(s[3]);
      return route;
    }
    return {};
  }
  if (s[1] != "models" || n < 3) return {};
  if (n == 3 && s[2] == "stats") return Allow(method, true, false, Endpoint::kModelStatistics);
  std::string version;
  size_t rest = 3;
  if (n >= 5 && s[3] == "versions") {
    version = std::string(s[4]);
    rest = 5;
  }
  Route route = ModelRoute(method, std::vector<std::string_view>(s.begin() + rest, s.end()));
  route.model = std::string(s[2]);
  route.version = std::move(version);
  return route;
}

std::optional<ProtocolGroup> EndpointGroup(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kNotFound:
    case Endpoint::kMethodNotAllowed:
      return std::nullopt;
    case Endpoint::kHealthLive:
    case Endpoint::kHealthReady:
    case Endpoint::kModelReady:
      return ProtocolGroup::kHealth;
    case Endpoint::kServerMetadata:
    case Endpoint::kModelMetadata:
      return ProtocolGroup::kMetadata;
    case Endpoint::kModelConfig:
      return ProtocolGroup::kModelConfig;
    case Endpoint::kModelStatistics:
      return ProtocolGroup::kStatistics;
    case Endpoint::kModelInfer:
      return ProtocolGroup::kInference;
    case Endpoint::kRepositoryIndex:
    case Endpoint::kModelLoad:
    case Endpoint::kModelUnload:
      return ProtocolGroup::kModelRepository;
    case Endpoint::kLogging:
      return ProtocolGroup::kLogging;
    case Endpoint::kTrace:
      return ProtocolGroup::kTrace;
    case Endpoint::kSystemSharedMemory:
    case Endpoint::kCudaSharedMemory:
      return ProtocolGroup::kSharedMemory;
  }
  return std::nullopt;
}

SharedMemoryRoute MatchSharedMemoryRoute(std::string_view method, std::string_view path) {
  const std::vector<std::string_view> s = Segments(path);
  const size_t n = s.size();
  using Call = SharedMemoryRoute::Call;
  SharedMemoryRoute route;
  auto allow = [&](bool get, Call call) {
    route.call = (get ? method == "GET" : method == "POST") ? call : Call::kMethodNotAllowed;
    return route;
  };
  if (n < 3 || s[0] != "v2" || s[1] != "systemsharedmemory") return route;
  if (n == 3 && s[2] == "status") return allow(true, Call::kStatus);
  if (n == 3 && s[2] == "unregister") return allow(false, Call::kUnregister);
  if (n != 5 || s[2] != "region") return route;
  route.region = std::string(s[3]);
  if (s[4] == "status") return allow(true, Call::kStatus);
  if (s[4] == "register") return allow(false, Call::kRegister);
  if (s[4] == "unregister") return allow(false, Call::kUnregister);
  route.region.clear();
  return route;
}

}  // namespace inferd::http

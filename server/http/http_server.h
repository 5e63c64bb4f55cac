// HttpServer: the KServe v2 HTTP/REST endpoint (with Triton's extensions and binary tensor data)
// on civetweb, over the same InferenceService that serves gRPC, so that both protocols share the
// engine path, its checks, limits, statistics and messages. docs/http.md says what it serves.
//
// What a client can make it spend is bounded: a fixed number of worker threads (one connection
// each at a time; more connections wait in a bounded queue, then in the kernel's backlog), the
// size of the request line and headers, the body's size and the time to send it, idle keep-alive
// time, and the memory of parsed bodies (reserved from the request memory budget).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/http/http_tls.h"
#include "server/inference_service.h"
#include "server/request_memory_budget.h"
#include "server/security/refused_requests.h"
#include "server/security/restricted_groups.h"

struct mg_context;

namespace inferd::http {

struct HttpServerOptions {
  std::string address = "0.0.0.0";
  int port = 8000;  // 0: any free port
  int threads = 8;
  // The largest request body accepted (Triton's --http-max-input-size); larger ones get 413.
  int64_t max_input_size = int64_t{64} << 20;
  // Each request reserves its body, and for its JSON the parsed document's worst case, here.
  RequestMemoryBudget* memory_budget = nullptr;
  // Endpoint groups open only to requests with a header (--http-restricted-api); refusals are
  // answered 403 before the body is read and counted in `refused` (both may be null).
  const RestrictedGroups* restricted = nullptr;
  RefusedRequests* refused = nullptr;
  // Serve HTTPS only, with this TLS (--http-use-ssl); null: plaintext. Must outlive the server.
  HttpTls* tls = nullptr;
};

class HttpServer {
 public:
  // Listens and serves until destroyed. UNAVAILABLE when it cannot listen or, with TLS, when
  // civetweb cannot load OpenSSL.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(InferenceService* service,
                                                           const HttpServerOptions& options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }

  // Answers every inference still waiting for the engine with `status`, at once; returns how many
  // (the shutdown's deadline passed). Later ones are answered the same way.
  size_t AbortWaiting(const absl::Status& status);

  struct Shared;  // what handlers and engine callbacks share; outlives the server when it must

 private:
  HttpServer() = default;

  std::shared_ptr<Shared> shared_;
  mg_context* context_ = nullptr;
  std::string connect_host_;
  int port_ = 0;
};

}  // namespace inferd::http

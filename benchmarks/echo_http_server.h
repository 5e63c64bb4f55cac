// EchoHttpServer: the bare HTTP/REST twin of inferd_echo_server's gRPC echo, the cost floor of
// civetweb + nlohmann/json (the libraries inferd's HTTP endpoint uses) that inferd's HTTP figures
// are read against. `POST /v2/models/<name>[/versions/<v>]/infer` is parsed as KServe v2 asks
// (a JSON body, or with Triton's binary tensor extension a JSON header of
// Inference-Header-Content-Length bytes followed by the inputs' bytes) and answered with every
// input echoed as an output of the same name, datatype and shape; `GET /v2/health/ready` is 200.
// No model, no scheduling: the request is handled on the civetweb worker that read it.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

struct mg_context;

namespace inferd::bench {

class EchoHttpServer {
 public:
  // Listens on address:port (0 picks a free port) with `threads` civetweb workers; like inferd's,
  // each worker serves one kept-alive connection at a time.
  static absl::StatusOr<std::unique_ptr<EchoHttpServer>> Start(const std::string& address, int port,
                                                               int threads);
  ~EchoHttpServer();
  EchoHttpServer(const EchoHttpServer&) = delete;
  EchoHttpServer& operator=(const EchoHttpServer&) = delete;

  int port() const { return port_; }

 private:
  EchoHttpServer() = default;

  mg_context* context_ = nullptr;
  std::string connect_host_;
  int port_ = 0;
};

}  // namespace inferd::bench

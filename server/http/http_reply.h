// An HTTP answer as inferd's listeners send it over civetweb: a header block (status,
// Content-Type, Content-Length, and for a binary-tensor answer Inference-Header-Content-Length),
// then the body in one write. Shared by the daemon's HTTP server and the benchmarks' bare HTTP
// echo server, so that the two send answers the same way.
#ifndef INFERD_SERVER_HTTP_HTTP_REPLY_H_
#define INFERD_SERVER_HTTP_HTTP_REPLY_H_

#include <cstddef>
#include <optional>
#include <string>

struct mg_connection;

namespace inferd {

struct HttpReply {
  int status = 200;
  std::string body;
  const char* content_type = "application/json";
  std::optional<size_t> json_size;  // Inference-Header-Content-Length, for binary outputs
  bool close = false;               // the connection cannot carry another request
};

void SendHttpReply(mg_connection* connection, const HttpReply& reply);

}  // namespace inferd

#endif  // INFERD_SERVER_HTTP_HTTP_REPLY_H_

#include "server/http/http_reply.h"

#include <string>

#include "civetweb.h"

namespace inferd {

void SendHttpReply(mg_connection* connection, const HttpReply& reply) {
  if (reply.close) mg_disable_keep_alive(connection);
  mg_response_header_start(connection, reply.status);
  mg_response_header_add(connection, "Content-Type", reply.content_type, -1);
  mg_response_header_add(connection, "Content-Length", std::to_string(reply.body.size()).c_str(),
                         -1);
  if (reply.json_size.has_value()) {
    mg_response_header_add(connection, "Inference-Header-Content-Length",
                           std::to_string(*reply.json_size).c_str(), -1);
  }
  mg_response_header_send(connection);
  if (!reply.body.empty()) mg_write(connection, reply.body.data(), reply.body.size());
}

}  // namespace inferd

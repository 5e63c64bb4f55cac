#include "benchmarks/echo_http_server.h"

#include <cstring>
#include <exception>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "civetweb.h"
#include "nlohmann/json.hpp"
#include "server/civetweb_listener.h"
#include "server/http/http_reply.h"

namespace inferd::bench {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

using Reply = HttpReply;

Reply Error(int status, std::string_view message) {
  Reply reply;
  reply.status = status;
  reply.body = ojson{{"error", message}}.dump();
  return reply;
}

// The model name and version of `/v2/models/<name>[/versions/<v>]/infer`; nullopt for any other
// path.
std::optional<std::pair<std::string, std::string>> InferRoute(std::string_view path) {
  const std::vector<absl::string_view> parts =
      absl::StrSplit(absl::string_view(path.data(), path.size()), '/');
  // "", "v2", "models", name, ["versions", v,] "infer"
  if (parts.size() < 5 || !parts[0].empty() || parts[1] != "v2" || parts[2] != "models" ||
      parts[3].empty() || parts.back() != "infer") {
    return std::nullopt;
  }
  if (parts.size() == 5) return std::make_pair(std::string(parts[3]), std::string());
  if (parts.size() == 7 && parts[4] == "versions") {
    return std::make_pair(std::string(parts[3]), std::string(parts[5]));
  }
  return std::nullopt;
}

// The whole body, as inferd reads it (Content-Length or until the connection's body ends).
std::optional<std::string> ReadBody(mg_connection* connection, const mg_request_info& info) {
  std::string body;
  if (info.content_length > 0) body.reserve(static_cast<size_t>(info.content_length));
  char chunk[64 * 1024];
  for (;;) {
    const int read = mg_read(connection, chunk, sizeof chunk);
    if (read < 0) return std::nullopt;
    if (read == 0) break;
    body.append(chunk, static_cast<size_t>(read));
  }
  if (info.content_length >= 0 && body.size() != static_cast<size_t>(info.content_length)) {
    return std::nullopt;
  }
  return body;
}

// The infer answer: every input of the request back as an output, in the form it came — JSON
// `data` as JSON `data`, binary tensor data as binary data after the JSON header. A bare echo has
// no typed tensor to convert, so an input sent as JSON comes back as JSON even when the request
// asks for binary_data_output, and one sent as bytes comes back as bytes.
Reply Infer(mg_connection* connection, const std::string& model, const std::string& version,
            std::string_view body) {
  size_t json_size = body.size();
  if (const char* header = mg_get_header(connection, "Inference-Header-Content-Length")) {
    if (!absl::SimpleAtoi(header, &json_size) || json_size > body.size()) {
      return Error(400, "Inference-Header-Content-Length is not a length within the body");
    }
  }
  const json request = json::parse(body.begin(), body.begin() + json_size, nullptr, false);
  if (request.is_discarded() || !request.is_object()) {
    return Error(400, "the request header is not a JSON object");
  }
  const auto inputs = request.find("inputs");
  if (inputs == request.end() || !inputs->is_array()) return Error(400, "no inputs");

  ojson answer = ojson::object();
  answer["model_name"] = model;
  if (!version.empty()) answer["model_version"] = version;
  if (const auto id = request.find("id"); id != request.end()) answer["id"] = *id;
  ojson outputs = ojson::array();
  std::string binary;
  size_t offset = json_size;
  for (const json& input : *inputs) {
    ojson output = ojson::object();
    output["name"] = input.at("name");
    output["datatype"] = input.at("datatype");
    output["shape"] = input.at("shape");
    const auto parameters = input.find("parameters");
    const bool has_bytes = parameters != input.end() && parameters->contains("binary_data_size");
    if (has_bytes) {
      const auto size = parameters->at("binary_data_size").get<size_t>();
      if (size > body.size() - offset) return Error(400, "binary_data_size past the body's end");
      output["parameters"] = ojson{{"binary_data_size", size}};
      binary.append(body.substr(offset, size));
      offset += size;
    } else {
      const auto data = input.find("data");
      if (data == input.end()) return Error(400, "an input has neither data nor binary data");
      output["data"] = *data;
    }
    outputs.push_back(std::move(output));
  }
  if (offset != body.size()) return Error(400, "the binary data does not fill the body");
  answer["outputs"] = std::move(outputs);

  Reply reply;
  reply.body = answer.dump();
  if (!binary.empty()) {
    reply.json_size = reply.body.size();
    reply.content_type = "application/octet-stream";
    reply.body += binary;
  }
  return reply;
}

Reply Serve(mg_connection* connection) {
  const mg_request_info& info = *mg_get_request_info(connection);
  const std::string_view method = info.request_method;
  const std::string_view path = info.local_uri != nullptr ? info.local_uri : "";
  if (path == "/v2/health/ready" || path == "/v2/health/live") {
    Reply reply;
    reply.content_type = "text/plain";
    return reply;
  }
  const auto route = InferRoute(path);
  if (!route.has_value()) return Error(404, "Not Found");
  if (method != "POST") return Error(405, "Method Not Allowed");
  const std::optional<std::string> body = ReadBody(connection, info);
  if (!body.has_value()) return Error(400, "the request body could not be read");
  return Infer(connection, route->first, route->second, *body);
}

int HandleRequest(mg_connection* connection, void*) {
  Reply reply;
  try {
    reply = Serve(connection);
  } catch (const std::exception& error) {
    // A field of the wrong JSON type; nothing may cross civetweb's C frames.
    reply = Error(400, error.what());
  }
  SendHttpReply(connection, reply);
  return reply.status;
}

int Quiet(const mg_connection*, const char*) { return 1; }

}  // namespace

absl::StatusOr<std::unique_ptr<EchoHttpServer>> EchoHttpServer::Start(const std::string& address,
                                                                      int port, int threads) {
  std::unique_ptr<EchoHttpServer> server(new EchoHttpServer());
  const std::string listening = CivetwebListeningPort(address, port);
  const std::string thread_count = std::to_string(threads);
  // inferd's settings (server/http/http_server.cc), tcp_nodelay above all: without it every
  // kept-alive request after the first waits 40 ms for the client's delayed ACK.
  const char* configuration[] = {"listening_ports",
                                 listening.c_str(),
                                 "num_threads",
                                 thread_count.c_str(),
                                 "connection_queue",
                                 "64",
                                 "max_request_size",
                                 "16384",
                                 "request_timeout_ms",
                                 "10000",
                                 "enable_keep_alive",
                                 "yes",
                                 "keep_alive_timeout_ms",
                                 "2000",
                                 "tcp_nodelay",
                                 "1",
                                 nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = Quiet;
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.configuration_options = configuration;
  auto context = StartCivetweb(init, absl::StrCat("HTTP on ", listening));
  if (!context.ok()) return context.status();
  server->context_ = *context;
  mg_set_request_handler(server->context_, "/", HandleRequest, nullptr);
  mg_server_port bound{};
  server->port_ = mg_get_server_ports(server->context_, 1, &bound) == 1 ? bound.port : port;
  server->connect_host_ = LoopbackHostFor(address);
  return server;
}

EchoHttpServer::~EchoHttpServer() {
  StopCivetwebListener(connect_host_, port_, [this] { mg_stop(context_); });
  mg_exit_library();
}

}  // namespace inferd::bench

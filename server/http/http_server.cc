#include "server/http/http_server.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "civetweb.h"
#include "server/civetweb_listener.h"
#include "server/http/civetweb_openssl.h"
#include "server/http/endpoint_json.h"
#include "server/http/http_reply.h"
#include "server/http/http_routes.h"
#include "server/http/http_status.h"
#include "server/http/infer_codec.h"
#include "spdlog/spdlog.h"

namespace inferd::http {
namespace {

// The request line and headers together (civetweb's max_request_size); Triton's clients send a
// few hundred bytes.
constexpr const char* kMaxHeaderBytes = "16384";
// Accepted connections waiting for a worker; past it civetweb stops accepting and the kernel's
// listen backlog holds the rest.
constexpr const char* kConnectionQueue = "64";
// Time to receive the request line and headers, and the most one read of the body may wait.
constexpr const char* kRequestTimeoutMs = "10000";
// How long a worker keeps an idle keep-alive connection before serving another one.
constexpr const char* kKeepAliveTimeoutMs = "2000";
// The whole body must arrive within this, however it trickles in.
constexpr absl::Duration kBodyTimeLimit = absl::Seconds(60);
// Bytes read from the socket at a time.
constexpr size_t kReadChunk = 64 * 1024;

struct Reply : HttpReply {
  RequestMemoryBudget::Reservation held;  // the request's memory, held until the reply is sent
};

Reply ErrorReply(const absl::Status& status) {
  Reply reply;
  reply.status = HttpStatusFor(status);
  reply.body = ErrorJson(std::string(status.message()));
  return reply;
}

Reply ErrorReply(int code, std::string_view message, bool close = false) {
  Reply reply;
  reply.status = code;
  reply.body = ErrorJson(message);
  reply.close = close;
  return reply;
}

Reply JsonReply(std::string body) {
  Reply reply;
  reply.body = std::move(body);
  return reply;
}

Reply EmptyReply(int status) {
  Reply reply;
  reply.status = status;
  reply.content_type = "text/plain";
  return reply;
}

int LogMessage(const mg_connection*, const char* message) {
  spdlog::debug("http: {}", message);
  return 1;  // civetweb writes nothing itself
}

// civetweb's init_ssl callback: its context, configured by the listener's HttpTls (user data).
int ConfigureTls(void* context, void* tls) {
  const absl::Status status = static_cast<HttpTls*>(tls)->Configure(static_cast<SSL_CTX*>(context));
  if (status.ok()) return 1;  // civetweb loads no certificate of its own
  spdlog::error("http: {}", std::string(status.message()));
  return -1;
}

}  // namespace

struct HttpServer::Shared : std::enable_shared_from_this<HttpServer::Shared> {
  InferenceService* service = nullptr;
  HttpServerOptions options;
  absl::Mutex mutex;
  // Set at the shutdown's deadline: what every waiting request is answered.
  std::optional<absl::Status> abort ABSL_GUARDED_BY(mutex);
  size_t waiting ABSL_GUARDED_BY(mutex) = 0;

  Reply Serve(mg_connection* connection);
  // The 403 for a request of a restricted group without its header; nullopt when it may go on.
  std::optional<Reply> Refuse(mg_connection* connection, const Route& route);

 private:
  // Calls `start` with a callback and waits for it; nullopt when the shutdown's deadline came
  // first (`abort` holds the answer then).
  template <typename T>
  std::optional<T> Await(const std::function<void(std::function<void(T)>)>& start);

  // The body, read within the limits; a refusal Reply when it does not fit them.
  absl::StatusOr<std::string> ReadBody(mg_connection* connection, const mg_request_info& info,
                                       Reply& refusal, RequestMemoryBudget::Reservation& held);

  // A read-only question about one model (or all): the request named by the route, the part of
  // the response `answer` picks written as JSON.
  template <typename Request, typename Response, typename Answer>
  Reply ModelQuery(const Route& route,
                   absl::Status (InferenceService::*query)(const Request&, Response&) const,
                   Answer answer) {
    Request request;
    request.set_name(route.model);
    request.set_version(route.version);
    Response response;
    const absl::Status status = (service->*query)(request, response);
    return status.ok() ? JsonReply(ProtoJson(answer(response))) : ErrorReply(status);
  }

  Reply Infer(mg_connection* connection, const Route& route, std::string_view body);
  Reply Repository(const Route& route, std::string_view body);
  Reply Logging(const mg_request_info& info, std::string_view body);
  Reply SystemSharedMemory(std::string_view method, std::string_view path, std::string_view body);
};

template <typename T>
std::optional<T> HttpServer::Shared::Await(
    const std::function<void(std::function<void(T)>)>& start) {
  struct Waiter {
    std::optional<T> result;
    const std::optional<absl::Status>* abort;
    bool Ready() const { return result.has_value() || abort->has_value(); }
  };
  auto waiter = std::make_shared<Waiter>();
  {
    absl::MutexLock lock(&mutex);
    waiter->abort = &abort;
  }
  // The callback may come after this server is gone (past the shutdown deadline): it holds what it
  // writes to.
  start([self = shared_from_this(), waiter](T result) {
    absl::MutexLock lock(&self->mutex);
    waiter->result = std::move(result);
  });
  absl::MutexLock lock(&mutex);
  ++waiting;
  mutex.Await(absl::Condition(waiter.get(), &Waiter::Ready));
  --waiting;
  return std::move(waiter->result);
}

absl::StatusOr<std::string> HttpServer::Shared::ReadBody(mg_connection* connection,
                                                         const mg_request_info& info,
                                                         Reply& refusal,
                                                         RequestMemoryBudget::Reservation& held) {
  const auto limit = static_cast<uint64_t>(options.max_input_size);
  const long long length = info.content_length;
  auto too_large = [&] {
    refusal = ErrorReply(413,
                         absl::StrCat("the request body is larger than the ", limit,
                                      " bytes this server accepts (--http-max-input-size)"),
                         /*close=*/true);
    return absl::ResourceExhaustedError("too large");
  };
  // The body and the document its JSON can become, counted before either is held.
  auto reserve = [&](uint64_t bytes) -> absl::Status {
    if (options.memory_budget == nullptr) return absl::OkStatus();
    uint64_t json_bytes = bytes;
    if (const char* header = mg_get_header(connection, "Inference-Header-Content-Length")) {
      if (auto parsed = ParseInferenceHeaderLength(header, bytes); parsed.ok())
        json_bytes = *parsed;
    }
    auto reservation = options.memory_budget->Reserve(static_cast<int64_t>(bytes) +
                                                      JsonMemoryEstimate(json_bytes));
    if (!reservation.ok()) {
      refusal = ErrorReply(reservation.status());
      refusal.close = true;
      return reservation.status();
    }
    held = *std::move(reservation);
    return absl::OkStatus();
  };
  if (length > 0 && static_cast<uint64_t>(length) > limit) return too_large();
  if (length >= 0) {
    if (auto status = reserve(static_cast<uint64_t>(length)); !status.ok()) return status;
  }
  std::string body;
  if (length > 0) body.reserve(static_cast<size_t>(length));
  const absl::Time deadline = absl::Now() + kBodyTimeLimit;
  std::string chunk(kReadChunk, '\0');
  for (;;) {
    if (absl::Now() > deadline) {
      refusal = ErrorReply(408, "the request body did not arrive in time", /*close=*/true);
      return absl::DeadlineExceededError("slow body");
    }
    const int read = mg_read(connection, chunk.data(), chunk.size());
    if (read < 0) {
      refusal = ErrorReply(400, "the request body could not be read", /*close=*/true);
      return absl::InvalidArgumentError("unreadable body");
    }
    if (read == 0) break;
    if (body.size() + static_cast<size_t>(read) > limit) return too_large();
    body.append(chunk.data(), static_cast<size_t>(read));
  }
  if (length >= 0 && body.size() != static_cast<uint64_t>(length)) {
    refusal = ErrorReply(400, "the request body is shorter than its Content-Length",
                         /*close=*/true);
    return absl::InvalidArgumentError("short body");
  }
  if (length < 0) {
    if (auto status = reserve(body.size()); !status.ok()) return status;
  }
  return body;
}

std::optional<Reply> HttpServer::Shared::Refuse(mg_connection* connection, const Route& route) {
  const RestrictedGroups* groups = options.restricted;
  if (groups == nullptr || groups->empty()) return std::nullopt;
  const std::optional<ProtocolGroup> group = EndpointGroup(route.endpoint);
  if (!group.has_value()) return std::nullopt;
  const bool allowed =
      groups->Allows(*group, [connection](absl::string_view header, absl::string_view value) {
        const char* given = mg_get_header(connection, std::string(header).c_str());
        return given != nullptr && HeaderValueMatches(value, given);
      });
  if (allowed) return std::nullopt;
  if (options.refused != nullptr) options.refused->Count("http", *group);
  // Triton's wording; the body is left unread, so the connection closes after the answer.
  return ErrorReply(403,
                    absl::StrCat("This API is restricted, expecting header '",
                                 groups->RequirementFor(*group)->header, "' (protocol group '",
                                 std::string(ProtocolGroupName(*group)), "')"),
                    /*close=*/true);
}

Reply HttpServer::Shared::Serve(mg_connection* connection) {
  const mg_request_info& info = *mg_get_request_info(connection);
  const std::string_view method = info.request_method != nullptr ? info.request_method : "";
  const std::string_view path = info.local_uri != nullptr ? info.local_uri : "";
  const Route route = MatchRoute(method, path);
  if (std::optional<Reply> refusal = Refuse(connection, route); refusal.has_value()) {
    return *std::move(refusal);
  }
  std::string body;
  RequestMemoryBudget::Reservation held;
  if (method == "POST" && route.endpoint != Endpoint::kNotFound &&
      route.endpoint != Endpoint::kMethodNotAllowed) {
    Reply refusal;
    auto read = ReadBody(connection, info, refusal, held);
    if (!read.ok()) return refusal;
    body = *std::move(read);
  }
  Reply reply;
  switch (route.endpoint) {
    case Endpoint::kNotFound:
      reply = ErrorReply(404, "Not Found");
      break;
    case Endpoint::kMethodNotAllowed:
      reply = ErrorReply(405, "Method Not Allowed");
      break;
    case Endpoint::kHealthLive:
      reply = EmptyReply(200);
      break;
    case Endpoint::kHealthReady:
      // Triton answers 400 while not ready; probes only look at the status.
      reply = EmptyReply(service->IsReady() ? 200 : 400);
      break;
    case Endpoint::kModelReady:
      reply = EmptyReply(service->IsModelReady(route.model, route.version) ? 200 : 400);
      break;
    case Endpoint::kServerMetadata: {
      inference::ServerMetadataResponse response;
      service->GetServerMetadata(response);
      reply = JsonReply(ProtoJson(response));
      break;
    }
    case Endpoint::kModelMetadata:
      reply = ModelQuery<inference::ModelMetadataRequest, inference::ModelMetadataResponse>(
          route, &InferenceService::GetModelMetadata,
          [](const inference::ModelMetadataResponse& r) -> const auto& { return r; });
      break;
    case Endpoint::kModelConfig:
      // Triton answers the configuration itself, not a response wrapping it.
      reply = ModelQuery<inference::ModelConfigRequest, inference::ModelConfigResponse>(
          route, &InferenceService::GetModelConfig,
          [](const inference::ModelConfigResponse& r) -> const auto& { return r.config(); });
      break;
    case Endpoint::kModelStatistics:
      reply = ModelQuery<inference::ModelStatisticsRequest, inference::ModelStatisticsResponse>(
          route, &InferenceService::GetModelStatistics,
          [](const inference::ModelStatisticsResponse& r) -> const auto& { return r; });
      break;
    case Endpoint::kModelInfer:
      reply = Infer(connection, route, body);
      break;
    case Endpoint::kRepositoryIndex:
    case Endpoint::kModelLoad:
    case Endpoint::kModelUnload:
      reply = Repository(route, body);
      break;
    case Endpoint::kLogging:
      reply = Logging(info, body);
      break;
    case Endpoint::kTrace:
      reply = ErrorReply(InferenceService::TraceUnsupported());
      break;
    case Endpoint::kSystemSharedMemory:
      reply = SystemSharedMemory(method, path, body);
      break;
    case Endpoint::kCudaSharedMemory:
      reply = ErrorReply(InferenceService::CudaSharedMemoryUnsupported());
      break;
  }
  reply.held = std::move(held);
  return reply;
}

Reply HttpServer::Shared::Infer(mg_connection* connection, const Route& route,
                                std::string_view body) {
  std::optional<size_t> json_size;
  if (const char* header = mg_get_header(connection, "Inference-Header-Content-Length")) {
    auto parsed = ParseInferenceHeaderLength(header, body.size());
    if (!parsed.ok()) return ErrorReply(parsed.status());
    json_size = *parsed;
  }
  auto request = ParseHttpInferRequest(body, json_size);
  if (!request.ok()) return ErrorReply(request.status());
  request->message->set_model_name(route.model);
  request->message->set_model_version(route.version);
  std::shared_ptr<const inference::ModelInferRequest> message = request->message;
  // No deadline but the request's own `timeout` parameter, as for a gRPC call without one.
  auto outcome = Await<InferenceOutcome>([&](std::function<void(InferenceOutcome)> done) {
    service->StartInference(message, absl::InfiniteFuture(), std::move(done));
  });
  if (!outcome.has_value()) {
    absl::MutexLock lock(&mutex);
    return ErrorReply(*abort);
  }
  if (!outcome->status.ok()) return ErrorReply(outcome->status);
  auto encoded = EncodeHttpInferResponse(outcome->response, *request);
  if (!encoded.ok()) return ErrorReply(encoded.status());
  Reply reply;
  reply.body = std::move(encoded->body);
  reply.json_size = encoded->json_size;
  if (reply.json_size.has_value()) reply.content_type = "application/octet-stream";
  return reply;
}

Reply HttpServer::Shared::Repository(const Route& route, std::string_view body) {
  if (route.endpoint == Endpoint::kRepositoryIndex) {
    auto request = ParseRepositoryIndexBody(body);
    if (!request.ok()) return ErrorReply(request.status());
    inference::RepositoryIndexResponse response;
    service->GetRepositoryIndex(*request, response);
    return JsonReply(RepositoryIndexJson(response));
  }
  auto parameters = ParseRepositoryParametersBody(body);
  if (!parameters.ok()) return ErrorReply(parameters.status());
  const bool load = route.endpoint == Endpoint::kModelLoad;
  auto status = Await<absl::Status>([&](std::function<void(absl::Status)> done) {
    if (load) {
      inference::RepositoryModelLoadRequest request;
      request.set_model_name(route.model);
      *request.mutable_parameters() = *parameters;
      service->LoadModel(request, std::move(done));
    } else {
      // Unload parameters (Triton's unload_dependents) change nothing: inferd has no ensembles.
      inference::RepositoryModelUnloadRequest request;
      request.set_model_name(route.model);
      service->UnloadModel(request, std::move(done));
    }
  });
  if (!status.has_value()) {
    absl::MutexLock lock(&mutex);
    return ErrorReply(*abort);
  }
  return status->ok() ? EmptyReply(200) : ErrorReply(*status);
}

Reply HttpServer::Shared::Logging(const mg_request_info& info, std::string_view body) {
  inference::LogSettingsRequest request;
  if (std::strcmp(info.request_method, "POST") == 0) {
    auto parsed = ParseLogSettingsBody(body);
    if (!parsed.ok()) return ErrorReply(parsed.status());
    request = *std::move(parsed);
  }
  inference::LogSettingsResponse response;
  auto status = service->UpdateLogSettings(request, response);
  return status.ok() ? JsonReply(LogSettingsJson(response)) : ErrorReply(status);
}

Reply HttpServer::Shared::SystemSharedMemory(std::string_view method, std::string_view path,
                                             std::string_view body) {
  const SharedMemoryRoute route = MatchSharedMemoryRoute(method, path);
  using Call = SharedMemoryRoute::Call;
  switch (route.call) {
    case Call::kNotFound:
      return ErrorReply(404, "Not Found");
    case Call::kMethodNotAllowed:
      return ErrorReply(405, "Method Not Allowed");
    case Call::kStatus: {
      auto regions = service->SharedMemoryStatus(route.region);
      return regions.ok() ? JsonReply(SharedMemoryStatusJson(*regions))
                          : ErrorReply(regions.status());
    }
    case Call::kRegister: {
      auto registration = ParseSharedMemoryRegisterBody(body);
      if (!registration.ok()) return ErrorReply(registration.status());
      const absl::Status status = service->RegisterSharedMemory(
          route.region, registration->key, registration->offset, registration->byte_size);
      return status.ok() ? EmptyReply(200) : ErrorReply(status);
    }
    case Call::kUnregister: {
      const absl::Status status = service->UnregisterSharedMemory(route.region);
      return status.ok() ? EmptyReply(200) : ErrorReply(status);
    }
  }
  return ErrorReply(404, "Not Found");
}

namespace {

int HandleRequest(mg_connection* connection, void* data) {
  auto* shared = static_cast<HttpServer::Shared*>(data);
  Reply reply;
  try {
    reply = shared->Serve(connection);
  } catch (const std::exception& error) {
    // Nothing above should throw; an exception must not cross civetweb's C frames either way.
    spdlog::error("http: request failed: {}", error.what());
    reply = ErrorReply(500, "internal error");
  }
  SendHttpReply(connection, reply);
  return reply.status;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(InferenceService* service,
                                                              const HttpServerOptions& options) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->shared_ = std::make_shared<Shared>();
  server->shared_->service = service;
  server->shared_->options = options;
  const std::string address = CivetwebListeningPort(options.address, options.port);
  // civetweb's "s" suffix: this port speaks TLS only.
  const std::string listening = options.tls != nullptr ? address + "s" : address;
  const std::string threads = std::to_string(options.threads);
  // tcp_nodelay: civetweb writes a reply in several pieces; with Nagle's algorithm each piece
  // after the first waits for the client's delayed ACK, so every request after the first on a
  // kept-alive connection took 40 ms more (benchmarks/protocol/README.md).
  std::vector<const char*> configuration = {
      "listening_ports",       listening.c_str(),   "num_threads",       threads.c_str(),
      "connection_queue",      kConnectionQueue,    "max_request_size",  kMaxHeaderBytes,
      "request_timeout_ms",    kRequestTimeoutMs,   "enable_keep_alive", "yes",
      "keep_alive_timeout_ms", kKeepAliveTimeoutMs, "tcp_nodelay",       "1"};
  mg_callbacks callbacks{};
  callbacks.log_message = LogMessage;
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = nullptr;
  if (options.tls != nullptr) {
    // TLS 1.2 and later (4); HttpTls::Configure sets the same lowest version on the context.
    configuration.insert(configuration.end(), {"ssl_protocol_version", "4"});
    callbacks.init_ssl = ConfigureTls;
    init.user_data = options.tls;
  }
  configuration.push_back(nullptr);
  init.configuration_options = configuration.data();
  if (options.tls != nullptr) {
    if (auto status = LoadOpenSslForCivetweb(); !status.ok()) {
      return absl::UnavailableError(status.message());
    }
  }
  auto context =
      StartCivetweb(init, absl::StrCat("HTTP", options.tls != nullptr ? "S" : "", " on ", address));
  if (!context.ok()) return context.status();
  server->context_ = *context;
  // Every path goes to one handler, which routes it (a path under no endpoint gets 404).
  mg_set_request_handler(server->context_, "/", HandleRequest, server->shared_.get());
  mg_server_port port{};
  server->port_ = mg_get_server_ports(server->context_, 1, &port) == 1 ? port.port : options.port;
  server->connect_host_ = LoopbackHostFor(options.address);
  return server;
}

size_t HttpServer::AbortWaiting(const absl::Status& status) {
  absl::MutexLock lock(&shared_->mutex);
  shared_->abort = status;
  return shared_->waiting;
}

HttpServer::~HttpServer() {
  // The daemon stops this server after the engine has answered every request, so normally no
  // worker waits; one that still does must not hold the stop forever.
  {
    absl::MutexLock lock(&shared_->mutex);
    if (!shared_->abort.has_value()) {
      shared_->abort = absl::UnavailableError("the server is shutting down");
    }
  }
  StopCivetwebListener(connect_host_, port_, [this] { mg_stop(context_); });
  mg_exit_library();
}

}  // namespace inferd::http

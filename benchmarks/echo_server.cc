// inferd_echo_server: a bare gRPC server that answers ModelInfer (and each request of a
// ModelStreamInfer stream) with the request's own tensors, the cost floor of gRPC + protobuf that
// inferd's serving figures are read against. With --http-port it also answers KServe v2's HTTP
// infer the same way (echo_http_server.h), the floor of inferd's HTTP/REST figures.
//
// By default it uses gRPC's callback API, as inferd's InferenceService does, so that the two differ
// only by what inferd does between decoding a request and encoding its answer; --api=sync serves
// the same answers from the synchronous API's thread pool, to see what the choice of API costs.
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "benchmarks/echo_http_server.h"
#include "benchmarks/serving/dashed_flags.h"
#include "inference.grpc.pb.h"

ABSL_FLAG(int, port, 0, "TCP port to listen on; 0 picks a free one");
ABSL_FLAG(std::string, address, "127.0.0.1", "address to bind; loopback unless told otherwise");
ABSL_FLAG(std::string, api, "callback",
          "gRPC server API: 'callback' (what inferd uses) or 'sync' (thread-pool handlers)");
ABSL_FLAG(std::optional<int>, http_port, std::nullopt,
          "also serve HTTP/REST infer on this port (0 picks a free one); off unless given");
ABSL_FLAG(int, http_threads, 16,
          "civetweb workers of the HTTP listener; each serves one kept-alive connection at a time");

namespace inferd::bench {
namespace {

// Fills `response` with `request`'s tensors: every input comes back as an output of the same name,
// type and shape. The request is fully parsed and the response fully built, as a real server must,
// so nothing is skipped that inferd could skip.
void EchoTensors(const inference::ModelInferRequest& request,
                 inference::ModelInferResponse& response) {
  response.set_model_name(request.model_name());
  response.set_model_version(request.model_version());
  response.set_id(request.id());
  for (const auto& input : request.inputs()) {
    auto* output = response.add_outputs();
    output->set_name(input.name());
    output->set_datatype(input.datatype());
    *output->mutable_shape() = input.shape();
    if (input.has_contents()) *output->mutable_contents() = input.contents();
  }
  *response.mutable_raw_output_contents() = request.raw_input_contents();
}

// One ModelStreamInfer call: reads a request, writes its echo, reads the next; the stream ends
// with OK when the client half-closes. One request at a time, on the gRPC thread that delivered
// it: a client that sends ahead is held back by flow control, which a closed-loop client (one
// request outstanding per stream) never meets.
class StreamEchoReactor final
    : public grpc::ServerBidiReactor<inference::ModelInferRequest,
                                     inference::ModelStreamInferResponse> {
 public:
  StreamEchoReactor() { StartRead(&request_); }

  void OnReadDone(bool ok) override {
    if (!ok) {  // half-closed, cancelled or broken: nothing is being written
      Finish(grpc::Status::OK);
      return;
    }
    response_.Clear();
    EchoTensors(request_, *response_.mutable_infer_response());
    StartWrite(&response_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);
      return;
    }
    StartRead(&request_);
  }

  void OnDone() override { delete this; }

 private:
  inference::ModelInferRequest request_;
  inference::ModelStreamInferResponse response_;
};

// Answers on the gRPC thread that delivered the request, through the context's default reactor:
// the cheapest completion the callback API offers.
class CallbackEchoService final : public inference::GRPCInferenceService::CallbackService {
 public:
  grpc::ServerUnaryReactor* ServerLive(grpc::CallbackServerContext* context,
                                       const inference::ServerLiveRequest*,
                                       inference::ServerLiveResponse* response) override {
    response->set_live(true);
    return FinishOk(context);
  }

  // Answered so that the load generator's --wait-ready treats both servers the same way.
  grpc::ServerUnaryReactor* ServerReady(grpc::CallbackServerContext* context,
                                        const inference::ServerReadyRequest*,
                                        inference::ServerReadyResponse* response) override {
    response->set_ready(true);
    return FinishOk(context);
  }

  grpc::ServerUnaryReactor* ModelInfer(grpc::CallbackServerContext* context,
                                       const inference::ModelInferRequest* request,
                                       inference::ModelInferResponse* response) override {
    EchoTensors(*request, *response);
    return FinishOk(context);
  }

  grpc::ServerBidiReactor<inference::ModelInferRequest, inference::ModelStreamInferResponse>*
  ModelStreamInfer(grpc::CallbackServerContext*) override {
    return new StreamEchoReactor();
  }

 private:
  static grpc::ServerUnaryReactor* FinishOk(grpc::CallbackServerContext* context) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

class SyncEchoService final : public inference::GRPCInferenceService::Service {
 public:
  grpc::Status ServerLive(grpc::ServerContext*, const inference::ServerLiveRequest*,
                          inference::ServerLiveResponse* response) override {
    response->set_live(true);
    return grpc::Status::OK;
  }

  grpc::Status ServerReady(grpc::ServerContext*, const inference::ServerReadyRequest*,
                           inference::ServerReadyResponse* response) override {
    response->set_ready(true);
    return grpc::Status::OK;
  }

  grpc::Status ModelInfer(grpc::ServerContext*, const inference::ModelInferRequest* request,
                          inference::ModelInferResponse* response) override {
    EchoTensors(*request, *response);
    return grpc::Status::OK;
  }

  grpc::Status ModelStreamInfer(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<inference::ModelStreamInferResponse, inference::ModelInferRequest>*
          stream) override {
    inference::ModelInferRequest request;
    inference::ModelStreamInferResponse response;
    while (stream->Read(&request)) {
      response.Clear();
      EchoTensors(request, *response.mutable_infer_response());
      if (!stream->Write(response)) break;
    }
    return grpc::Status::OK;
  }
};

// Blocks SIGINT/SIGTERM in every thread and waits for them on one, so that shutdown runs in
// ordinary code rather than in a signal handler.
void ShutDownOnSignal(grpc::Server* server, const sigset_t& signals) {
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  server->Shutdown();
}

int Run() {
  // As inferd does (server/main.cc): without it Debian's Abseil records every absl::Mutex lock of
  // gRPC's in a deadlock graph, work that no server needs, and the floor would not be the floor.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const std::string api = absl::GetFlag(FLAGS_api);
  if (api != "callback" && api != "sync") {
    std::cerr << "inferd_echo_server: --api must be 'callback' or 'sync', not '" << api << "'\n";
    return 2;
  }
  CallbackEchoService callback_service;
  SyncEchoService sync_service;
  grpc::ServerBuilder builder;
  int bound_port = 0;
  const std::string listen_address =
      absl::StrCat(absl::GetFlag(FLAGS_address), ":", absl::GetFlag(FLAGS_port));
  builder.AddListeningPort(listen_address, grpc::InsecureServerCredentials(), &bound_port);
  builder.SetMaxReceiveMessageSize(-1);
  if (api == "callback") {
    builder.RegisterService(&callback_service);
  } else {
    builder.RegisterService(&sync_service);
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port == 0) {
    std::cerr << "inferd_echo_server: cannot listen on " << listen_address << "\n";
    return 1;
  }
  std::cout << "listening on " << absl::GetFlag(FLAGS_address) << ":" << bound_port << std::endl;

  std::unique_ptr<EchoHttpServer> http;
  if (const std::optional<int> http_port = absl::GetFlag(FLAGS_http_port); http_port.has_value()) {
    absl::StatusOr<std::unique_ptr<EchoHttpServer>> started = EchoHttpServer::Start(
        absl::GetFlag(FLAGS_address), *http_port, absl::GetFlag(FLAGS_http_threads));
    if (!started.ok()) {
      std::cerr << "inferd_echo_server: " << started.status().message() << "\n";
      server->Shutdown();
      return 1;
    }
    http = *std::move(started);
    std::cout << "http listening on " << absl::GetFlag(FLAGS_address) << ":" << http->port()
              << std::endl;
  }

  std::thread waiter(ShutDownOnSignal, server.get(), signals);
  server->Wait();
  waiter.join();
  return 0;
}

}  // namespace
}  // namespace inferd::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "bare gRPC ModelInfer/ModelStreamInfer (and HTTP/REST infer) echo server, the baseline of "
      "inferd_serving_load and inferd_protocol_bench.\n"
      "  inferd_echo_server --port 0 [--http-port 0]   # prints 'listening on 127.0.0.1:PORT' "
      "(and 'http listening on 127.0.0.1:PORT')");
  std::vector<std::string> normalized = inferd::bench::NormalizeDashedFlags(argc, argv);
  std::vector<char*> normalized_argv;
  for (std::string& arg : normalized) normalized_argv.push_back(arg.data());
  absl::ParseCommandLine(static_cast<int>(normalized_argv.size()), normalized_argv.data());
  return inferd::bench::Run();
}

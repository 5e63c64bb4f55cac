// inferd_protocol_bench: one inferd daemon, measured through each of its protocols in one run with
// interleaved rounds — HTTP/REST (JSON and binary tensors) against gRPC, gRPC streaming against
// unary, and a large tensor through system shared memory against the same bytes in the request.
// With --echo-grpc/--echo-http (inferd_echo_server) every small-model subject also gets its bare
// twin, the same protocol answered by an echo, run beside it in the same rounds, and the report
// adds each subject's ratio to its twin.
//
//   inferd_protocol_bench --grpc 127.0.0.1:8001 --http 127.0.0.1:8000 --large-model large_fp32 \
//       --echo-grpc 127.0.0.1:9001 --echo-http 127.0.0.1:9000
// benchmarks/protocol/run_protocol_benchmark.sh starts the daemon and runs this.
#include <curl/curl.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "benchmarks/protocol/http_infer_body.h"
#include "benchmarks/protocol/http_infer_caller.h"
#include "benchmarks/protocol/shared_memory_input.h"
#include "benchmarks/protocol/twin_ratios.h"
#include "benchmarks/serving/channel_pool.h"
#include "benchmarks/serving/closed_loop_run.h"
#include "benchmarks/serving/concurrency_levels.h"
#include "benchmarks/serving/dashed_flags.h"
#include "benchmarks/serving/grpc_stream_caller.h"
#include "benchmarks/serving/grpc_unary_caller.h"
#include "benchmarks/serving/infer_request_set.h"
#include "benchmarks/serving/input_spec.h"
#include "benchmarks/serving/model_metadata_query.h"
#include "benchmarks/serving/serving_report.h"

ABSL_FLAG(std::string, grpc, "", "host:port of inferd's gRPC listener");
ABSL_FLAG(std::string, http, "", "host:port of the same daemon's HTTP/REST listener");
ABSL_FLAG(std::string, echo_grpc, "",
          "host:port of inferd_echo_server's gRPC listener: the bare twins of grpc and "
          "grpc_stream; empty: none");
ABSL_FLAG(std::string, echo_http, "",
          "host:port of inferd_echo_server's HTTP listener (--http-port): the bare twins of "
          "http_json and http_binary; empty: none");
ABSL_FLAG(std::string, model, "digits_int8",
          "the small model: gRPC unary, gRPC streaming, HTTP JSON and HTTP binary; empty: not "
          "measured");
ABSL_FLAG(std::string, large_model, "",
          "a model with one large input: gRPC with the bytes in the request, gRPC with them in "
          "system shared memory, HTTP binary; empty: not measured");
ABSL_FLAG(std::vector<std::string>, concurrency, std::vector<std::string>({"1", "16"}),
          "client threads per level, comma separated");
ABSL_FLAG(double, duration_s, 2.0, "timed window of one run (one subject at one level), seconds");
ABSL_FLAG(int64_t, warmup_requests, 200, "untimed requests before each small-model run");
ABSL_FLAG(int64_t, large_warmup_requests, 64,
          "untimed requests before each large-model run (the first 4 MiB requests on a new gRPC "
          "connection were slower than later ones)");
ABSL_FLAG(int, repeats, 3, "rounds; every subject runs once per level in each; medians reported");
ABSL_FLAG(int64_t, distinct_inputs, 64, "seeded small-model requests the clients cycle through");
ABSL_FLAG(uint64_t, seed, 1, "seed of the request inputs");
ABSL_FLAG(double, rpc_timeout_s, 10.0, "deadline of one request, seconds");
ABSL_FLAG(std::string, json, "", "also write the results as JSON to this file");

namespace inferd::bench {
namespace {

struct Subject {
  std::string name;
  std::string address;
  CallerFactory callers;
};

// Subjects measured against each other, with their report (ratios to the first subject).
struct Group {
  std::string model;
  std::string title;
  std::vector<Subject> subjects;
  int64_t warmup_requests = 0;
  std::unique_ptr<ServingReport> report;
  std::unique_ptr<TwinRatios> twins;
};

absl::StatusOr<InferRequestSet> BuildRequests(const std::string& model, size_t count,
                                              std::string* description) {
  absl::StatusOr<inference::ModelMetadataResponse> metadata =
      QueryModelMetadata(absl::GetFlag(FLAGS_grpc), model, "");
  if (!metadata.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("ModelMetadata for '", model, "': ", metadata.status().ToString()));
  }
  absl::StatusOr<std::vector<InputSpec>> inputs = InputSpecsFromMetadata(*metadata, 1);
  if (!inputs.ok()) return inputs.status();
  *description = DescribeInputSpecs(*inputs);
  return InferRequestSet::Build(model, "", *inputs, count, absl::GetFlag(FLAGS_seed));
}

// The HTTP bodies of every request of `requests`, in `encoding`.
absl::StatusOr<std::vector<HttpInferBody>> HttpBodies(const InferRequestSet& requests,
                                                      HttpEncoding encoding) {
  std::vector<HttpInferBody> bodies;
  for (size_t i = 0; i < requests.size(); ++i) {
    absl::StatusOr<inference::ModelInferRequest> message = requests.Message(i);
    if (!message.ok()) return message.status();
    absl::StatusOr<HttpInferBody> body = EncodeHttpInfer(*message, encoding);
    if (!body.ok()) return body.status();
    bodies.push_back(*std::move(body));
  }
  return bodies;
}

ReportSetup Setup(const std::string& model, const std::string& inputs, size_t request_bytes,
                  int64_t warmup, const std::vector<Subject>& subjects,
                  const std::vector<int>& levels) {
  ReportSetup setup;
  setup.model = model;
  setup.inputs = inputs;
  setup.request_bytes = request_bytes;
  setup.channel_mode = "per-thread (one gRPC channel or HTTP connection per client)";
  setup.window = absl::StrFormat("%.1f s", absl::GetFlag(FLAGS_duration_s));
  setup.warmup_requests = warmup;
  setup.repeats = absl::GetFlag(FLAGS_repeats);
  setup.seed = absl::GetFlag(FLAGS_seed);
  for (const Subject& subject : subjects) setup.targets.push_back({subject.name, subject.address});
  setup.concurrency_levels = levels;
  setup.baseline = subjects.front().name;
  return setup;
}

absl::Status RunBenchmark() {
  const std::string grpc_address = absl::GetFlag(FLAGS_grpc);
  const std::string http_address = absl::GetFlag(FLAGS_http);
  if (grpc_address.empty() || http_address.empty()) {
    return absl::InvalidArgumentError("give both --grpc and --http (host:port)");
  }
  absl::StatusOr<std::vector<int>> levels =
      ParseConcurrencyLevels(absl::GetFlag(FLAGS_concurrency), 256);
  if (!levels.ok()) return levels.status();
  const int repeats = absl::GetFlag(FLAGS_repeats);
  if (repeats < 1) return absl::InvalidArgumentError("--repeats must be at least 1");
  const absl::Duration rpc_timeout = absl::Seconds(absl::GetFlag(FLAGS_rpc_timeout_s));
  const int max_level = *std::max_element(levels->begin(), levels->end());
  // One channel per client thread, shared by the gRPC subjects (they never run at the same time).
  ChannelPool channels(grpc_address, ChannelMode::kPerThread, max_level);
  const std::string echo_grpc_address = absl::GetFlag(FLAGS_echo_grpc);
  const std::string echo_http_address = absl::GetFlag(FLAGS_echo_http);
  std::optional<ChannelPool> echo_channels;
  if (!echo_grpc_address.empty()) {
    echo_channels.emplace(echo_grpc_address, ChannelMode::kPerThread, max_level);
  }

  std::vector<Group> groups;

  // The small model through every protocol.
  const std::string model = absl::GetFlag(FLAGS_model);
  std::optional<InferRequestSet> small;
  std::unique_ptr<HttpRequestPool> json_pool, binary_pool, echo_json_pool, echo_binary_pool;
  if (!model.empty()) {
    std::string inputs;
    absl::StatusOr<InferRequestSet> built = BuildRequests(
        model, static_cast<size_t>(std::max<int64_t>(1, absl::GetFlag(FLAGS_distinct_inputs))),
        &inputs);
    if (!built.ok()) return built.status();
    small = *std::move(built);
    absl::StatusOr<std::vector<HttpInferBody>> json_bodies =
        HttpBodies(*small, HttpEncoding::kJson);
    if (!json_bodies.ok()) return json_bodies.status();
    absl::StatusOr<std::vector<HttpInferBody>> binary_bodies =
        HttpBodies(*small, HttpEncoding::kBinary);
    if (!binary_bodies.ok()) return binary_bodies.status();
    const std::string sizes = absl::StrCat(
        "request bytes: gRPC ", small->request_bytes(), ", HTTP JSON ",
        json_bodies->front().body.size(), ", HTTP binary ", binary_bodies->front().body.size(),
        " (JSON header ", binary_bodies->front().json_header_bytes, ")");
    if (!echo_http_address.empty()) {
      echo_json_pool = std::make_unique<HttpRequestPool>(echo_http_address, *json_bodies);
      echo_binary_pool = std::make_unique<HttpRequestPool>(echo_http_address, *binary_bodies);
    }
    json_pool = std::make_unique<HttpRequestPool>(http_address, *std::move(json_bodies));
    binary_pool = std::make_unique<HttpRequestPool>(http_address, *std::move(binary_bodies));

    Group group;
    group.model = model;
    group.title = absl::StrCat(model, ": HTTP/REST and gRPC streaming against gRPC unary\n", sizes);
    group.warmup_requests = absl::GetFlag(FLAGS_warmup_requests);
    // Each twin right after its subject: the two runs a twin ratio compares are adjacent in time.
    std::vector<TwinPair> pairs;
    auto add = [&](Subject subject, std::optional<Subject> twin) {
      group.subjects.push_back(std::move(subject));
      if (!twin.has_value()) return;
      pairs.push_back({group.subjects.back().name, twin->name});
      group.subjects.push_back(*std::move(twin));
    };
    auto echo_grpc =
        [&](std::string name,
            CallerFactory (*callers)(const ChannelPool&, const InferRequestSet&, absl::Duration)) {
          return echo_channels.has_value()
                     ? std::optional<Subject>(Subject{std::move(name), echo_grpc_address,
                                                      callers(*echo_channels, *small, rpc_timeout)})
                     : std::nullopt;
        };
    auto echo_http = [&](std::string name, const std::unique_ptr<HttpRequestPool>& pool) {
      return pool != nullptr ? std::optional<Subject>(Subject{std::move(name), echo_http_address,
                                                              HttpInferCallers(*pool, rpc_timeout)})
                             : std::nullopt;
    };
    add({"grpc", grpc_address, GrpcUnaryCallers(channels, *small, rpc_timeout)},
        echo_grpc("echo_grpc", GrpcUnaryCallers));
    add({"grpc_stream", grpc_address, GrpcStreamCallers(channels, *small, rpc_timeout)},
        echo_grpc("echo_grpc_stream", GrpcStreamCallers));
    add({"http_json", http_address, HttpInferCallers(*json_pool, rpc_timeout)},
        echo_http("echo_http_json", echo_json_pool));
    add({"http_binary", http_address, HttpInferCallers(*binary_pool, rpc_timeout)},
        echo_http("echo_http_binary", echo_binary_pool));
    group.report = std::make_unique<ServingReport>(Setup(
        model, inputs, small->request_bytes(), group.warmup_requests, group.subjects, *levels));
    group.twins = std::make_unique<TwinRatios>(model, std::move(pairs), *levels);
    groups.push_back(std::move(group));
  }

  // One large tensor: in the request, in shared memory, over HTTP as binary data.
  const std::string large_model = absl::GetFlag(FLAGS_large_model);
  std::string large_inputs;
  std::optional<InferRequestSet> large, large_shm;
  std::unique_ptr<SharedMemoryInput> region;
  std::unique_ptr<HttpRequestPool> large_binary_pool;
  if (!large_model.empty()) {
    // One request: the region holds exactly its bytes.
    absl::StatusOr<InferRequestSet> inline_set = BuildRequests(large_model, 1, &large_inputs);
    if (!inline_set.ok()) return inline_set.status();
    large = *std::move(inline_set);
    absl::StatusOr<inference::ModelInferRequest> message = large->Message(0);
    if (!message.ok()) return message.status();
    if (message->inputs_size() != 1) {
      return absl::InvalidArgumentError("--large-model must have exactly one input");
    }
    absl::StatusOr<std::unique_ptr<SharedMemoryInput>> created = SharedMemoryInput::Create(
        grpc_address, "protocol_bench_input", message->raw_input_contents(0));
    if (!created.ok()) return created.status();
    region = *std::move(created);
    absl::StatusOr<inference::ModelInferRequest> by_reference = region->Refer(*message, 0);
    if (!by_reference.ok()) return by_reference.status();
    absl::StatusOr<InferRequestSet> shm_set = InferRequestSet::FromMessages({*by_reference});
    if (!shm_set.ok()) return shm_set.status();
    large_shm = *std::move(shm_set);
    absl::StatusOr<std::vector<HttpInferBody>> bodies = HttpBodies(*large, HttpEncoding::kBinary);
    if (!bodies.ok()) return bodies.status();
    const size_t http_bytes = bodies->front().body.size();
    large_binary_pool = std::make_unique<HttpRequestPool>(http_address, *std::move(bodies));

    Group group;
    group.model = large_model;
    group.title = absl::StrCat(large_model,
                               ": the input in system shared memory against the same bytes in the "
                               "request (grpc, shared memory's own baseline; no echo twin: an "
                               "echo would send the 4 MiB back)\nrequest bytes: gRPC ",
                               large->request_bytes(), ", gRPC with shared memory ",
                               large_shm->request_bytes(), ", HTTP binary ", http_bytes);
    group.warmup_requests = absl::GetFlag(FLAGS_large_warmup_requests);
    group.subjects = {
        {"grpc", grpc_address, GrpcUnaryCallers(channels, *large, rpc_timeout)},
        {"grpc_shm", grpc_address, GrpcUnaryCallers(channels, *large_shm, rpc_timeout)},
        {"http_binary", http_address, HttpInferCallers(*large_binary_pool, rpc_timeout)},
    };
    group.report =
        std::make_unique<ServingReport>(Setup(large_model, large_inputs, large->request_bytes(),
                                              group.warmup_requests, group.subjects, *levels));
    groups.push_back(std::move(group));
  }

  if (groups.empty()) return absl::InvalidArgumentError("--model and --large-model are both empty");

  ClosedLoopOptions options;
  options.duration = absl::Seconds(absl::GetFlag(FLAGS_duration_s));
  // Rounds outermost, subjects innermost: the runs a ratio compares are adjacent in time, and each
  // round sweeps every group and level, so slow drift (another build starting) touches them all.
  // Odd rounds reverse the subject order so that none always runs first after a pause.
  for (int repeat = 0; repeat < repeats; ++repeat) {
    for (Group& group : groups) {
      options.warmup_requests = group.warmup_requests;
      for (int level : *levels) {
        options.concurrency = level;
        const size_t n = group.subjects.size();
        for (size_t k = 0; k < n; ++k) {
          const Subject& subject = group.subjects[repeat % 2 == 0 ? k : n - 1 - k];
          options.target = absl::StrCat(subject.name, " (", subject.address, ")");
          absl::StatusOr<ClosedLoopResult> run = RunClosedLoop(subject.callers, options);
          if (!run.ok()) {
            return absl::Status(run.status().code(),
                                absl::StrCat(subject.name, " at concurrency ", level, ": ",
                                             run.status().message()));
          }
          std::cerr << absl::StrFormat(
              "round %d/%d %-12s %-16s conc %3d: %8d req %10.1f req/s p50 %9.1f us p99 %9.1f "
              "us%s\n",
              repeat + 1, repeats, group.model, subject.name, level, run->requests,
              run->throughput_rps, run->latency.p50_us, run->latency.p99_us,
              run->errors > 0 ? absl::StrCat(" errors ", run->errors, ": ", run->first_error) : "");
          group.report->Add(subject.name, *run);
          if (group.twins != nullptr) group.twins->Add(subject.name, *run);
        }
      }
    }
  }

  std::string json = "{\n\"groups\": [\n";
  std::string twin_json;
  for (size_t g = 0; g < groups.size(); ++g) {
    std::cout << "== " << groups[g].title << "\n" << groups[g].report->FormatTable() << "\n";
    absl::StrAppend(&json, g > 0 ? ",\n" : "", groups[g].report->ToJson());
    if (groups[g].twins != nullptr && !groups[g].twins->empty()) {
      std::cout << groups[g].twins->FormatTable() << "\n";
      absl::StrAppend(&twin_json, twin_json.empty() ? "" : ",\n", "\"", groups[g].model,
                      "\": ", groups[g].twins->ToJson());
    }
  }
  absl::StrAppend(&json, "],\n\"twin_ratios\": {\n", twin_json, "}\n}\n");
  std::cout << std::flush;
  return WriteReportFile(absl::GetFlag(FLAGS_json), json);
}

}  // namespace
}  // namespace inferd::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "one inferd daemon through gRPC (unary, streaming, shared memory) and HTTP/REST (JSON, "
      "binary), interleaved.\n"
      "  inferd_protocol_bench --grpc HOST:PORT --http HOST:PORT [--model digits_int8] "
      "[--large-model NAME]");
  if (!inferd::bench::ParseDashedCommandLine(argc, argv)) return 2;
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::cerr << "inferd_protocol_bench: curl_global_init failed\n";
    return 1;
  }
  const absl::Status status = inferd::bench::RunBenchmark();
  curl_global_cleanup();
  if (!status.ok()) {
    std::cerr << "inferd_protocol_bench: " << status << "\n";
    return 1;
  }
  return 0;
}

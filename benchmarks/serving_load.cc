// inferd_serving_load: closed-loop ModelInfer load generator that measures inferd beside a bare
// gRPC echo server with the same request bytes, so each figure comes with its cost floor.
//
//   inferd_serving_load --inferd 127.0.0.1:8001 --echo 127.0.0.1:9001 --model digits_fp32
//   inferd_serving_load --wait-ready 127.0.0.1:8001 --model digits_fp32
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "benchmarks/serving/channel_pool.h"
#include "benchmarks/serving/closed_loop_run.h"
#include "benchmarks/serving/concurrency_levels.h"
#include "benchmarks/serving/dashed_flags.h"
#include "benchmarks/serving/grpc_unary_caller.h"
#include "benchmarks/serving/infer_request_set.h"
#include "benchmarks/serving/input_spec.h"
#include "benchmarks/serving/model_load_cycles.h"
#include "benchmarks/serving/model_metadata_query.h"
#include "benchmarks/serving/serving_report.h"
#include "inference.grpc.pb.h"

ABSL_FLAG(std::string, inferd, "", "host:port of the inferd daemon under test (target 'inferd')");
ABSL_FLAG(std::string, echo, "", "host:port of inferd_echo_server (target 'echo', the baseline)");
ABSL_FLAG(std::vector<std::string>, target, {},
          "further targets as name=host:port, comma separated; measured after --inferd/--echo");
ABSL_FLAG(std::string, baseline, "echo", "target the ratios divide by; empty: no ratios");
ABSL_FLAG(std::string, model, "",
          "model name sent in every request (empty: digits_fp32); with --wait_ready, also wait "
          "until this model is ready");
ABSL_FLAG(std::string, model_version, "", "model version; empty: the server's choice");
ABSL_FLAG(std::string, input_spec, "",
          "inputs as name:DATATYPE:d0xd1x..., ';'-separated; empty: ask the targets' "
          "ModelMetadata (the echo server has none)");
ABSL_FLAG(int64_t, batch, 1, "size given to variable (-1) dimensions in the model metadata");
ABSL_FLAG(std::vector<std::string>, concurrency, std::vector<std::string>({"1", "4", "16"}),
          "client threads per level, comma separated");
ABSL_FLAG(double, duration_s, 2.0, "timed window of one run (one target at one level), seconds");
ABSL_FLAG(int64_t, requests, 0,
          "if > 0, end each run after this many requests instead (still bounded by "
          "--level_timeout_s)");
ABSL_FLAG(double, level_timeout_s, 60.0, "upper bound of a --requests run, seconds");
ABSL_FLAG(int64_t, warmup_requests, 200, "untimed requests before each run, shared by its threads");
ABSL_FLAG(int, repeats, 3, "runs of every (level, target) pair; the report gives medians");
ABSL_FLAG(std::string, channels, "per-thread",
          "'per-thread': one connection per client thread; 'shared': one for all threads");
ABSL_FLAG(int64_t, distinct_inputs, 64,
          "size of the seeded request pool the clients cycle through");
ABSL_FLAG(uint64_t, seed, 1, "seed of the request inputs");
ABSL_FLAG(double, rpc_timeout_s, 10.0, "deadline of one ModelInfer call, seconds");
ABSL_FLAG(std::string, json, "", "also write the results as JSON to this file");
ABSL_FLAG(std::string, wait_ready, "",
          "instead of measuring: poll ServerReady (and ModelReady when --model is given) on these "
          "comma-separated host:port until all answer ready; exit 0 then, 1 "
          "at --wait_timeout_s");
ABSL_FLAG(double, wait_timeout_s, 30.0, "how long --wait_ready polls, seconds");
ABSL_FLAG(int, load_unload_cycles, 0,
          "instead of measuring: load and unload --model this many times on --inferd (which must "
          "run with --model-control-mode=explicit), one after the other, then exit");

namespace inferd::bench {
namespace {

std::unique_ptr<inference::GRPCInferenceService::Stub> MakeStub(const std::string& address) {
  grpc::ChannelArguments args;
  // Keep this channel's connection to itself: a connection shared through gRPC's global subchannel
  // pool may still be backing off from an earlier refused attempt.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return inference::GRPCInferenceService::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

std::string GrpcStatusText(const grpc::Status& status) {
  // gRPC and Abseil number their status codes alike.
  return absl::StrCat(absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
                      status.error_message().empty() ? "" : ": ", status.error_message());
}

// One readiness probe: OK only when the server, and `model` when non-empty, say they are ready.
absl::Status ProbeReady(inference::GRPCInferenceService::Stub& stub, const std::string& model,
                        const std::string& version) {
  grpc::ClientContext server_context;
  server_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
  inference::ServerReadyResponse server_ready;
  grpc::Status status =
      stub.ServerReady(&server_context, inference::ServerReadyRequest(), &server_ready);
  if (!status.ok()) return absl::UnavailableError("ServerReady: " + GrpcStatusText(status));
  if (!server_ready.ready()) return absl::UnavailableError("server answers not ready");
  if (model.empty()) return absl::OkStatus();
  grpc::ClientContext model_context;
  model_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
  inference::ModelReadyRequest request;
  request.set_name(model);
  request.set_version(version);
  inference::ModelReadyResponse model_ready;
  status = stub.ModelReady(&model_context, request, &model_ready);
  if (!status.ok()) return absl::UnavailableError("ModelReady: " + GrpcStatusText(status));
  if (!model_ready.ready()) return absl::UnavailableError("model '" + model + "' is not ready");
  return absl::OkStatus();
}

int WaitReady(const std::vector<std::string>& addresses, const std::string& model,
              const std::string& version, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  for (const std::string& address : addresses) {
    absl::Status last;
    // A fresh channel per probe: a channel whose connection was refused backs off for a second or
    // more before trying again, which would add that much to a server's apparent start-up time.
    while (!(last = ProbeReady(*MakeStub(address), model, version)).ok()) {
      if (absl::Now() >= give_up) {
        std::cerr << address << " not ready after " << absl::FormatDuration(timeout) << ": "
                  << last.message() << "\n";
        return 1;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    std::cerr << address << " ready\n";
  }
  return 0;
}

// The inputs to send: from --input_spec, else from the first target whose ModelMetadata answers.
// A target that does not implement ModelMetadata (the echo server) is skipped; any other failure
// (unknown model, say) ends the run, since the benchmark would only measure error replies.
absl::StatusOr<std::vector<InputSpec>> ResolveInputs(const std::vector<ReportTarget>& targets,
                                                     const std::string& model,
                                                     const std::string& version) {
  if (!absl::GetFlag(FLAGS_input_spec).empty()) {
    return ParseInputSpecs(absl::GetFlag(FLAGS_input_spec));
  }
  for (const ReportTarget& target : targets) {
    absl::StatusOr<inference::ModelMetadataResponse> metadata =
        QueryModelMetadata(target.address, model, version);
    if (metadata.status().code() == absl::StatusCode::kUnimplemented) continue;
    if (!metadata.ok()) {
      return absl::FailedPreconditionError(absl::StrCat("ModelMetadata for '", model, "' from ",
                                                        target.name, " (", target.address,
                                                        "): ", metadata.status().ToString()));
    }
    return InputSpecsFromMetadata(*metadata, absl::GetFlag(FLAGS_batch));
  }
  return absl::FailedPreconditionError(
      "no target answers ModelMetadata; pass --input-spec=name:DATATYPE:d0xd1x...");
}

absl::StatusOr<std::vector<ReportTarget>> CollectTargets() {
  std::vector<ReportTarget> targets;
  if (!absl::GetFlag(FLAGS_inferd).empty())
    targets.push_back({"inferd", absl::GetFlag(FLAGS_inferd)});
  if (!absl::GetFlag(FLAGS_echo).empty()) targets.push_back({"echo", absl::GetFlag(FLAGS_echo)});
  for (const std::string& entry : absl::GetFlag(FLAGS_target)) {
    std::pair<std::string, std::string> parts = absl::StrSplit(entry, absl::MaxSplits('=', 1));
    if (parts.first.empty() || parts.second.empty()) {
      return absl::InvalidArgumentError("--target '" + entry + "' is not name=host:port");
    }
    targets.push_back({parts.first, parts.second});
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (targets[i].name == targets[j].name) {
        return absl::InvalidArgumentError("two targets are named '" + targets[i].name + "'");
      }
    }
  }
  if (targets.empty()) {
    return absl::InvalidArgumentError("no target: give --inferd, --echo or --target");
  }
  return targets;
}

absl::Status RunBenchmark() {
  absl::StatusOr<std::vector<ReportTarget>> targets = CollectTargets();
  if (!targets.ok()) return targets.status();
  absl::StatusOr<std::vector<int>> levels =
      ParseConcurrencyLevels(absl::GetFlag(FLAGS_concurrency), 1024);
  if (!levels.ok()) return levels.status();
  absl::StatusOr<ChannelMode> channel_mode = ParseChannelMode(absl::GetFlag(FLAGS_channels));
  if (!channel_mode.ok()) return channel_mode.status();
  const int repeats = absl::GetFlag(FLAGS_repeats);
  if (repeats < 1) return absl::InvalidArgumentError("--repeats must be at least 1");
  const std::string model =
      absl::GetFlag(FLAGS_model).empty() ? "digits_fp32" : absl::GetFlag(FLAGS_model);
  const std::string version = absl::GetFlag(FLAGS_model_version);

  absl::StatusOr<std::vector<InputSpec>> inputs = ResolveInputs(*targets, model, version);
  if (!inputs.ok()) return inputs.status();
  absl::StatusOr<InferRequestSet> requests = InferRequestSet::Build(
      model, version, *inputs,
      static_cast<size_t>(std::max<int64_t>(1, absl::GetFlag(FLAGS_distinct_inputs))),
      absl::GetFlag(FLAGS_seed));
  if (!requests.ok()) return requests.status();

  ClosedLoopOptions options;
  options.warmup_requests = absl::GetFlag(FLAGS_warmup_requests);
  options.max_requests = absl::GetFlag(FLAGS_requests);
  options.duration = absl::Seconds(options.max_requests > 0 ? absl::GetFlag(FLAGS_level_timeout_s)
                                                            : absl::GetFlag(FLAGS_duration_s));
  const absl::Duration rpc_timeout = absl::Seconds(absl::GetFlag(FLAGS_rpc_timeout_s));

  ReportSetup setup;
  setup.model = model;
  setup.inputs = DescribeInputSpecs(*inputs);
  setup.request_bytes = requests->request_bytes();
  setup.channel_mode = ChannelModeName(*channel_mode);
  setup.window = options.max_requests > 0
                     ? absl::StrCat(options.max_requests, " requests")
                     : absl::StrFormat("%.1f s", absl::GetFlag(FLAGS_duration_s));
  setup.warmup_requests = options.warmup_requests;
  setup.repeats = repeats;
  setup.seed = absl::GetFlag(FLAGS_seed);
  setup.targets = *targets;
  setup.concurrency_levels = *levels;
  for (const ReportTarget& target : *targets) {
    if (target.name == absl::GetFlag(FLAGS_baseline)) setup.baseline = target.name;
  }
  ServingReport report(setup);

  const int max_level = *std::max_element(levels->begin(), levels->end());
  std::vector<std::unique_ptr<ChannelPool>> pools;
  for (const ReportTarget& target : *targets) {
    pools.push_back(std::make_unique<ChannelPool>(target.address, *channel_mode, max_level));
  }

  // Repeats outermost, targets innermost: the runs a ratio compares are adjacent in time, and
  // each repeat sweeps all levels so slow drift (another build starting) touches every level.
  // Odd repeats reverse the target order so neither target always runs on a freshly idle machine.
  for (int repeat = 0; repeat < repeats; ++repeat) {
    for (int level : *levels) {
      options.concurrency = level;
      for (size_t k = 0; k < targets->size(); ++k) {
        const size_t t = repeat % 2 == 0 ? k : targets->size() - 1 - k;
        const ReportTarget& target = (*targets)[t];
        options.target = target.address;
        absl::StatusOr<ClosedLoopResult> run =
            RunClosedLoop(GrpcUnaryCallers(*pools[t], *requests, rpc_timeout), options);
        if (!run.ok()) {
          return absl::Status(
              run.status().code(),
              absl::StrCat(target.name, " at concurrency ", level, ": ", run.status().message()));
        }
        std::cerr << absl::StrFormat(
            "repeat %d/%d %-8s conc %3d: %8d req %10.1f req/s p50 %8.1f us p99 %8.1f us%s\n",
            repeat + 1, repeats, target.name, level, run->requests, run->throughput_rps,
            run->latency.p50_us, run->latency.p99_us,
            run->errors > 0 ? absl::StrCat(" errors ", run->errors, ": ", run->first_error) : "");
        report.Add(target.name, *run);
      }
    }
  }

  std::cout << report.FormatTable() << std::flush;
  return WriteReportFile(absl::GetFlag(FLAGS_json), report.ToJson());
}

}  // namespace
}  // namespace inferd::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "closed-loop ModelInfer load against inferd and a bare gRPC echo baseline.\n"
      "  inferd_serving_load --inferd HOST:PORT --echo HOST:PORT --model digits_fp32\n"
      "  inferd_serving_load --wait_ready HOST:PORT[,HOST:PORT] [--model NAME]\n"
      "  inferd_serving_load --inferd HOST:PORT --model NAME --load_unload_cycles 1000");
  if (!inferd::bench::ParseDashedCommandLine(argc, argv)) return 2;
  if (const std::string wait = absl::GetFlag(FLAGS_wait_ready); !wait.empty()) {
    std::vector<std::string> addresses = absl::StrSplit(wait, ',', absl::SkipEmpty());
    return inferd::bench::WaitReady(addresses, absl::GetFlag(FLAGS_model),
                                    absl::GetFlag(FLAGS_model_version),
                                    absl::Seconds(absl::GetFlag(FLAGS_wait_timeout_s)));
  }
  if (const int cycles = absl::GetFlag(FLAGS_load_unload_cycles); cycles > 0) {
    if (absl::Status status = inferd::bench::LoadUnloadCycles(absl::GetFlag(FLAGS_inferd),
                                                              absl::GetFlag(FLAGS_model), cycles);
        !status.ok()) {
      std::cerr << "inferd_serving_load: " << status << "\n";
      return 1;
    }
    return 0;
  }
  if (absl::Status status = inferd::bench::RunBenchmark(); !status.ok()) {
    std::cerr << "inferd_serving_load: " << status << "\n";
    return 1;
  }
  return 0;
}

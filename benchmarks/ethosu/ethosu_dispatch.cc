// Dispatch cost of the ethosu backend's target pool over loopback TCP, against host agents
// (inferd_target_agent's core, in process):
//   BM_RawRoundTrip      the same request/response bytes echoed over a plain TCP socket;
//   BM_AgentCompute      the agent's own work on one job, no transport: digits_int8 run once by
//                        the CPU reference executor the host agent uses;
//   BM_PoolDispatch      one digits_int8 job at a time through TargetPool::Run, as the ethosu
//                        backend submits them (framing, CRCs, target selection, the agent's
//                        decode and CPU run);
//   BM_PoolDispatchQueued  the same through TargetPool::Submit: handed to the target's worker
//                        thread and back;
//   BM_PoolThroughput/N  64 jobs in flight over N agents.
// Dispatch overhead = BM_PoolDispatch - BM_AgentCompute, to compare with BM_RawRoundTrip.
// Run: ethosu_dispatch [--benchmark_filter=...]. Numbers depend on the machine; compare runs on
// the same one.
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"
#include "backends/cpu/graph_executor.h"
#include "backends/ethosu/host_agent/agent_core.h"
#include "backends/ethosu/host_agent/agent_server.h"
#include "backends/ethosu/target_pool.h"
#include "backends/ethosu/transport/tcp_transport.h"
#include "engine/graph/tosa_reader.h"

namespace inferd::ethosu {
namespace {

// $INFERD_SOURCE_DIR, when set, replaces the source tree the benchmark was built from (for running
// it on another machine).
std::shared_ptr<const std::vector<uint8_t>> DigitsBytes() {
  const char* from_env = std::getenv("INFERD_SOURCE_DIR");
  const std::string root = from_env != nullptr ? from_env : INFERD_SOURCE_DIR;
  std::ifstream in(root + "/examples/models/digits_int8/1/model.tosa", std::ios::binary);
  return std::make_shared<const std::vector<uint8_t>>(std::istreambuf_iterator<char>(in),
                                                      std::istreambuf_iterator<char>());
}

TargetJob DigitsJob(const Tensor& images,
                    std::function<void(absl::StatusOr<TargetJobResult>)> done) {
  static const auto network = [] {
    auto n = std::make_shared<TargetNetwork>();
    NetworkVariant variant;
    variant.bytes = DigitsBytes();
    variant.id = ComputeNetworkId(*variant.bytes);
    n->variants.push_back(variant);
    n->description = "digits_int8";
    return std::shared_ptr<const TargetNetwork>(n);
  }();
  TargetJob job;
  job.network = network;
  job.num_outputs = 1;
  job.batched = true;
  WireTensor input;
  input.dtype = INFERD_TP_DTYPE_INT8;
  input.dims = images.shape();
  input.data = images.bytes();
  job.inputs.push_back(std::move(input));
  job.keep_alive = {images};
  job.done = std::move(done);
  return job;
}

// Bytes of one digits request and response frame (batch 1), for the raw baseline.
constexpr size_t kRequestBytes = 24 + 64 + 32 + 64;
constexpr size_t kResponseBytes = 24 + 56 + 32 + 10;

void BM_RawRoundTrip(benchmark::State& state) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(addr);
  ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::listen(listener, 1);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &length);
  std::thread echo([listener] {
    const int fd = ::accept(listener, nullptr, nullptr);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    std::vector<uint8_t> in(kRequestBytes), out(kResponseBytes);
    while (true) {
      size_t got = 0;
      while (got < in.size()) {
        const ssize_t n = ::recv(fd, in.data() + got, in.size() - got, 0);
        if (n <= 0) {
          ::close(fd);
          return;
        }
        got += static_cast<size_t>(n);
      }
      ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    }
  });
  TcpTransport client("127.0.0.1", ntohs(addr.sin_port));
  if (!client.Open(absl::Now() + absl::Seconds(5)).ok()) state.SkipWithError("connect failed");
  std::vector<uint8_t> request(kRequestBytes), response(kResponseBytes);
  for (auto _ : state) {
    (void)client.Write(request, absl::InfiniteFuture());
    size_t got = 0;
    while (got < response.size()) {
      auto n = client.Read(std::span<uint8_t>(response).subspan(got), absl::InfiniteFuture());
      if (!n.ok()) break;
      got += *n;
    }
  }
  client.Close();
  echo.join();
  ::close(listener);
}
BENCHMARK(BM_RawRoundTrip)->UseRealTime();

void BM_AgentCompute(benchmark::State& state) {
  auto graph = graph::LoadTosaGraph(*DigitsBytes());
  if (!graph.ok()) {
    state.SkipWithError("cannot load digits_int8");
    return;
  }
  auto executor = cpu::GraphExecutor::Create(*graph);
  if (!executor.ok()) {
    state.SkipWithError("cannot create the executor");
    return;
  }
  const graph::Block& block = (*graph)->main_block();
  std::vector<uint8_t> in((*executor)->StorageBytes(block.inputs[0]));
  std::vector<uint8_t> out((*executor)->StorageBytes(block.outputs[0]));
  const std::span<const uint8_t> inputs[] = {in};
  const std::span<uint8_t> outputs[] = {out};
  for (auto _ : state) {
    if (!(*executor)->Run(inputs, outputs).ok()) state.SkipWithError("run failed");
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_AgentCompute)->UseRealTime();

struct Agents {
  std::vector<std::unique_ptr<AgentServer>> servers;
  std::shared_ptr<TargetPool> pool = std::make_shared<TargetPool>();
  explicit Agents(int count) {
    for (int i = 0; i < count; ++i) {
      servers.push_back(std::make_unique<AgentServer>(std::make_shared<AgentCore>(AgentOptions{})));
      (void)servers.back()->Start("127.0.0.1", 0);
      TargetConfig config;
      config.name = "agent" + std::to_string(i);
      config.kind = "tcp";
      config.address = "127.0.0.1:" + std::to_string(servers.back()->port());
      (void)pool->AddTarget(config);
    }
  }
};

void RunJobsOneAtATime(benchmark::State& state, bool on_caller_thread) {
  Agents agents(1);
  const Tensor images = Tensor::Allocate(DataType::kInt8, {1, 8, 8, 1});
  for (auto _ : state) {
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    TargetJob job = DigitsJob(images, [&](absl::StatusOr<TargetJobResult> result) {
      if (!result.ok()) state.SkipWithError(std::string(result.status().message()).c_str());
      std::lock_guard lock(mutex);
      done = true;
      done_cv.notify_one();
    });
    if (on_caller_thread) {
      agents.pool->Run(std::move(job));
    } else {
      agents.pool->Submit(std::move(job));
    }
    std::unique_lock lock(mutex);
    done_cv.wait(lock, [&] { return done; });
  }
}

void BM_PoolDispatch(benchmark::State& state) { RunJobsOneAtATime(state, true); }
BENCHMARK(BM_PoolDispatch)->UseRealTime();

void BM_PoolDispatchQueued(benchmark::State& state) { RunJobsOneAtATime(state, false); }
BENCHMARK(BM_PoolDispatchQueued)->UseRealTime();

// CPU time of the whole process (every thread, user and system), in seconds.
double ProcessCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// cpu_us_per_job: host, pool and agents together. With every thread runnable, jobs/s cannot exceed
// (cores / cpu_us_per_job): the bound agents that share the host's cores run into.
void BM_PoolThroughput(benchmark::State& state) {
  Agents agents(static_cast<int>(state.range(0)));
  const Tensor images = Tensor::Allocate(DataType::kInt8, {1, 8, 8, 1});
  constexpr int kInFlight = 64;
  const double cpu_start = ProcessCpuSeconds();
  for (auto _ : state) {
    std::mutex mutex;
    std::condition_variable done_cv;
    int remaining = kInFlight;
    for (int i = 0; i < kInFlight; ++i) {
      agents.pool->Submit(DigitsJob(images, [&](absl::StatusOr<TargetJobResult>) {
        std::lock_guard lock(mutex);
        if (--remaining == 0) done_cv.notify_one();
      }));
    }
    std::unique_lock lock(mutex);
    done_cv.wait(lock, [&] { return remaining == 0; });
  }
  state.SetItemsProcessed(state.iterations() * kInFlight);
  const double jobs = static_cast<double>(state.iterations() * kInFlight);
  state.counters["cpu_us_per_job"] = (ProcessCpuSeconds() - cpu_start) * 1e6 / jobs;
}
BENCHMARK(BM_PoolThroughput)->Arg(1)->Arg(2)->Arg(4)->UseRealTime();

}  // namespace
}  // namespace inferd::ethosu

BENCHMARK_MAIN();

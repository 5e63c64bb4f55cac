#include "benchmarks/kernels/op_profile.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <utility>

#include "absl/strings/str_format.h"
#include "backends/cpu/kernel_binding.h"
#include "backends/cpu/requantisation_fusion.h"
#include "benchmarks/kernels/benchmark_timing.h"

namespace inferd::bench {
namespace {

// CPU time of the calling thread: steadier than wall time on a machine shared with other work.
double ThreadCpuUs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

struct FreeDelete {
  void operator()(uint8_t* p) const { std::free(p); }
};

// Every tensor in its own buffer and every operator bound: the simplest possible executor.
struct Runner {
  std::vector<std::unique_ptr<uint8_t, FreeDelete>> storage;
  std::vector<size_t> bytes;
  std::vector<uint8_t*> data;
  std::vector<cpu::BoundStep> steps;
  std::vector<size_t> indices;
  std::vector<std::string> names;  // per step: the operator, with what was fused into it
  std::vector<cpu::RequantisationFusion> fusions;
};

absl::Status Prepare(const graph::Graph& g, std::span<const uint8_t> input, Runner& runner) {
  auto& storage = runner.storage;
  auto& data = runner.data;
  auto& steps = runner.steps;
  auto& indices = runner.indices;
  auto& names = runner.names;
  data.assign(g.tensors.size(), nullptr);
  for (size_t id = 0; id < g.tensors.size(); ++id) {
    const graph::Tensor& t = g.tensors[id];
    const size_t bytes =
        cpu::StorageElementBytes(t.dtype) * static_cast<size_t>(graph::ElementCount(t).value_or(1));
    const size_t padded = (std::max<size_t>(bytes, 1) + 63) / 64 * 64;
    storage.emplace_back(static_cast<uint8_t*>(std::aligned_alloc(64, padded)));
    data[id] = storage.back().get();
    runner.bytes.push_back(bytes);
    std::memset(data[id], 0, padded);
    if (!t.data.empty()) std::memcpy(data[id], t.data.data(), std::min(bytes, t.data.size()));
  }
  const graph::Block& block = g.main_block();
  std::memcpy(data[block.inputs[0]], input.data(), input.size());
  // Fused as the executor fuses them; a fused step is timed under its producer.
  std::vector<const cpu::RequantisationFusion*> fusion_at(block.operators.size(), nullptr);
  std::vector<bool> absorbed(block.operators.size(), false);
  runner.fusions = cpu::FindRequantisationFusions(g, graph::Graph::kMainBlock);
  for (const cpu::RequantisationFusion& fusion : runner.fusions) {
    fusion_at[fusion.producer] = &fusion;
    absorbed[fusion.rescale] = true;
    if (fusion.clamp) absorbed[*fusion.clamp] = true;
  }
  for (size_t i = 0; i < block.operators.size(); ++i) {
    if (absorbed[i]) continue;
    absl::StatusOr<cpu::BoundStep> step =
        fusion_at[i] != nullptr
            ? cpu::BindRequantisationFusion(g, graph::Graph::kMainBlock, *fusion_at[i])
            : cpu::BindOperator(g, block.operators[i]);
    if (!step.ok()) return step.status();
    if (!*step) continue;
    steps.push_back(*std::move(step));
    indices.push_back(i);
    // Named as the daemon's profile names fused steps: every operator of the step.
    std::string name(graph::OpName(block.operators[i].op));
    if (const cpu::RequantisationFusion* fusion = fusion_at[i]) {
      name += "+" + std::string(graph::OpName(block.operators[fusion->rescale].op));
      if (fusion->clamp) name += "+CLAMP";
    }
    names.push_back(std::move(name));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::vector<uint8_t>>> CaptureTensors(const graph::Graph& g,
                                                                 std::span<const uint8_t> input) {
  Runner runner;
  if (absl::Status status = Prepare(g, input, runner); !status.ok()) return status;
  for (auto& step : runner.steps) {
    if (absl::Status status = step(runner.data); !status.ok()) return status;
  }
  std::vector<std::vector<uint8_t>> tensors;
  for (size_t id = 0; id < runner.data.size(); ++id) {
    tensors.emplace_back(runner.data[id], runner.data[id] + runner.bytes[id]);
  }
  return tensors;
}

absl::StatusOr<std::vector<OperatorTime>> ProfileOperators(const graph::Graph& g,
                                                           std::span<const uint8_t> input,
                                                           int runs) {
  Runner runner;
  if (absl::Status status = Prepare(g, input, runner); !status.ok()) return status;
  const auto& steps = runner.steps;
  const auto& indices = runner.indices;
  auto& data = runner.data;
  const graph::Block& block = g.main_block();
  std::vector<std::vector<double>> samples(steps.size());
  for (int r = 0; r < runs; ++r) {
    for (size_t s = 0; s < steps.size(); ++s) {
      const double start = ThreadCpuUs();
      if (absl::Status status = steps[s](data); !status.ok()) return status;
      samples[s].push_back(ThreadCpuUs() - start);
    }
  }
  std::vector<OperatorTime> times;
  for (size_t s = 0; s < steps.size(); ++s) {
    const graph::Operator& op = block.operators[indices[s]];
    times.push_back({indices[s], runner.names[s],
                     op.outputs.empty() ? "" : g.tensor(op.outputs[0]).name, Median(samples[s])});
  }
  return times;
}

void PrintProfile(const std::vector<OperatorTime>& times, int top, std::ostream& out) {
  double total = 0;
  std::map<std::string, std::pair<double, int>> by_type;
  for (const OperatorTime& t : times) {
    total += t.median_us;
    by_type[t.op_name].first += t.median_us;
    by_type[t.op_name].second += 1;
  }
  std::vector<std::pair<std::string, std::pair<double, int>>> rows(by_type.begin(), by_type.end());
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
  out << absl::StrFormat("  %-28s %6s %12s %7s\n", "operator", "count", "time (us)", "share");
  for (const auto& [name, value] : rows) {
    out << absl::StrFormat("  %-28s %6d %12.1f %6.1f%%\n", name, value.second, value.first,
                           100.0 * value.first / total);
  }
  out << absl::StrFormat("  %-28s %6d %12.1f\n", "sum of medians", static_cast<int>(times.size()),
                         total);
  std::vector<OperatorTime> sorted = times;
  std::sort(sorted.begin(), sorted.end(),
            [](const OperatorTime& a, const OperatorTime& b) { return a.median_us > b.median_us; });
  out << absl::StrFormat("  slowest %d operators:\n", top);
  for (int i = 0; i < top && i < static_cast<int>(sorted.size()); ++i) {
    out << absl::StrFormat("    #%-4d %-28s %-28s %10.1f us\n", sorted[i].op_index,
                           sorted[i].op_name, sorted[i].output, sorted[i].median_us);
  }
}

}  // namespace inferd::bench

#include "benchmarks/protocol/twin_ratios.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace inferd::bench {

TwinRatios::TwinRatios(std::string model, std::vector<TwinPair> pairs,
                       std::vector<int> concurrency_levels)
    : model_(std::move(model)) {
  for (TwinPair& names : pairs) {
    ReportSetup setup;
    setup.model = model_;
    setup.targets = {{names.twin, ""}, {names.subject, ""}};
    setup.concurrency_levels = concurrency_levels;
    setup.baseline = names.twin;
    pairs_.push_back({std::move(names), std::make_unique<ServingReport>(std::move(setup))});
  }
}

void TwinRatios::Add(const std::string& name, const ClosedLoopResult& run) {
  for (Pair& pair : pairs_) {
    if (name == pair.names.subject || name == pair.names.twin) pair.report->Add(name, run);
  }
}

std::string TwinRatios::FormatTable() const {
  std::string out = absl::StrCat(
      "ratio to its own bare twin (inferd_echo_server, same protocol; median of per-round "
      "ratios; p50 > 1 is slower, req/s < 1 is fewer)\n",
      absl::StrFormat("%-12s %-16s %5s %10s %10s\n", "target", "twin", "conc", "p50", "req/s"));
  for (const Pair& pair : pairs_) {
    for (const RatioFigures& r : pair.report->Ratios()) {
      absl::StrAppend(&out,
                      absl::StrFormat("%-12s %-16s %5d %10.2f %10.2f\n", r.target, pair.names.twin,
                                      r.concurrency, r.p50_ratio, r.throughput_ratio));
    }
  }
  return out;
}

std::string TwinRatios::ToJson() const {
  std::string out = "[";
  bool first = true;
  for (const Pair& pair : pairs_) {
    for (const RatioFigures& r : pair.report->Ratios()) {
      absl::StrAppend(&out, first ? "" : ", ",
                      absl::StrFormat("{\"model\": \"%s\", \"target\": \"%s\", \"twin\": \"%s\", "
                                      "\"concurrency\": %d, \"p50_ratio\": %.4f, "
                                      "\"throughput_ratio\": %.4f}",
                                      model_, r.target, pair.names.twin, r.concurrency, r.p50_ratio,
                                      r.throughput_ratio));
      first = false;
    }
  }
  return out + "]";
}

}  // namespace inferd::bench

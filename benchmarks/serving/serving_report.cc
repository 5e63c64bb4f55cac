#include "benchmarks/serving/serving_report.h"

#include <algorithm>
#include <fstream>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace inferd::bench {
namespace {

// Median of a small set; the mean of the middle two for an even count.
double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

double MedianOf(const std::vector<ClosedLoopResult>& runs,
                const std::function<double(const ClosedLoopResult&)>& figure) {
  std::vector<double> values;
  values.reserve(runs.size());
  for (const ClosedLoopResult& run : runs) values.push_back(figure(run));
  return Median(std::move(values));
}

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string JsonNumber(double value) { return absl::StrFormat("%.3f", value); }

std::string RunJson(const ClosedLoopResult& run) {
  return absl::StrCat("{\"requests\": ", run.requests, ", \"errors\": ", run.errors,
                      ", \"elapsed_s\": ", JsonNumber(run.elapsed_s),
                      ", \"throughput_rps\": ", JsonNumber(run.throughput_rps),
                      ", \"mean_us\": ", JsonNumber(run.latency.mean_us),
                      ", \"p50_us\": ", JsonNumber(run.latency.p50_us),
                      ", \"p90_us\": ", JsonNumber(run.latency.p90_us),
                      ", \"p99_us\": ", JsonNumber(run.latency.p99_us),
                      ", \"max_us\": ", JsonNumber(run.latency.max_us), "}");
}

}  // namespace

void ServingReport::Add(const std::string& target, const ClosedLoopResult& run) {
  runs_[{target, run.concurrency}].push_back(run);
}

const std::vector<ClosedLoopResult>* ServingReport::Runs(const std::string& target,
                                                         int concurrency) const {
  auto it = runs_.find({target, concurrency});
  return it == runs_.end() ? nullptr : &it->second;
}

MedianFigures ServingReport::Medians(const std::string& target, int concurrency) const {
  MedianFigures figures;
  const std::vector<ClosedLoopResult>* runs = Runs(target, concurrency);
  if (runs == nullptr) return figures;
  figures.requests = MedianOf(*runs, [](const auto& r) { return double(r.requests); });
  figures.throughput_rps = MedianOf(*runs, [](const auto& r) { return r.throughput_rps; });
  figures.p50_us = MedianOf(*runs, [](const auto& r) { return r.latency.p50_us; });
  figures.p90_us = MedianOf(*runs, [](const auto& r) { return r.latency.p90_us; });
  figures.p99_us = MedianOf(*runs, [](const auto& r) { return r.latency.p99_us; });
  for (const ClosedLoopResult& run : *runs) figures.errors += run.errors;
  return figures;
}

std::vector<RatioFigures> ServingReport::Ratios() const {
  std::vector<RatioFigures> ratios;
  if (setup_.baseline.empty()) return ratios;
  for (const ReportTarget& target : setup_.targets) {
    if (target.name == setup_.baseline) continue;
    for (int concurrency : setup_.concurrency_levels) {
      const auto* runs = Runs(target.name, concurrency);
      const auto* base = Runs(setup_.baseline, concurrency);
      if (runs == nullptr || base == nullptr) continue;
      std::vector<double> p50, throughput;
      for (size_t i = 0; i < std::min(runs->size(), base->size()); ++i) {
        const ClosedLoopResult& a = (*runs)[i];
        const ClosedLoopResult& b = (*base)[i];
        if (b.latency.p50_us > 0) p50.push_back(a.latency.p50_us / b.latency.p50_us);
        if (b.throughput_rps > 0) throughput.push_back(a.throughput_rps / b.throughput_rps);
      }
      ratios.push_back({target.name, concurrency, Median(p50), Median(throughput)});
    }
  }
  return ratios;
}

std::string ServingReport::FormatTable() const {
  std::string out;
  absl::StrAppend(&out, "model ", setup_.model, " | input ", setup_.inputs, " | request ",
                  setup_.request_bytes, " B\n");
  absl::StrAppend(&out, "targets ",
                  absl::StrJoin(setup_.targets, ", ",
                                [](std::string* s, const ReportTarget& t) {
                                  absl::StrAppend(s, t.name, "=", t.address);
                                }),
                  " | channels ", setup_.channel_mode, " | ", setup_.window, " per run, ",
                  setup_.warmup_requests, " warm-up requests, median of ", setup_.repeats,
                  " repeats, seed ", setup_.seed, "\n\n");
  absl::StrAppend(&out,
                  absl::StrFormat("%-16s %5s %10s %12s %10s %10s %10s %7s\n", "target", "conc",
                                  "requests", "req/s", "p50 us", "p90 us", "p99 us", "errors"));
  for (int concurrency : setup_.concurrency_levels) {
    for (const ReportTarget& target : setup_.targets) {
      const MedianFigures m = Medians(target.name, concurrency);
      absl::StrAppend(&out, absl::StrFormat("%-16s %5d %10.0f %12.1f %10.1f %10.1f %10.1f %7d\n",
                                            target.name, concurrency, m.requests, m.throughput_rps,
                                            m.p50_us, m.p90_us, m.p99_us, m.errors));
    }
  }
  const std::vector<RatioFigures> ratios = Ratios();
  if (!ratios.empty()) {
    absl::StrAppend(&out, "\nratio to ", setup_.baseline,
                    " (median of per-repeat ratios; p50 > 1 is slower, req/s < 1 is fewer)\n");
    absl::StrAppend(&out,
                    absl::StrFormat("%-16s %5s %10s %10s\n", "target", "conc", "p50", "req/s"));
    for (const RatioFigures& r : ratios) {
      absl::StrAppend(&out, absl::StrFormat("%-16s %5d %10.2f %10.2f\n", r.target, r.concurrency,
                                            r.p50_ratio, r.throughput_ratio));
    }
  }
  return out;
}

std::string ServingReport::ToJson() const {
  std::string out = "{\n";
  absl::StrAppend(&out, "  \"model\": ", JsonString(setup_.model), ",\n");
  absl::StrAppend(&out, "  \"inputs\": ", JsonString(setup_.inputs), ",\n");
  absl::StrAppend(&out, "  \"request_bytes\": ", setup_.request_bytes, ",\n");
  absl::StrAppend(&out, "  \"channels\": ", JsonString(setup_.channel_mode), ",\n");
  absl::StrAppend(&out, "  \"window\": ", JsonString(setup_.window), ",\n");
  absl::StrAppend(&out, "  \"warmup_requests\": ", setup_.warmup_requests, ",\n");
  absl::StrAppend(&out, "  \"repeats\": ", setup_.repeats, ",\n");
  absl::StrAppend(&out, "  \"seed\": ", setup_.seed, ",\n");
  absl::StrAppend(&out, "  \"baseline\": ", JsonString(setup_.baseline), ",\n");
  absl::StrAppend(&out, "  \"targets\": [",
                  absl::StrJoin(setup_.targets, ", ",
                                [](std::string* s, const ReportTarget& t) {
                                  absl::StrAppend(s, "{\"name\": ", JsonString(t.name),
                                                  ", \"address\": ", JsonString(t.address), "}");
                                }),
                  "],\n");
  std::vector<std::string> results;
  for (int concurrency : setup_.concurrency_levels) {
    for (const ReportTarget& target : setup_.targets) {
      const auto* runs = Runs(target.name, concurrency);
      if (runs == nullptr) continue;
      const MedianFigures m = Medians(target.name, concurrency);
      results.push_back(absl::StrCat(
          "    {\"target\": ", JsonString(target.name), ", \"concurrency\": ", concurrency,
          ", \"median\": {\"requests\": ", JsonNumber(m.requests), ", \"throughput_rps\": ",
          JsonNumber(m.throughput_rps), ", \"p50_us\": ", JsonNumber(m.p50_us),
          ", \"p90_us\": ", JsonNumber(m.p90_us), ", \"p99_us\": ", JsonNumber(m.p99_us),
          ", \"errors\": ", m.errors, "},\n", "     \"runs\": [",
          absl::StrJoin(
              *runs, ", ",
              [](std::string* s, const ClosedLoopResult& r) { absl::StrAppend(s, RunJson(r)); }),
          "]}"));
    }
  }
  absl::StrAppend(&out, "  \"results\": [\n", absl::StrJoin(results, ",\n"), "\n  ],\n");
  absl::StrAppend(&out, "  \"ratios\": [",
                  absl::StrJoin(Ratios(), ", ",
                                [](std::string* s, const RatioFigures& r) {
                                  absl::StrAppend(s, "{\"target\": ", JsonString(r.target),
                                                  ", \"concurrency\": ", r.concurrency,
                                                  ", \"p50_ratio\": ", JsonNumber(r.p50_ratio),
                                                  ", \"throughput_ratio\": ",
                                                  JsonNumber(r.throughput_ratio), "}");
                                }),
                  "]\n}\n");
  return out;
}

absl::Status WriteReportFile(const std::string& path, const std::string& text) {
  if (path.empty()) return absl::OkStatus();
  std::ofstream file(path);
  file << text;
  if (!file.good()) return absl::UnavailableError("could not write " + path);
  return absl::OkStatus();
}

}  // namespace inferd::bench

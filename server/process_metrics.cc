#include "server/process_metrics.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/time/clock.h"

namespace inferd {
namespace {

prometheus::MetricFamily Gauge(const std::string& name, const std::string& help, double value,
                               prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

}  // namespace

ProcessMetrics::ProcessMetrics()
    : start_time_seconds_(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch())) {}

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page_size = static_cast<double>(sysconf(_SC_PAGESIZE));

  // /proc/self/stat: the command may contain spaces, so fields are counted after its closing ')'.
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0, threads = 0, vsize = 0, rss = 0;
    for (int index = 3; fields >> field; ++index) {
      if (index == 14) utime = std::stod(field);
      if (index == 15) stime = std::stod(field);
      if (index == 20) threads = std::stod(field);
      if (index == 23) vsize = std::stod(field);
      if (index == 24) rss = std::stod(field);
    }
    families.push_back(Gauge("process_cpu_seconds_total", "User and system CPU time spent",
                             (utime + stime) / ticks, prometheus::MetricType::Counter));
    families.push_back(Gauge("process_virtual_memory_bytes", "Virtual memory size", vsize));
    families.push_back(
        Gauge("process_resident_memory_bytes", "Resident memory size", rss * page_size));
    families.push_back(Gauge("process_threads", "Threads of the process", threads));
  }
  std::error_code error;
  double open_fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++open_fds;
  }
  families.push_back(Gauge("process_open_fds", "Open file descriptors", open_fds));
  families.push_back(
      Gauge("process_start_time_seconds", "Start time since the Unix epoch", start_time_seconds_));
  return families;
}

}  // namespace inferd

// A real Prometheus server (Debian's `prometheus`) scrapes the daemon on loopback; the request
// count must arrive through Prometheus's own query API.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/inference_client.h"
#include "gtest/gtest.h"
#include "tests/integration/daemon_process.h"

namespace inferd::testing {
namespace {
namespace fs = std::filesystem;

// A port nobody listens on right now (the kernel's pick for an ephemeral bind).
int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

class PrometheusServer {
 public:
  PrometheusServer(const fs::path& dir, int target_port) : port_(FreeLoopbackPort()) {
    fs::create_directories(dir / "data");
    std::ofstream(dir / "prometheus.yml") << absl::StrCat(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: inferd\n    static_configs:\n"
        "      - targets: ['127.0.0.1:",
        target_port, "']\n");
    const std::string config = "--config.file=" + (dir / "prometheus.yml").string();
    const std::string storage = "--storage.tsdb.path=" + (dir / "data").string();
    const std::string listen = absl::StrCat("--web.listen-address=127.0.0.1:", port_);
    const std::string log = (dir / "prometheus.log").string();
    pid_ = fork();
    if (pid_ == 0) {
      freopen(log.c_str(), "w", stderr);
      execlp("prometheus", "prometheus", config.c_str(), storage.c_str(), listen.c_str(),
             static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~PrometheusServer() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  int port() const { return port_; }

 private:
  int port_;
  pid_t pid_;
};

TEST(PrometheusTest, ScrapedRequestCountArrivesInPrometheus) {
  if (system("command -v prometheus >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "Debian's prometheus package is not installed (scripts/setup.sh installs it)";
  }
  auto daemon = DaemonProcess::Start({"--model-repository=" + SourceDir() + "/examples/models"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto client = client::InferenceClient::Connect((*daemon)->grpc_address(), absl::Seconds(30));
  auto metadata = client->ModelMetadata("digits_fp32");
  ASSERT_TRUE(metadata.ok());
  constexpr int kRequests = 7;
  for (int i = 0; i < kRequests; ++i) {
    Tensor image = Tensor::Allocate(DataType::kFp32, {1, 8, 8, 1});
    ASSERT_TRUE(client->Infer("digits_fp32", {{metadata->inputs(0).name(), image}}).ok());
  }

  const fs::path dir = fs::path(::testing::TempDir()) /
                       (std::string("inferd_prometheus") + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  PrometheusServer prometheus(dir, (*daemon)->metrics_port());
  const std::string query =
      "/api/v1/query?query=inferd_inference_request_success%7Bmodel%3D%22digits_fp32%22%7D";
  const std::regex value(R"re("value":\[[0-9.]+,"([0-9.]+)"\])re");
  // Prometheus scrapes on its own schedule (every second here): ask until the sample is there,
  // within a bound, rather than guessing how long that takes.
  std::string last_answer;
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  double seen = -1;
  while (absl::Now() < give_up && seen != kRequests) {
    auto answer = HttpGet(prometheus.port(), query);
    if (answer.ok()) {
      last_answer = *answer;
      std::smatch match;
      if (std::regex_search(last_answer, match, value)) seen = std::stod(match[1]);
    }
    if (seen != kRequests) absl::SleepFor(absl::Milliseconds(200));  // poll interval, not a guess
  }
  EXPECT_EQ(seen, kRequests) << "last answer from Prometheus: " << last_answer;
  EXPECT_EQ((*daemon)->Stop(), 0);
}

}  // namespace
}  // namespace inferd::testing

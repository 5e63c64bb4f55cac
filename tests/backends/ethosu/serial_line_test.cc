// The serial transport over a real pseudo-terminal: the host agent serves the pty's master side
// (as inferd_target_agent --serial does a UART), and the pool reaches it through a `kind = serial`
// target that opens the terminal side by name and sets it up with termios (raw 8N1, baud rate),
// exactly as it opens /dev/ttyUSB0. A pty passes bytes without timing them, so this checks the
// framing, termios set-up and job round trip, not the wire speed.
#include <gtest/gtest.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "backends/ethosu/ethosu_backend.h"
#include "backends/ethosu/transport/serial_transport.h"
#include "tests/backends/ethosu/ethosu_test_support.h"

namespace inferd::ethosu {
namespace {

// A pty pair whose master side an AgentServer serves. The test keeps its own descriptor of the
// terminal side open: a pty's master reads EIO (hang-up) whenever no terminal descriptor is open,
// which would end the agent's connection between the transport's close and reopen.
struct PtyAgent {
  std::shared_ptr<AgentCore> core;
  std::unique_ptr<AgentServer> server;
  int terminal_fd = -1;
  std::string terminal_path;

  ~PtyAgent() {
    server.reset();
    if (terminal_fd >= 0) ::close(terminal_fd);
  }
};

std::unique_ptr<PtyAgent> StartPtyAgent(AgentOptions options = {}) {
  auto agent = std::make_unique<PtyAgent>();
  int master = -1;
  char name[128] = {};
  if (::openpty(&master, &agent->terminal_fd, name, nullptr, nullptr) != 0) {
    ADD_FAILURE() << "openpty: " << std::strerror(errno);
    return nullptr;
  }
  agent->terminal_path = name;
  agent->core = std::make_shared<AgentCore>(options);
  agent->server = std::make_unique<AgentServer>(agent->core);
  agent->server->ServeFd(master, /*is_socket=*/false);
  return agent;
}

TargetConfig SerialTarget(const std::string& name, const std::string& address) {
  TargetConfig config;
  config.name = name;
  config.kind = "serial";
  config.address = address;
  config.job_timeout = absl::Seconds(20);
  config.connect_timeout = absl::Seconds(5);
  return config;
}

TEST(SerialLineTest, TheTransportSetsTheTerminalRawAtTheBaudRate) {
  auto agent = StartPtyAgent();
  ASSERT_NE(agent, nullptr);
  auto transport = SerialTransport::FromAddress(agent->terminal_path + "@921600");
  ASSERT_TRUE(transport.ok()) << transport.status();
  ASSERT_TRUE((*transport)->Open(absl::Now() + absl::Seconds(5)).ok());
  termios tio{};
  ASSERT_EQ(::tcgetattr(agent->terminal_fd, &tio), 0);
  EXPECT_EQ(::cfgetospeed(&tio), B921600);
  EXPECT_EQ(::cfgetispeed(&tio), B921600);
  EXPECT_EQ(tio.c_lflag & (ICANON | ECHO | ISIG), 0u);  // no line editing, no echo
  EXPECT_EQ(tio.c_oflag & OPOST, 0u);                   // no output translation
  EXPECT_EQ(tio.c_iflag & (ICRNL | IXON), 0u);          // no CR/LF mapping, no XON/XOFF
  EXPECT_EQ(tio.c_cflag & CSIZE, static_cast<tcflag_t>(CS8));
  EXPECT_EQ(tio.c_cflag & (PARENB | CSTOPB), 0u);
  // An empty line must read as EAGAIN, not as end of file (VMIN 0 made read() return 0).
  EXPECT_EQ(tio.c_cc[VMIN], 1);
}

TEST(SerialLineTest, RefusesWhatIsNotATerminal) {
  auto transport = SerialTransport::FromAddress("/dev/null");
  ASSERT_TRUE(transport.ok());
  auto status = (*transport)->Open(absl::Now() + absl::Seconds(1));
  EXPECT_TRUE(absl::IsUnavailable(status)) << status;
  EXPECT_NE(status.message().find("not a terminal"), absl::string_view::npos) << status;
  EXPECT_TRUE(absl::IsInvalidArgument(SerialTransport::FromAddress("/dev/ttyS0@12345").status()));
}

TEST(SerialLineTest, AJobRoundTripsThroughThePoolOverAPty) {
  AgentOptions options;
  options.simulated_npu_product = 55;
  options.simulated_npu_macs = 128;
  options.max_payload = 4096;  // several upload chunks through the line
  auto agent = StartPtyAgent(options);
  ASSERT_NE(agent, nullptr);
  auto pool = std::make_shared<TargetPool>();
  ASSERT_TRUE(pool->AddTarget(SerialTarget("uart0", agent->terminal_path + "@115200")).ok());
  const auto targets = pool->ListTargets();
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_TRUE(targets[0].healthy) << targets[0].last_error;
  EXPECT_EQ(targets[0].labels.at("npu"), "ethos-u55-128");

  EthosuBackend backend(pool);
  auto executable = backend.Load(testing::DigitsInt8Request(/*max_batch_size=*/8));
  ASSERT_TRUE(executable.ok()) << executable.status();

  for (uint32_t round = 0; round < 3; ++round) {
    const Tensor images = testing::DigitsImages(3, /*seed=*/round + 1);
    auto result = testing::ExecuteAndWait(**executable, images, absl::Seconds(30));
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_EQ(result->outputs.size(), 1u);
    EXPECT_TRUE(testing::MatchesCpuReference(result->outputs[0], images));
    EXPECT_EQ(result->parameters.at("target"), "uart0");
    EXPECT_EQ(result->parameters.at("network_cached"), round == 0 ? "false" : "true");
  }
  EXPECT_EQ(agent->core->uploads_completed(), 1u);
  EXPECT_GE(agent->core->inferences_run(), 3u);
}

}  // namespace
}  // namespace inferd::ethosu

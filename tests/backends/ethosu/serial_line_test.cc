// The serial transport over a real pseudo-terminal: the host agent serves the pty's master side
// (as inferd_target_agent --serial does a UART), and the pool reaches it through a `kind = serial`
// target that opens the terminal side by name and sets it up with termios (raw 8N1, baud rate),
// exactly as it opens /dev/ttyUSB0. A pty passes bytes without timing them, so this checks the
// framing, termios set-up and job round trip, not the wire speed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "backends/ethosu/ethosu_backend.h"
#include "backends/ethosu/target_client.h"
#include "backends/ethosu/transport/fd_stream.h"
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

// The host's end of a pty whose terminal side the agent opened by name (inferd_target_agent
// --serial): the master descriptor, read and written like the serial transport does a device.
// TargetClient closes its transport before it opens it, so the descriptor outlives Close().
class PtyMasterTransport : public Transport {
 public:
  explicit PtyMasterTransport(int fd) : fd_(fd) {}
  ~PtyMasterTransport() override { ::close(fd_); }
  absl::Status Open(absl::Time) override {
    open_ = true;
    return absl::OkStatus();
  }
  absl::StatusOr<size_t> Read(std::span<uint8_t> buffer, absl::Time deadline) override {
    return ReadFd(open_ ? fd_ : -1, buffer, deadline, description());
  }
  absl::Status Write(std::span<const uint8_t> bytes, absl::Time deadline) override {
    return WriteFd(open_ ? fd_ : -1, bytes, deadline, description());
  }
  void Close() override { open_ = false; }
  bool is_open() const override { return open_; }
  std::string description() const override { return "pty-master"; }

 private:
  const int fd_;
  bool open_ = false;
};

TEST(SerialLineTest, TheAgentServesATerminalItOpensByName) {
  int master = -1;
  int terminal = -1;
  char name[128] = {};
  ASSERT_EQ(::openpty(&master, &terminal, name, nullptr, nullptr), 0) << std::strerror(errno);
  ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
  AgentOptions options;
  options.name = "serial-agent";
  auto core = std::make_shared<AgentCore>(options);
  AgentServer server(core);
  ASSERT_TRUE(server.StartSerial(name, 921600).ok());
  ::close(terminal);  // the agent holds its own descriptor of the terminal side now
  termios tio{};
  TargetClient client(std::make_unique<PtyMasterTransport>(master));
  const absl::Status connected = client.Connect(absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(connected.ok()) << connected;
  EXPECT_TRUE(client.Ping(absl::Now() + absl::Seconds(10)).ok());
  EXPECT_EQ(FixedName(client.version().agent_name, INFERD_TP_NAME_SIZE), "serial-agent");
  const int probe = ::open(name, O_RDWR | O_NOCTTY);
  ASSERT_GE(probe, 0);
  ASSERT_EQ(::tcgetattr(probe, &tio), 0);  // what the agent set on the line
  ::close(probe);
  EXPECT_EQ(::cfgetospeed(&tio), B921600);
  EXPECT_EQ(tio.c_lflag & (ICANON | ECHO), 0u);
  EXPECT_TRUE(absl::IsUnavailable(server.StartSerial("/nonexistent/tty", 115200)));
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

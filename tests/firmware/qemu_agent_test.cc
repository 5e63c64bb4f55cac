// End to end: boots the Cortex-M55 agent image in QEMU (-M mps3-an547), talks to it over UART0
// exposed as a TCP socket, loads the digits_int8 model lowered to a cpu job and checks every
// held-out image against expected_scores_int8.npy; then boots the image whose 'ethos-u' executor
// is built against the driver's test double. Skips when qemu-system-arm or an image (which needs
// arm-none-eabi-gcc) is missing. QEMU is killed at the end whatever happens.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "firmware/executors/cpu_job/cpu_job_format.h"
#include "tests/firmware/digits_fixture.h"
#include "tests/firmware/target_link.h"
#include "tests/firmware/vela_fixture.h"

namespace inferd::firmware::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

bool IsExecutable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// The first `name` on PATH, or "".
std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  std::string dirs = path;
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && IsExecutable(candidate)) return candidate;
    start = end + 1;
  }
  return "";
}

// A loopback port nobody listens on right now (QEMU binds it right after; the window is tiny).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// Runs QEMU for the lifetime of the object; the destructor kills and reaps it.
class QemuProcess {
 public:
  static std::unique_ptr<QemuProcess> Start(const std::string& qemu, const std::string& elf,
                                            int port) {
    std::vector<std::string> args = {
        qemu,         "-M",
        "mps3-an547", "-nographic",
        "-monitor",   "none",
        "-kernel",    elf,
        "-serial",    "tcp:127.0.0.1:" + std::to_string(port) + ",server=on,wait=off,nodelay=on",
        "-serial",    "null"};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) return nullptr;
    if (pid == 0) {
      // QEMU dies with the test even when the test itself is killed (ctest timeout, crash).
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      const int null = ::open("/dev/null", O_RDWR);
      if (null >= 0) ::dup2(null, STDIN_FILENO);
      ::execv(qemu.c_str(), argv.data());
      ::_exit(127);
    }
    return std::unique_ptr<QemuProcess>(new QemuProcess(pid));
  }
  ~QemuProcess() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  // True while QEMU has not exited (a bad image or option makes it exit at once).
  bool Running() {
    int status = 0;
    return ::waitpid(pid_, &status, WNOHANG) == 0;
  }

 private:
  explicit QemuProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
};

// One image booted in QEMU with its UART0 connected; skips the test when QEMU or the image is
// missing.
struct BootedImage {
  std::unique_ptr<QemuProcess> qemu;
  std::unique_ptr<TcpLink> link;
};

void Boot(const std::string& elf, const char* how_to_build, BootedImage* booted) {
  const std::string qemu = FindOnPath("qemu-system-arm");
  if (qemu.empty()) GTEST_SKIP() << "qemu-system-arm is not installed";
  struct stat info {};
  if (elf.empty() || ::stat(elf.c_str(), &info) != 0) {
    GTEST_SKIP() << "no firmware image at '" << elf << "' (arm-none-eabi-gcc missing, or "
                 << how_to_build << " not built)";
  }
  const int port = FreePort();
  ASSERT_GT(port, 0);
  booted->qemu = QemuProcess::Start(qemu, elf, port);
  ASSERT_NE(booted->qemu, nullptr) << "could not start " << qemu;
  booted->link = TcpLink::Connect(port, std::chrono::steady_clock::now() + seconds(20));
  ASSERT_NE(booted->link, nullptr) << "QEMU's UART0 socket did not come up on port " << port;
  ASSERT_TRUE(booted->qemu->Running());
  // QEMU's UART drops what arrives before the firmware enables its receiver, so the first request
  // may be lost: PING until the agent answers, as the daemon's TargetClient hails a target. The
  // sequences are far from the ones the tests' sessions use, so a late PONG is never taken for
  // one of their answers.
  TargetSession hail(*booted->link, milliseconds(250));
  const uint8_t probe[] = {'b', 'o', 'o', 't'};
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  for (uint32_t sequence = 0x80000000u;; ++sequence) {
    std::optional<Frame> pong = hail.CallWithSequence(INFERD_TP_MSG_PING, sequence, probe);
    if (pong && pong->header.type == INFERD_TP_MSG_PONG) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the agent never answered a PING";
    ASSERT_TRUE(booted->qemu->Running()) << "QEMU exited before the agent answered";
  }
}

std::string AgentName(TargetSession& session) {
  const inferd_tp_version_req req{INFERD_TP_VERSION_MAJOR, INFERD_TP_VERSION_MINOR, 0};
  std::optional<Frame> version = session.Call(INFERD_TP_MSG_VERSION_REQ, AsBytes(req));
  if (!version || version->header.type != INFERD_TP_MSG_VERSION_RSP ||
      version->payload.size() != sizeof(inferd_tp_version_rsp)) {
    return "<no VERSION_RSP>";
  }
  inferd_tp_version_rsp rsp;
  std::memcpy(&rsp, version->payload.data(), sizeof rsp);
  return std::string(rsp.agent_name, strnlen(rsp.agent_name, sizeof rsp.agent_name));
}

uint32_t Executors(TargetSession& session) {
  std::optional<Frame> caps = session.Call(INFERD_TP_MSG_CAPABILITIES_REQ, {});
  if (!caps || caps->payload.size() != sizeof(inferd_tp_capabilities_rsp)) return 0;
  inferd_tp_capabilities_rsp capabilities;
  std::memcpy(&capabilities, caps->payload.data(), sizeof capabilities);
  return capabilities.executors;
}

TEST(QemuAgentTest, DigitsInt8RunsOnTheCortexM55Image) {
  absl::StatusOr<DigitsData> digits = LoadDigits();
  ASSERT_TRUE(digits.ok()) << digits.status();
  BootedImage booted;
  ASSERT_NO_FATAL_FAILURE(Boot(INFERD_FIRMWARE_ELF, "the `firmware` target", &booted));
  if (booted.link == nullptr) return;  // skipped
  TcpLink* link = booted.link.get();
  TargetSession session(*link, seconds(20));

  const uint8_t hello[] = {'m', '5', '5'};
  std::optional<Frame> pong = session.Call(INFERD_TP_MSG_PING, hello);
  ASSERT_TRUE(pong.has_value()) << "no PONG from the firmware";
  EXPECT_EQ(pong->header.type, INFERD_TP_MSG_PONG);
  EXPECT_EQ(pong->payload, std::vector<uint8_t>(std::begin(hello), std::end(hello)));

  // Noise and a damaged frame on the line: the agent skips them and answers the next good frame.
  std::vector<uint8_t> noisy = {0x00, 'I', 'N', 'F', 0xFF, 0x13};
  std::vector<uint8_t> damaged = EncodeFrame(INFERD_TP_MSG_PING, 900, hello);
  damaged.back() ^= 0x55;
  noisy.insert(noisy.end(), damaged.begin(), damaged.end());
  ASSERT_TRUE(link->Send(noisy));
  pong = session.Call(INFERD_TP_MSG_PING, hello);
  ASSERT_TRUE(pong.has_value()) << "the agent did not resynchronise after a corrupt frame";
  EXPECT_EQ(pong->header.type, INFERD_TP_MSG_PONG);

  std::optional<Frame> caps = session.Call(INFERD_TP_MSG_CAPABILITIES_REQ, {});
  ASSERT_TRUE(caps.has_value());
  ASSERT_EQ(caps->header.type, INFERD_TP_MSG_CAPABILITIES_RSP);
  inferd_tp_capabilities_rsp capabilities;
  std::memcpy(&capabilities, caps->payload.data(), sizeof capabilities);
  EXPECT_STREQ(capabilities.target_name, "mps3-an547");
  EXPECT_EQ(capabilities.executors & INFERD_TP_EXEC_TOSA_CPU, INFERD_TP_EXEC_TOSA_CPU);
  // Without the Ethos-U driver (CI never has it) the image says so in its VERSION reply.
  if ((capabilities.executors & INFERD_TP_EXEC_ETHOSU) == 0) {
    EXPECT_EQ(AgentName(session), "inferd-agent cpu (no ethos-u)");
  } else {
    EXPECT_EQ(AgentName(session), "inferd-agent cpu+ethos-u");
  }
  ASSERT_GT(capabilities.max_payload, sizeof(inferd_tp_network_load_chunk));
  // Several chunks, to exercise the chunked path over the UART as well.
  const uint32_t chunk =
      std::min<uint32_t>(1024, capabilities.max_payload - sizeof(inferd_tp_network_load_chunk));
  ASSERT_GT(digits->job.size(), chunk);

  const NetworkId id = TestNetworkId(digits->job);
  ASSERT_EQ(session.LoadNetwork(id, digits->job, INFERD_TP_NETWORK_FORMAT_CPU_JOB, chunk),
            INFERD_TP_NET_LOADED);
  ASSERT_EQ(session.LoadNetwork(id, digits->job, INFERD_TP_NETWORK_FORMAT_CPU_JOB, chunk),
            INFERD_TP_NET_CACHED);

  int64_t mismatches = 0;
  uint64_t cycles = 0;
  for (int64_t i = 0; i < digits->count; ++i) {
    const std::vector<Input> inputs = {Int8Input(
        {1, 8, 8, 1},
        std::span<const int8_t>(digits->images.data() + i * kDigitsPixels, kDigitsPixels))};
    std::optional<InferenceResult> result = session.Infer(id, inputs, 1);
    ASSERT_TRUE(result.has_value()) << "no answer for image " << i;
    ASSERT_EQ(result->rsp.status, INFERD_TP_INF_OK) << "image " << i;
    ASSERT_EQ(result->outputs.size(), 1u);
    ASSERT_EQ(result->outputs[0].size(), static_cast<size_t>(kDigitsClasses));
    cycles += result->rsp.cpu_cycles;
    if (std::memcmp(result->outputs[0].data(), digits->expected_scores.data() + i * kDigitsClasses,
                    kDigitsClasses) != 0) {
      ++mismatches;
      ADD_FAILURE() << "image " << i << " differs from expected_scores_int8.npy";
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_GT(cycles, 0u) << "SysTick cycle counting does not run";
  RecordProperty("images", std::to_string(digits->count));
  RecordProperty("cpu_cycles_total", std::to_string(cycles));
}

// The image built with the 'ethos-u' executor against the driver's test double: it boots on the
// M55 as QEMU models it, lists both executors, still runs cpu jobs, and runs a Vela bin stream
// through the executor's whole path on the target. The double's NPU does nothing, so an output
// placed at its input's scratch offset must come back as the input's first bytes: the inputs went
// to their offsets and the outputs were read from theirs.
TEST(QemuAgentTest, TheImageWithTheEthosUExecutorOnTheDriverTestDoubleListsBothExecutors) {
  absl::StatusOr<DigitsData> digits = LoadDigits();
  ASSERT_TRUE(digits.ok()) << digits.status();
  BootedImage booted;
  ASSERT_NO_FATAL_FAILURE(
      Boot(INFERD_FIRMWARE_TEST_DOUBLE_ELF, "the `firmware_ethosu_test_double` target", &booted));
  if (booted.link == nullptr) return;  // skipped
  TargetSession session(*booted.link, seconds(20));
  EXPECT_EQ(AgentName(session), "inferd-agent cpu+ethos-u");
  EXPECT_EQ(Executors(session), INFERD_TP_EXEC_ETHOSU | INFERD_TP_EXEC_TOSA_CPU);

  const NetworkId digits_id = TestNetworkId(digits->job);
  ASSERT_EQ(session.LoadNetwork(digits_id, digits->job, INFERD_TP_NETWORK_FORMAT_CPU_JOB, 1024),
            INFERD_TP_NET_LOADED);
  const std::vector<Input> image = {
      Int8Input({1, 8, 8, 1}, std::span<const int8_t>(digits->images.data(), kDigitsPixels))};
  std::optional<InferenceResult> scores = session.Infer(digits_id, image, 1);
  ASSERT_TRUE(scores.has_value());
  ASSERT_EQ(scores->rsp.status, INFERD_TP_INF_OK);
  ASSERT_EQ(scores->outputs.size(), 1u);
  EXPECT_EQ(std::memcmp(scores->outputs[0].data(), digits->expected_scores.data(), kDigitsClasses),
            0);

  VelaTestNetwork vela = DigitsShapedVelaNetwork();
  vela.outputs[0].offset = vela.inputs[0].offset;
  const std::vector<uint8_t> stream = vela.Build();
  const NetworkId vela_id = TestNetworkId(stream);
  ASSERT_EQ(session.LoadNetwork(vela_id, stream, INFERD_TP_NETWORK_FORMAT_VELA_BIN, 1024),
            INFERD_TP_NET_LOADED)
      << session.last_detail();
  std::optional<InferenceResult> echoed = session.Infer(vela_id, image, 1);
  ASSERT_TRUE(echoed.has_value());
  ASSERT_EQ(echoed->rsp.status, INFERD_TP_INF_OK) << session.last_detail();
  ASSERT_EQ(echoed->outputs.size(), 1u);
  ASSERT_EQ(echoed->outputs[0].size(), 10u);
  EXPECT_EQ(std::memcmp(echoed->outputs[0].data(), digits->images.data(), 10), 0);

  // A network whose scratch exceeds the 2 MiB NPU arena is refused, with the sizes.
  vela.scratch_size = 3u << 20;
  const std::vector<uint8_t> too_big = vela.Build();
  EXPECT_EQ(
      session.LoadNetwork(TestNetworkId(too_big), too_big, INFERD_TP_NETWORK_FORMAT_VELA_BIN, 1024),
      INFERD_TP_NET_NO_MEMORY);
  EXPECT_EQ(session.last_detail(),
            "ethos-u: scratch of 3145728 bytes does not fit the 2097152-byte NPU arena");
}

}  // namespace
}  // namespace inferd::firmware::testing

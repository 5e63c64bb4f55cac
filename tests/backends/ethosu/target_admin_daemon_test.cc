// The control plane through the real daemon (issue 8): TargetAdmin is not on the public listener,
// is served only on the admin listener with --allow-admin, never starts a process, never connects
// to or opens an address outside the operator's allow-lists, and holds at most --max-targets.
#include <arpa/inet.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "grpcpp/grpcpp.h"
#include "inferd_admin.grpc.pb.h"
#include "inference.grpc.pb.h"
#include "tests/backends/ethosu/ethosu_test_support.h"
#include "tests/integration/daemon_process.h"

namespace inferd::ethosu {
namespace {
namespace fs = std::filesystem;
using inferd::testing::DaemonProcess;

// A private, empty model repository: these tests are about targets, and an empty repository
// starts fast.
class TargetAdminDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::path(::testing::TempDir()) /
            absl::StrCat("target_admin_", ::getpid(), "_", info->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "models");
  }
  void TearDown() override { fs::remove_all(root_); }

  absl::StatusOr<std::unique_ptr<DaemonProcess>> StartDaemon(std::vector<std::string> args) {
    args.push_back("--model-repository=" + (root_ / "models").string());
    args.push_back("--allow-metrics=false");
    return DaemonProcess::Start(std::move(args));
  }

  fs::path root_;
};

// An emulator command that leaves evidence if it ever runs: it creates `marker` (and, for {port},
// a second file beside it rather than in the daemon's working directory).
std::string TouchCommand(const fs::path& marker) {
  return absl::StrCat("touch ", marker.string(), " ", marker.string(), "_{port}");
}

std::unique_ptr<admin::TargetAdmin::Stub> AdminStub(const std::string& address) {
  return admin::TargetAdmin::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

grpc::Status AddTarget(admin::TargetAdmin::Stub& stub, const admin::TargetSpec& spec) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  admin::AddTargetRequest request;
  *request.mutable_target() = spec;
  admin::AddTargetResponse response;
  return stub.AddTarget(&context, request, &response);
}

admin::TargetSpec Spec(const std::string& name, const std::string& kind,
                       const std::string& address) {
  admin::TargetSpec spec;
  spec.set_name(name);
  spec.set_kind(kind);
  spec.set_address(address);
  return spec;
}

absl::StatusOr<std::vector<std::string>> TargetNames(admin::TargetAdmin::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  admin::ListTargetsResponse response;
  const grpc::Status status = stub.ListTargets(&context, {}, &response);
  if (!status.ok()) return absl::UnknownError(status.error_message());
  std::vector<std::string> names;
  for (const auto& target : response.targets()) names.push_back(target.name());
  return names;
}

// Processes whose parent is `pid`, from /proc/*/stat.
std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> children;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // "pid (comm) state ppid ...": comm may hold spaces, so read after the last ')'.
    const size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    char state;
    pid_t parent = 0;
    rest >> state >> parent;
    if (parent == pid) children.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return children;
}

// A loopback TCP socket that listens but never accepts unless asked: a connection the daemon
// makes sits in its backlog, where a non-blocking accept finds it.
class LoopbackListener {
 public:
  LoopbackListener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackListener() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  // True when a connection is waiting (accepts and closes it).
  bool ConnectionArrived() {
    const int connection = accept(fd_, nullptr, nullptr);
    if (connection < 0) {
      EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << std::strerror(errno);
      return false;
    }
    close(connection);
    return true;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST_F(TargetAdminDaemonTest, TargetAdminIsNotServedOnThePublicListener) {
  const fs::path marker = root_ / "public_emulator_ran";
  auto daemon = StartDaemon({});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_TRUE((*daemon)->admin_address().empty()) << (*daemon)->Log();
  EXPECT_NE((*daemon)->Log().find("admin listener off"), std::string::npos) << (*daemon)->Log();

  auto stub = AdminStub((*daemon)->grpc_address());
  grpc::ClientContext context;
  admin::ListTargetsResponse list;
  EXPECT_EQ(stub->ListTargets(&context, {}, &list).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  admin::TargetSpec emulator = Spec("evil", "emulator", "");
  emulator.set_command(TouchCommand(marker));
  EXPECT_EQ(AddTarget(*stub, emulator).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_TRUE(ChildrenOf((*daemon)->pid()).empty());
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST_F(TargetAdminDaemonTest, AdminListenerServesTargetAdminOnLoopbackOnly) {
  auto daemon = StartDaemon({"--allow-admin=true"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  ASSERT_FALSE((*daemon)->admin_address().empty()) << (*daemon)->Log();
  EXPECT_NE((*daemon)->admin_address(), (*daemon)->grpc_address());

  auto admin = AdminStub((*daemon)->admin_address());
  auto names = TargetNames(*admin);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_TRUE(names->empty());

  // Still not on the public listener; and inference is not on the admin listener.
  auto public_admin = AdminStub((*daemon)->grpc_address());
  grpc::ClientContext context;
  admin::ListTargetsResponse list;
  EXPECT_EQ(public_admin->ListTargets(&context, {}, &list).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  auto inference_on_admin = inference::GRPCInferenceService::NewStub(
      grpc::CreateChannel((*daemon)->admin_address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext live_context;
  inference::ServerLiveResponse live;
  EXPECT_EQ(inference_on_admin->ServerLive(&live_context, {}, &live).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST_F(TargetAdminDaemonTest, EmulatorTargetsAreRefusedAndNoProcessStarts) {
  const fs::path marker = root_ / "emulator_ran";
  // Even with every loopback port allowed, the API cannot name an emulator.
  auto daemon =
      StartDaemon({"--allow-admin=true", "--admin-allowed-tcp-targets=127.0.0.1:1-65535"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto admin = AdminStub((*daemon)->admin_address());

  admin::TargetSpec emulator = Spec("evil", "emulator", "");
  emulator.set_command(TouchCommand(marker));
  emulator.set_image("/bin/true");
  const grpc::Status status = AddTarget(*admin, emulator);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_NE(status.error_message().find("--targets-config"), std::string::npos)
      << status.error_message();
  // A command on a tcp target is refused too rather than ignored.
  admin::TargetSpec tcp_with_command = Spec("sneaky", "tcp", "127.0.0.1:7000");
  tcp_with_command.set_command(TouchCommand(marker));
  EXPECT_EQ(AddTarget(*admin, tcp_with_command).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // An emulator target starts its command while AddTarget connects, before the call returns,
  // so nothing appearing by now means nothing ran.
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_TRUE(ChildrenOf((*daemon)->pid()).empty());
  auto names = TargetNames(*admin);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_TRUE(names->empty());
  // The daemon writes the line before it answers, but the test's reader of its log pipe may not
  // have taken it in yet: wait for it.
  EXPECT_TRUE((*daemon)->WaitForLog("refused AddTarget", absl::Seconds(30))) << (*daemon)->Log();
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST_F(TargetAdminDaemonTest, TcpTargetsOutsideTheAllowListAreRefusedWithoutAConnection) {
  auto allowed = testing::StartAgent();
  LoopbackListener listening;  // open, but not allowed
  LoopbackListener closed;     // a port with nothing behind it once closed
  closed.Close();
  auto daemon =
      StartDaemon({"--allow-admin=true", "--admin-allowed-tcp-targets=" + allowed.address()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto admin = AdminStub((*daemon)->admin_address());

  const grpc::Status open_port = AddTarget(*admin, Spec("probe", "tcp", listening.address()));
  EXPECT_EQ(open_port.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << open_port.error_message();
  EXPECT_FALSE(listening.ConnectionArrived());
  // Nothing about the port's state leaks: the message is the same but for the port itself.
  const grpc::Status closed_port = AddTarget(*admin, Spec("probe", "tcp", closed.address()));
  EXPECT_EQ(closed_port.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      absl::StrReplaceAll(closed_port.error_message(), {{closed.address(), listening.address()}}),
      open_port.error_message());
  EXPECT_NE(open_port.error_message().find("--admin-allowed-tcp-targets"), std::string::npos);

  const grpc::Status accepted = AddTarget(*admin, Spec("agent0", "tcp", allowed.address()));
  EXPECT_TRUE(accepted.ok()) << accepted.error_message();
  auto names = TargetNames(*admin);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, std::vector<std::string>{"agent0"});
  EXPECT_FALSE(listening.ConnectionArrived());
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST_F(TargetAdminDaemonTest, SerialDevicesOutsideTheAllowListAreRefused) {
  const fs::path device = root_ / "not_a_tty";
  std::ofstream(device) << "operator data\n";
  auto daemon = StartDaemon({"--allow-admin=true", "--admin-allowed-serial-devices=/dev/ttyUSB7"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto admin = AdminStub((*daemon)->admin_address());
  for (const std::string& address : {device.string(), device.string() + "@115200",
                                     std::string("/dev/ttyUSB7/../../") + device.string()}) {
    const grpc::Status status = AddTarget(*admin, Spec("uart", "serial", address));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << address << ": " << status.error_message();
  }
  auto names = TargetNames(*admin);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_TRUE(names->empty());
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST_F(TargetAdminDaemonTest, NamesAndLabelsFromTheApiAreBounded) {
  auto agent = testing::StartAgent();
  auto daemon =
      StartDaemon({"--allow-admin=true", "--admin-allowed-tcp-targets=" + agent.address()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto admin = AdminStub((*daemon)->admin_address());
  const grpc::Status long_name =
      AddTarget(*admin, Spec(std::string(100000, 'n'), "tcp", agent.address()));
  EXPECT_EQ(long_name.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LT(long_name.error_message().size(), 300u);
  admin::TargetSpec many_labels = Spec("labelled", "tcp", agent.address());
  for (int i = 0; i < 100; ++i) (*many_labels.mutable_labels())[absl::StrCat("k", i)] = "v";
  EXPECT_EQ(AddTarget(*admin, many_labels).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext context;
  admin::RemoveTargetRequest remove;
  remove.set_name(std::string(100000, 'r'));
  admin::RemoveTargetResponse removed;
  const grpc::Status remove_status = admin->RemoveTarget(&context, remove, &removed);
  EXPECT_EQ(remove_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LT(remove_status.error_message().size(), 300u);
  EXPECT_EQ((*daemon)->Stop(), 0);
}

TEST_F(TargetAdminDaemonTest, MaxTargetsCountsConfigAndApiTargets) {
  auto configured = testing::StartAgent();
  auto first = testing::StartAgent();
  auto second = testing::StartAgent();
  const fs::path targets = root_ / "targets.ini";
  std::ofstream(targets) << "[target configured]\nkind = tcp\naddress = " << configured.address()
                         << "\n";
  auto daemon =
      StartDaemon({"--allow-admin=true", "--max-targets=2", "--targets-config=" + targets.string(),
                   "--admin-allowed-tcp-targets=" + first.address() + "," + second.address()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto admin = AdminStub((*daemon)->admin_address());
  const grpc::Status added = AddTarget(*admin, Spec("first", "tcp", first.address()));
  EXPECT_TRUE(added.ok()) << added.error_message();
  const grpc::Status full = AddTarget(*admin, Spec("second", "tcp", second.address()));
  EXPECT_EQ(full.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << full.error_message();
  EXPECT_NE(full.error_message().find("--max-targets"), std::string::npos);
  auto names = TargetNames(*admin);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(names->size(), 2u);
  EXPECT_EQ((*daemon)->Stop(), 0);

  // A config file with more targets than the bound stops start-up and says why.
  std::ofstream(targets, std::ios::app)
      << "[target another]\nkind = tcp\naddress = " << first.address() << "\n";
  auto too_many = StartDaemon({"--max-targets=1", "--targets-config=" + targets.string()});
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.status().message().find("--max-targets"), absl::string_view::npos)
      << too_many.status();
}

TEST_F(TargetAdminDaemonTest, AMalformedAllowListStopsStartUp) {
  auto bad_port = StartDaemon({"--admin-allowed-tcp-targets=127.0.0.1:70000"});
  ASSERT_FALSE(bad_port.ok());
  EXPECT_NE(bad_port.status().message().find("--admin-allowed-tcp-targets"),
            absl::string_view::npos)
      << bad_port.status();
  EXPECT_NE(bad_port.status().message().find("127.0.0.1:70000"), absl::string_view::npos);
  auto relative_device = StartDaemon({"--admin-allowed-serial-devices=ttyUSB0"});
  ASSERT_FALSE(relative_device.ok());
  EXPECT_NE(relative_device.status().message().find("--admin-allowed-serial-devices"),
            absl::string_view::npos)
      << relative_device.status();
}

}  // namespace
}  // namespace inferd::ethosu

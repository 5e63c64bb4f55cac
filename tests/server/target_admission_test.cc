// TargetAdmission (what the TargetAdmin API may add) and the admin flags that configure it.
#include "server/target_admission.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "server/daemon_options.h"

namespace inferd {
namespace {

TcpTargetAllowList Tcp(const std::string& text) {
  auto list = TcpTargetAllowList::Parse(text);
  EXPECT_TRUE(list.ok()) << list.status();
  return list.ok() ? *list : TcpTargetAllowList();
}

ethosu::TargetConfig Target(const std::string& name, const std::string& kind,
                            const std::string& address) {
  ethosu::TargetConfig config;
  config.name = name;
  config.kind = kind;
  config.address = address;
  return config;
}

TEST(TcpTargetAllowListTest, EmptyAllowsNothing) {
  const TcpTargetAllowList list = Tcp("");
  EXPECT_TRUE(list.empty());
  EXPECT_FALSE(list.Allows("127.0.0.1:7000"));
  EXPECT_FALSE(Tcp(" , ").Allows("127.0.0.1:7000"));
}

TEST(TcpTargetAllowListTest, MatchesPortsRangesAndHosts) {
  const TcpTargetAllowList list = Tcp("127.0.0.1:7000-7100, Board1.LAB:5000,[::1]:9000");
  EXPECT_TRUE(list.Allows("127.0.0.1:7000"));
  EXPECT_TRUE(list.Allows("127.0.0.1:7050"));
  EXPECT_TRUE(list.Allows("127.0.0.1:7100"));
  EXPECT_FALSE(list.Allows("127.0.0.1:6999"));
  EXPECT_FALSE(list.Allows("127.0.0.1:7101"));
  EXPECT_TRUE(list.Allows("board1.lab:5000"));  // host names compare case-insensitively
  EXPECT_FALSE(list.Allows("board1.lab:5001"));
  EXPECT_FALSE(list.Allows("board2.lab:5000"));
  EXPECT_TRUE(list.Allows("[::1]:9000"));
  EXPECT_FALSE(list.Allows("[::1]:9001"));
  // Hosts compare as written: no resolution, no other spelling of the same address.
  EXPECT_FALSE(list.Allows("localhost:7000"));
  EXPECT_FALSE(list.Allows("127.1:7000"));
}

TEST(TargetAdmissionTest, DescribesWhatItAllows) {
  auto admission = TargetAdmission::FromFlags(" 127.0.0.1:7000-7100,[::1]:9000", "/dev/ttyUSB0");
  ASSERT_TRUE(admission.ok());
  EXPECT_EQ(admission->Describe(),
            "AddTarget allows no emulators, tcp targets 127.0.0.1:7000-7100,[::1]:9000, serial "
            "devices /dev/ttyUSB0");
  EXPECT_EQ(TargetAdmission().Describe(),
            "AddTarget allows no emulators, tcp targets none, serial devices none");
}

TEST(TcpTargetAllowListTest, AddressesThatCouldParseDifferentlyAreRefused) {
  const TcpTargetAllowList list = Tcp("127.0.0.1:7000");
  for (const char* address :
       {"127.0.0.1:+7000", "127.0.0.1: 7000", "127.0.0.1:7000 ", "127.0.0.1", ":7000",
        "127.0.0.1:07000x", "127.0.0.1:", "[127.0.0.1]7000", "127.0.0.1:7000:7000", ""}) {
    EXPECT_FALSE(list.Allows(address)) << address;
  }
}

TEST(TcpTargetAllowListTest, BadEntriesAreNamed) {
  for (const char* text :
       {"127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:7100-7000", "127.0.0.1:a-b",
        ":5000", "host:5000-", "[::1:5000", "a b:5000", "127.0.0.1:7000,oops"}) {
    auto list = TcpTargetAllowList::Parse(text);
    ASSERT_FALSE(list.ok()) << text;
    EXPECT_EQ(list.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(list.status().message().find("host:port"), std::string::npos) << list.status();
  }
}

TEST(SerialDeviceAllowListTest, MatchesExactDevicePathsAtAnyBaud) {
  auto list = SerialDeviceAllowList::Parse("/dev/ttyUSB0, /dev/ttyACM1");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_TRUE(list->Allows("/dev/ttyUSB0"));
  EXPECT_TRUE(list->Allows("/dev/ttyUSB0@921600"));
  EXPECT_TRUE(list->Allows("/dev/ttyACM1"));
  EXPECT_FALSE(list->Allows("/dev/ttyUSB1"));
  EXPECT_FALSE(list->Allows("/dev/../dev/ttyUSB0"));
  EXPECT_FALSE(list->Allows("/dev/ttyUSB0/"));
  EXPECT_FALSE(list->Allows("/dev/ttyUSB0@12345"));  // a baud rate the transport refuses
  EXPECT_FALSE(SerialDeviceAllowList::Parse("")->Allows("/dev/ttyUSB0"));
  EXPECT_FALSE(SerialDeviceAllowList::Parse("ttyUSB0").ok());
  EXPECT_FALSE(SerialDeviceAllowList::Parse("/dev/ttyUSB0@115200").ok());
}

TEST(TargetAdmissionTest, EmulatorsAreNeverAllowed) {
  auto admission = TargetAdmission::FromFlags("127.0.0.1:1-65535", "/dev/ttyUSB0");
  ASSERT_TRUE(admission.ok()) << admission.status();
  ethosu::TargetConfig emulator = Target("qemu", "emulator", "");
  emulator.command = "touch /tmp/pwned {port}";
  const absl::Status status = admission->Check(emulator);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(status.message().find("--targets-config"), std::string::npos) << status;
  // Nor any kind spelled otherwise, nor a command riding on a tcp target.
  EXPECT_FALSE(admission->Check(Target("qemu", "Emulator", "")).ok());
  ethosu::TargetConfig tcp = Target("t", "tcp", "127.0.0.1:7000");
  EXPECT_TRUE(admission->Check(tcp).ok());
  tcp.command = "sh -c id";
  EXPECT_EQ(admission->Check(tcp).code(), absl::StatusCode::kInvalidArgument);
}

TEST(TargetAdmissionTest, AddressesMustBeAllowListed) {
  auto admission = TargetAdmission::FromFlags("127.0.0.1:7000", "/dev/ttyUSB0");
  ASSERT_TRUE(admission.ok()) << admission.status();
  EXPECT_TRUE(admission->Check(Target("a", "tcp", "127.0.0.1:7000")).ok());
  EXPECT_TRUE(admission->Check(Target("s", "serial", "/dev/ttyUSB0@115200")).ok());
  const absl::Status tcp = admission->Check(Target("a", "tcp", "10.0.0.1:22"));
  EXPECT_EQ(tcp.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(tcp.message().find("--admin-allowed-tcp-targets"), std::string::npos) << tcp;
  const absl::Status serial = admission->Check(Target("s", "serial", "/etc/passwd"));
  EXPECT_EQ(serial.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(serial.message().find("--admin-allowed-serial-devices"), std::string::npos) << serial;
  // The default admission allows nothing at all.
  EXPECT_EQ(TargetAdmission().Check(Target("a", "tcp", "127.0.0.1:7000")).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(TargetAdmissionTest, NamesLabelsAndTimeoutsAreBounded) {
  auto admission = TargetAdmission::FromFlags("127.0.0.1:7000", "");
  ASSERT_TRUE(admission.ok());
  const absl::Status long_name =
      admission->Check(Target(std::string(100000, 'x'), "tcp", "127.0.0.1:7000"));
  EXPECT_EQ(long_name.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_LT(long_name.message().size(), 200u) << "the name is quoted only in part";
  EXPECT_FALSE(admission->Check(Target("a b", "tcp", "127.0.0.1:7000")).ok());
  EXPECT_FALSE(admission->Check(Target("a\nb", "tcp", "127.0.0.1:7000")).ok());
  EXPECT_FALSE(admission->Check(Target("", "tcp", "127.0.0.1:7000")).ok());

  ethosu::TargetConfig labelled = Target("a", "tcp", "127.0.0.1:7000");
  for (int i = 0; i < 16; ++i) labelled.labels["k" + std::to_string(i)] = "v";
  EXPECT_TRUE(admission->Check(labelled).ok());
  labelled.labels["one_too_many"] = "v";
  EXPECT_EQ(admission->Check(labelled).code(), absl::StatusCode::kInvalidArgument);
  labelled.labels = {{"npu", std::string(1000, 'v')}};
  EXPECT_EQ(admission->Check(labelled).code(), absl::StatusCode::kInvalidArgument);
  labelled.labels = {{std::string(1000, 'k'), "v"}};
  EXPECT_EQ(admission->Check(labelled).code(), absl::StatusCode::kInvalidArgument);

  ethosu::TargetConfig slow = Target("a", "tcp", "127.0.0.1:7000");
  slow.connect_timeout = absl::Hours(24);
  EXPECT_EQ(admission->Check(slow).code(), absl::StatusCode::kInvalidArgument);
}

absl::StatusOr<DaemonOptions> ParseArgs(std::vector<const char*> args) {
  args.insert(args.begin(), "inferd");
  return ParseDaemonOptions(static_cast<int>(args.size()), args.data());
}

TEST(AdminOptionsTest, AdminIsOffAndLoopbackByDefault) {
  auto options = ParseArgs({});
  ASSERT_TRUE(options.ok());
  EXPECT_FALSE(options->allow_admin);
  EXPECT_EQ(options->admin_address, "127.0.0.1");
  EXPECT_EQ(options->admin_port, 8003);
  EXPECT_EQ(options->admin_allowed_tcp_targets, "");
  EXPECT_EQ(options->admin_allowed_serial_devices, "");
  EXPECT_EQ(options->max_targets, 64);
}

TEST(AdminOptionsTest, ParsesTheAdminFlags) {
  auto options = ParseArgs({"--allow-admin=true", "--admin-address=::1", "--admin-port=0",
                            "--admin-allowed-tcp-targets=127.0.0.1:7000-7100,board1.lab:5000",
                            "--admin-allowed-serial-devices=/dev/ttyUSB0", "--max-targets=8"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->allow_admin);
  EXPECT_EQ(options->admin_address, "::1");
  EXPECT_EQ(options->admin_port, 0);
  EXPECT_EQ(options->admin_allowed_tcp_targets, "127.0.0.1:7000-7100,board1.lab:5000");
  EXPECT_EQ(options->admin_allowed_serial_devices, "/dev/ttyUSB0");
  EXPECT_EQ(options->max_targets, 8);
}

TEST(AdminOptionsTest, BadAllowListsFailWithTheFlagAndEntryNamed) {
  auto tcp = ParseArgs({"--admin-allowed-tcp-targets=127.0.0.1:7000,board1.lab"});
  ASSERT_FALSE(tcp.ok());
  EXPECT_NE(tcp.status().message().find("--admin-allowed-tcp-targets"), std::string::npos);
  EXPECT_NE(tcp.status().message().find("'board1.lab'"), std::string::npos) << tcp.status();
  auto serial = ParseArgs({"--admin-allowed-serial-devices=ttyUSB0"});
  ASSERT_FALSE(serial.ok());
  EXPECT_NE(serial.status().message().find("--admin-allowed-serial-devices"), std::string::npos);
  EXPECT_FALSE(ParseArgs({"--max-targets=0"}).ok());
  EXPECT_FALSE(ParseArgs({"--admin-port=70000"}).ok());
  EXPECT_FALSE(ParseArgs({"--allow-admin=perhaps"}).ok());
}

TEST(AdminOptionsTest, HelpExplainsTheAdminFlags) {
  const std::string usage = DaemonUsage();
  for (const char* flag :
       {"--allow-admin", "--admin-address", "--admin-port", "--admin-allowed-tcp-targets",
        "--admin-allowed-serial-devices", "--max-targets", "docs/security.md"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace inferd

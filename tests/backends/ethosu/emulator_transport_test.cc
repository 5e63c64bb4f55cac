// EmulatorTransport: starts a process from a command template, connects to the port it was given,
// and kills it on close. The "emulator" here is inferd_target_agent, which listens on {port}.
#include "backends/ethosu/transport/emulator_transport.h"

#include <gtest/gtest.h>
#include <signal.h>

#include "absl/time/clock.h"
#include "backends/ethosu/target_client.h"

namespace inferd::ethosu {
namespace {

TEST(EmulatorTransportTest, ExpandsTheTemplate) {
  EXPECT_EQ(ExpandEmulatorCommand("qemu -kernel {image} -serial tcp:127.0.0.1:{port},server=on",
                                  "fw.elf", 5555),
            "qemu -kernel fw.elf -serial tcp:127.0.0.1:5555,server=on");
}

TEST(EmulatorTransportTest, StartsConnectsAndKillsTheEmulator) {
  auto transport = std::make_unique<EmulatorTransport>(
      std::string(INFERD_TARGET_AGENT) + " --port={port} --name={image}", "fake-emulator");
  EmulatorTransport* emulator = transport.get();
  TargetClient client(std::move(transport));
  ASSERT_TRUE(client.Connect(absl::Now() + absl::Seconds(20)).ok());
  EXPECT_EQ(FixedName(client.version().agent_name, INFERD_TP_NAME_SIZE), "fake-emulator");
  EXPECT_TRUE(client.Ping(absl::Now() + absl::Seconds(20)).ok());
  const pid_t pid = emulator->pid();
  ASSERT_GT(pid, 0);
  client.Disconnect();
  EXPECT_EQ(emulator->pid(), -1);
  EXPECT_NE(::kill(pid, 0), 0);  // reaped: no such process
}

TEST(EmulatorTransportTest, AnEmulatorThatExitsFailsFastWithItsStatus) {
  EmulatorTransport transport("sh -c 'exit 3' # {port}", "");
  const absl::Status status = transport.Open(absl::Now() + absl::Seconds(20));
  ASSERT_TRUE(absl::IsUnavailable(status)) << status;
  EXPECT_NE(status.message().find("exited with status 3"), absl::string_view::npos) << status;
}

}  // namespace
}  // namespace inferd::ethosu

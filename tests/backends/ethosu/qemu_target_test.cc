// The whole path on an emulated Cortex-M55: the target pool starts QEMU (mps3-an547) with the
// firmware image through an emulator target, uploads digits_int8 as a lowered cpu job and runs a
// batch on it. Skipped when qemu-system-arm or the arm-none-eabi image is missing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include "absl/time/clock.h"
#include "backends/ethosu/ethosu_backend.h"
#include "tests/backends/ethosu/ethosu_test_support.h"

namespace inferd::ethosu {
namespace {

bool HaveQemu() { return ::access("/usr/bin/qemu-system-arm", X_OK) == 0; }

TEST(QemuTargetTest, RunsDigitsOnTheFirmwareInQemu) {
  const std::string image = INFERD_FIRMWARE_ELF;
  if (image.empty() || !std::filesystem::exists(image) || !HaveQemu()) {
    GTEST_SKIP() << "needs qemu-system-arm and the firmware image (ninja firmware)";
  }
  auto pool = std::make_shared<TargetPool>();
  TargetConfig config;
  config.name = "qemu0";
  config.kind = "emulator";
  config.command =
      "qemu-system-arm -M mps3-an547 -nographic -monitor none -kernel {image} "
      "-serial tcp:127.0.0.1:{port},server=on,wait=off,nodelay=on -serial null";
  config.image = image;
  config.connect_timeout = absl::Seconds(30);
  config.job_timeout = absl::Seconds(60);
  ASSERT_TRUE(pool->AddTarget(config).ok());
  auto targets = pool->ListTargets();
  ASSERT_EQ(targets.size(), 1u);
  ASSERT_TRUE(targets[0].healthy) << targets[0].last_error;
  EXPECT_EQ(targets[0].labels.at("npu"), "none");

  EthosuBackend backend(pool);
  auto executable = backend.Load(testing::DigitsInt8Request(/*max_batch_size=*/16));
  ASSERT_TRUE(executable.ok()) << executable.status();

  const Tensor images = testing::DigitsImages(2, 5);
  auto result = testing::ExecuteAndWait(**executable, images, absl::Seconds(120));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(testing::MatchesCpuReference(result->outputs[0], images));
  EXPECT_EQ(result->parameters.at("target"), "qemu0");
  EXPECT_NE(result->parameters.at("cpu_cycles"), "0");
}

}  // namespace
}  // namespace inferd::ethosu

// The daemon's lifecycle under a careless repository: a FIFO where a model file should be must
// neither stall start-up, nor other models' loads, nor the shutdown.
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "client/inference_client.h"
#include "gtest/gtest.h"
#include "tests/integration/daemon_process.h"

namespace inferd::testing {
namespace {
namespace fs = std::filesystem;
using client::InferenceClient;

// digits_int8 beside `stuck`, whose model.tosa is a FIFO that nobody ever writes.
fs::path RepositoryWithAFifoModel() {
  const fs::path root =
      fs::path(::testing::TempDir()) / absl::StrCat("fifo_repository_", ::getpid());
  fs::remove_all(root);
  fs::create_directories(root / "stuck" / "1");
  fs::copy(SourceDir() + "/examples/models/digits_int8", root / "digits_int8",
           fs::copy_options::recursive);
  EXPECT_EQ(mkfifo((root / "stuck" / "1" / "model.tosa").c_str(), 0600), 0);
  return root;
}

TEST(ShutdownTest, AFifoModelFailsItsLoadAndNeitherBlocksOtherModelsNorTheExit) {
  const fs::path repository = RepositoryWithAFifoModel();
  auto daemon = DaemonProcess::Start({"--model-repository=" + repository.string(),
                                      "--model-control-mode=explicit", "--load-model=*",
                                      "--exit-timeout-secs=5"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto client = InferenceClient::Connect((*daemon)->grpc_address(), absl::Seconds(30));
  ASSERT_NE(client, nullptr);

  const absl::Status stuck = client->Load("stuck");
  EXPECT_FALSE(stuck.ok());
  EXPECT_NE(stuck.message().find("model.tosa"), std::string::npos) << stuck;
  EXPECT_NE(stuck.message().find("not a regular file"), std::string::npos) << stuck;
  // Another model loads and unloads meanwhile.
  EXPECT_TRUE(client->Unload("digits_int8").ok());
  EXPECT_TRUE(client->Load("digits_int8").ok());
  auto ready = client->ModelReady("digits_int8");
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_TRUE(*ready);

  EXPECT_EQ((*daemon)->Stop(), 0) << (*daemon)->Log();
  fs::remove_all(repository);
}

}  // namespace
}  // namespace inferd::testing

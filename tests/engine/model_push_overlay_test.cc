// ModelPushOverlay: the checks on pushed file names and sizes, and the staging-then-rename write
// that never leaves half a model and never writes outside the overlay.
#include "engine/model_push_overlay.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "gtest/gtest.h"

namespace inferd {
namespace {
namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::string> Entries(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class ModelPushOverlayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::path(::testing::TempDir()) /
            (std::string("inferd_model_push_overlay_test") + "_" + std::to_string(getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "repository" / "m" / "1");
    fs::create_directories(base_ / "push");
    fs::create_directories(base_ / "outside");
  }
  void TearDown() override { fs::remove_all(base_); }

  std::unique_ptr<ModelPushOverlay> MakeOverlay() {
    auto overlay = ModelPushOverlay::Create(base_ / "push", base_ / "repository");
    EXPECT_TRUE(overlay.ok()) << overlay.status();
    return overlay.ok() ? *std::move(overlay) : nullptr;
  }

  fs::path base_;
};

TEST(CheckPushedFileNameTest, AcceptsVersionFilesAndOneFileBesideTheConfig) {
  for (const char* name : {"1/model.tosa", "12/sub/dir/weights.bin", "3/.hidden", "labels.txt",
                           "1/a..b", "9223372036/x"}) {
    EXPECT_TRUE(CheckPushedFileName(name).ok()) << name << ": " << CheckPushedFileName(name);
  }
}

TEST(CheckPushedFileNameTest, RefusesEveryNameThatCouldLeaveTheModelFolder) {
  for (const char* name : {"",
                           "/etc/passwd",
                           "1/../../x",
                           "1/a/../../b",
                           "../x",
                           "..",
                           ".",
                           "1//a",
                           "./1/a",
                           "1/./a",
                           "1/a/",
                           "1/",
                           "01/a",
                           "0/a",
                           "-1/a",
                           "1",
                           "v1/a",
                           "config.pbtxt",
                           "1/a\nb",
                           "1/\x7f",
                           "1234567890123456789/a"}) {
    const absl::Status status = CheckPushedFileName(name);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << "'" << name << "'";
    EXPECT_NE(status.message().find("Invalid file parameter"), std::string::npos) << status;
  }
  EXPECT_NE(CheckPushedFileName("/etc/passwd").message().find("absolute"), std::string::npos);
  EXPECT_NE(CheckPushedFileName("1/../../x").message().find("'..'"), std::string::npos);
}

TEST(CheckPushedFileNameTest, BoundsLengthAndDepth) {
  EXPECT_FALSE(CheckPushedFileName("1/" + std::string(kMaxPushedComponentBytes + 1, 'a')).ok());
  EXPECT_TRUE(CheckPushedFileName("1/" + std::string(kMaxPushedComponentBytes, 'a')).ok());
  std::string deep = "1";
  for (size_t i = 1; i < kMaxPushedNameDepth; ++i) deep += "/d";
  EXPECT_TRUE(CheckPushedFileName(deep).ok());
  EXPECT_FALSE(CheckPushedFileName(deep + "/d").ok());
  std::string long_name = "1";
  while (long_name.size() <= kMaxPushedNameBytes) long_name += "/" + std::string(200, 'x');
  EXPECT_FALSE(CheckPushedFileName(long_name).ok());
}

TEST(CountPushedFileTest, RefusesPastEitherLimitNamingTheFlag) {
  const ModelPushLimits limits{.max_bytes = 100, .max_files = 2};
  size_t files = 0;
  uint64_t bytes = 0;
  EXPECT_TRUE(CountPushedFile(limits, 60, files, bytes).ok());
  EXPECT_TRUE(CountPushedFile(limits, 40, files, bytes).ok());
  const absl::Status third = CountPushedFile(limits, 0, files, bytes);
  EXPECT_EQ(third.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(third.message().find("--max-model-push-files"), std::string::npos) << third;

  files = 0;
  bytes = 0;
  const absl::Status big = CountPushedFile(limits, 101, files, bytes);
  EXPECT_EQ(big.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(big.message().find("--max-model-push-bytes"), std::string::npos) << big;
}

TEST_F(ModelPushOverlayTest, MakesAPrivateFolderAndRemovesItAtTheEnd) {
  auto overlay = MakeOverlay();
  ASSERT_NE(overlay, nullptr);
  const fs::path root = overlay->root();
  EXPECT_EQ(root.parent_path(), fs::canonical(base_ / "push"));
  EXPECT_EQ(root.filename().string().rfind("inferd-model-push-", 0), 0u) << root;
  struct stat info {};
  ASSERT_EQ(::stat(root.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  overlay.reset();
  EXPECT_FALSE(fs::exists(root));
}

TEST_F(ModelPushOverlayTest, RefusesAFolderInsideTheRepository) {
  auto inside = ModelPushOverlay::Create(base_ / "repository" / "m", base_ / "repository");
  EXPECT_EQ(inside.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(inside.status().message().find("inside the model repository"), std::string::npos);
  EXPECT_FALSE(ModelPushOverlay::Create(base_ / "missing", base_ / "repository").ok());
  EXPECT_EQ(Entries(base_ / "repository" / "m"), std::vector<std::string>{"1"});
}

TEST_F(ModelPushOverlayTest, WritesAWholeModelThenRemovesItWhenReleased) {
  auto overlay = MakeOverlay();
  ASSERT_NE(overlay, nullptr);
  auto folder = overlay->Write({{"1/model.tosa", "graph"},
                                {"2/sub/weights.bin", std::string("\0\1\2", 3)},
                                {"labels.txt", "zero\none\n"}});
  ASSERT_TRUE(folder.ok()) << folder.status();
  const fs::path path = (*folder)->path();
  EXPECT_EQ(path.parent_path(), overlay->root());
  EXPECT_EQ(ReadText(path / "1" / "model.tosa"), "graph");
  EXPECT_EQ(ReadText(path / "2" / "sub" / "weights.bin"), std::string("\0\1\2", 3));
  EXPECT_EQ(ReadText(path / "labels.txt"), "zero\none\n");
  // Only the finished folder is there: the staging folder was renamed, not copied.
  EXPECT_EQ(Entries(overlay->root()), std::vector<std::string>{path.filename().string()});

  // A second push of the same model gets a folder of its own; the first stays whole while held.
  auto second = overlay->Write({{"1/model.tosa", "new graph"}});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE((*second)->path(), path);
  EXPECT_EQ(ReadText(path / "1" / "model.tosa"), "graph");
  EXPECT_EQ(ReadText((*second)->path() / "1" / "model.tosa"), "new graph");

  folder->reset();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(Entries(overlay->root()),
            std::vector<std::string>{(*second)->path().filename().string()});
}

TEST_F(ModelPushOverlayTest, ACollisionLeavesNothingBehind) {
  auto overlay = MakeOverlay();
  ASSERT_NE(overlay, nullptr);
  auto file_then_folder = overlay->Write({{"1/a", "x"}, {"1/a/b", "y"}});
  EXPECT_EQ(file_then_folder.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(file_then_folder.status().message().find("directory has been created as a file"),
            std::string::npos)
      << file_then_folder.status();
  auto twice = overlay->Write({{"1/a", "x"}, {"1/a", "y"}});
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kInvalidArgument);
  auto bad_name = overlay->Write({{"1/ok", "x"}, {"1/../../escape", "y"}});
  EXPECT_EQ(bad_name.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Entries(overlay->root()).empty());
  EXPECT_FALSE(fs::exists(base_ / "push" / "escape"));
  EXPECT_FALSE(fs::exists(base_ / "escape"));
}

TEST_F(ModelPushOverlayTest, NeverFollowsALinkPlantedInTheOverlay) {
  auto overlay = MakeOverlay();
  ASSERT_NE(overlay, nullptr);
  // Whoever could write into the overlay plants links where the next staging folder goes.
  fs::create_directory_symlink(base_ / "outside", overlay->root() / "staging-1");
  auto written = overlay->Write({{"1/model.tosa", "graph"}});
  EXPECT_FALSE(written.ok());
  EXPECT_TRUE(Entries(base_ / "outside").empty());
  EXPECT_TRUE(fs::exists(base_ / "outside"));
}

}  // namespace
}  // namespace inferd

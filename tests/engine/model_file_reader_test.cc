#include "engine/model_file_reader.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd {
namespace {
namespace fs = std::filesystem;

using ::testing::HasSubstr;
using ::testing::Not;

class ModelFileReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::path(::testing::TempDir()) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(base_);
    repo_ = base_ / "repo";
    fs::create_directories(repo_ / "m" / "1");
    fs::create_directories(base_ / "outside");
  }
  void TearDown() override { fs::remove_all(base_); }

  static void Write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }

  fs::path base_;
  fs::path repo_;
};

TEST_F(ModelFileReaderTest, ReadsARegularFileInsideTheRepository) {
  Write(repo_ / "m" / "1" / "model.bin", "weights");
  ModelFileReader reader(repo_);
  auto bytes = reader.ReadModelFile(repo_ / "m" / "1" / "model.bin");
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(std::string(bytes->begin(), bytes->end()), "weights");
}

TEST_F(ModelFileReaderTest, EmptyFileReadsAsEmpty) {
  Write(repo_ / "m" / "1" / "model.bin", "");
  auto bytes = ModelFileReader(repo_).ReadModelFile(repo_ / "m" / "1" / "model.bin");
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_TRUE(bytes->empty());
}

TEST_F(ModelFileReaderTest, MissingFileIsNotFoundAndNamed) {
  const fs::path path = repo_ / "m" / "1" / "model.bin";
  auto bytes = ModelFileReader(repo_).ReadModelFile(path);
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr(path.string()));
}

// A FIFO would block open() and read() forever; it is refused without either blocking.
TEST_F(ModelFileReaderTest, FifoIsRefusedAsNotRegular) {
  const fs::path path = repo_ / "m" / "1" / "model.bin";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0) << std::strerror(errno);
  auto bytes = ModelFileReader(repo_).ReadModelFile(path);
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr(path.string()));
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr("FIFO"));
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr("not a regular file"));
}

TEST_F(ModelFileReaderTest, SocketIsRefusedAsNotRegular) {
  const fs::path path = repo_ / "m" / "1" / "model.bin";
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  ASSERT_LT(path.string().size(), sizeof(address.sun_path));
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0)
      << std::strerror(errno);
  auto bytes = ModelFileReader(repo_).ReadModelFile(path);
  ::close(fd);
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr("a socket"));
}

TEST_F(ModelFileReaderTest, FolderIsRefusedAsNotRegular) {
  const fs::path path = repo_ / "m" / "1" / "model.bin";
  fs::create_directory(path);
  auto bytes = ModelFileReader(repo_).ReadModelFile(path);
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr("a folder"));
}

// model.tosa -> /dev/zero once grew the daemon by hundreds of MB a second. Now: refused before
// a byte is read, and the peak resident size stays where it was.
TEST_F(ModelFileReaderTest, DevZeroThroughALinkIsRefusedWithoutReading) {
  const fs::path path = repo_ / "m" / "1" / "model.bin";
  fs::create_symlink("/dev/zero", path);
  rusage before{};
  ::getrusage(RUSAGE_SELF, &before);
  auto bytes = ModelFileReader(repo_).ReadModelFile(path);
  rusage after{};
  ::getrusage(RUSAGE_SELF, &after);
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr(path.string()));
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr("outside the model repository"));
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 64 * 1024);  // KiB: far less than 64 MiB
}

TEST_F(ModelFileReaderTest, LinkInsideTheRepositoryIsFollowed) {
  fs::create_directories(repo_ / "shared");
  Write(repo_ / "shared" / "weights.bin", "shared weights");
  fs::create_symlink("../../shared/weights.bin", repo_ / "m" / "1" / "model.bin");
  auto bytes = ModelFileReader(repo_).ReadModelFile(repo_ / "m" / "1" / "model.bin");
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(std::string(bytes->begin(), bytes->end()), "shared weights");
}

TEST_F(ModelFileReaderTest, LinkOutsideTheRepositoryIsRefusedAndNothingQuoted) {
  Write(base_ / "outside" / "secret.txt", "root:x:0:0:DISTINCTIVE-SECRET");
  const fs::path path = repo_ / "m" / "1" / "model.bin";
  fs::create_symlink(base_ / "outside" / "secret.txt", path);
  auto bytes = ModelFileReader(repo_).ReadModelFile(path);
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr(path.string()));
  EXPECT_THAT(std::string(bytes.status().message()), Not(HasSubstr("DISTINCTIVE-SECRET")));
}

TEST_F(ModelFileReaderTest, RepositoryReachedThroughALinkStillWorks) {
  // The repository root itself may be a link (e.g. /srv/models -> /data/models).
  fs::create_directory_symlink(repo_, base_ / "repo-link");
  Write(repo_ / "m" / "1" / "model.bin", "weights");
  ModelFileReader reader(base_ / "repo-link");
  auto bytes = reader.ReadModelFile(base_ / "repo-link" / "m" / "1" / "model.bin");
  ASSERT_TRUE(bytes.ok()) << bytes.status();
}

TEST_F(ModelFileReaderTest, FileOverTheLimitIsRefusedAtTheLimitRead) {
  const fs::path path = repo_ / "m" / "1" / "model.bin";
  ModelFileReader reader(repo_, /*max_model_file_size=*/16);
  Write(path, std::string(16, 'a'));
  auto at_limit = reader.ReadModelFile(path);
  ASSERT_TRUE(at_limit.ok()) << at_limit.status();
  EXPECT_EQ(at_limit->size(), 16u);

  Write(path, std::string(17, 'a'));
  auto over = reader.ReadModelFile(path);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(over.status().message()), HasSubstr(path.string()));
  EXPECT_THAT(std::string(over.status().message()), HasSubstr("limit of 16 bytes"));
}

TEST_F(ModelFileReaderTest, ConfigFileHasItsOwnSmallCap) {
  const fs::path path = repo_ / "m" / "config.pbtxt";
  Write(path, std::string(kMaxConfigFileSize + 1, '#'));
  auto text = ModelFileReader(repo_).ReadConfigFile(path);
  EXPECT_EQ(text.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(text.status().message()), HasSubstr("config.pbtxt"));
}

// At the descriptor limit the error says so, instead of a misleading "cannot read".
TEST_F(ModelFileReaderTest, RunningOutOfDescriptorsIsReportedAsSuch) {
  const fs::path path = repo_ / "m" / "1" / "model.bin";
  Write(path, "weights");
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit none = saved;
  none.rlim_cur = 0;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &none), 0);
  auto bytes = ModelFileReader(repo_).ReadModelFile(path);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr("ran out of file descriptors"));
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr(path.string()));
}

}  // namespace
}  // namespace inferd

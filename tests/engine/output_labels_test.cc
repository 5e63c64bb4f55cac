// ReadOutputLabels: label files beside config.pbtxt, one label a line, read only from inside the
// model's folder.
#include "engine/output_labels.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class OutputLabelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            (std::string("inferd_output_labels_test") + "_" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "m");
    config_.set_name("m");
    config_.add_output()->set_name("plain");
    auto* labelled = config_.add_output();
    labelled->set_name("scores");
    labelled->set_label_filename("labels.txt");
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
  inference::ModelConfig config_;
};

TEST_F(OutputLabelsTest, OneLabelALineForTheOutputsThatHaveAFile) {
  std::ofstream(root_ / "m" / "labels.txt") << "cat\r\ndog\n\nemu\n";
  auto labels = ReadOutputLabels(ModelFileReader(root_), root_ / "m", config_);
  ASSERT_TRUE(labels.ok()) << labels.status();
  ASSERT_EQ(labels->size(), 2u);
  EXPECT_TRUE((*labels)[0].empty());
  // CRLF line ends are stripped; an empty line is an empty label (class 2 has none).
  EXPECT_THAT((*labels)[1], ElementsAre("cat", "dog", "", "emu"));
}

TEST_F(OutputLabelsTest, AMissingFileFailsTheLoadNamingTheOutput) {
  auto labels = ReadOutputLabels(ModelFileReader(root_), root_ / "m", config_);
  ASSERT_FALSE(labels.ok());
  EXPECT_EQ(labels.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(labels.status().message()), HasSubstr("output 'scores'"));
}

TEST_F(OutputLabelsTest, OnlyPlainFileNamesInTheModelsFolder) {
  for (const char* name : {"../labels.txt", "/etc/passwd", ".."}) {
    config_.mutable_output(1)->set_label_filename(name);
    auto labels = ReadOutputLabels(ModelFileReader(root_), root_ / "m", config_);
    ASSERT_FALSE(labels.ok()) << name;
    EXPECT_EQ(labels.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(std::string(labels.status().message()), HasSubstr("plain file name"));
  }
}

}  // namespace
}  // namespace inferd

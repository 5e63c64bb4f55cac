#include "engine/model_repository.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace inferd {
namespace {
namespace fs = std::filesystem;

class ModelRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::path(::testing::TempDir()) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(base_);
    fs::create_directories(base_ / "repo" / "alpha" / "1");
    fs::create_directories(base_ / "repo" / "alpha" / "3");
    fs::create_directories(base_ / "repo" / "alpha" / "notaversion");
    fs::create_directories(base_ / "repo" / "beta");
    fs::create_directories(base_ / "outside");
    fs::create_directory_symlink(base_ / "outside", base_ / "repo" / "escape");
  }
  fs::path base_;
};

TEST_F(ModelRepositoryTest, ListsModelsAndNumericVersions) {
  ModelRepository repository(base_ / "repo");
  auto models = repository.ListModels();
  ASSERT_TRUE(models.ok());
  EXPECT_EQ(*models, (std::vector<std::string>{"alpha", "beta", "escape"}));
  auto alpha = repository.ModelPath("alpha");
  ASSERT_TRUE(alpha.ok());
  EXPECT_EQ(ModelRepository::ListVersions(*alpha), (std::vector<int64_t>{1, 3}));
}

TEST_F(ModelRepositoryTest, RefusesNamesThatLeaveTheRepository) {
  ModelRepository repository(base_ / "repo");
  for (const char* name : {"..", ".", "../outside", "alpha/1", "/etc", ""}) {
    EXPECT_EQ(repository.ModelPath(name).status().code(), absl::StatusCode::kInvalidArgument)
        << name;
  }
  // A link inside the repository that points outside it is refused as well.
  EXPECT_EQ(repository.ModelPath("escape").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(repository.ModelPath("missing").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ModelRepositoryTest, MissingRepositoryIsNotFound) {
  ModelRepository repository(base_ / "nope");
  EXPECT_EQ(repository.CheckExists().code(), absl::StatusCode::kNotFound);
}

TEST_F(ModelRepositoryTest, FingerprintChangesWhenAFileChanges) {
  const fs::path model = base_ / "repo" / "alpha";
  const std::string before = ModelRepository::Fingerprint(model);
  std::ofstream(model / "1" / "model.bin") << "bytes";
  EXPECT_NE(ModelRepository::Fingerprint(model), before);
}

}  // namespace
}  // namespace inferd

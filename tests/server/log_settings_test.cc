// Triton's LogSettings over spdlog's threshold: reads always, changes only when allowed, and a
// refusal for every setting or value inferd cannot honour.
#include "server/log_settings.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spdlog/spdlog.h"

namespace inferd {
namespace {

using ::testing::HasSubstr;

class LogSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::info); }
  void TearDown() override { spdlog::set_level(spdlog::level::info); }

  static absl::Status Apply(const inference::LogSettingsRequest& request, bool allowed,
                            inference::LogSettingsResponse* response = nullptr) {
    inference::LogSettingsResponse ignored;
    return ApplyLogSettings(request, allowed, response != nullptr ? *response : ignored);
  }
};

TEST_F(LogSettingsTest, ReadingIsAlwaysAllowed) {
  inference::LogSettingsResponse response;
  ASSERT_TRUE(Apply({}, /*allowed=*/false, &response).ok());
  const auto& s = response.settings();
  EXPECT_TRUE(s.at("log_info").bool_param());
  EXPECT_TRUE(s.at("log_warning").bool_param());
  EXPECT_TRUE(s.at("log_error").bool_param());
  EXPECT_EQ(s.at("log_verbose_level").uint32_param(), 0u);
  EXPECT_EQ(s.at("log_format").string_param(), "default");
  EXPECT_EQ(s.at("log_file").string_param(), "");
}

TEST_F(LogSettingsTest, ChangesNeedTheOperatorsPermission) {
  inference::LogSettingsRequest request;
  (*request.mutable_settings())["log_verbose_level"].set_uint32_param(2);
  const absl::Status refused = Apply(request, /*allowed=*/false);
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(refused.message()), HasSubstr("--allow-log-settings-update"));
  EXPECT_EQ(spdlog::get_level(), spdlog::level::info);

  inference::LogSettingsResponse response;
  ASSERT_TRUE(Apply(request, /*allowed=*/true, &response).ok());
  EXPECT_EQ(spdlog::get_level(), spdlog::level::trace);
  EXPECT_EQ(response.settings().at("log_verbose_level").uint32_param(), 2u);

  inference::LogSettingsRequest errors_only;
  (*errors_only.mutable_settings())["log_verbose_level"].set_uint32_param(0);
  (*errors_only.mutable_settings())["log_info"].set_bool_param(false);
  (*errors_only.mutable_settings())["log_warning"].set_bool_param(false);
  ASSERT_TRUE(Apply(errors_only, /*allowed=*/true, &response).ok());
  EXPECT_EQ(spdlog::get_level(), spdlog::level::err);
  EXPECT_FALSE(response.settings().at("log_info").bool_param());
  EXPECT_TRUE(response.settings().at("log_error").bool_param());
}

TEST_F(LogSettingsTest, RefusesWhatItCannotHonour) {
  auto refused = [](const std::string& key, auto set) {
    inference::LogSettingsRequest request;
    set((*request.mutable_settings())[key]);
    return Apply(request, /*allowed=*/true);
  };
  using Value = inference::LogSettingsRequest::SettingValue;
  EXPECT_THAT(
      std::string(refused("log_file", [](Value& v) { v.set_string_param("/tmp/x"); }).message()),
      HasSubstr("never makes it open a file"));
  EXPECT_THAT(
      std::string(refused("log_format", [](Value& v) { v.set_string_param("ISO8601"); }).message()),
      HasSubstr("one log format"));
  EXPECT_THAT(
      std::string(refused("log_verbose_level", [](Value& v) { v.set_uint32_param(3); }).message()),
      HasSubstr("levels 0"));
  EXPECT_THAT(std::string(refused("log_info", [](Value& v) { v.set_uint32_param(1); }).message()),
              HasSubstr("must be a bool"));
  EXPECT_THAT(std::string(refused("colour", [](Value& v) { v.set_bool_param(true); }).message()),
              HasSubstr("is not one inferd knows"));
  // A threshold cannot log info without warnings.
  EXPECT_THAT(
      std::string(refused("log_warning", [](Value& v) { v.set_bool_param(false); }).message()),
      HasSubstr("severity threshold"));
  EXPECT_EQ(spdlog::get_level(), spdlog::level::info);
}

}  // namespace
}  // namespace inferd

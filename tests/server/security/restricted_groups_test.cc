#include "server/security/restricted_groups.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A request carrying exactly `headers`.
auto Headers(std::map<std::string, std::string> headers) {
  return [headers = std::move(headers)](absl::string_view header, absl::string_view value) {
    auto found = headers.find(std::string(header));
    return found != headers.end() && HeaderValueMatches(value, found->second);
  };
}

TEST(RestrictedGroupsTest, NoSpecsLeaveEveryGroupOpen) {
  auto groups = RestrictedGroups::Parse({});
  ASSERT_TRUE(groups.ok());
  EXPECT_TRUE(groups->empty());
  for (ProtocolGroup group : kAllProtocolGroups) {
    EXPECT_TRUE(groups->Allows(group, Headers({})));
  }
  EXPECT_EQ(groups->Describe(), "none");
}

TEST(RestrictedGroupsTest, RestrictsTheNamedGroupsToTheHeaderAndValue) {
  auto groups = RestrictedGroups::Parse(
      {"model-repository,admin:X-Inferd-Key=s3cret:with=signs", "inference:x-infer=yes"});
  ASSERT_TRUE(groups.ok()) << groups.status();
  const HeaderRequirement* requirement = groups->RequirementFor(ProtocolGroup::kModelRepository);
  ASSERT_NE(requirement, nullptr);
  // Header names are lower-cased, as gRPC delivers them; the value is everything after the first
  // '=' and kept as written.
  EXPECT_EQ(requirement->header, "x-inferd-key");
  EXPECT_EQ(requirement->value, "s3cret:with=signs");
  EXPECT_FALSE(groups->Allows(ProtocolGroup::kAdmin, Headers({})));
  EXPECT_FALSE(groups->Allows(ProtocolGroup::kAdmin, Headers({{"x-inferd-key", "s3cret"}})));
  EXPECT_FALSE(groups->Allows(ProtocolGroup::kAdmin, Headers({{"x-infer", "yes"}})));
  EXPECT_TRUE(
      groups->Allows(ProtocolGroup::kAdmin, Headers({{"x-inferd-key", "s3cret:with=signs"}})));
  EXPECT_TRUE(groups->Allows(ProtocolGroup::kInference, Headers({{"x-infer", "yes"}})));
  EXPECT_TRUE(groups->Allows(ProtocolGroup::kHealth, Headers({})));
  EXPECT_FALSE(groups->IsRestricted(ProtocolGroup::kMetadata));
}

TEST(RestrictedGroupsTest, DescribeNamesGroupsAndHeadersButNeverValues) {
  auto groups = RestrictedGroups::Parse({"admin,model-repository:x-key=hidden-value"});
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ(groups->Describe(), "model-repository, admin: header 'x-key'");
  EXPECT_THAT(groups->Describe(), Not(HasSubstr("hidden-value")));
}

struct BadSpec {
  std::string spec;
  std::string expected_error;
};

class RestrictedGroupsBadSpecTest : public ::testing::TestWithParam<BadSpec> {};

TEST_P(RestrictedGroupsBadSpecTest, NamesWhatIsWrong) {
  auto groups = RestrictedGroups::Parse({GetParam().spec});
  ASSERT_FALSE(groups.ok());
  EXPECT_EQ(groups.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(groups.status().message()), HasSubstr(GetParam().expected_error));
  // The value is a secret: errors never repeat it.
  EXPECT_THAT(std::string(groups.status().message()), Not(HasSubstr("topsecret")));
}

INSTANTIATE_TEST_SUITE_P(
    Specs, RestrictedGroupsBadSpecTest,
    ::testing::Values(
        BadSpec{"model-repository", "no ':' after the groups"},
        BadSpec{"model-repository:x-key", "no '=' between header and value"},
        BadSpec{":x-key=topsecret", "no group before ':'"},
        BadSpec{"models:x-key=topsecret", "unknown protocol group 'models'; the groups are health"},
        BadSpec{"health,,admin:x-key=topsecret", "unknown protocol group ''"},
        BadSpec{"admin:=topsecret", "the header name is empty"},
        BadSpec{"admin:x key=topsecret", "may hold only letters, digits"},
        BadSpec{"admin:grpc-timeout=topsecret", "reserved by gRPC"},
        BadSpec{"admin:x-key-bin=topsecret", "binary values"},
        BadSpec{"admin:x-key=", "the value is empty"},
        BadSpec{"admin,health,admin:x-key=topsecret", "group 'admin' is listed twice"}));

TEST(RestrictedGroupsTest, AGroupMayBeRestrictedOnlyOnce) {
  auto groups = RestrictedGroups::Parse({"admin:x-a=1", "health,admin:x-b=2"});
  ASSERT_FALSE(groups.ok());
  EXPECT_THAT(std::string(groups.status().message()),
              HasSubstr("restriction 'health,admin:x-b=...': group 'admin' is already restricted"));
}

TEST(HeaderValueMatchesTest, ComparesWholeValues) {
  EXPECT_TRUE(HeaderValueMatches("secret", "secret"));
  EXPECT_FALSE(HeaderValueMatches("secret", "secre"));
  EXPECT_FALSE(HeaderValueMatches("secret", "secrets"));
  EXPECT_FALSE(HeaderValueMatches("secret", ""));
  EXPECT_FALSE(HeaderValueMatches("secret", "Secret"));
}

TEST(ProtocolGroupTest, NamesRoundTrip) {
  for (ProtocolGroup group : kAllProtocolGroups) {
    auto parsed = ParseProtocolGroup(std::string(ProtocolGroupName(group)));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, group);
  }
}

}  // namespace
}  // namespace inferd

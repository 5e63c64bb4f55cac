#include "server/security/exposure_warnings.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

ListenerExposure PublicListener(std::string address, bool tls = false, bool mutual = false) {
  ListenerExposure listener;
  listener.name = "the public gRPC listener";
  listener.address = std::move(address);
  listener.tls = tls;
  listener.mutual_tls = mutual;
  listener.sensitive_groups = {{ProtocolGroup::kModelRepository, "can unload every model"}};
  return listener;
}

TEST(IsLoopbackAddressTest, LoopbackOnly) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackAddress("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackAddress("::1"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]"));
  EXPECT_TRUE(IsLoopbackAddress("localhost"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackAddress("::"));
  EXPECT_FALSE(IsLoopbackAddress("[::]"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.5"));
}

TEST(ExposureWarningsTest, WarnsWhenTheNetworkReachesAnOpenSensitiveGroup) {
  EXPECT_THAT(ExposureWarnings(PublicListener("0.0.0.0"), RestrictedGroups()),
              ElementsAre(AllOf(HasSubstr("model-repository group on the public gRPC listener "
                                          "(0.0.0.0) is open to anyone"),
                                HasSubstr("can unload every model"),
                                HasSubstr("--grpc-restricted-protocol=model-repository:"))));
  // TLS alone authenticates the server, not the client.
  EXPECT_THAT(ExposureWarnings(PublicListener("0.0.0.0", /*tls=*/true), RestrictedGroups()),
              ::testing::SizeIs(1));
}

TEST(ExposureWarningsTest, QuietOnLoopbackWithClientCertificatesOrARestrictionOverTls) {
  auto restricted = RestrictedGroups::Parse({"model-repository:x-key=v"});
  ASSERT_TRUE(restricted.ok());
  EXPECT_THAT(ExposureWarnings(PublicListener("127.0.0.1"), RestrictedGroups()), IsEmpty());
  EXPECT_THAT(ExposureWarnings(PublicListener("0.0.0.0", true, true), RestrictedGroups()),
              IsEmpty());
  EXPECT_THAT(ExposureWarnings(PublicListener("0.0.0.0", true), *restricted), IsEmpty());
}

TEST(ExposureWarningsTest, WarnsThatARestrictionWithoutTlsSendsItsValueInClear) {
  auto restricted = RestrictedGroups::Parse({"model-repository:x-key=v"});
  ASSERT_TRUE(restricted.ok());
  EXPECT_THAT(ExposureWarnings(PublicListener("0.0.0.0"), *restricted),
              ElementsAre(HasSubstr("crosses the network in clear text; add --grpc-use-ssl")));
  // The HTTP endpoint names its own flags.
  ListenerExposure http = PublicListener("0.0.0.0");
  http.restrict_flag = "--http-restricted-api";
  EXPECT_THAT(ExposureWarnings(http, RestrictedGroups()),
              ElementsAre(HasSubstr("(--http-restricted-api=model-repository:<header>=<value>)")));
}

}  // namespace
}  // namespace inferd

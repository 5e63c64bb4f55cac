#include "client/inferctl_command_line.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::StatusOr<InferctlCommandLine> Parse(std::vector<std::string> args) {
  return ParseInferctlCommandLine(args);
}

std::string ErrorOf(std::vector<std::string> args) {
  absl::StatusOr<InferctlCommandLine> line = Parse(std::move(args));
  EXPECT_FALSE(line.ok());
  return std::string(line.status().message());
}

TEST(InferctlCommandLine, DefaultsAndSimpleCommands) {
  absl::StatusOr<InferctlCommandLine> line = Parse({"list"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->url, "localhost:8001");
  EXPECT_EQ(line->command, "list");
  EXPECT_FALSE(line->timeout_ms.has_value());

  line = Parse({"--url", "10.0.0.2:9000", "load", "digits"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->url, "10.0.0.2:9000");
  EXPECT_EQ(line->command, "load");
  EXPECT_EQ(line->model, "digits");

  line = Parse({"stats"});
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->model, "");
}

TEST(InferctlCommandLine, InferWithEveryFlagInBothSpellings) {
  absl::StatusOr<InferctlCommandLine> line =
      Parse({"infer", "digits_fp32", "--input", "x=FP32:1,2:0,1", "--input=y=in.npy", "--output",
             "scores", "--output-dir=out", "--id", "req-7", "--timeout-ms=250", "--max-values", "5",
             "--model-version", "2", "--url=h:1"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->model, "digits_fp32");
  ASSERT_EQ(line->inputs.size(), 2u);
  EXPECT_EQ(line->inputs[0].name, "x");
  EXPECT_EQ(line->inputs[0].spec, "FP32:1,2:0,1");
  EXPECT_EQ(line->inputs[1].name, "y");
  EXPECT_EQ(line->inputs[1].spec, "in.npy");
  EXPECT_THAT(line->outputs, ElementsAre("scores"));
  EXPECT_EQ(line->output_dir, "out");
  EXPECT_EQ(line->request_id, "req-7");
  EXPECT_EQ(line->timeout_ms, 250);
  EXPECT_EQ(line->max_values, 5);
  EXPECT_EQ(line->model_version, "2");
  EXPECT_EQ(line->url, "h:1");
}

TEST(InferctlCommandLine, ProfileTakesAModelAndTop) {
  absl::StatusOr<InferctlCommandLine> line = Parse({"profile", "digits", "--top=5"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->command, "profile");
  EXPECT_EQ(line->model, "digits");
  EXPECT_EQ(line->top, 5);
  EXPECT_EQ(Parse({"profile", "digits"})->top, 20);
  EXPECT_THAT(ErrorOf({"profile"}), HasSubstr("usage: inferctl profile MODEL"));
  EXPECT_THAT(ErrorOf({"profile", "digits", "--top", "0"}), HasSubstr("positive integer"));
  EXPECT_THAT(ErrorOf({"stats", "--top", "3"}), HasSubstr("does not apply to 'stats'"));
}

TEST(InferctlCommandLine, FlagsMayPrecedeTheCommand) {
  absl::StatusOr<InferctlCommandLine> line = Parse({"--input", "x=INT8::1", "infer", "m"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->inputs.size(), 1u);
}

TEST(InferctlCommandLine, DoubleDashEndsFlags) {
  absl::StatusOr<InferctlCommandLine> line = Parse({"load", "--", "-odd-name"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->model, "-odd-name");
}

TEST(InferctlCommandLine, HelpWinsOverEverythingElse) {
  EXPECT_TRUE(Parse({"--help"})->help);
  EXPECT_TRUE(Parse({"-h", "bogus"})->help);
  EXPECT_TRUE(Parse({"help"})->help);
  EXPECT_TRUE(Parse({"infer", "--help"})->help);
}

TEST(InferctlCommandLine, UsageMistakesAreExplained) {
  EXPECT_THAT(ErrorOf({}), HasSubstr("no command given"));
  EXPECT_THAT(ErrorOf({"frobnicate"}), HasSubstr("unknown command 'frobnicate'"));
  EXPECT_THAT(ErrorOf({"load"}), HasSubstr("usage: inferctl load MODEL"));
  EXPECT_THAT(ErrorOf({"list", "extra"}), HasSubstr("usage: inferctl list"));
  EXPECT_THAT(ErrorOf({"list", "--bogus"}), HasSubstr("unknown flag '--bogus'"));
  EXPECT_THAT(ErrorOf({"list", "-x"}), HasSubstr("unknown flag '-x'"));
  EXPECT_THAT(ErrorOf({"list", "--url"}), HasSubstr("--url needs a value"));
  EXPECT_THAT(ErrorOf({"list", "--ready=yes"}), HasSubstr("--ready takes no value"));
  EXPECT_THAT(ErrorOf({"list", "--input", "x=a.npy"}),
              HasSubstr("--input does not apply to 'list'"));
  EXPECT_THAT(ErrorOf({"infer", "m"}), HasSubstr("infer needs at least one --input"));
  EXPECT_THAT(ErrorOf({"infer", "m", "--input", "noequals"}),
              HasSubstr("--input wants NAME=FILE.npy"));
  EXPECT_THAT(ErrorOf({"infer", "m", "--input", "=x.npy"}), HasSubstr("--input wants"));
  EXPECT_THAT(ErrorOf({"list", "--timeout-ms", "0"}), HasSubstr("--timeout-ms wants a positive"));
  EXPECT_THAT(ErrorOf({"list", "--timeout-ms", "soon"}), HasSubstr("positive integer"));
}

TEST(InferctlUsage, MentionsEveryCommand) {
  const std::string usage = InferctlUsage();
  for (const char* command :
       {"health", "list", "load", "unload", "metadata", "config", "stats", "infer", "profile",
        "--top", "--output-dir", "--timeout-ms", "--url", "--ssl", "--root-cert", "--client-cert",
        "--client-key", "--ssl-target-name"}) {
    EXPECT_THAT(usage, HasSubstr(command));
  }
}

TEST(InferctlCommandLine, TlsFlagsImplyTlsAndACertificateNeedsItsKey) {
  absl::StatusOr<InferctlCommandLine> line = Parse({"health"});
  ASSERT_TRUE(line.ok());
  EXPECT_FALSE(line->tls.use_ssl);
  line = Parse({"--ssl", "health"});
  ASSERT_TRUE(line.ok());
  EXPECT_TRUE(line->tls.use_ssl);
  line = Parse({"health", "--root-cert", "ca.pem", "--client-cert=c.pem", "--client-key", "c.key",
                "--ssl-target-name", "inferd.lan"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_TRUE(line->tls.use_ssl);
  EXPECT_EQ(line->tls.root_cert, "ca.pem");
  EXPECT_EQ(line->tls.client_cert, "c.pem");
  EXPECT_EQ(line->tls.client_key, "c.key");
  EXPECT_EQ(line->tls.target_name, "inferd.lan");
  EXPECT_EQ(ErrorOf({"--client-cert", "c.pem", "health"}),
            "--client-cert and --client-key go together");
  EXPECT_FALSE(Parse({"--ssl=yes", "health"}).ok());
}

}  // namespace
}  // namespace inferd::client

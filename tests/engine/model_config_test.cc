#include "engine/model_config.h"

#include "gtest/gtest.h"

namespace inferd {
namespace {

constexpr char kDigitsConfig[] = R"pb(
  name: "digits"
  backend: "tosa_cpu"
  max_batch_size: 16 input
  [ {
    name: "x"
    data_type: TYPE_FP32
    dims: [ 8, 8, 1 ]
  }] output
  [ {
    name: "scores"
    data_type: TYPE_FP32
    dims: [ 10 ]
  }] instance_group
  [ { count: 2 kind: KIND_CPU }]
  dynamic_batching {
    preferred_batch_size: [ 4, 8 ]
    max_queue_delay_microseconds: 100
  }
)pb";

TEST(ModelConfigTest, ParsesTritonTextFormat) {
  auto config = ParseModelConfig(kDigitsConfig, "digits");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->max_batch_size(), 16);
  EXPECT_EQ(config->instance_group(0).count(), 2);
  EXPECT_EQ(config->dynamic_batching().max_queue_delay_microseconds(), 100u);
  const auto inputs = InputSpecs(*config);
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].dtype, DataType::kFp32);
  EXPECT_EQ(inputs[0].dims, (Shape{8, 8, 1}));
}

TEST(ModelConfigTest, SyntaxErrorNamesModelAndLine) {
  auto config = ParseModelConfig("name: \"digits\"\nmax_batch_size: banana\n", "digits");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find("digits"), std::string::npos);
  EXPECT_NE(config.status().message().find("line 2"), std::string::npos);
}

// config.pbtxt may be anything (a link to /etc/passwd once was): errors give the place and the
// kind of mistake, never the tokens.
TEST(ModelConfigTest, ParseErrorsQuoteNothingFromTheText) {
  const struct {
    const char* text;
    const char* kind;
  } kCases[] = {
      {"root:x:0:0:SECRET", "line 1"},
      {"SECRET_FIELD: 1", "unknown field name"},
      {"max_batch_size: SECRET_VALUE", "expected an integer"},
      {"input [{ data_type: SECRET_TYPE }]", "unknown enumeration value"},
      {"name: \"a\"\nname: \"SECRET\"", "more than once"},
      {"name: \"SECRET", "line 1"},
  };
  for (const auto& c : kCases) {
    auto config = ParseModelConfig(c.text, "m");
    ASSERT_FALSE(config.ok()) << c.text;
    const std::string message(config.status().message());
    EXPECT_EQ(message.find("SECRET"), std::string::npos) << message;
    EXPECT_NE(message.find(c.kind), std::string::npos) << message;
    EXPECT_NE(message.find("model 'm'"), std::string::npos) << message;
  }
}

TEST(ModelConfigTest, AMismatchedNameIsQuotedOnlyInPart) {
  auto config = ParseModelConfig("name: \"" + std::string(10000, 'n') + "\"", "m");
  ASSERT_TRUE(config.ok());
  const absl::Status status = NormalizeModelConfig("m", "tosa_cpu", *config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_LT(status.message().size(), 200u);
}

TEST(ModelConfigTest, NormalizeFillsDefaults) {
  inference::ModelConfig config;
  ASSERT_TRUE(NormalizeModelConfig("m", "tosa_cpu", config).ok());
  EXPECT_EQ(config.name(), "m");
  EXPECT_EQ(config.backend(), "tosa_cpu");
  ASSERT_EQ(config.instance_group_size(), 1);
  EXPECT_EQ(config.instance_group(0).count(), 1);
  EXPECT_EQ(config.version_policy().latest().num_versions(), 1u);
}

TEST(ModelConfigTest, NormalizeRejectsWhatInferdDoesNotServe) {
  auto check = [](const char* text) {
    auto config = ParseModelConfig(text, "m");
    EXPECT_TRUE(config.ok()) << config.status();
    return NormalizeModelConfig("m", "tosa_cpu", *config);
  };
  EXPECT_EQ(check("name: \"other\"").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(check("sequence_batching {}").code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(check("model_transaction_policy { decoupled: true }").code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(check("dynamic_batching {}").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(check("max_batch_size: 4 dynamic_batching { preferred_batch_size: 8 }").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(check("input [{ name: \"x\" dims: [1] }]").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(check("input [{ name: \"x\" data_type: TYPE_INT8 dims: [0] }]").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ModelConfigTest, DataTypesRoundTrip) {
  for (int type = inference::TYPE_BOOL; type <= inference::TYPE_BF16; ++type) {
    const auto config_type = static_cast<inference::DataType>(type);
    EXPECT_EQ(DataTypeToConfig(DataTypeFromConfig(config_type)), config_type);
  }
}

TEST(ParseModelConfigJsonTest, ReadsTritonsJsonWithProtoOrCamelCaseNames) {
  auto config = ParseModelConfigJson(R"({"name": "digits", "backend": "tosa_cpu",
      "max_batch_size": 4, "input": [{"name": "x", "data_type": "TYPE_FP32", "dims": [8, 8, 1]}],
      "parameters": {"threads": {"string_value": "2"}}})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->name(), "digits");
  EXPECT_EQ(config->max_batch_size(), 4);
  EXPECT_EQ(config->input(0).data_type(), inference::TYPE_FP32);
  EXPECT_EQ(config->input(0).dims_size(), 3);
  EXPECT_EQ(config->parameters().at("threads").string_value(), "2");
  auto camel = ParseModelConfigJson(R"({"maxBatchSize": "8"})");
  ASSERT_TRUE(camel.ok()) << camel.status();
  EXPECT_EQ(camel->max_batch_size(), 8);
}

TEST(ParseModelConfigJsonTest, RefusesWithTritonsWording) {
  for (const char* json :
       {"{", "[]", R"({"max_batch_sise": 4})", R"({"max_batch_size": "x"})", "not json"}) {
    auto config = ParseModelConfigJson(json);
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_EQ(config.status().message().rfind("Invalid config override: ", 0), 0u)
        << config.status();
  }
  auto huge = ParseModelConfigJson(std::string(kMaxConfigFileSize + 1, ' '));
  EXPECT_NE(huge.status().message().find("over the limit"), std::string::npos) << huge.status();
}

}  // namespace
}  // namespace inferd

// The load parameters of Triton's model push, as RepositoryModelLoad (gRPC and HTTP) hands them
// over: what is accepted, and every refusal with Triton's wording.
#include "server/model_load_parameters.h"

#include "gtest/gtest.h"

namespace inferd {
namespace {

inference::ModelRepositoryParameter String(const std::string& value) {
  inference::ModelRepositoryParameter parameter;
  parameter.set_string_param(value);
  return parameter;
}

inference::ModelRepositoryParameter Bytes(const std::string& value) {
  inference::ModelRepositoryParameter parameter;
  parameter.set_bytes_param(value);
  return parameter;
}

const ModelPushLimits kLimits{.max_bytes = 1000, .max_files = 3};

absl::Status Refusal(const ModelLoadParameters& parameters) {
  return ParseModelLoadParameters("m", parameters, kLimits).status();
}

TEST(ModelLoadParametersTest, NoParametersIsAPlainLoad) {
  auto parsed = ParseModelLoadParameters("m", {}, kLimits);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, nullptr);
}

TEST(ModelLoadParametersTest, ConfigAloneOrWithFiles) {
  ModelLoadParameters parameters;
  parameters["config"] = String(R"({"max_batch_size": 4})");
  auto config_only = ParseModelLoadParameters("m", parameters, kLimits);
  ASSERT_TRUE(config_only.ok()) << config_only.status();
  EXPECT_EQ((*config_only)->config.max_batch_size(), 4);
  EXPECT_TRUE((*config_only)->files.empty());

  parameters["file:1/model.tosa"] = Bytes(std::string("\0graph", 6));
  parameters["file:labels.txt"] = Bytes("a\nb\n");
  auto with_files = ParseModelLoadParameters("m", parameters, kLimits);
  ASSERT_TRUE(with_files.ok()) << with_files.status();
  ASSERT_EQ((*with_files)->files.size(), 2u);
  EXPECT_EQ((*with_files)->files[0].path, "1/model.tosa");
  EXPECT_EQ((*with_files)->files[0].contents, std::string("\0graph", 6));
  EXPECT_EQ((*with_files)->files[1].path, "labels.txt");
}

TEST(ModelLoadParametersTest, RefusesWithTritonsWording) {
  ModelLoadParameters files_only;
  files_only["file:1/model.tosa"] = Bytes("graph");
  EXPECT_EQ(Refusal(files_only).message(),
            "Load parameter 'config' must be specified for model file override");

  ModelLoadParameters config_as_bytes;
  config_as_bytes["config"] = Bytes("{}");
  EXPECT_EQ(Refusal(config_as_bytes).message(),
            "Config parameter 'config' must have string type for its value");

  ModelLoadParameters file_as_string;
  file_as_string["config"] = String("{}");
  file_as_string["file:1/model.tosa"] = String("graph");
  EXPECT_EQ(Refusal(file_as_string).message(),
            "File parameter 'file:1/model.tosa' must have bytes type for its value");

  ModelLoadParameters unknown;
  unknown["priority"].set_int64_param(1);
  EXPECT_EQ(Refusal(unknown).message(), "Unrecognized load parameter 'priority' with type 'INT'");

  ModelLoadParameters other_name;
  other_name["config"] = String(R"({"name": "other"})");
  EXPECT_EQ(Refusal(other_name).message(),
            "unexpected directory name 'm' for model 'other', directory name must equal model "
            "name");

  ModelLoadParameters bad_json;
  bad_json["config"] = String("{not json");
  EXPECT_EQ(Refusal(bad_json).message().rfind("Invalid config override: ", 0), 0u);
}

TEST(ModelLoadParametersTest, RefusesTraversalNames) {
  for (const char* name : {"file:1/../../x", "file:/etc/passwd", "file:1/a/../../b", "file:"}) {
    ModelLoadParameters parameters;
    parameters["config"] = String("{}");
    parameters[name] = Bytes("x");
    const absl::Status status = Refusal(parameters);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_NE(status.message().find("Invalid file parameter"), std::string::npos) << status;
  }
}

TEST(ModelLoadParametersTest, RefusesPastTheLimits) {
  ModelLoadParameters too_many;
  too_many["config"] = String("{}");
  for (int i = 0; i < 4; ++i) too_many["file:1/f" + std::to_string(i)] = Bytes("x");
  const absl::Status files = Refusal(too_many);
  EXPECT_EQ(files.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(files.message().find("--max-model-push-files"), std::string::npos) << files;

  ModelLoadParameters too_big;
  too_big["config"] = String("{}");
  too_big["file:1/a"] = Bytes(std::string(600, 'a'));
  too_big["file:1/b"] = Bytes(std::string(600, 'b'));
  const absl::Status bytes = Refusal(too_big);
  EXPECT_EQ(bytes.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(bytes.message().find("--max-model-push-bytes"), std::string::npos) << bytes;
}

}  // namespace
}  // namespace inferd

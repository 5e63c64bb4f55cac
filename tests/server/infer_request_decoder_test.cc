// The decoder's rules on the limits of issue 8: client text quoted briefly, duplicate outputs
// refused, typed contents in range, request and tensor parameters honoured or refused.
#include "server/infer_request_decoder.h"

#include <memory>
#include <string>

#include "engine/model_statistics.h"
#include "engine/scheduler.h"
#include "engine/serving_model.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/shared_memory/shm_object.h"

namespace inferd {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A batching model with an INT8 input "mask" [3], a UINT16 input "level" [1] and two outputs.
std::shared_ptr<ServingModel> MakeModel() {
  inference::ModelConfig config;
  config.set_name("decoder_test");
  config.set_max_batch_size(4);
  auto* mask = config.add_input();
  mask->set_name("mask");
  mask->set_data_type(inference::TYPE_INT8);
  mask->add_dims(3);
  auto* level = config.add_input();
  level->set_name("level");
  level->set_data_type(inference::TYPE_UINT16);
  level->add_dims(1);
  for (const char* name : {"scores", "labels"}) {
    auto* output = config.add_output();
    output->set_name(name);
    output->set_data_type(inference::TYPE_FP32);
    output->add_dims(2);
  }
  auto statistics = std::make_shared<ModelStatistics>(ModelMetrics{});
  auto scheduler = std::make_unique<Scheduler>(
      SchedulerOptions{}, std::vector<std::unique_ptr<Executable>>{}, statistics);
  return std::make_shared<ServingModel>(config, 1, "test", std::move(scheduler), statistics);
}

// A valid typed request: mask [1,3] = {1,2,3}, level [1,1] = {7}.
inference::ModelInferRequest ValidRequest() {
  inference::ModelInferRequest request;
  request.set_model_name("decoder_test");
  auto* mask = request.add_inputs();
  mask->set_name("mask");
  mask->set_datatype("INT8");
  mask->add_shape(1);
  mask->add_shape(3);
  for (int v : {1, 2, 3}) mask->mutable_contents()->add_int_contents(v);
  auto* level = request.add_inputs();
  level->set_name("level");
  level->set_datatype("UINT16");
  level->add_shape(1);
  level->add_shape(1);
  level->mutable_contents()->add_uint_contents(7);
  return request;
}

class InferRequestDecoderTest : public ::testing::Test {
 protected:
  std::shared_ptr<ServingModel> model_ = MakeModel();
};

TEST_F(InferRequestDecoderTest, DecodesAValidRequestWithTritonClientDefaults) {
  auto request = ValidRequest();
  // What tritonclient may send on its own: no priority, no sequence, a timeout.
  (*request.mutable_parameters())["priority"].set_uint64_param(0);
  (*request.mutable_parameters())["sequence_id"].set_int64_param(0);
  (*request.mutable_parameters())["sequence_start"].set_bool_param(false);
  (*request.mutable_parameters())["sequence_end"].set_bool_param(false);
  (*request.mutable_parameters())["binary_data_output"].set_bool_param(true);
  (*request.mutable_parameters())["timeout"].set_int64_param(1500);
  auto decoded = DecodeInferRequest(request, *model_);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_TRUE(decoded->parameters.timeout.has_value());
  EXPECT_EQ(*decoded->parameters.timeout, absl::Microseconds(1500));
  EXPECT_EQ(decoded->output_indices, (std::vector<size_t>{0, 1}));
}

TEST_F(InferRequestDecoderTest, RefusesDuplicateRequestedOutputs) {
  auto request = ValidRequest();
  for (int i = 0; i < 10000; ++i) request.add_outputs()->set_name("scores");
  auto decoded = DecodeInferRequest(request, *model_);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), HasSubstr("output 'scores' is requested twice"));
}

TEST_F(InferRequestDecoderTest, RefusesDuplicateInputs) {
  auto request = ValidRequest();
  *request.mutable_inputs(1) = request.inputs(0);
  auto decoded = DecodeInferRequest(request, *model_);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), HasSubstr("input 'mask' is given twice"));
}

TEST_F(InferRequestDecoderTest, RefusesInt8ContentsOutOfRangeNamingTensorIndexAndValue) {
  for (int value : {300, -999, 128, -129}) {
    auto request = ValidRequest();
    request.mutable_inputs(0)->mutable_contents()->set_int_contents(2, value);
    auto decoded = DecodeInferRequest(request, *model_);
    ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument) << value;
    EXPECT_THAT(decoded.status().message(),
                HasSubstr(absl::StrCat("input 'mask': contents value ", value,
                                       " at index 2 is outside INT8's range -128..127")));
  }
}

TEST_F(InferRequestDecoderTest, AcceptsInt8ContentsAtTheEdgesOfTheRange) {
  auto request = ValidRequest();
  request.mutable_inputs(0)->mutable_contents()->set_int_contents(0, -128);
  request.mutable_inputs(0)->mutable_contents()->set_int_contents(1, 127);
  auto decoded = DecodeInferRequest(request, *model_);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const auto bytes = decoded->request->inputs[0].bytes();
  EXPECT_EQ(static_cast<int8_t>(bytes[0]), -128);
  EXPECT_EQ(static_cast<int8_t>(bytes[1]), 127);
}

TEST_F(InferRequestDecoderTest, RefusesUint16ContentsOutOfRange) {
  auto request = ValidRequest();
  request.mutable_inputs(1)->mutable_contents()->set_uint_contents(0, 65536);
  auto decoded = DecodeInferRequest(request, *model_);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(),
              HasSubstr("input 'level': contents value 65536 at index 0 is outside UINT16's "
                        "range 0..65535"));
}

TEST_F(InferRequestDecoderTest, QuotesALongTensorNameOnlyUpToTheLimit) {
  auto request = ValidRequest();
  const std::string name(1 << 20, 'x');
  request.add_outputs()->set_name(name);
  auto decoded = DecodeInferRequest(request, *model_);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(),
              HasSubstr(absl::StrCat("'", std::string(64, 'x'), "…' (1048576 bytes)")));
  EXPECT_LT(decoded.status().message().size(), 400u);
}

TEST_F(InferRequestDecoderTest, QuotesALongInputNameAndDatatypeOnlyUpToTheLimit) {
  auto request = ValidRequest();
  request.mutable_inputs(0)->set_name(std::string(100000, 'n'));
  auto decoded = DecodeInferRequest(request, *model_);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), HasSubstr("(100000 bytes)"));
  EXPECT_LT(decoded.status().message().size(), 400u);

  request = ValidRequest();
  request.mutable_inputs(0)->set_datatype(std::string(100000, 'd'));
  decoded = DecodeInferRequest(request, *model_);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), HasSubstr("(100000 bytes)"));
  EXPECT_LT(decoded.status().message().size(), 400u);
}

TEST_F(InferRequestDecoderTest, RefusesAPriorityOtherThanZero) {
  auto request = ValidRequest();
  (*request.mutable_parameters())["priority"].set_uint64_param(2);
  auto decoded = DecodeInferRequest(request, *model_);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), HasSubstr("'priority' is 2"));
  EXPECT_THAT(decoded.status().message(), HasSubstr("single priority level"));
}

TEST_F(InferRequestDecoderTest, RefusesSequences) {
  auto request = ValidRequest();
  (*request.mutable_parameters())["sequence_id"].set_uint64_param(42);
  auto decoded = DecodeInferRequest(request, *model_);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), HasSubstr("no sequence batcher"));

  request = ValidRequest();
  (*request.mutable_parameters())["sequence_start"].set_bool_param(true);
  decoded = DecodeInferRequest(request, *model_);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(InferRequestDecoderTest, RefusesUnknownParametersListingTheSupportedOnes) {
  auto request = ValidRequest();
  (*request.mutable_parameters())[std::string(5000, 'p')].set_bool_param(true);
  auto decoded = DecodeInferRequest(request, *model_);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), HasSubstr("(5000 bytes) is not supported"));
  EXPECT_THAT(decoded.status().message(), HasSubstr("timeout (microseconds)"));
  EXPECT_THAT(decoded.status().message(), Not(HasSubstr(std::string(65, 'p'))));
}

TEST_F(InferRequestDecoderTest, RefusesANegativeOrNonIntegerTimeout) {
  auto request = ValidRequest();
  (*request.mutable_parameters())["timeout"].set_int64_param(-1);
  EXPECT_EQ(DecodeInferRequest(request, *model_).status().code(),
            absl::StatusCode::kInvalidArgument);
  (*request.mutable_parameters())["timeout"].set_string_param("soon");
  EXPECT_EQ(DecodeInferRequest(request, *model_).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(InferRequestDecoderTest, ZeroTimeoutMeansNone) {
  auto request = ValidRequest();
  (*request.mutable_parameters())["timeout"].set_int64_param(0);
  auto decoded = DecodeInferRequest(request, *model_);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_FALSE(decoded->parameters.timeout.has_value());
}

TEST_F(InferRequestDecoderTest, ChecksSharedMemoryParametersAndReadsClassificationCounts) {
  auto request = ValidRequest();
  auto& parameters = *request.mutable_inputs(0)->mutable_parameters();
  parameters["shared_memory_region"].set_string_param("r");
  auto decoded = DecodeInferRequest(request, *model_);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(),
              HasSubstr("shared_memory_region needs shared_memory_byte_size"));
  parameters["shared_memory_byte_size"].set_int64_param(3);
  decoded = DecodeInferRequest(request, *model_);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), HasSubstr("this endpoint has none"));
  parameters["shared_memory_byte_size"].set_int64_param(-3);
  EXPECT_THAT(DecodeInferRequest(request, *model_).status().message(),
              HasSubstr("\"shared_memory_byte_size\" must be a non-negative integer"));
  parameters.clear();
  parameters["shared_memory_sizes"].set_int64_param(3);
  EXPECT_THAT(DecodeInferRequest(request, *model_).status().message(),
              HasSubstr("'shared_memory_sizes' is not supported"));

  request = ValidRequest();
  auto* output = request.add_outputs();
  output->set_name("scores");
  (*output->mutable_parameters())["classification"].set_int64_param(3);
  decoded = DecodeInferRequest(request, *model_);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->class_counts, (std::vector<int64_t>{3}));

  (*output->mutable_parameters())["classification"].set_int64_param(-2);
  decoded = DecodeInferRequest(request, *model_);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), HasSubstr("\"classification\" must be a non-negative"));
  (*output->mutable_parameters())["classification"].set_string_param("three");
  EXPECT_EQ(DecodeInferRequest(request, *model_).status().code(),
            absl::StatusCode::kInvalidArgument);

  request = ValidRequest();
  output = request.add_outputs();
  output->set_name("scores");
  (*output->mutable_parameters())["binary_data"].set_bool_param(true);
  decoded = DecodeInferRequest(request, *model_);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->class_counts, (std::vector<int64_t>{0}));
}

TEST_F(InferRequestDecoderTest, ReadsInputsFromSharedMemoryAndChecksOutputRegions) {
  testing::ShmObject object(64);
  object.Write(8, std::vector<uint8_t>{4, 5, 6});
  SystemSharedMemory memory({.max_regions = 4, .max_total_bytes = 1024});
  ASSERT_TRUE(memory.Register("in", object.key(), 0, 32).ok());
  ASSERT_TRUE(memory.Register("out", object.key(), 32, 32).ok());

  auto request = ValidRequest();
  auto* mask = request.mutable_inputs(0);
  mask->clear_contents();
  auto& in = *mask->mutable_parameters();
  in["shared_memory_region"].set_string_param("in");
  in["shared_memory_offset"].set_int64_param(8);
  in["shared_memory_byte_size"].set_int64_param(3);
  auto* output = request.add_outputs();
  output->set_name("scores");
  auto& out = *output->mutable_parameters();
  out["shared_memory_region"].set_string_param("out");
  out["shared_memory_byte_size"].set_int64_param(8);

  auto decoded = DecodeInferRequest(request, *model_, &memory);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const auto read = decoded->request->inputs[0].bytes();
  EXPECT_EQ(std::vector<uint8_t>(read.begin(), read.end()), (std::vector<uint8_t>{4, 5, 6}));
  ASSERT_EQ(decoded->output_regions.size(), 1u);
  ASSERT_TRUE(decoded->output_regions[0].has_value());
  EXPECT_EQ(decoded->output_regions[0]->region, "out");

  // The byte size must be the tensor's.
  in["shared_memory_byte_size"].set_int64_param(4);
  EXPECT_THAT(
      DecodeInferRequest(request, *model_, &memory).status().message(),
      HasSubstr("expected 3 bytes for its shape and datatype, shared_memory_byte_size is 4"));
  in["shared_memory_byte_size"].set_int64_param(3);
  // An output region that is not registered fails before the model runs.
  out["shared_memory_region"].set_string_param("missing");
  EXPECT_EQ(DecodeInferRequest(request, *model_, &memory).status().code(),
            absl::StatusCode::kNotFound);
  // Raw contents belong to the inputs not in shared memory.
  out["shared_memory_region"].set_string_param("out");
  request.mutable_inputs(1)->clear_contents();
  request.add_raw_input_contents()->assign("\x07\x00", 2);
  decoded = DecodeInferRequest(request, *model_, &memory);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->request->inputs[1].bytes().size(), 2u);
}

TEST(EffectiveDeadlineTest, TheTimeoutTightensButNeverLoosensTheDeadline) {
  const absl::Time arrival = absl::FromUnixSeconds(1000);
  RequestParameters with_timeout{absl::Milliseconds(5)};
  EXPECT_EQ(EffectiveDeadline(absl::InfiniteFuture(), with_timeout, arrival),
            arrival + absl::Milliseconds(5));
  EXPECT_EQ(EffectiveDeadline(arrival + absl::Milliseconds(1), with_timeout, arrival),
            arrival + absl::Milliseconds(1));
  EXPECT_EQ(EffectiveDeadline(absl::InfiniteFuture(), RequestParameters{}, arrival),
            absl::InfiniteFuture());
}

}  // namespace
}  // namespace inferd

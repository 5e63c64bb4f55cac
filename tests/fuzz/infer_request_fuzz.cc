// libFuzzer target for the daemon's request decoding: any ModelInferRequest bytes that protobuf
// accepts are either decoded into an engine request or refused with a status, for a batching model
// with two inputs of different types.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/model_statistics.h"
#include "engine/scheduler.h"
#include "engine/serving_model.h"
#include "inference.pb.h"
#include "server/infer_request_decoder.h"

namespace {

const inferd::ServingModel& Model() {
  static const inferd::ServingModel* model = [] {
    inference::ModelConfig config;
    config.set_name("fuzz");
    config.set_max_batch_size(8);
    auto* image = config.add_input();
    image->set_name("image");
    image->set_data_type(inference::TYPE_FP32);
    image->add_dims(4);
    image->add_dims(-1);
    auto* mask = config.add_input();
    mask->set_name("mask");
    mask->set_data_type(inference::TYPE_INT8);
    mask->add_dims(3);
    auto* output = config.add_output();
    output->set_name("out");
    output->set_data_type(inference::TYPE_FP32);
    output->add_dims(2);
    auto statistics = std::make_shared<inferd::ModelStatistics>(inferd::ModelMetrics{});
    auto scheduler = std::make_unique<inferd::Scheduler>(
        inferd::SchedulerOptions{}, std::vector<std::unique_ptr<inferd::Executable>>{}, statistics);
    return new inferd::ServingModel(config, 1, "fuzz", std::move(scheduler), statistics);
  }();
  return *model;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  inference::ModelInferRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  auto decoded = inferd::DecodeInferRequest(request, Model());
  if (decoded.ok()) {
    for (const inferd::Tensor& input : decoded->request->inputs) (void)input.bytes();
  }
  return 0;
}

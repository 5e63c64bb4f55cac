// The load request for the bundled digits_int8 model (examples/models/digits_int8), as the
// daemon makes it, for the Vulkan backend's tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "engine/backend.h"
#include "engine/graph/tosa_reader.h"

namespace inferd::vulkan::testing {

inline BackendLoadRequest DigitsRequest(int max_batch_size) {
  BackendLoadRequest request;
  request.model_name = "digits_int8";
  request.version = 1;
  request.model_path = std::string(INFERD_SOURCE_DIR) + "/examples/models/digits_int8/1/model.tosa";
  auto graph = graph::LoadTosaFile(request.model_path.string());
  EXPECT_TRUE(graph.ok()) << graph.status();
  if (graph.ok()) request.graph = *graph;
  request.max_batch_size = max_batch_size;
  request.inputs = {TensorSpec{"images", DataType::kInt8, {8, 8, 1}}};
  request.outputs = {TensorSpec{"scores", DataType::kInt8, {10}}};
  return request;
}

}  // namespace inferd::vulkan::testing

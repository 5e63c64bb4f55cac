#include "tests/firmware/digits_fixture.h"

#include "absl/status/status.h"
#include "client/npy.h"
#include "engine/graph/tosa_reader.h"
#include "firmware/host/cpu_job_lowering.h"

namespace inferd::firmware::testing {

absl::StatusOr<DigitsData> LoadDigits() {
  const std::string root = INFERD_SOURCE_DIR;
  DigitsData data;
  absl::StatusOr<std::shared_ptr<const graph::Graph>> graph =
      graph::LoadTosaFile(root + "/examples/models/digits_int8/1/model.tosa");
  if (!graph.ok()) return graph.status();
  data.graph = *graph;
  absl::StatusOr<std::vector<uint8_t>> job = LowerToCpuJob(*data.graph);
  if (!job.ok()) return job.status();
  data.job = *std::move(job);
  absl::StatusOr<Tensor> images = ReadNpyFile(root + "/examples/data/digits_test_images_int8.npy");
  if (!images.ok()) return images.status();
  absl::StatusOr<Tensor> scores = ReadNpyFile(root + "/examples/data/expected_scores_int8.npy");
  if (!scores.ok()) return scores.status();
  const auto image_values = images->values<int8_t>();
  const auto score_values = scores->values<int8_t>();
  data.images.assign(image_values.begin(), image_values.end());
  data.expected_scores.assign(score_values.begin(), score_values.end());
  data.count = static_cast<int64_t>(data.images.size()) / kDigitsPixels;
  if (data.count * kDigitsClasses != static_cast<int64_t>(data.expected_scores.size())) {
    return absl::InternalError("digits images and expected scores disagree in count");
  }
  return data;
}

}  // namespace inferd::firmware::testing

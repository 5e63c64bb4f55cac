#include "tests/integration/digits_data.h"

#include <cstring>

#include "client/npy.h"
#include "tests/integration/daemon_process.h"

namespace inferd::testing {

absl::StatusOr<DigitsData> LoadDigitsData() {
  const std::string dir = SourceDir() + "/examples/data/";
  DigitsData data;
  struct {
    const char* file;
    Tensor* into;
  } files[] = {{"digits_test_images_fp32.npy", &data.images_fp32},
               {"digits_test_images_int8.npy", &data.images_int8},
               {"digits_test_labels.npy", &data.labels},
               {"expected_scores_fp32.npy", &data.expected_fp32},
               {"expected_scores_int8.npy", &data.expected_int8}};
  for (const auto& entry : files) {
    auto tensor = ReadNpyFile(dir + entry.file);
    if (!tensor.ok()) return tensor.status();
    *entry.into = *std::move(tensor);
  }
  return data;
}

Tensor Rows(const Tensor& tensor, int64_t first, int64_t count) {
  const Tensor view = tensor.SliceOuter(first, count);
  Tensor copy = Tensor::Allocate(view.dtype(), view.shape());
  std::memcpy(copy.mutable_bytes().data(), view.bytes().data(), view.byte_size());
  return copy;
}

int64_t ArgMax(const Tensor& scores, int64_t row) {
  const int64_t classes = scores.shape().back();
  int64_t best = 0;
  auto value = [&](int64_t c) -> double {
    const int64_t i = row * classes + c;
    switch (scores.dtype()) {
      case DataType::kInt8:
        return scores.values<int8_t>()[i];
      case DataType::kInt32:
        return scores.values<int32_t>()[i];
      default:
        return scores.values<float>()[i];
    }
  };
  for (int64_t c = 1; c < classes; ++c) {
    if (value(c) > value(best)) best = c;
  }
  return best;
}

}  // namespace inferd::testing

#include "backends/cpu/load_time_constants.h"

#include "backends/cpu/binding_support.h"

namespace inferd::cpu {

const uint8_t* LoadTimeConstants::Find(graph::TensorId id, size_t min_bytes) const {
  if (const graph::Tensor* tensor = ConstantTensor(graph_, id, min_bytes)) {
    return tensor->data.data();
  }
  if (folded_ == nullptr || id >= folded_->size() || !(*folded_)[id] || id >= data_.size() ||
      data_[id] == nullptr) {
    return nullptr;
  }
  const graph::Tensor& tensor = graph_.tensor(id);
  const size_t bytes = static_cast<size_t>(graph::ElementCount(tensor).value_or(0)) *
                       StorageElementBytes(tensor.dtype);
  return bytes >= min_bytes && min_bytes > 0 ? data_[id] : nullptr;
}

}  // namespace inferd::cpu

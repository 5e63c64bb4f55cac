#include "engine/tensor.h"

#include <cassert>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace inferd {

Tensor Tensor::Allocate(DataType type, Shape shape) {
  Tensor tensor;
  tensor.dtype_ = type;
  tensor.size_ = static_cast<size_t>(ElementCount(shape).value_or(0)) * DataTypeByteSize(type);
  tensor.shape_ = std::move(shape);
  // Over-aligned so that vectorised kernels may use aligned loads on any tensor they are handed.
  constexpr size_t kAlignment = 64;
  const size_t rounded = (tensor.size_ + kAlignment - 1) / kAlignment * kAlignment;
  void* storage = std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
  if (storage == nullptr) std::abort();
  std::memset(storage, 0, rounded == 0 ? kAlignment : rounded);
  tensor.owner_ = std::shared_ptr<void>(storage, [](void* p) { std::free(p); });
  tensor.data_ = static_cast<const uint8_t*>(storage);
  return tensor;
}

Tensor Tensor::View(DataType type, Shape shape, std::shared_ptr<const void> owner,
                    std::span<const uint8_t> bytes) {
  Tensor tensor;
  tensor.dtype_ = type;
  tensor.shape_ = std::move(shape);
  tensor.owner_ = std::move(owner);
  tensor.data_ = bytes.data();
  tensor.size_ = bytes.size();
  tensor.read_only_ = true;
  return tensor;
}

Tensor Tensor::SliceOuter(int64_t first, int64_t count) const {
  Tensor slice;
  slice.dtype_ = dtype_;
  slice.shape_ = shape_;
  const int64_t outer = shape_.empty() ? 1 : shape_[0];
  const size_t item_size = outer == 0 ? 0 : size_ / static_cast<size_t>(outer);
  if (!slice.shape_.empty()) slice.shape_[0] = count;
  slice.owner_ = owner_;
  slice.data_ = data_ + static_cast<size_t>(first) * item_size;
  slice.size_ = static_cast<size_t>(count) * item_size;
  slice.read_only_ = true;
  return slice;
}

int64_t Tensor::element_count() const { return ElementCount(shape_).value_or(0); }

std::span<uint8_t> Tensor::mutable_bytes() {
  assert(!read_only_);
  return {const_cast<uint8_t*>(data_), size_};
}

}  // namespace inferd

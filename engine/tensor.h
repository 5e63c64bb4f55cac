// Tensor: a typed, shaped, contiguous row-major buffer whose storage is shared and
// reference-counted.
//
// A tensor either owns its bytes (Allocate) or views bytes that something else keeps alive (View) —
// the server wraps request payloads this way so that inputs reach a backend without a copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "engine/data_type.h"
#include "engine/shape.h"

namespace inferd {

class Tensor {
 public:
  Tensor() = default;

  // A zero-filled tensor. `shape` must have a valid element count (callers validate it first).
  static Tensor Allocate(DataType type, Shape shape);

  // A read-only view over `bytes`, kept alive by `owner`. bytes.size() must equal the tensor's
  // size.
  static Tensor View(DataType type, Shape shape, std::shared_ptr<const void> owner,
                     std::span<const uint8_t> bytes);

  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  size_t byte_size() const { return size_; }
  int64_t element_count() const;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  // Writable bytes; only for tensors made by Allocate (a view's bytes belong to someone else).
  std::span<uint8_t> mutable_bytes();
  bool is_view() const { return read_only_; }

  // A view of `count` items along the outermost dimension starting at `first`, sharing this
  // storage.
  Tensor SliceOuter(int64_t first, int64_t count) const;

  template <typename T>
  std::span<const T> values() const {
    return {reinterpret_cast<const T*>(data_), size_ / sizeof(T)};
  }
  template <typename T>
  std::span<T> mutable_values() {
    auto span = mutable_bytes();
    return {reinterpret_cast<T*>(span.data()), span.size() / sizeof(T)};
  }

 private:
  DataType dtype_ = DataType::kInvalid;
  Shape shape_;
  std::shared_ptr<const void> owner_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool read_only_ = false;
};

}  // namespace inferd

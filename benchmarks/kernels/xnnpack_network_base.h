// What the f32 and the quantised XNNPACK translations share: the operator list, the thread pool,
// one buffer per materialised tensor and the aliases of tensors that share a producer's buffer.
// Internal to the MobileNet benchmark.
#pragma once

#include <pthreadpool.h>
#include <xnnpack.h>

#include <cstdint>
#include <map>
#include <vector>

#include "benchmarks/kernels/xnnpack_network.h"

namespace inferd::bench {

class XnnpackNetworkBase : public XnnpackNetwork {
 public:
  ~XnnpackNetworkBase() override;

  absl::Status Run(std::span<const uint8_t> input, std::span<uint8_t> output) override;
  const uint8_t* TensorBytes(graph::TensorId id) const override;

 protected:
  // Starts a translation of `g`: the thread pool, the input's buffer.
  void Begin(const graph::Graph& g, int threads);
  graph::TensorId Resolve(graph::TensorId id) const;
  // `id`'s buffer (after aliases), created on first use with the tensor's constant bytes if any.
  // XNNPACK kernels may read a few bytes past a tensor's end (XNN_EXTRA_BYTES), so it is padded.
  uint8_t* Buffer(const graph::Graph& g, graph::TensorId id);
  template <typename T>
  T* Buffer(const graph::Graph& g, graph::TensorId id) {
    return reinterpret_cast<T*>(Buffer(g, id));
  }
  void Alias(graph::TensorId id, graph::TensorId target) { alias_[id] = target; }
  // Records a created operator, or turns XNNPACK's failure into a status naming `what`.
  absl::Status Keep(xnn_status status, xnn_operator_t op, const char* what);

  pthreadpool_t pool_ = nullptr;

 private:
  graph::TensorId input_ = 0, output_ = 0;
  std::vector<xnn_operator_t> operators_;
  std::map<graph::TensorId, std::vector<uint8_t>> buffers_;
  std::map<graph::TensorId, graph::TensorId> alias_;
};

// The quantised translation (xnnpack_int8_network.cc).
absl::StatusOr<std::unique_ptr<XnnpackNetwork>> CreateXnnpackInt8Network(const graph::Graph& graph,
                                                                         int threads);

}  // namespace inferd::bench

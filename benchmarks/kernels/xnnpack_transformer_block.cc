#include "benchmarks/kernels/xnnpack_transformer_block.h"

#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace inferd::bench {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// An activation buffer; XNNPACK kernels may read XNN_EXTRA_BYTES past a tensor's end.
class Buffer {
 public:
  explicit Buffer(size_t floats) : data_(floats + XNN_EXTRA_BYTES / sizeof(float), 0.0f) {}
  float* data() { return data_.data(); }

 private:
  std::vector<float> data_;
};

// Debian's XNNPACK (2022-02) has no batch matrix multiply, so the attention MATMULs, whose right
// operands are activations, are fully-connected operators created (their weights packed) on every
// run: the cost of a dynamic right operand, which a batch matrix multiply would pay as well.
class Block : public XnnpackTransformerBlock {
 public:
  Block(const TransformerDims& dims, const TransformerWeights& weights)
      : dims_(dims),
        weights_(weights),
        s_(dims.sequence),
        d_(dims.model),
        h_(dims.heads),
        dh_(dims.head()),
        x_(s_ * d_),
        ln1_(s_ * d_),
        q_(s_ * d_),
        k_(s_ * d_),
        v_(s_ * d_),
        k_heads_(s_ * d_),
        v_heads_(s_ * d_),
        scores_(h_ * s_ * s_),
        scaled_(h_ * s_ * s_),
        probs_(h_ * s_ * s_),
        context_(s_ * d_),
        attention_(s_ * d_),
        h1_(s_ * d_),
        ln2_(s_ * d_),
        ffn1_(s_ * dims.ffn),
        ffn2_(s_ * d_),
        y_(s_ * d_),
        mean_(s_),
        var_(s_),
        std_(s_),
        centred_(s_ * d_),
        squared_(s_ * d_),
        normed_(s_ * d_),
        scaled_norm_(s_ * d_),
        inv_n_(static_cast<size_t>(d_), 1.0f / static_cast<float>(d_)) {}

  ~Block() override {
    for (xnn_operator_t op : before_attention_) xnn_delete_operator(op);
    for (xnn_operator_t op : softmax_) xnn_delete_operator(op);
    for (xnn_operator_t op : after_attention_) xnn_delete_operator(op);
    if (pool_ != nullptr) pthreadpool_destroy(pool_);
  }

  absl::Status Build(int threads) {
    if (threads > 1) pool_ = pthreadpool_create(threads);
    ops_ = &before_attention_;
    if (absl::Status s = LayerNorm(x_.data(), weights_.gamma1, weights_.beta1, ln1_.data());
        !s.ok()) {
      return s;
    }
    for (auto [w, b, out] : {std::tuple{&weights_.wq, &weights_.bq, q_.data()},
                             std::tuple{&weights_.wk, &weights_.bk, k_.data()},
                             std::tuple{&weights_.wv, &weights_.bv, v_.data()}}) {
      if (absl::Status s = Linear(ln1_.data(), *w, *b, d_, d_, -kInf, kInf, out); !s.ok()) {
        return s;
      }
    }
    // The heads of K and V as contiguous [S, dh] matrices: the fully-connected operators' weights.
    for (int64_t head = 0; head < h_; ++head) {
      for (auto [from, to] :
           {std::pair{k_.data(), k_heads_.data()}, std::pair{v_.data(), v_heads_.data()}}) {
        xnn_operator_t op = nullptr;
        xnn_status status = xnn_create_copy_nc_x32(dh_, d_, dh_, 0, &op);
        if (status == xnn_status_success) {
          status = xnn_setup_copy_nc_x32(op, s_, from + head * dh_, to + head * s_ * dh_, pool_);
        }
        if (absl::Status s = Keep(status, op, "copy (head split)"); !s.ok()) return s;
      }
    }
    ops_ = &softmax_;
    const std::vector<size_t> scores_shape = {static_cast<size_t>(h_ * s_),
                                              static_cast<size_t>(s_)};
    score_scale_ = 1.0f / std::sqrt(static_cast<float>(dh_));
    if (absl::Status s = Multiply(scores_shape, {1}, scores_.data(), &score_scale_, scaled_.data());
        !s.ok()) {
      return s;
    }
    xnn_operator_t op = nullptr;
    xnn_status status = xnn_create_softmax_nc_f32(s_, s_, s_, 0, &op);
    if (status == xnn_status_success) {
      status = xnn_setup_softmax_nc_f32(op, h_ * s_, scaled_.data(), probs_.data(), pool_);
    }
    if (absl::Status s = Keep(status, op, "softmax"); !s.ok()) return s;

    ops_ = &after_attention_;
    if (absl::Status s = Linear(context_.data(), weights_.wo, weights_.bo, d_, d_, -kInf, kInf,
                                attention_.data());
        !s.ok()) {
      return s;
    }
    const std::vector<size_t> rows = {static_cast<size_t>(s_), static_cast<size_t>(d_)};
    if (absl::Status s = Add(rows, rows, x_.data(), attention_.data(), h1_.data()); !s.ok()) {
      return s;
    }
    if (absl::Status s = LayerNorm(h1_.data(), weights_.gamma2, weights_.beta2, ln2_.data());
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            Linear(ln2_.data(), weights_.w1, weights_.b1, d_, dims_.ffn, 0.0f, kInf, ffn1_.data());
        !s.ok()) {
      return s;
    }
    if (absl::Status s = Linear(ffn1_.data(), weights_.w2, weights_.b2, dims_.ffn, d_, -kInf, kInf,
                                ffn2_.data());
        !s.ok()) {
      return s;
    }
    return Add(rows, rows, h1_.data(), ffn2_.data(), y_.data());
  }

  absl::Status Run(std::span<const float> x, std::span<float> y) override {
    std::memcpy(x_.data(), x.data(), x.size_bytes());
    if (absl::Status s = RunAll(before_attention_); !s.ok()) return s;
    // Q_h K_h^T: K_h [S, dh] is the weight matrix in XNNPACK's [out, in] layout.
    for (int64_t head = 0; head < h_; ++head) {
      if (absl::Status s = RunDynamic(q_.data() + head * dh_, d_, k_heads_.data() + head * s_ * dh_,
                                      dh_, s_, 0, scores_.data() + head * s_ * s_, s_);
          !s.ok()) {
        return s;
      }
    }
    if (absl::Status s = RunAll(softmax_); !s.ok()) return s;
    // P_h V_h: V_h [S, dh] is [in, out]; each head writes its columns of the context directly.
    for (int64_t head = 0; head < h_; ++head) {
      if (absl::Status s =
              RunDynamic(probs_.data() + head * s_ * s_, s_, v_heads_.data() + head * s_ * dh_, s_,
                         dh_, XNN_FLAG_TRANSPOSE_WEIGHTS, context_.data() + head * dh_, d_);
          !s.ok()) {
        return s;
      }
    }
    if (absl::Status s = RunAll(after_attention_); !s.ok()) return s;
    std::memcpy(y.data(), y_.data(), y.size_bytes());
    return absl::OkStatus();
  }

 private:
  absl::Status Keep(xnn_status status, xnn_operator_t op, const char* what) {
    if (status != xnn_status_success) {
      if (op != nullptr) xnn_delete_operator(op);
      return absl::InternalError(absl::StrCat("XNNPACK ", what, " failed (status ", status, ")"));
    }
    ops_->push_back(op);
    return absl::OkStatus();
  }

  absl::Status RunAll(const std::vector<xnn_operator_t>& ops) {
    for (xnn_operator_t op : ops) {
      if (xnn_run_operator(op, pool_) != xnn_status_success) {
        return absl::InternalError("xnn_run_operator failed");
      }
    }
    return absl::OkStatus();
  }

  absl::Status RunDynamic(const float* input, size_t input_stride, const float* kernel, size_t in,
                          size_t out, uint32_t flags, float* output, size_t output_stride) {
    xnn_operator_t op = nullptr;
    xnn_status status = xnn_create_fully_connected_nc_f32(in, out, input_stride, output_stride,
                                                          kernel, nullptr, -kInf, kInf, flags, &op);
    if (status == xnn_status_success) {
      status = xnn_setup_fully_connected_nc_f32(op, s_, input, output, pool_);
    }
    if (status == xnn_status_success) status = xnn_run_operator(op, pool_);
    if (op != nullptr) xnn_delete_operator(op);
    return status == xnn_status_success ? absl::OkStatus()
                                        : absl::InternalError(absl::StrCat(
                                              "XNNPACK attention matmul failed (", status, ")"));
  }

  // out [S, out_channels] = in [S, in_channels] x W [in, out] + b, clamped to [lo, hi].
  absl::Status Linear(const float* in, const std::vector<float>& w, const std::vector<float>& b,
                      size_t in_channels, size_t out_channels, float lo, float hi, float* out) {
    xnn_operator_t op = nullptr;
    xnn_status status = xnn_create_fully_connected_nc_f32(in_channels, out_channels, in_channels,
                                                          out_channels, w.data(), b.data(), lo, hi,
                                                          XNN_FLAG_TRANSPOSE_WEIGHTS, &op);
    if (status == xnn_status_success) {
      status = xnn_setup_fully_connected_nc_f32(op, s_, in, out, pool_);
    }
    return Keep(status, op, "fully connected");
  }

  absl::Status Add(const std::vector<size_t>& a_shape, const std::vector<size_t>& b_shape,
                   const float* a, const float* b, float* out) {
    xnn_operator_t op = nullptr;
    xnn_status status = xnn_create_add_nd_f32(-kInf, kInf, 0, &op);
    if (status == xnn_status_success) {
      status = xnn_setup_add_nd_f32(op, a_shape.size(), a_shape.data(), b_shape.size(),
                                    b_shape.data(), a, b, out, pool_);
    }
    return Keep(status, op, "add");
  }

  absl::Status Multiply(const std::vector<size_t>& a_shape, const std::vector<size_t>& b_shape,
                        const float* a, const float* b, float* out) {
    xnn_operator_t op = nullptr;
    xnn_status status = xnn_create_multiply_nd_f32(-kInf, kInf, 0, &op);
    if (status == xnn_status_success) {
      status = xnn_setup_multiply_nd_f32(op, a_shape.size(), a_shape.data(), b_shape.size(),
                                         b_shape.data(), a, b, out, pool_);
    }
    return Keep(status, op, "multiply");
  }

  // out[r] = mean of in's row r: a fully-connected operator with one output channel of 1/N weights.
  absl::Status RowMean(const float* in, float* out) {
    xnn_operator_t op = nullptr;
    xnn_status status = xnn_create_fully_connected_nc_f32(d_, 1, d_, 1, inv_n_.data(), nullptr,
                                                          -kInf, kInf, 0, &op);
    if (status == xnn_status_success) {
      status = xnn_setup_fully_connected_nc_f32(op, s_, in, out, pool_);
    }
    return Keep(status, op, "mean");
  }

  // Layer norm from XNNPACK's operators (it has none of its own): the means as a fully-connected
  // operator with 1/N weights, SUBTRACT, SQUARE, + eps, SQUARE_ROOT, DIVIDE, MULTIPLY, ADD.
  absl::Status LayerNorm(const float* in, const std::vector<float>& gamma,
                         const std::vector<float>& beta, float* out) {
    const std::vector<size_t> rows = {static_cast<size_t>(s_), static_cast<size_t>(d_)};
    const std::vector<size_t> column = {static_cast<size_t>(s_), 1};
    const std::vector<size_t> row = {static_cast<size_t>(d_)};
    const std::vector<size_t> scalar = {1};
    xnn_operator_t op = nullptr;
    xnn_status status = xnn_status_success;
    if (absl::Status s = RowMean(in, mean_.data()); !s.ok()) return s;
    status = xnn_create_subtract_nd_f32(-kInf, kInf, 0, &op);
    if (status == xnn_status_success) {
      status = xnn_setup_subtract_nd_f32(op, 2, rows.data(), 2, column.data(), in, mean_.data(),
                                         centred_.data(), pool_);
    }
    if (absl::Status s = Keep(status, op, "subtract"); !s.ok()) return s;
    status = xnn_create_square_nc_f32(d_, d_, d_, 0, &op);
    if (status == xnn_status_success) {
      status = xnn_setup_square_nc_f32(op, s_, centred_.data(), squared_.data(), pool_);
    }
    if (absl::Status s = Keep(status, op, "square"); !s.ok()) return s;
    if (absl::Status s = RowMean(squared_.data(), var_.data()); !s.ok()) return s;
    if (absl::Status s = Add(column, scalar, var_.data(), &weights_.epsilon, var_.data());
        !s.ok()) {
      return s;
    }
    status = xnn_create_square_root_nc_f32(1, 1, 1, 0, &op);
    if (status == xnn_status_success) {
      status = xnn_setup_square_root_nc_f32(op, s_, var_.data(), std_.data(), pool_);
    }
    if (absl::Status s = Keep(status, op, "square root"); !s.ok()) return s;
    status = xnn_create_divide_nd_f32(-kInf, kInf, 0, &op);
    if (status == xnn_status_success) {
      status = xnn_setup_divide_nd_f32(op, 2, rows.data(), 2, column.data(), centred_.data(),
                                       std_.data(), normed_.data(), pool_);
    }
    if (absl::Status s = Keep(status, op, "divide"); !s.ok()) return s;
    if (absl::Status s = Multiply(rows, row, normed_.data(), gamma.data(), scaled_norm_.data());
        !s.ok()) {
      return s;
    }
    return Add(rows, row, scaled_norm_.data(), beta.data(), out);
  }

  const TransformerDims dims_;
  const TransformerWeights weights_;
  const int64_t s_, d_, h_, dh_;
  pthreadpool_t pool_ = nullptr;
  std::vector<xnn_operator_t>* ops_ = nullptr;  // where Keep puts the operator being created
  std::vector<xnn_operator_t> before_attention_, softmax_, after_attention_;
  Buffer x_, ln1_, q_, k_, v_, k_heads_, v_heads_, scores_, scaled_, probs_, context_, attention_,
      h1_, ln2_, ffn1_, ffn2_, y_;
  // Layer-norm scratch, shared by both layer norms (they run one after the other).
  Buffer mean_, var_, std_, centred_, squared_, normed_, scaled_norm_;
  std::vector<float> inv_n_;
  float score_scale_ = 1.0f;
};

class Int8Ffn : public XnnpackInt8Ffn {
 public:
  Int8Ffn(const TransformerDims& dims, const Int8FfnWeights& weights)
      : dims_(dims),
        weights_(weights),
        x_(dims.sequence * dims.model + XNN_EXTRA_BYTES),
        hidden_(dims.sequence * dims.ffn + XNN_EXTRA_BYTES),
        y_(dims.sequence * dims.model + XNN_EXTRA_BYTES) {}
  ~Int8Ffn() override {
    for (xnn_operator_t op : ops_) xnn_delete_operator(op);
    if (pool_ != nullptr) pthreadpool_destroy(pool_);
  }

  absl::Status Build(int threads) {
    if (threads > 1) pool_ = pthreadpool_create(threads);
    if (absl::Status s = Layer(weights_.w1, dims_.model, dims_.ffn, weights_.factor1(), 0,
                               x_.data(), hidden_.data());
        !s.ok()) {
      return s;
    }
    return Layer(weights_.w2, dims_.ffn, dims_.model, weights_.factor2(), -128, hidden_.data(),
                 y_.data());
  }

  absl::Status Run(std::span<const int8_t> x, std::span<int8_t> y) override {
    std::memcpy(x_.data(), x.data(), x.size());
    for (xnn_operator_t op : ops_) {
      if (xnn_run_operator(op, pool_) != xnn_status_success) {
        return absl::InternalError("xnn_run_operator failed");
      }
    }
    std::memcpy(y.data(), y_.data(), y.size());
    return absl::OkStatus();
  }

 private:
  absl::Status Layer(const std::vector<int8_t>& w, size_t in, size_t out, float factor,
                     int8_t output_min, const int8_t* input, int8_t* output) {
    xnn_operator_t op = nullptr;
    xnn_status status =
        xnn_create_fully_connected_nc_qs8(in, out, in, out, 0, 1.0f, factor, w.data(), nullptr, 0,
                                          1.0f, output_min, 127, XNN_FLAG_TRANSPOSE_WEIGHTS, &op);
    if (status == xnn_status_success) {
      status = xnn_setup_fully_connected_nc_qs8(op, dims_.sequence, input, output, pool_);
    }
    if (status != xnn_status_success) {
      if (op != nullptr) xnn_delete_operator(op);
      return absl::InternalError(
          absl::StrCat("XNNPACK fully_connected_nc_qs8 failed (", status, ")"));
    }
    ops_.push_back(op);
    return absl::OkStatus();
  }

  const TransformerDims dims_;
  const Int8FfnWeights weights_;
  std::vector<int8_t> x_, hidden_, y_;
  pthreadpool_t pool_ = nullptr;
  std::vector<xnn_operator_t> ops_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<XnnpackInt8Ffn>> CreateXnnpackInt8Ffn(const TransformerDims& dims,
                                                                     const Int8FfnWeights& weights,
                                                                     int threads) {
  if (xnn_initialize(nullptr) != xnn_status_success) {
    return absl::UnavailableError("xnn_initialize failed (CPU not supported by XNNPACK?)");
  }
  auto ffn = std::make_unique<Int8Ffn>(dims, weights);
  if (absl::Status status = ffn->Build(threads); !status.ok()) return status;
  return ffn;
}

absl::StatusOr<std::unique_ptr<XnnpackTransformerBlock>> CreateXnnpackTransformerBlock(
    const TransformerDims& dims, const TransformerWeights& weights, int threads) {
  if (xnn_initialize(nullptr) != xnn_status_success) {
    return absl::UnavailableError("xnn_initialize failed (CPU not supported by XNNPACK?)");
  }
  auto block = std::make_unique<Block>(dims, weights);
  if (absl::Status status = block->Build(threads); !status.ok()) return status;
  return block;
}

}  // namespace inferd::bench

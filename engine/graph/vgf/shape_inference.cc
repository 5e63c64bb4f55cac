#include "engine/graph/vgf/shape_inference.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/graph/vgf/tosa_spirv_ops.h"

namespace inferd::graph::vgf {
namespace {

class Inference {
 public:
  Inference(const Graph& graph, const Operator& op) : g_(graph), op_(op) {}

  absl::StatusOr<std::vector<Shape>> Run() {
    switch (op_.op) {
      case Op::kConv2d:
      case Op::kDepthwiseConv2d:
      case Op::kConv3d:
        return One(Conv());
      case Op::kTransposeConv2d:
        return One(TransposeConv());
      case Op::kAvgPool2d:
      case Op::kMaxPool2d:
        return One(Pool());
      case Op::kMatMul: {
        if (!Rank(0, 3) || !Rank(1, 3)) return Error("MATMUL needs rank-3 inputs");
        return One(Shape{In(0)[0], In(0)[1], In(1)[2]});
      }
      case Op::kFft2d:
        if (!Has(0)) return Error("FFT2D needs an input");
        return std::vector<Shape>{In(0), In(0)};
      case Op::kRfft2d: {
        if (!Rank(0, 3)) return Error("RFFT2D needs a rank-3 input");
        Shape s = In(0);
        s[2] = s[2] / 2 + 1;
        return std::vector<Shape>{s, s};
      }
      case Op::kArgMax: {
        const int32_t axis = std::get<ArgMaxAttr>(op_.attribute).axis;
        if (!Has(0) || axis < 0 || axis >= static_cast<int32_t>(In(0).size())) {
          return Error("ARGMAX axis is outside the input's rank");
        }
        Shape s = In(0);
        s.erase(s.begin() + axis);
        return One(s);
      }
      case Op::kReduceAll:
      case Op::kReduceAny:
      case Op::kReduceMax:
      case Op::kReduceMin:
      case Op::kReduceProduct:
      case Op::kReduceSum:
        return One(Reduce());
      case Op::kConcat:
        return One(Concat());
      case Op::kPad:
        return One(Pad());
      case Op::kReshape:
        return One(Reshape());
      case Op::kSlice: {
        auto size = ShapeValues(2);
        if (!size.ok()) return size.status();
        return One(Shape(*size));
      }
      case Op::kTile: {
        auto multiples = ShapeValues(1);
        if (!multiples.ok()) return multiples.status();
        if (!Has(0) || multiples->size() != In(0).size()) {
          return Error("TILE multiples do not match the input's rank");
        }
        Shape s = In(0);
        for (size_t i = 0; i < s.size(); ++i) s[i] *= (*multiples)[i];
        return One(s);
      }
      case Op::kTranspose: {
        const auto& perms = std::get<TransposeAttr>(op_.attribute).perms;
        if (!Has(0) || perms.size() != In(0).size()) {
          return Error("TRANSPOSE perms do not match the input's rank");
        }
        Shape s(perms.size());
        for (size_t i = 0; i < perms.size(); ++i) {
          if (perms[i] < 0 || perms[i] >= static_cast<int32_t>(perms.size())) {
            return Error("TRANSPOSE perms hold an index outside the rank");
          }
          s[i] = In(0)[perms[i]];
        }
        return One(s);
      }
      case Op::kGather:
        if (!Rank(0, 3) || !Rank(1, 2)) return Error("GATHER needs values [N,K,C], indices [N,W]");
        return One(Shape{In(0)[0], In(1)[1], In(0)[2]});
      case Op::kResize:
        return One(Resize());
      case Op::kMul:
        return One(Broadcast(2));
      case Op::kSelect:
        return One(Broadcast(3));
      case Op::kAdd:
      case Op::kSub:
      case Op::kArithmeticRightShift:
      case Op::kBitwiseAnd:
      case Op::kBitwiseOr:
      case Op::kBitwiseXor:
      case Op::kIntDiv:
      case Op::kLogicalAnd:
      case Op::kLogicalLeftShift:
      case Op::kLogicalRightShift:
      case Op::kLogicalOr:
      case Op::kLogicalXor:
      case Op::kMaximum:
      case Op::kMinimum:
      case Op::kPow:
      case Op::kEqual:
      case Op::kGreater:
      case Op::kGreaterEqual:
        return One(Broadcast(2));
      default:
        // Elementwise unary, TABLE, CLAMP, NEGATE, REVERSE, CAST, RESCALE, SCATTER: the shape of
        // input 0.
        if (!Has(0)) return Error("operator has no input to take the output shape from");
        return One(In(0));
    }
  }

 private:
  absl::Status Error(std::string what) const {
    return absl::InvalidArgumentError(absl::StrCat("cannot derive the output shape of ",
                                                   std::string(OpName(op_.op)), ": ", what));
  }
  absl::StatusOr<std::vector<Shape>> One(absl::StatusOr<Shape> s) const {
    if (!s.ok()) return s.status();
    for (int64_t d : *s) {
      if (d < 0) return Error(absl::StrCat("derived shape ", ShapeToString(*s), " is negative"));
    }
    return std::vector<Shape>{*std::move(s)};
  }
  bool Has(size_t i) const { return i < op_.inputs.size(); }
  const Shape& In(size_t i) const { return g_.tensor(op_.inputs[i]).shape; }
  bool Rank(size_t i, size_t rank) const { return Has(i) && In(i).size() == rank; }

  absl::StatusOr<std::vector<int64_t>> ShapeValues(size_t i) const {
    if (!Has(i)) return Error(absl::StrCat("missing shape operand ", i));
    const Tensor& t = g_.tensor(op_.inputs[i]);
    if (t.dtype != DType::kShape || t.data.size() % 8 != 0) {
      return Error(absl::StrCat("operand ", i, " is not a constant shape"));
    }
    std::vector<int64_t> values(t.data.size() / 8);
    std::memcpy(values.data(), t.data.data(), t.data.size());
    return values;
  }

  absl::StatusOr<Shape> Conv() const {
    const bool depthwise = op_.op == Op::kDepthwiseConv2d;
    const size_t spatial = op_.op == Op::kConv3d ? 3 : 2;
    const auto* pad = IntListField(op_.attribute, TosaOperand::kPad);
    const auto* stride = IntListField(op_.attribute, TosaOperand::kStride);
    const auto* dilation = IntListField(op_.attribute, TosaOperand::kDilation);
    if (!Rank(0, spatial + 2) || !Rank(1, spatial + 2) || pad == nullptr ||
        pad->size() != 2 * spatial || stride->size() != spatial || dilation->size() != spatial) {
      return Error("input, weight, pad, stride or dilation has the wrong rank");
    }
    const Shape& in = In(0);
    const Shape& w = In(1);
    Shape out = {in[0]};
    for (size_t d = 0; d < spatial; ++d) {
      const int64_t k = depthwise ? w[d] : w[d + 1];
      const int64_t span =
          in[d + 1] - 1 + (*pad)[2 * d] + (*pad)[2 * d + 1] - (k - 1) * (*dilation)[d];
      if ((*stride)[d] <= 0 || span < 0) return Error("kernel does not fit the padded input");
      out.push_back(span / (*stride)[d] + 1);
    }
    out.push_back(depthwise ? in[spatial + 1] * w[spatial + 1] : w[0]);
    return out;
  }

  absl::StatusOr<Shape> TransposeConv() const {
    const auto& a = std::get<TransposeConv2dAttr>(op_.attribute);
    if (!Rank(0, 4) || !Rank(1, 4) || a.out_pad.size() != 4 || a.stride.size() != 2) {
      return Error("input, weight, out_pad or stride has the wrong rank");
    }
    const Shape& in = In(0);
    const Shape& w = In(1);
    return Shape{in[0], (in[1] - 1) * a.stride[0] + a.out_pad[0] + a.out_pad[1] + w[1],
                 (in[2] - 1) * a.stride[1] + a.out_pad[2] + a.out_pad[3] + w[2], w[0]};
  }

  absl::StatusOr<Shape> Pool() const {
    const auto* kernel = IntListField(op_.attribute, TosaOperand::kKernel);
    const auto* stride = IntListField(op_.attribute, TosaOperand::kStride);
    const auto* pad = IntListField(op_.attribute, TosaOperand::kPad);
    if (!Rank(0, 4) || kernel->size() != 2 || stride->size() != 2 || pad->size() != 4) {
      return Error("input, kernel, stride or pad has the wrong rank");
    }
    const Shape& in = In(0);
    Shape out = {in[0]};
    for (size_t d = 0; d < 2; ++d) {
      const int64_t span = in[d + 1] + (*pad)[2 * d] + (*pad)[2 * d + 1] - (*kernel)[d];
      if ((*stride)[d] <= 0 || span < 0) return Error("kernel does not fit the padded input");
      out.push_back(span / (*stride)[d] + 1);
    }
    out.push_back(in[3]);
    return out;
  }

  absl::StatusOr<Shape> Reduce() const {
    const std::optional<int64_t> axis = GetScalarField(op_.attribute, TosaOperand::kAxis);
    if (!Has(0) || !axis.has_value() || *axis < 0 || *axis >= static_cast<int64_t>(In(0).size())) {
      return Error("axis is outside the input's rank");
    }
    Shape s = In(0);
    s[*axis] = 1;
    return s;
  }

  absl::StatusOr<Shape> Concat() const {
    const int32_t axis = std::get<ConcatAttr>(op_.attribute).axis;
    if (!Has(0) || axis < 0 || axis >= static_cast<int32_t>(In(0).size())) {
      return Error("axis is outside the inputs' rank");
    }
    Shape s = In(0);
    for (size_t i = 1; i < op_.inputs.size(); ++i) {
      if (In(i).size() != s.size()) return Error("inputs differ in rank");
      s[axis] += In(i)[axis];
    }
    return s;
  }

  absl::StatusOr<Shape> Pad() const {
    auto padding = ShapeValues(1);
    if (!padding.ok()) return padding.status();
    if (!Has(0) || padding->size() != 2 * In(0).size()) {
      return Error("padding does not hold two values per input dimension");
    }
    Shape s = In(0);
    for (size_t i = 0; i < s.size(); ++i) s[i] += (*padding)[2 * i] + (*padding)[2 * i + 1];
    return s;
  }

  absl::StatusOr<Shape> Reshape() const {
    auto shape = ShapeValues(1);
    if (!shape.ok()) return shape.status();
    return Shape(*shape);
  }

  absl::StatusOr<Shape> Resize() const {
    auto scale = ShapeValues(1);
    auto offset = ShapeValues(2);
    auto border = ShapeValues(3);
    if (!scale.ok()) return scale.status();
    if (!offset.ok()) return offset.status();
    if (!border.ok()) return border.status();
    if (!Rank(0, 4) || scale->size() != 4 || offset->size() != 2 || border->size() != 2) {
      return Error("input, scale, offset or border has the wrong size");
    }
    const Shape& in = In(0);
    Shape out = {in[0]};
    for (size_t d = 0; d < 2; ++d) {
      const int64_t numerator = (in[d + 1] - 1) * (*scale)[2 * d] - (*offset)[d] + (*border)[d];
      const int64_t denominator = (*scale)[2 * d + 1];
      if (denominator <= 0 || numerator < 0) return Error("scale, offset or border is invalid");
      out.push_back(numerator / denominator + 1);
    }
    out.push_back(in[3]);
    return out;
  }

  absl::StatusOr<Shape> Broadcast(size_t count) const {
    if (op_.inputs.size() < count) return Error("missing inputs");
    Shape s = In(0);
    for (size_t i = 1; i < count; ++i) {
      if (In(i).size() != s.size()) return Error("inputs differ in rank");
      for (size_t d = 0; d < s.size(); ++d) {
        if (s[d] == 1) {
          s[d] = In(i)[d];
        } else if (In(i)[d] != 1 && In(i)[d] != s[d]) {
          return Error(absl::StrCat("shapes ", ShapeToString(In(0)), " and ", ShapeToString(In(i)),
                                    " do not broadcast"));
        }
      }
    }
    return s;
  }

  const Graph& g_;
  const Operator& op_;
};

}  // namespace

absl::StatusOr<std::vector<Shape>> InferOutputShapes(const Graph& graph, const Operator& op) {
  return Inference(graph, op).Run();
}

}  // namespace inferd::graph::vgf

#include "engine/graph/tosa_reader.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/graph/graph_validator.h"
#include "engine/graph/tosa_generated.h"
#include "flatbuffers/flatbuffers.h"

namespace inferd::graph {
namespace {

// The union member of attribute table N sits at union index N, the same number as Op N; the
// reader relies on it to pair an operator with its attribute table.
static_assert(static_cast<uint32_t>(tosa::Attribute::Conv2dAttribute) ==
              static_cast<uint32_t>(tosa::Op::CONV2D));
static_assert(static_cast<uint32_t>(tosa::Attribute::ConstShapeAttribute) ==
              static_cast<uint32_t>(tosa::Op::CONST_SHAPE));
static_assert(static_cast<uint32_t>(tosa::Op::CONST_SHAPE) == kMaxOpValue);
static_assert(static_cast<uint32_t>(tosa::DType::FP8E5M2) == kMaxDTypeValue);

// Limits for the structure verifier: far above any real model, low enough that a crafted file
// cannot make verification itself expensive.
constexpr flatbuffers::uoffset_t kMaxVerifierDepth = 64;
constexpr flatbuffers::uoffset_t kMaxVerifierTables = 50'000'000;

absl::Status Invalid(absl::string_view message) { return absl::InvalidArgumentError(message); }

// Debian's abseil keeps absl::string_view distinct from std::string_view (which OpName and
// FlatBuffers return).
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }
std::string_view SV(absl::string_view s) { return std::string_view(s.data(), s.size()); }

std::string Str(const flatbuffers::String* s) { return s == nullptr ? std::string() : s->str(); }

template <typename T>
std::vector<int32_t> Ints(const flatbuffers::Vector<T>* v) {
  std::vector<int32_t> out;
  if (v == nullptr) return out;
  out.reserve(v->size());
  for (T x : *v) out.push_back(static_cast<int32_t>(x));
  return out;
}

std::vector<uint8_t> Bytes(const flatbuffers::Vector<uint8_t>* v) {
  if (v == nullptr) return {};
  return std::vector<uint8_t>(v->begin(), v->end());
}

// The spec's default where a writer left the field out (the schema's 0 means "unset").
NanMode ToNanMode(tosa::NanPropagationMode mode) {
  return mode == tosa::NanPropagationMode::UNKNOWN ? NanMode::kPropagate
                                                   : static_cast<NanMode>(mode);
}

DType ToDType(tosa::DType dtype) { return static_cast<DType>(dtype); }

// Converts the attribute table of `op` (nullptr when the writer left it out: all defaults).
Attribute ConvertAttribute(Op op, const tosa::TosaOperator& fb) {
  switch (op) {
    case Op::kArgMax: {
      const auto* a = fb.attribute_as_ArgMaxAttribute();
      if (a == nullptr) return ArgMaxAttr{};
      return ArgMaxAttr{a->axis(), ToNanMode(a->nan_mode())};
    }
    case Op::kAvgPool2d: {
      const auto* a = fb.attribute_as_AvgPool2dAttribute();
      if (a == nullptr) return AvgPool2dAttr{};
      return AvgPool2dAttr{Ints(a->kernel()), Ints(a->stride()), Ints(a->pad()),
                           ToDType(a->acc_type())};
    }
    case Op::kConv2d: {
      const auto* a = fb.attribute_as_Conv2dAttribute();
      if (a == nullptr) return Conv2dAttr{};
      return Conv2dAttr{Ints(a->pad()), Ints(a->stride()), Ints(a->dilation()), a->local_bound(),
                        ToDType(a->acc_type())};
    }
    case Op::kConv3d: {
      const auto* a = fb.attribute_as_Conv3dAttribute();
      if (a == nullptr) return Conv3dAttr{};
      return Conv3dAttr{Ints(a->pad()), Ints(a->stride()), Ints(a->dilation()), a->local_bound(),
                        ToDType(a->acc_type())};
    }
    case Op::kDepthwiseConv2d: {
      const auto* a = fb.attribute_as_DepthwiseConv2dAttribute();
      if (a == nullptr) return DepthwiseConv2dAttr{};
      return DepthwiseConv2dAttr{Ints(a->pad()), Ints(a->stride()), Ints(a->dilation()),
                                 a->local_bound(), ToDType(a->acc_type())};
    }
    case Op::kFft2d: {
      const auto* a = fb.attribute_as_FFT2dAttribute();
      if (a == nullptr) return Fft2dAttr{};
      return Fft2dAttr{a->inverse(), a->local_bound()};
    }
    case Op::kMaxPool2d: {
      const auto* a = fb.attribute_as_MaxPool2dAttribute();
      if (a == nullptr) return MaxPool2dAttr{};
      return MaxPool2dAttr{Ints(a->kernel()), Ints(a->stride()), Ints(a->pad()),
                           ToNanMode(a->nan_mode())};
    }
    case Op::kRfft2d: {
      const auto* a = fb.attribute_as_RFFT2dAttribute();
      if (a == nullptr) return Rfft2dAttr{};
      return Rfft2dAttr{a->local_bound()};
    }
    case Op::kTransposeConv2d: {
      const auto* a = fb.attribute_as_TransposeConv2dAttribute();
      if (a == nullptr) return TransposeConv2dAttr{};
      return TransposeConv2dAttr{Ints(a->out_pad()), Ints(a->stride()), a->local_bound(),
                                 ToDType(a->acc_type())};
    }
    case Op::kClamp: {
      const auto* a = fb.attribute_as_ClampAttribute();
      if (a == nullptr) return ClampAttr{};
      return ClampAttr{Bytes(a->min_val()), Bytes(a->max_val()), ToNanMode(a->nan_mode())};
    }
    case Op::kArithmeticRightShift: {
      const auto* a = fb.attribute_as_ArithmeticRightShiftAttribute();
      if (a == nullptr) return ArithmeticRightShiftAttr{};
      return ArithmeticRightShiftAttr{a->round()};
    }
    case Op::kMaximum: {
      const auto* a = fb.attribute_as_MaximumAttribute();
      if (a == nullptr) return MaximumAttr{};
      return MaximumAttr{ToNanMode(a->nan_mode())};
    }
    case Op::kMinimum: {
      const auto* a = fb.attribute_as_MinimumAttribute();
      if (a == nullptr) return MinimumAttr{};
      return MinimumAttr{ToNanMode(a->nan_mode())};
    }
    case Op::kReduceAll: {
      const auto* a = fb.attribute_as_ReduceAllAttribute();
      return ReduceAllAttr{a == nullptr ? 0 : a->axis()};
    }
    case Op::kReduceAny: {
      const auto* a = fb.attribute_as_ReduceAnyAttribute();
      return ReduceAnyAttr{a == nullptr ? 0 : a->axis()};
    }
    case Op::kReduceMax: {
      const auto* a = fb.attribute_as_ReduceMaxAttribute();
      if (a == nullptr) return ReduceMaxAttr{};
      return ReduceMaxAttr{a->axis(), ToNanMode(a->nan_mode())};
    }
    case Op::kReduceMin: {
      const auto* a = fb.attribute_as_ReduceMinAttribute();
      if (a == nullptr) return ReduceMinAttr{};
      return ReduceMinAttr{a->axis(), ToNanMode(a->nan_mode())};
    }
    case Op::kReduceProduct: {
      const auto* a = fb.attribute_as_ReduceProductAttribute();
      return ReduceProductAttr{a == nullptr ? 0 : a->axis()};
    }
    case Op::kReduceSum: {
      const auto* a = fb.attribute_as_ReduceSumAttribute();
      return ReduceSumAttr{a == nullptr ? 0 : a->axis()};
    }
    case Op::kConcat: {
      const auto* a = fb.attribute_as_ConcatAttribute();
      return ConcatAttr{a == nullptr ? 0 : a->axis()};
    }
    case Op::kReverse: {
      const auto* a = fb.attribute_as_ReverseAttribute();
      return ReverseAttr{a == nullptr ? 0 : a->axis()};
    }
    case Op::kTranspose: {
      const auto* a = fb.attribute_as_TransposeAttribute();
      if (a == nullptr) return TransposeAttr{};
      return TransposeAttr{Ints(a->perms())};
    }
    case Op::kResize: {
      const auto* a = fb.attribute_as_ResizeAttribute();
      if (a == nullptr) return ResizeAttr{};
      return ResizeAttr{static_cast<ResizeMode>(a->mode())};
    }
    case Op::kRescale: {
      const auto* a = fb.attribute_as_RescaleAttribute();
      if (a == nullptr) return RescaleAttr{};
      return RescaleAttr{a->scale32(), static_cast<RoundingMode>(a->rounding_mode()),
                         a->per_channel(), a->input_unsigned(), a->output_unsigned()};
    }
    case Op::kCustom: {
      const auto* a = fb.attribute_as_CustomAttribute();
      if (a == nullptr) return CustomAttr{};
      return CustomAttr{Str(a->operator_name()), Str(a->domain_name()),
                        Bytes(a->implementation_attrs())};
    }
    case Op::kCondIf: {
      const auto* a = fb.attribute_as_CondIfAttribute();
      if (a == nullptr) return CondIfAttr{};
      return CondIfAttr{Str(a->then_graph()), Str(a->else_graph()), std::nullopt, std::nullopt};
    }
    case Op::kWhileLoop: {
      const auto* a = fb.attribute_as_WhileLoopAttribute();
      if (a == nullptr) return WhileLoopAttr{};
      return WhileLoopAttr{Str(a->cond_graph()), Str(a->body_graph()), std::nullopt, std::nullopt};
    }
    default:
      return std::monostate{};
  }
}

std::string BlockLabel(const Block& block) { return absl::StrCat("block '", block.name, "'"); }

std::string OpLabel(const Block& block, size_t index, Op op) {
  return absl::StrCat(BlockLabel(block), ", operator #", index, " (", AV(OpName(op)), ")");
}

// Builds a Graph from a verified buffer.
class Decoder {
 public:
  explicit Decoder(const tosa::TosaGraph& fb) : fb_(fb) {}

  absl::StatusOr<std::shared_ptr<Graph>> Decode() {
    auto graph = std::make_shared<Graph>();
    graph_ = graph.get();
    if (absl::Status s = DeclareBlocks(); !s.ok()) return s;
    if (absl::Status s = AssignParents(); !s.ok()) return s;
    for (BlockId id = 0; id < graph_->blocks.size(); ++id) {
      if (absl::Status s = ResolveBlock(id); !s.ok()) return s;
    }
    return graph;
  }

 private:
  // Pass 1: every region, block and tensor, so that names can be resolved in any order.
  absl::Status DeclareBlocks() {
    const auto* regions = fb_.regions();
    if (regions == nullptr || regions->size() == 0) {
      return Invalid("TOSA graph has no regions; expected a 'main' region with the entry block");
    }
    for (flatbuffers::uoffset_t r = 0; r < regions->size(); ++r) {
      const tosa::TosaRegion* fb_region = regions->Get(r);
      Region region{Str(fb_region->name()), {}};
      const auto* blocks = fb_region->blocks();
      if (r == 0 && (blocks == nullptr || blocks->size() == 0)) {
        return Invalid(absl::StrCat("region '", region.name,
                                    "' has no blocks; the first region must hold the entry block"));
      }
      if (blocks != nullptr) {
        for (flatbuffers::uoffset_t b = 0; b < blocks->size(); ++b) {
          const BlockId id = static_cast<BlockId>(graph_->blocks.size());
          region.blocks.push_back(id);
          fb_blocks_.push_back(blocks->Get(b));
          region_of_block_.push_back(static_cast<uint32_t>(r));
          if (absl::Status s = DeclareBlock(id, *blocks->Get(b)); !s.ok()) return s;
        }
      }
      graph_->regions.push_back(std::move(region));
    }
    return absl::OkStatus();
  }

  absl::Status DeclareBlock(BlockId id, const tosa::TosaBasicBlock& fb) {
    Block& block = graph_->blocks.emplace_back();
    block.name = Str(fb.name());
    if (const auto* tensors = fb.tensors(); tensors != nullptr) {
      std::unordered_map<std::string, TensorId> seen;
      for (flatbuffers::uoffset_t t = 0; t < tensors->size(); ++t) {
        const tosa::TosaTensor* fb_tensor = tensors->Get(t);
        Tensor tensor;
        tensor.name = Str(fb_tensor->name());
        if (tensor.name.empty()) {
          return Invalid(absl::StrCat(BlockLabel(block), ": tensor #", t, " has no name"));
        }
        const auto dtype = static_cast<uint32_t>(fb_tensor->type());
        if (dtype == 0 || dtype > kMaxDTypeValue) {
          return Invalid(absl::StrCat(BlockLabel(block), ", tensor '", tensor.name,
                                      "': unknown dtype value ", dtype));
        }
        tensor.dtype = static_cast<DType>(dtype);
        if (const auto* shape = fb_tensor->shape(); shape != nullptr) {
          tensor.shape.assign(shape->begin(), shape->end());
        }
        tensor.unranked = fb_tensor->is_unranked();
        tensor.data = Bytes(fb_tensor->data());
        tensor.variable = fb_tensor->variable();
        tensor.variable_name = Str(fb_tensor->variable_name());
        tensor.block = id;
        const TensorId tensor_id = static_cast<TensorId>(graph_->tensors.size());
        if (!seen.emplace(tensor.name, tensor_id).second) {
          return Invalid(
              absl::StrCat(BlockLabel(block), ": tensor '", tensor.name, "' is declared twice"));
        }
        block.tensors.push_back(tensor_id);
        graph_->tensors.push_back(std::move(tensor));
      }
    }
    if (const auto* shapes = fb.shapes(); shapes != nullptr) {
      for (const tosa::TosaShape* s : *shapes) {
        block.shapes.push_back(ShapeValue{Str(s->name()), s->rank(), Bytes(s->data())});
      }
    }
    return absl::OkStatus();
  }

  // A control-flow reference names a block: first one of the caller's region, then any block,
  // then a region (whose first block is meant).
  std::optional<BlockId> FindBlock(BlockId caller, absl::string_view name) const {
    const Region& region = graph_->regions[region_of_block_[caller]];
    for (BlockId id : region.blocks) {
      if (graph_->blocks[id].name == name) return id;
    }
    if (std::optional<BlockId> id = graph_->FindBlock(SV(name)); id.has_value()) return id;
    for (const Region& r : graph_->regions) {
      if (r.name == name && !r.blocks.empty()) return r.blocks.front();
    }
    return std::nullopt;
  }

  // Pass 2: a block run by COND_IF / WHILE_LOOP sees the tensors of the block that runs it.
  absl::Status AssignParents() {
    for (BlockId id = 0; id < graph_->blocks.size(); ++id) {
      const auto* ops = fb_blocks_[id]->operators();
      if (ops == nullptr) continue;
      for (flatbuffers::uoffset_t i = 0; i < ops->size(); ++i) {
        const tosa::TosaOperator* fb_op = ops->Get(i);
        std::vector<absl::string_view> names;
        if (const auto* a = fb_op->attribute_as_CondIfAttribute(); a != nullptr) {
          names = {a->then_graph() ? AV(a->then_graph()->string_view()) : absl::string_view(),
                   a->else_graph() ? AV(a->else_graph()->string_view()) : absl::string_view()};
        } else if (const auto* w = fb_op->attribute_as_WhileLoopAttribute(); w != nullptr) {
          names = {w->cond_graph() ? AV(w->cond_graph()->string_view()) : absl::string_view(),
                   w->body_graph() ? AV(w->body_graph()->string_view()) : absl::string_view()};
        }
        for (absl::string_view name : names) {
          std::optional<BlockId> callee = FindBlock(id, name);
          // Unresolvable names are reported with the operator in pass 3. The entry block and
          // self-references never get a parent: that would make a scope cycle.
          if (!callee.has_value() || *callee == Graph::kMainBlock || *callee == id) continue;
          Block& target = graph_->blocks[*callee];
          if (!target.parent.has_value() && !IsAncestor(*callee, id)) target.parent = id;
        }
      }
    }
    return absl::OkStatus();
  }

  // True when `candidate` is `block` or one of its parents.
  bool IsAncestor(BlockId candidate, BlockId block) const {
    std::optional<BlockId> current = block;
    for (size_t depth = 0; current.has_value() && depth <= graph_->blocks.size(); ++depth) {
      if (*current == candidate) return true;
      current = graph_->blocks[*current].parent;
    }
    return false;
  }

  // A name declared by this block itself.
  std::optional<TensorId> FindOwn(BlockId block, absl::string_view name) const {
    for (TensorId id : graph_->blocks[block].tensors) {
      if (graph_->tensors[id].name == name) return id;
    }
    return std::nullopt;
  }

  // Pass 3: operators and block inputs/outputs, with names resolved to ids.
  absl::Status ResolveBlock(BlockId id) {
    const tosa::TosaBasicBlock& fb = *fb_blocks_[id];
    Block& block = graph_->blocks[id];
    if (const auto* inputs = fb.inputs(); inputs != nullptr) {
      for (const flatbuffers::String* name : *inputs) {
        std::optional<TensorId> t = FindOwn(id, AV(name->string_view()));
        if (!t.has_value()) {
          return Invalid(absl::StrCat(BlockLabel(block), ": input '", AV(name->string_view()),
                                      "' is not a tensor declared in the block"));
        }
        block.inputs.push_back(*t);
      }
    }
    if (const auto* outputs = fb.outputs(); outputs != nullptr) {
      for (const flatbuffers::String* name : *outputs) {
        std::optional<TensorId> t = graph_->FindTensor(id, name->string_view());
        if (!t.has_value()) {
          return Invalid(absl::StrCat(BlockLabel(block), ": output '", AV(name->string_view()),
                                      "' is not a tensor of the block or of a block enclosing it"));
        }
        block.outputs.push_back(*t);
      }
    }
    const auto* ops = fb.operators();
    if (ops == nullptr) return absl::OkStatus();
    block.operators.reserve(ops->size());
    for (flatbuffers::uoffset_t i = 0; i < ops->size(); ++i) {
      absl::StatusOr<Operator> op = ConvertOperator(id, i, *ops->Get(i));
      if (!op.ok()) return op.status();
      block.operators.push_back(*std::move(op));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Operator> ConvertOperator(BlockId block_id, size_t index,
                                           const tosa::TosaOperator& fb) {
    const Block& block = graph_->blocks[block_id];
    const auto op_value = static_cast<uint32_t>(fb.op());
    if (op_value == 0 || op_value > kMaxOpValue) {
      return Invalid(absl::StrCat(BlockLabel(block), ", operator #", index,
                                  ": unknown operator value ", op_value));
    }
    Operator op;
    op.op = static_cast<Op>(op_value);
    const std::string label = OpLabel(block, index, op.op);
    const auto attr_type = static_cast<uint32_t>(fb.attribute_type());
    if (attr_type != 0 && attr_type != op_value) {
      const char* name = attr_type <= static_cast<uint32_t>(tosa::Attribute::MAX)
                             ? tosa::EnumNamesAttribute()[attr_type]
                             : nullptr;
      return Invalid(absl::StrCat(label, ": carries a ",
                                  name != nullptr ? name : absl::StrCat("#", attr_type),
                                  " attribute; expected ", tosa::EnumNamesAttribute()[op_value]));
    }
    op.attribute = ConvertAttribute(op.op, fb);
    if (auto* cond = std::get_if<CondIfAttr>(&op.attribute)) {
      if (absl::Status s =
              ResolveCallee(block_id, label, "then_graph", cond->then_graph, cond->then_block);
          !s.ok()) {
        return s;
      }
      if (absl::Status s =
              ResolveCallee(block_id, label, "else_graph", cond->else_graph, cond->else_block);
          !s.ok()) {
        return s;
      }
    } else if (auto* loop = std::get_if<WhileLoopAttr>(&op.attribute)) {
      if (absl::Status s =
              ResolveCallee(block_id, label, "cond_graph", loop->cond_graph, loop->cond_block);
          !s.ok()) {
        return s;
      }
      if (absl::Status s =
              ResolveCallee(block_id, label, "body_graph", loop->body_graph, loop->body_block);
          !s.ok()) {
        return s;
      }
    }
    if (const auto* inputs = fb.inputs(); inputs != nullptr) {
      for (flatbuffers::uoffset_t k = 0; k < inputs->size(); ++k) {
        const absl::string_view name = AV(inputs->Get(k)->string_view());
        std::optional<TensorId> t = graph_->FindTensor(block_id, SV(name));
        if (!t.has_value()) {
          return Invalid(absl::StrCat(label, ": input ", k, " '", name,
                                      "' is not a tensor of the block or of a block enclosing it"));
        }
        op.inputs.push_back(*t);
      }
    }
    if (const auto* outputs = fb.outputs(); outputs != nullptr) {
      for (flatbuffers::uoffset_t k = 0; k < outputs->size(); ++k) {
        const absl::string_view name = AV(outputs->Get(k)->string_view());
        std::optional<TensorId> t = FindOwn(block_id, name);
        if (!t.has_value()) {
          return Invalid(absl::StrCat(label, ": output ", k, " '", name,
                                      "' is not a tensor declared in the block"));
        }
        op.outputs.push_back(*t);
      }
    }
    if (fb.location() != nullptr) op.location = Str(fb.location()->text());
    return op;
  }

  absl::Status ResolveCallee(BlockId caller, const std::string& label, absl::string_view field,
                             const std::string& name, std::optional<BlockId>& out) const {
    out = FindBlock(caller, name);
    if (!out.has_value()) {
      return Invalid(absl::StrCat(label, ": ", field, " '", name, "' names no block or region"));
    }
    return absl::OkStatus();
  }

  const tosa::TosaGraph& fb_;
  Graph* graph_ = nullptr;
  std::vector<const tosa::TosaBasicBlock*> fb_blocks_;  // indexed by BlockId
  std::vector<uint32_t> region_of_block_;               // indexed by BlockId
};

std::string IdentifierForMessage(std::span<const uint8_t> bytes) {
  std::string out;
  for (size_t i = 4; i < 8; ++i) {
    const char c = static_cast<char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += c;
    } else {
      out += absl::StrFormat("\\x%02x", bytes[i]);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Graph>> ReadTosaGraph(std::span<const uint8_t> bytes) {
  // Root offset (4 bytes) + identifier (4 bytes) is the least a FlatBuffer with an identifier has.
  if (bytes.size() < 8) {
    return Invalid(absl::StrCat("not a TOSA file: ", bytes.size(),
                                " bytes is too short for a FlatBuffer with a file identifier"));
  }
  if (bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    return Invalid(absl::StrCat("TOSA file of ", bytes.size(),
                                " bytes exceeds the FlatBuffers "
                                "limit of 2 GiB"));
  }
  if (!flatbuffers::BufferHasIdentifier(bytes.data(), tosa::TosaGraphIdentifier())) {
    return Invalid(absl::StrCat("not a TOSA file: file identifier is '",
                                IdentifierForMessage(bytes), "', expected 'TOSA'"));
  }
  // FlatBuffers reads scalars in place, so the buffer must be aligned as the writer laid it out
  // (8 bytes covers force_align: 8). Copy when the caller's bytes are not.
  std::vector<uint8_t> aligned_copy;
  if (reinterpret_cast<uintptr_t>(bytes.data()) % 8 != 0) {
    aligned_copy.assign(bytes.begin(), bytes.end());
    bytes = aligned_copy;
  }
  // The version comes first, checked on just the root and Version tables: a file of another TOSA
  // version is reported as such rather than as a corrupt file, even when its layout differs.
  const auto root_offset = flatbuffers::ReadScalar<flatbuffers::uoffset_t>(bytes.data());
  if (root_offset < 8 || root_offset > bytes.size() - sizeof(flatbuffers::soffset_t)) {
    return Invalid(absl::StrCat("corrupt or truncated TOSA file (", bytes.size(),
                                " bytes): root table offset ", root_offset, " is out of range"));
  }
  const tosa::TosaGraph* fb = tosa::GetTosaGraph(bytes.data());
  {
    flatbuffers::Verifier verifier(bytes.data(), bytes.size(), kMaxVerifierDepth,
                                   kMaxVerifierTables);
    // Generated tables derive privately from flatbuffers::Table, at the same address.
    const auto* table = reinterpret_cast<const flatbuffers::Table*>(fb);
    if (!table->VerifyTableStart(verifier) ||
        !table->VerifyOffsetRequired(verifier, tosa::TosaGraph::VT_VERSION) ||
        !verifier.VerifyTable(fb->version())) {
      return Invalid(absl::StrCat("corrupt or truncated TOSA file (", bytes.size(),
                                  " bytes): no readable version table"));
    }
  }
  const tosa::Version& version = *fb->version();
  if (version._major() != 1 || version._minor() != 0) {
    return Invalid(absl::StrCat("TOSA version ", version._major(), ".", version._minor(), ".",
                                version._patch(), " is not supported; inferd reads 1.0.x"));
  }
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), kMaxVerifierDepth, kMaxVerifierTables);
  if (!tosa::VerifyTosaGraphBuffer(verifier)) {
    return Invalid(absl::StrCat("corrupt or truncated TOSA file (", bytes.size(),
                                " bytes): FlatBuffers structure verification failed"));
  }
  absl::StatusOr<std::shared_ptr<Graph>> graph = Decoder(*fb).Decode();
  if (!graph.ok()) return graph.status();
  (*graph)->version =
      Version{version._major(), version._minor(), version._patch(), version._draft()};
  return std::shared_ptr<const Graph>(*std::move(graph));
}

absl::StatusOr<std::shared_ptr<const Graph>> LoadTosaGraph(std::span<const uint8_t> bytes) {
  absl::StatusOr<std::shared_ptr<const Graph>> graph = ReadTosaGraph(bytes);
  if (!graph.ok()) return graph.status();
  if (absl::Status s = ValidateGraph(**graph); !s.ok()) return s;
  return graph;
}

absl::StatusOr<std::shared_ptr<const Graph>> LoadTosaFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open TOSA file '", path, "'"));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) return absl::NotFoundError(absl::StrCat("cannot read TOSA file '", path, "'"));
  absl::StatusOr<std::shared_ptr<const Graph>> graph = LoadTosaGraph(bytes);
  if (!graph.ok()) {
    return absl::Status(graph.status().code(), absl::StrCat(path, ": ", graph.status().message()));
  }
  return graph;
}

}  // namespace inferd::graph

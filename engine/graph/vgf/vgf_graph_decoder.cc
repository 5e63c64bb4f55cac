#include "engine/graph/vgf/vgf_graph_decoder.h"

#include <cstring>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/graph/graph_validator.h"
#include "engine/graph/vgf/shape_inference.h"
#include "engine/graph/vgf/spirv.h"
#include "engine/graph/vgf/tosa_spirv_ops.h"
#include "engine/graph/vgf/vgf_sequence.h"

namespace inferd::graph::vgf {
namespace {

using spirv::Instruction;

// Inline constants (OpConstantNull / replicated composites) may describe large tensors with a few
// words; these cap what the decoder allocates for one (counting 8 bytes an element) and for all.
constexpr int64_t kMaxInlineConstantBytes = int64_t{64} << 20;
constexpr int64_t kMaxTotalConstantBytes = int64_t{1} << 30;
// Attribute lists and shape operands are short; longer ones are refused before they are expanded.
constexpr int64_t kMaxListElements = 1024;
constexpr size_t kMaxRank = 6;

struct TypeInfo {
  enum class Kind { kBool, kInt, kFloat, kArray, kStruct, kPointer, kTensor, kGraph };
  TypeInfo() = default;
  explicit TypeInfo(Kind k) : kind(k) {}
  Kind kind = Kind::kBool;
  uint32_t width = 0;
  std::optional<uint32_t> encoding;  // OpTypeFloat's FP encoding
  uint32_t element = 0;              // array / tensor element, pointee
  uint32_t length_id = 0;            // array length constant
  std::vector<uint32_t> members;     // struct members; graph input and output types
  std::optional<size_t> rank;        // tensor
  std::optional<Shape> shape;        // tensor
  uint32_t num_inputs = 0;           // graph
};

struct ConstInfo {
  enum class Kind { kScalar, kTrue, kFalse, kComposite, kNull, kReplicate, kGraphConstant };
  ConstInfo() = default;
  ConstInfo(Kind k, uint32_t t) : kind(k), type(t) {}
  Kind kind = Kind::kScalar;
  uint32_t type = 0;
  std::vector<uint32_t> words;  // scalar value words, or constituent ids
  uint32_t graph_constant_id = 0;
};

struct EntryPoint {
  uint32_t graph = 0;
  std::string name;
  std::vector<uint32_t> interface;
};

class Decoder {
 public:
  Decoder(const VgfFile& file, const VgfSegment& segment, const VgfModule& module,
          const VgfDecodeOptions& options)
      : file_(file), segment_(segment), module_(module), options_(options) {}

  absl::StatusOr<std::shared_ptr<Graph>> Decode() {
    if (auto s = ScanModule(); !s.ok()) return s;
    if (auto s = ChooseGraph(); !s.ok()) return s;
    graph_ = std::make_shared<Graph>();
    graph_->regions.push_back(Region{"main", {Graph::kMainBlock}});
    graph_->blocks.push_back(Block{});
    graph_->blocks[0].name = "main";
    if (auto s = DecodeBody(); !s.ok()) return s;
    FinishNames();
    return graph_;
  }

  // After Decode: the resource behind each main-block input (or output), in order.
  absl::StatusOr<std::vector<uint32_t>> PortResources(bool input) const {
    const size_t count = input ? block().inputs.size() : block().outputs.size();
    std::vector<uint32_t> resources;
    for (size_t k = 0; k < count; ++k) {
      std::optional<uint32_t> resource = PortResource(input, k);
      if (!resource.has_value()) {
        return Error(absl::StrCat("graph ", input ? "input " : "output ", k,
                                  " is bound to no resource of the segment"));
      }
      resources.push_back(*resource);
    }
    return resources;
  }

  absl::StatusOr<VgfSignature> Signature() {
    if (auto s = ScanModule(); !s.ok()) return s;
    if (auto s = ChooseGraph(); !s.ok()) return s;
    VgfSignature signature;
    const TypeInfo& graph_type = types_.at(graph_type_id_);
    for (size_t i = 0; i < graph_type.members.size(); ++i) {
      const bool input = i < graph_type.num_inputs;
      const size_t index = input ? i : i - graph_type.num_inputs;
      VgfPort port;
      port.name = PortName(input, index);
      auto dtype = TensorDType(graph_type.members[i], 0);
      if (!dtype.ok()) return dtype.status();
      port.dtype = *dtype;
      const TypeInfo& t = types_.at(graph_type.members[i]);
      if (t.shape.has_value()) {
        port.shape = *t.shape;
      } else if (auto known = ResourceShape(input, index, t.rank.value_or(0)); known.has_value()) {
        port.shape = *known;
      } else {
        port.shape.assign(t.rank.value_or(0), -1);
      }
      (input ? signature.inputs : signature.outputs).push_back(std::move(port));
    }
    return signature;
  }

 private:
  // ------------------------------------------------------------------ errors

  absl::Status Error(const Instruction& inst, std::string what) const {
    return absl::InvalidArgumentError(absl::StrCat("VGF graph module '", module_.name,
                                                   "', SPIR-V word ", inst.word_offset, " (",
                                                   spirv::OpcodeName(inst.opcode), "): ", what));
  }
  absl::Status Error(std::string what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("VGF graph module '", module_.name, "': ", what));
  }
  static absl::Status ShortOperands(const Instruction& inst, size_t need) {
    return absl::InvalidArgumentError(
        absl::StrCat("SPIR-V word ", inst.word_offset, " (", spirv::OpcodeName(inst.opcode),
                     ") has ", inst.operands.size(), " operands; needs ", need));
  }
  absl::Status Need(const Instruction& inst, size_t count) const {
    if (inst.operands.size() < count) {
      return Error(inst,
                   absl::StrCat("has ", inst.operands.size(), " operands; needs at least ", count));
    }
    return absl::OkStatus();
  }
  absl::Status Define(const Instruction& inst, uint32_t id) {
    if (id == 0 || !defined_.insert(id).second) {
      return Error(inst, absl::StrCat("result id %", id, " is zero or defined twice"));
    }
    return absl::OkStatus();
  }

  // ------------------------------------------------------------------ pass 1: module scope

  absl::Status ScanModule() {
    auto split = spirv::SplitInstructions(module_.spirv);
    if (!split.ok()) return Error(std::string(split.status().message()));
    instructions_ = *std::move(split);
    bool in_graph = false;
    for (size_t i = 0; i < instructions_.size(); ++i) {
      const Instruction& inst = instructions_[i];
      if (in_graph) {
        if (inst.opcode == spirv::kOpGraphEndARM) in_graph = false;
        continue;
      }
      if (auto s = ScanInstruction(i, in_graph); !s.ok()) return s;
    }
    if (in_graph) return Error("a graph is missing its OpGraphEndARM");
    return absl::OkStatus();
  }

  absl::Status ScanInstruction(size_t index, bool& in_graph) {
    const Instruction& inst = instructions_[index];
    const auto& o = inst.operands;
    using TK = TypeInfo::Kind;
    using CK = ConstInfo::Kind;
    switch (inst.opcode) {
      case spirv::kOpNop:
      case spirv::kOpSourceContinued:
      case spirv::kOpSource:
      case spirv::kOpSourceExtension:
      case spirv::kOpMemberName:
      case spirv::kOpString:
      case spirv::kOpLine:
      case spirv::kOpNoLine:
      case spirv::kOpExtension:
      case spirv::kOpMemoryModel:
      case spirv::kOpCapability:
      case spirv::kOpMemberDecorate:
      case spirv::kOpModuleProcessed:
        return absl::OkStatus();
      case spirv::kOpName: {
        if (auto s = Need(inst, 1); !s.ok()) return s;
        size_t at = 1;
        auto name = spirv::ReadLiteralString(o, &at);
        if (!name.ok()) return Error(inst, std::string(name.status().message()));
        if (!name->empty()) names_[o[0]] = *name;
        return absl::OkStatus();
      }
      case spirv::kOpExtInstImport: {
        if (auto s = Need(inst, 2); !s.ok()) return s;
        size_t at = 1;
        auto name = spirv::ReadLiteralString(o, &at);
        if (!name.ok()) return Error(inst, std::string(name.status().message()));
        if (*name != spirv::kTosaInstructionSet) {
          return Error(inst, absl::StrCat("extended instruction set '", *name,
                                          "' is not supported; inferd reads TOSA.001000.1 only"));
        }
        if (auto s = Define(inst, o[0]); !s.ok()) return s;
        tosa_set_ = o[0];
        return absl::OkStatus();
      }
      case spirv::kOpDecorate:
        if (auto s = Need(inst, 2); !s.ok()) return s;
        if (o[1] == spirv::kDecorationBinding && o.size() >= 3) bindings_[o[0]] = o[2];
        return absl::OkStatus();
      case spirv::kOpTypeBool:
        if (auto s = Need(inst, 1); !s.ok()) return s;
        return AddType(inst, o[0], TypeInfo{TK::kBool});
      case spirv::kOpTypeInt: {
        if (auto s = Need(inst, 3); !s.ok()) return s;
        TypeInfo t{TK::kInt};
        t.width = o[1];
        return AddType(inst, o[0], t);
      }
      case spirv::kOpTypeFloat: {
        if (auto s = Need(inst, 2); !s.ok()) return s;
        TypeInfo t{TK::kFloat};
        t.width = o[1];
        if (o.size() >= 3) t.encoding = o[2];
        return AddType(inst, o[0], t);
      }
      case spirv::kOpTypeArray: {
        if (auto s = Need(inst, 3); !s.ok()) return s;
        TypeInfo t{TK::kArray};
        t.element = o[1];
        t.length_id = o[2];
        return AddType(inst, o[0], t);
      }
      case spirv::kOpTypeStruct: {
        if (auto s = Need(inst, 1); !s.ok()) return s;
        TypeInfo t{TK::kStruct};
        t.members.assign(o.begin() + 1, o.end());
        return AddType(inst, o[0], t);
      }
      case spirv::kOpTypePointer: {
        if (auto s = Need(inst, 3); !s.ok()) return s;
        TypeInfo t{TK::kPointer};
        t.element = o[2];
        return AddType(inst, o[0], t);
      }
      case spirv::kOpTypeTensorARM:
        return AddTensorType(inst);
      case spirv::kOpTypeGraphARM: {
        if (auto s = Need(inst, 2); !s.ok()) return s;
        TypeInfo t{TK::kGraph};
        t.num_inputs = o[1];
        t.members.assign(o.begin() + 2, o.end());
        if (t.num_inputs > t.members.size()) {
          return Error(inst, absl::StrCat("declares ", t.num_inputs, " inputs but lists ",
                                          t.members.size(), " types"));
        }
        return AddType(inst, o[0], t);
      }
      case spirv::kOpConstantTrue:
      case spirv::kOpConstantFalse:
      case spirv::kOpConstantNull:
        if (auto s = Need(inst, 2); !s.ok()) return s;
        return AddConst(inst, o[1],
                        ConstInfo{inst.opcode == spirv::kOpConstantTrue    ? CK::kTrue
                                  : inst.opcode == spirv::kOpConstantFalse ? CK::kFalse
                                                                           : CK::kNull,
                                  o[0]});
      case spirv::kOpConstant:
      case spirv::kOpConstantComposite:
      case spirv::kOpConstantCompositeReplicateEXT: {
        if (auto s = Need(inst, 3); !s.ok()) return s;
        ConstInfo c{inst.opcode == spirv::kOpConstant            ? CK::kScalar
                    : inst.opcode == spirv::kOpConstantComposite ? CK::kComposite
                                                                 : CK::kReplicate,
                    o[0]};
        c.words.assign(o.begin() + 2, o.end());
        return AddConst(inst, o[1], std::move(c));
      }
      case spirv::kOpGraphConstantARM: {
        if (auto s = Need(inst, 3); !s.ok()) return s;
        ConstInfo c{CK::kGraphConstant, o[0]};
        c.graph_constant_id = o[2];
        return AddConst(inst, o[1], std::move(c));
      }
      case spirv::kOpSpecConstantTrue:
      case spirv::kOpSpecConstantFalse:
      case spirv::kOpSpecConstant:
      case spirv::kOpSpecConstantComposite:
      case spirv::kOpSpecConstantOp:
      case spirv::kOpSpecConstantCompositeReplicateEXT:
        return Error(inst, absl::StrCat("specialisation constant %", o.size() > 1 ? o[1] : 0,
                                        " is not supported; inferd needs every value fixed"));
      case spirv::kOpVariable:
        if (auto s = Need(inst, 3); !s.ok()) return s;
        return Define(inst, o[1]);
      case spirv::kOpGraphEntryPointARM: {
        if (auto s = Need(inst, 2); !s.ok()) return s;
        EntryPoint entry;
        entry.graph = o[0];
        size_t at = 1;
        auto name = spirv::ReadLiteralString(o, &at);
        if (!name.ok()) return Error(inst, std::string(name.status().message()));
        entry.name = *name;
        entry.interface.assign(o.begin() + at, o.end());
        entry_points_.push_back(std::move(entry));
        return absl::OkStatus();
      }
      case spirv::kOpGraphARM:
        if (auto s = Need(inst, 2); !s.ok()) return s;
        if (auto s = Define(inst, o[1]); !s.ok()) return s;
        graphs_.push_back(GraphRange{o[1], o[0], index});
        in_graph = true;
        return absl::OkStatus();
      case spirv::kOpFunction:
        return Error(inst, "a GRAPH module holds graphs only; shader functions are not supported");
      default:
        return Error(inst, "instruction is not supported in a VGF graph module");
    }
  }

  absl::Status AddType(const Instruction& inst, uint32_t id, TypeInfo type) {
    if (auto s = Define(inst, id); !s.ok()) return s;
    types_[id] = std::move(type);
    return absl::OkStatus();
  }

  absl::Status AddConst(const Instruction& inst, uint32_t id, ConstInfo c) {
    if (auto s = Define(inst, id); !s.ok()) return s;
    if (!types_.contains(c.type)) {
      return Error(inst, absl::StrCat("constant %", id, " has undeclared type %", c.type));
    }
    constants_[id] = std::move(c);
    return absl::OkStatus();
  }

  absl::Status AddTensorType(const Instruction& inst) {
    const auto& o = inst.operands;
    if (auto s = Need(inst, 2); !s.ok()) return s;
    TypeInfo t{TypeInfo::Kind::kTensor};
    t.element = o[1];
    if (o.size() >= 3) {
      auto rank = ScalarValue(o[2]);
      if (!rank.ok()) return Error(inst, absl::StrCat("rank: ", rank.status().message()));
      if (*rank < 1 || *rank > static_cast<int64_t>(kMaxRank)) {
        return Error(inst, absl::StrCat("tensor type %", o[0], " has rank ", *rank,
                                        "; inferd reads ranks 1 to ", kMaxRank));
      }
      t.rank = static_cast<size_t>(*rank);
    }
    if (o.size() >= 4) {
      auto dims = ArrayValues(o[3]);
      if (!dims.ok()) return Error(inst, absl::StrCat("shape: ", dims.status().message()));
      if (dims->size() != t.rank) {
        return Error(inst, absl::StrCat("tensor type %", o[0], " has rank ", *t.rank,
                                        " but a shape of ", dims->size(), " dimensions"));
      }
      for (int64_t d : *dims) {
        if (d < 0 || d > (int64_t{1} << 40)) {
          return Error(inst, absl::StrCat("tensor type %", o[0], " has dimension ", d));
        }
      }
      t.shape = *std::move(dims);
    }
    return AddType(inst, o[0], t);
  }

  // ------------------------------------------------------------------ constants

  const ConstInfo* FindConst(uint32_t id) const {
    auto it = constants_.find(id);
    return it == constants_.end() ? nullptr : &it->second;
  }
  const TypeInfo* FindType(uint32_t id) const {
    auto it = types_.find(id);
    return it == types_.end() ? nullptr : &it->second;
  }

  // An integer scalar constant, sign-extended from its width.
  absl::StatusOr<int64_t> ScalarValue(uint32_t id) const {
    const ConstInfo* c = FindConst(id);
    if (c == nullptr) return Error(absl::StrCat("%", id, " is not a constant"));
    const TypeInfo& type = types_.at(c->type);
    if (type.kind != TypeInfo::Kind::kInt) {
      return Error(absl::StrCat("constant %", id, " is not an integer scalar"));
    }
    if (c->kind == ConstInfo::Kind::kNull) return 0;
    if (c->kind != ConstInfo::Kind::kScalar || c->words.empty()) {
      return Error(absl::StrCat("constant %", id, " is not an integer scalar"));
    }
    uint64_t bits = c->words[0];
    if (type.width > 32 && c->words.size() >= 2) bits |= uint64_t{c->words[1]} << 32;
    const uint32_t width = std::min<uint32_t>(std::max<uint32_t>(type.width, 1), 64);
    if (width < 64) {
      const uint64_t sign = uint64_t{1} << (width - 1);
      bits &= (sign << 1) - 1;
      bits = (bits ^ sign) - sign;
    }
    return static_cast<int64_t>(bits);
  }

  absl::StatusOr<bool> BoolValue(uint32_t id) const {
    const ConstInfo* c = FindConst(id);
    if (c == nullptr) return Error(absl::StrCat("%", id, " is not a constant"));
    if (c->kind == ConstInfo::Kind::kTrue) return true;
    if (c->kind == ConstInfo::Kind::kFalse || c->kind == ConstInfo::Kind::kNull) return false;
    return Error(absl::StrCat("constant %", id, " is not a boolean"));
  }

  // The values of an OpTypeArray constant of integers (a tensor type's shape).
  absl::StatusOr<std::vector<int64_t>> ArrayValues(uint32_t id) const {
    const ConstInfo* c = FindConst(id);
    if (c == nullptr) return Error(absl::StrCat("%", id, " is not a constant"));
    const TypeInfo& type = types_.at(c->type);
    if (type.kind != TypeInfo::Kind::kArray) {
      return Error(absl::StrCat("constant %", id, " is not an array"));
    }
    auto length = ScalarValue(type.length_id);
    if (!length.ok()) return length.status();
    if (*length < 0 || *length > static_cast<int64_t>(kMaxRank)) {
      return Error(absl::StrCat("array constant %", id, " has ", *length, " elements"));
    }
    std::vector<int64_t> out;
    if (c->kind == ConstInfo::Kind::kNull) return std::vector<int64_t>(*length, 0);
    if (c->kind == ConstInfo::Kind::kReplicate) {
      auto v = ScalarValue(c->words[0]);
      if (!v.ok()) return v.status();
      return std::vector<int64_t>(*length, *v);
    }
    if (c->kind != ConstInfo::Kind::kComposite || c->words.size() != static_cast<size_t>(*length)) {
      return Error(absl::StrCat("array constant %", id, " does not hold ", *length, " values"));
    }
    for (uint32_t part : c->words) {
      auto v = ScalarValue(part);
      if (!v.ok()) return v.status();
      out.push_back(*v);
    }
    return out;
  }

  // The IR element type of a tensor type.
  absl::StatusOr<DType> TensorDType(uint32_t type_id, size_t word) const {
    const TypeInfo* t = FindType(type_id);
    if (t == nullptr || t->kind != TypeInfo::Kind::kTensor) {
      return Error(absl::StrCat("SPIR-V word ", word, ": %", type_id, " is not a tensor type"));
    }
    return ElementDType(t->element);
  }

  absl::StatusOr<DType> ElementDType(uint32_t type_id) const {
    const TypeInfo* e = FindType(type_id);
    if (e == nullptr) return Error(absl::StrCat("element type %", type_id, " is not declared"));
    switch (e->kind) {
      case TypeInfo::Kind::kBool:
        return DType::kBool;
      case TypeInfo::Kind::kInt:
        switch (e->width) {
          case 8:
            return DType::kInt8;
          case 16:
            return DType::kInt16;
          case 32:
            return DType::kInt32;
          case 64:
            return DType::kInt48;  // TOSA's only wider integer; SPIR-V has no 48-bit type
        }
        break;
      case TypeInfo::Kind::kFloat:
        if (e->width == 32 && !e->encoding.has_value()) return DType::kFp32;
        if (e->width == 16 && !e->encoding.has_value()) return DType::kFp16;
        if (e->width == 16 && e->encoding == spirv::kFPEncodingBFloat16KHR) return DType::kBf16;
        if (e->width == 8 && e->encoding == spirv::kFPEncodingFloat8E4M3EXT) return DType::kFp8E4M3;
        if (e->width == 8 && e->encoding == spirv::kFPEncodingFloat8E5M2EXT) return DType::kFp8E5M2;
        break;
      default:
        break;
    }
    return Error(
        absl::StrCat("element type %", type_id, " (width ", e->width, ") has no TOSA equivalent"));
  }

  // Bytes one element of `dtype` takes in a VGF constants section (INT48 is stored as 64 bits).
  static int64_t VgfElementBytes(DType dtype) {
    return dtype == DType::kInt48 ? 8 : *DTypeDataSize(dtype, 1);
  }

  // Appends one scalar constant as an IR element of `dtype`.
  absl::Status AppendScalar(uint32_t id, DType dtype, std::vector<uint8_t>& out) const {
    const ConstInfo* c = FindConst(id);
    if (c == nullptr) return Error(absl::StrCat("%", id, " is not a constant"));
    const int64_t size = *DTypeDataSize(dtype, 1);
    uint8_t bytes[8] = {};
    switch (c->kind) {
      case ConstInfo::Kind::kTrue:
        bytes[0] = 1;
        break;
      case ConstInfo::Kind::kFalse:
      case ConstInfo::Kind::kNull:
        break;
      case ConstInfo::Kind::kScalar:
        std::memcpy(bytes, c->words.data(), std::min<size_t>(8, 4 * c->words.size()));
        break;
      default:
        return Error(absl::StrCat("constant %", id, " is not a scalar"));
    }
    out.insert(out.end(), bytes, bytes + size);
    return absl::OkStatus();
  }

  // Appends the elements of constant `id` (a scalar or a tensor) in row-major order.
  absl::Status Flatten(uint32_t id, DType dtype, std::vector<uint8_t>& out, int depth) const {
    if (depth > static_cast<int>(kMaxRank) + 1) return Error("constant nesting is too deep");
    const ConstInfo* c = FindConst(id);
    if (c == nullptr) return Error(absl::StrCat("%", id, " is not a constant"));
    const TypeInfo& type = types_.at(c->type);
    if (type.kind != TypeInfo::Kind::kTensor) return AppendScalar(id, dtype, out);
    auto count = TensorElements(type, id, c->kind != ConstInfo::Kind::kGraphConstant);
    if (!count.ok()) return count.status();
    const int64_t element = *DTypeDataSize(dtype, 1);
    const size_t start = out.size();
    switch (c->kind) {
      case ConstInfo::Kind::kNull:
        out.resize(start + *count * element, 0);
        return absl::OkStatus();
      case ConstInfo::Kind::kComposite:
        for (uint32_t part : c->words) {
          if (auto s = Flatten(part, dtype, out, depth + 1); !s.ok()) return s;
          if (static_cast<int64_t>(out.size() - start) > *count * element) break;
        }
        break;
      case ConstInfo::Kind::kReplicate: {
        if (auto s = Flatten(c->words[0], dtype, out, depth + 1); !s.ok()) return s;
        const size_t unit = out.size() - start;
        if (unit == 0 || (*count * element) % unit != 0) {
          return Error(absl::StrCat("replicated constant %", id, " does not tile its type"));
        }
        std::vector<uint8_t> one(out.begin() + start, out.end());
        while (static_cast<int64_t>(out.size() - start) < *count * element) {
          out.insert(out.end(), one.begin(), one.end());
        }
        break;
      }
      case ConstInfo::Kind::kGraphConstant: {
        auto data = GraphConstantData(*c, id, dtype, *count);
        if (!data.ok()) return data.status();
        out.insert(out.end(), data->begin(), data->end());
        break;
      }
      default:
        return Error(absl::StrCat("constant %", id, " is not a tensor constant"));
    }
    if (static_cast<int64_t>(out.size() - start) != *count * element) {
      return Error(absl::StrCat("constant %", id, " holds ", (out.size() - start) / element,
                                " elements; its type has ", *count));
    }
    return absl::OkStatus();
  }

  // Elements of a constant's tensor type. Inline constants are capped; graph constants are bounded
  // by the constants section they are read from.
  absl::StatusOr<int64_t> TensorElements(const TypeInfo& type, uint32_t id,
                                         bool inline_data) const {
    if (!type.shape.has_value()) {
      return Error(absl::StrCat("constant %", id, " has a tensor type without a shape"));
    }
    std::optional<int64_t> count = inferd::ElementCount(*type.shape);
    if (!count.has_value() || (inline_data && *count > kMaxInlineConstantBytes / 8)) {
      return Error(
          absl::StrCat("constant %", id, " has shape ", ShapeToString(*type.shape), ", too large"));
    }
    return *count;
  }

  // The constants-section entry a GraphConstantID names: through the segment's constant bindings
  // (format 0.5.0) when it has them, else the id is the index itself.
  absl::StatusOr<std::vector<uint8_t>> GraphConstantData(const ConstInfo& c, uint32_t id,
                                                         DType dtype, int64_t count) const {
    std::optional<uint32_t> index;
    if (!segment_.constant_bindings.empty()) {
      for (const VgfConstantBinding& b : segment_.constant_bindings) {
        if (b.graph_constant_id == c.graph_constant_id) index = b.constant_index;
      }
      if (!index.has_value()) {
        return Error(absl::StrCat("graph constant %", id, " (GraphConstantID ", c.graph_constant_id,
                                  ") has no entry in the segment's constant bindings"));
      }
    } else {
      index = c.graph_constant_id;
    }
    if (*index >= file_.constants.size()) {
      return Error(absl::StrCat("graph constant %", id, " refers to constant ", *index,
                                "; the file has ", file_.constants.size()));
    }
    const VgfConstant& constant = file_.constants[*index];
    if (constant.sparsity_dimension != -1) {
      return Error(absl::StrCat("graph constant %", id, " (constant ", *index,
                                ") is sparse (dimension ", constant.sparsity_dimension,
                                "); sparse constants are not supported"));
    }
    const int64_t stored = VgfElementBytes(dtype);
    if (count > (int64_t{1} << 56)) {
      return Error(absl::StrCat("graph constant %", id, " has ", count, " elements"));
    }
    if (static_cast<int64_t>(constant.data.size()) != count * stored) {
      return Error(absl::StrCat("graph constant %", id, " (constant ", *index, ") holds ",
                                constant.data.size(), " bytes; its type needs ", count * stored));
    }
    if (dtype != DType::kInt48) return constant.data;
    std::vector<uint8_t> narrowed;
    narrowed.reserve(count * 6);
    for (int64_t i = 0; i < count; ++i) {
      narrowed.insert(narrowed.end(), constant.data.begin() + i * 8,
                      constant.data.begin() + i * 8 + 6);
    }
    return narrowed;
  }

  // An integer list attribute: a rank-1 tensor constant.
  absl::StatusOr<std::vector<int64_t>> IntValues(uint32_t id) const {
    const ConstInfo* c = FindConst(id);
    if (c == nullptr) return Error(absl::StrCat("%", id, " is not a constant"));
    const TypeInfo& type = types_.at(c->type);
    if (type.kind != TypeInfo::Kind::kTensor) {
      return Error(absl::StrCat("constant %", id, " is not a tensor"));
    }
    auto dtype = ElementDType(type.element);
    if (!dtype.ok()) return dtype.status();
    if (!IsIntegerDType(*dtype) || *dtype == DType::kInt4) {
      return Error(absl::StrCat("constant %", id, " is not an integer tensor"));
    }
    if (!type.shape.has_value() || type.shape->size() != 1 || (*type.shape)[0] > kMaxListElements) {
      return Error(absl::StrCat("constant %", id, " is not a rank-1 list of at most ",
                                kMaxListElements, " integers"));
    }
    std::vector<uint8_t> bytes;
    if (auto s = Flatten(id, *dtype, bytes, 0); !s.ok()) return s;
    const int64_t size = *DTypeDataSize(*dtype, 1);
    std::vector<int64_t> values;
    for (size_t at = 0; at + size <= bytes.size(); at += size) {
      uint64_t bits = 0;
      std::memcpy(&bits, bytes.data() + at, size);
      const uint64_t sign = uint64_t{1} << (8 * size - 1);
      if (size < 8) bits = ((bits & ((sign << 1) - 1)) ^ sign) - sign;
      values.push_back(static_cast<int64_t>(bits));
    }
    return values;
  }

  // The IR tensor for constant `id`: a CONST (or CONST_SHAPE for shape operands) emitted before
  // its first use.
  absl::StatusOr<TensorId> ConstantTensor(uint32_t id, bool as_shape) {
    const auto key = std::make_pair(id, as_shape);
    if (auto it = constant_tensors_.find(key); it != constant_tensors_.end()) return it->second;
    const ConstInfo* c = FindConst(id);
    const TypeInfo& type = types_.at(c->type);
    if (type.kind != TypeInfo::Kind::kTensor) {
      return Error(absl::StrCat("constant %", id, " is used as a tensor but is a scalar"));
    }
    Tensor tensor;
    tensor.name = absl::StrCat(NameOf(id), as_shape ? "_shape" : "");
    tensor.block = Graph::kMainBlock;
    if (as_shape) {
      auto values = IntValues(id);
      if (!values.ok()) return values.status();
      tensor.dtype = DType::kShape;
      tensor.shape = {static_cast<int64_t>(values->size())};
      tensor.data.resize(values->size() * 8);
      std::memcpy(tensor.data.data(), values->data(), tensor.data.size());
    } else {
      auto dtype = ElementDType(type.element);
      if (!dtype.ok()) return dtype.status();
      tensor.dtype = *dtype;
      if (!type.shape.has_value()) {
        return Error(absl::StrCat("constant %", id, " has a tensor type without a shape"));
      }
      tensor.shape = *type.shape;
      if (auto s = Flatten(id, *dtype, tensor.data, 0); !s.ok()) return s;
    }
    constant_bytes_ += static_cast<int64_t>(tensor.data.size());
    if (constant_bytes_ > kMaxTotalConstantBytes) {
      return Error(absl::StrCat("constants exceed ", kMaxTotalConstantBytes >> 20, " MiB in all"));
    }
    const TensorId tid = AddTensor(std::move(tensor));
    Operator op;
    op.op = as_shape ? Op::kConstShape : Op::kConst;
    op.outputs = {tid};
    block().operators.push_back(std::move(op));
    constant_tensors_[key] = tid;
    return tid;
  }

  // ------------------------------------------------------------------ the graph

  struct GraphRange {
    uint32_t id;
    uint32_t type;
    size_t first;  // index of its OpGraphARM
  };

  absl::Status ChooseGraph() {
    if (tosa_set_ == 0 && !graphs_.empty()) {
      // Only an error if an OpExtInst appears; a graph of inputs and outputs alone is fine.
    }
    if (entry_points_.empty()) return Error("has no OpGraphEntryPointARM");
    const EntryPoint* chosen = nullptr;
    for (const EntryPoint& e : entry_points_) {
      if (e.name == module_.entry_point) chosen = &e;
    }
    if (chosen == nullptr) {
      if (entry_points_.size() != 1) {
        return Error(absl::StrCat("no graph entry point is named '", module_.entry_point,
                                  "' and there are ", entry_points_.size()));
      }
      chosen = &entry_points_.front();
    }
    entry_ = *chosen;
    for (const GraphRange& g : graphs_) {
      if (g.id == entry_.graph) graph_range_ = g;
    }
    if (graph_range_.id == 0) {
      return Error(absl::StrCat("entry point '", entry_.name, "' names %", entry_.graph,
                                ", which is not an OpGraphARM"));
    }
    const TypeInfo* type = FindType(graph_range_.type);
    if (type == nullptr || type->kind != TypeInfo::Kind::kGraph) {
      return Error(absl::StrCat("graph %", graph_range_.id, " has type %", graph_range_.type,
                                ", which is not an OpTypeGraphARM"));
    }
    graph_type_id_ = graph_range_.type;
    return absl::OkStatus();
  }

  Block& block() { return graph_->blocks[Graph::kMainBlock]; }
  const Block& block() const { return graph_->blocks[Graph::kMainBlock]; }

  TensorId AddTensor(Tensor tensor) {
    const auto id = static_cast<TensorId>(graph_->tensors.size());
    graph_->tensors.push_back(std::move(tensor));
    block().tensors.push_back(id);
    return id;
  }

  std::string NameOf(uint32_t id) const {
    auto it = names_.find(id);
    return it != names_.end() ? it->second : absl::StrCat("%", id);
  }

  // The name the file gives model input/output `index`: follow the entry point's interface
  // variable to its binding, the segment's binding to a resource, the resource to the model's
  // input list and its name. Falls back to the position.
  // The resource-table entry behind model input/output `index`: the entry point's interface
  // variable -> its Binding -> the segment's binding slot -> mrt_index. nullopt when the file does
  // not connect them.
  std::optional<uint32_t> PortResource(bool input, size_t index) const {
    const TypeInfo& graph_type = types_.at(graph_type_id_);
    const auto& segment_ports = input ? segment_.inputs : segment_.outputs;
    const size_t interface_index = input ? index : graph_type.num_inputs + index;
    if (entry_.interface.size() != graph_type.members.size() ||
        interface_index >= entry_.interface.size()) {
      return std::nullopt;
    }
    auto binding = bindings_.find(entry_.interface[interface_index]);
    if (binding == bindings_.end()) return std::nullopt;
    for (const VgfBinding& slot : segment_ports) {
      if (slot.binding == binding->second) return slot.mrt_index;
    }
    return std::nullopt;
  }

  // The name the file gives model input/output `index`: its resource's position in the model's
  // input (output) list, then that list's names. Falls back to the position.
  // A resource that is no model port (an intermediate between the segments of a sequence) is
  // "resource_N", as VgfResourceTensorName says.
  std::string PortName(bool input, size_t index) const {
    const auto& names = input ? file_.input_names : file_.output_names;
    if (std::optional<uint32_t> resource = PortResource(input, index); resource.has_value()) {
      return VgfResourceTensorName(file_, *resource);
    }
    if (index < names.size()) return names[index];
    return absl::StrCat(input ? "input_" : "output_", index);
  }

  // What the resource table says of a port's shape when its SPIR-V type has none (-1 where the
  // table leaves a dimension open too); nullopt when the ranks disagree or nothing is known.
  std::optional<Shape> ResourceShape(bool input, size_t index, size_t rank) const {
    std::optional<uint32_t> resource = PortResource(input, index);
    if (!resource.has_value() || *resource >= file_.resources.size()) return std::nullopt;
    const std::vector<int64_t>& dims = file_.resources[*resource].shape;
    if (dims.size() != rank) return std::nullopt;
    Shape shape;
    for (int64_t d : dims) shape.push_back(d < 0 ? -1 : d);
    return shape;
  }

  absl::StatusOr<TensorId> Value(const Instruction& inst, uint32_t id, bool as_shape) {
    if (!as_shape) {
      if (auto it = values_.find(id); it != values_.end()) return it->second;
    }
    if (FindConst(id) != nullptr) return ConstantTensor(id, as_shape);
    if (values_.contains(id)) {
      return Error(inst,
                   absl::StrCat("%", id, " is used as a shape operand but is not a constant"));
    }
    return Error(inst, absl::StrCat("operand %", id, " is not defined before its use"));
  }

  absl::Status DecodeBody() {
    const TypeInfo& graph_type = types_.at(graph_type_id_);
    const size_t num_inputs = graph_type.num_inputs;
    const size_t num_outputs = graph_type.members.size() - num_inputs;
    std::vector<std::optional<TensorId>> inputs(num_inputs);
    std::vector<std::optional<TensorId>> outputs(num_outputs);
    for (size_t i = graph_range_.first + 1; i < instructions_.size(); ++i) {
      const Instruction& inst = instructions_[i];
      const auto& o = inst.operands;
      switch (inst.opcode) {
        case spirv::kOpGraphEndARM:
          for (size_t k = 0; k < num_inputs; ++k) {
            if (!inputs[k].has_value()) {
              return Error(inst, absl::StrCat("graph input ", k, " has no OpGraphInputARM"));
            }
            block().inputs.push_back(*inputs[k]);
          }
          for (size_t k = 0; k < num_outputs; ++k) {
            if (!outputs[k].has_value()) {
              return Error(inst, absl::StrCat("graph output ", k, " is never set"));
            }
            block().outputs.push_back(*outputs[k]);
          }
          return absl::OkStatus();
        case spirv::kOpName:
        case spirv::kOpLine:
        case spirv::kOpNoLine:
        case spirv::kOpNop:
          break;
        case spirv::kOpGraphInputARM: {
          if (auto s = Need(inst, 3); !s.ok()) return s;
          if (o.size() > 3)
            return Error(inst, "array graph inputs (ElementIndex) are not supported");
          if (auto s = Define(inst, o[1]); !s.ok()) return s;
          auto index = ScalarValue(o[2]);
          if (!index.ok()) return Error(inst, std::string(index.status().message()));
          if (*index < 0 || static_cast<size_t>(*index) >= num_inputs || inputs[*index]) {
            return Error(inst, absl::StrCat("input index ", *index, " is out of range (",
                                            num_inputs, " inputs) or used twice"));
          }
          if (o[0] != graph_type.members[*index]) {
            return Error(inst,
                         absl::StrCat("input ", *index, " has type %", o[0],
                                      " but the graph type says %", graph_type.members[*index]));
          }
          auto tensor = InputTensor(inst, o[0], static_cast<size_t>(*index));
          if (!tensor.ok()) return tensor.status();
          inputs[*index] = *tensor;
          values_[o[1]] = *tensor;
          break;
        }
        case spirv::kOpExtInst:
          if (auto s = DecodeOperator(inst); !s.ok()) return s;
          break;
        case spirv::kOpCompositeExtract: {
          if (auto s = Need(inst, 4); !s.ok()) return s;
          if (auto s = Define(inst, o[1]); !s.ok()) return s;
          auto it = struct_values_.find(o[2]);
          if (it == struct_values_.end() || o.size() != 4 || o[3] >= it->second.size()) {
            return Error(inst, absl::StrCat("%", o[2], " is not a multi-result TOSA operator or ",
                                            "the member index is out of range"));
          }
          values_[o[1]] = it->second[o[3]];
          break;
        }
        case spirv::kOpGraphSetOutputARM: {
          if (auto s = Need(inst, 2); !s.ok()) return s;
          if (o.size() > 2)
            return Error(inst, "array graph outputs (ElementIndex) are not supported");
          auto index = ScalarValue(o[1]);
          if (!index.ok()) return Error(inst, std::string(index.status().message()));
          if (*index < 0 || static_cast<size_t>(*index) >= num_outputs || outputs[*index]) {
            return Error(inst, absl::StrCat("output index ", *index, " is out of range (",
                                            num_outputs, " outputs) or set twice"));
          }
          auto value = Value(inst, o[0], false);
          if (!value.ok()) return value.status();
          auto tensor = OutputTensor(*value, static_cast<size_t>(*index));
          if (!tensor.ok()) return tensor.status();
          outputs[*index] = *tensor;
          break;
        }
        default:
          return Error(inst, "instruction is not supported inside a graph");
      }
    }
    return Error("the graph has no OpGraphEndARM");
  }

  absl::StatusOr<TensorId> InputTensor(const Instruction& inst, uint32_t type_id, size_t index) {
    const TypeInfo* type = FindType(type_id);
    auto dtype = TensorDType(type_id, inst.word_offset);
    if (!dtype.ok()) return dtype.status();
    Tensor tensor;
    tensor.name = PortName(true, index);
    tensor.dtype = *dtype;
    tensor.block = Graph::kMainBlock;
    if (type->shape.has_value()) {
      tensor.shape = *type->shape;
    } else if (auto given = options_.input_shapes.find(tensor.name);
               given != options_.input_shapes.end()) {
      if (type->rank.has_value() && given->second.size() != *type->rank) {
        return Error(inst,
                     absl::StrCat("input '", tensor.name, "' has rank ", *type->rank,
                                  " but the shape given for it is ", ShapeToString(given->second)));
      }
      tensor.shape = given->second;
      if (auto known = ResourceShape(true, index, tensor.shape.size()); known.has_value()) {
        for (size_t d = 0; d < known->size(); ++d) {
          if ((*known)[d] >= 0 && (*known)[d] != tensor.shape[d]) {
            return Error(inst, absl::StrCat("input '", tensor.name, "': the shape given for it, ",
                                            ShapeToString(tensor.shape),
                                            ", disagrees with the resource table's ",
                                            ShapeToString(*known), " (-1: open)"));
          }
        }
      }
    } else if (options_.leave_open_shapes) {
      tensor.unranked = true;
    } else {
      return Error(inst,
                   absl::StrCat("input '", tensor.name, "' has ",
                                type->rank.has_value() ? absl::StrCat("rank ", *type->rank)
                                                       : std::string("no rank"),
                                " but no shape in the file; give its shape (config.pbtxt dims)"));
    }
    for (int64_t d : tensor.shape) {
      if (d < 0) {
        return Error(inst, absl::StrCat("input '", tensor.name, "' has unknown dimensions ",
                                        ShapeToString(tensor.shape)));
      }
    }
    io_names_.insert(tensor.name);
    const TensorId id = AddTensor(std::move(tensor));
    is_port_.insert(id);
    return id;
  }

  // Names the tensor behind output `index`; a value that is already an input or another output
  // gets its own tensor through IDENTITY.
  absl::StatusOr<TensorId> OutputTensor(TensorId value, size_t index) {
    std::string name = PortName(false, index);
    TensorId id = value;
    if (is_port_.contains(value)) {
      Tensor copy = graph_->tensors[value];
      copy.data.clear();
      id = AddTensor(std::move(copy));
      Operator op;
      op.op = Op::kIdentity;
      op.inputs = {value};
      op.outputs = {id};
      block().operators.push_back(std::move(op));
    }
    graph_->tensors[id].name = name;
    io_names_.insert(name);
    is_port_.insert(id);
    return id;
  }

  absl::Status DecodeOperator(const Instruction& inst) {
    const auto& o = inst.operands;
    if (auto s = Need(inst, 4); !s.ok()) return s;
    if (auto s = Define(inst, o[1]); !s.ok()) return s;
    if (o[2] != tosa_set_ || tosa_set_ == 0) {
      return Error(inst, absl::StrCat("%", o[1], " uses extended instruction set %", o[2],
                                      ", not TOSA.001000.1"));
    }
    const TosaSpirvOp* entry = FindTosaSpirvOp(o[3]);
    if (entry == nullptr) {
      return Error(inst, absl::StrCat("%", o[1], ": TOSA.001000.1 has no instruction ", o[3]));
    }
    const std::string label = absl::StrCat("%", o[1], " (", std::string(OpName(entry->op)), ")");
    const std::span<const uint32_t> args = o.subspan(4);
    const bool variadic =
        !entry->operands.empty() && entry->operands.back() == TosaOperand::kTensorList;
    const size_t fixed = entry->operands.size() - (variadic ? 1 : 0);
    if (variadic ? args.size() < fixed + 1 : args.size() != fixed) {
      return Error(inst, absl::StrCat(label, " has ", args.size(), " operands; expected ",
                                      variadic ? "at least " : "", fixed + (variadic ? 1 : 0)));
    }
    Operator op;
    op.op = entry->op;
    op.attribute = DefaultAttribute(entry->op);
    op.location = NameOf(o[1]);
    std::vector<std::pair<TosaOperand, uint32_t>> clamp_bounds;
    for (size_t k = 0; k < args.size(); ++k) {
      const TosaOperand role = k < fixed ? entry->operands[k] : TosaOperand::kTensorList;
      const uint32_t id = args[k];
      const std::string where = absl::StrCat(label, " operand ", k, " (",
                                             std::string(TosaOperandName(role)), ", %", id, "): ");
      if (role == TosaOperand::kTensor || role == TosaOperand::kTensorList ||
          role == TosaOperand::kShape) {
        auto t = Value(inst, id, role == TosaOperand::kShape);
        if (!t.ok()) return Error(inst, absl::StrCat(where, t.status().message()));
        op.inputs.push_back(*t);
      } else if (IsIntListOperand(role)) {
        auto values = IntValues(id);
        if (!values.ok()) return Error(inst, absl::StrCat(where, values.status().message()));
        std::vector<int32_t>* field = IntListField(op.attribute, role);
        field->clear();
        for (int64_t v : *values) field->push_back(static_cast<int32_t>(v));
      } else if (IsBoolOperand(role)) {
        auto value = BoolValue(id);
        if (!value.ok()) return Error(inst, absl::StrCat(where, value.status().message()));
        *BoolField(op.attribute, role) = *value;
      } else if (IsScalarOperand(role)) {
        auto value = ScalarValue(id);
        if (!value.ok()) return Error(inst, absl::StrCat(where, value.status().message()));
        if (!SetScalarField(op.attribute, role, *value)) {
          return Error(inst, absl::StrCat(where, "value ", *value, " is not valid"));
        }
      } else {
        clamp_bounds.emplace_back(role, id);
      }
    }
    if (!clamp_bounds.empty()) {
      auto& clamp = std::get<ClampAttr>(op.attribute);
      const DType dtype = graph_->tensor(op.inputs.at(0)).dtype;
      for (const auto& [role, id] : clamp_bounds) {
        std::vector<uint8_t>& bytes = role == TosaOperand::kMinVal ? clamp.min_val : clamp.max_val;
        if (auto s = AppendScalar(id, dtype, bytes); !s.ok()) {
          return Error(inst, absl::StrCat(label, " ", std::string(TosaOperandName(role)), ": ",
                                          s.message()));
        }
      }
    }
    return AddResults(inst, label, entry->results, std::move(op));
  }

  absl::Status AddResults(const Instruction& inst, const std::string& label, uint32_t results,
                          Operator op) {
    const uint32_t type_id = inst.operands[0];
    const uint32_t result = inst.operands[1];
    const TypeInfo* type = FindType(type_id);
    std::vector<uint32_t> member_types;
    if (results == 1) {
      member_types = {type_id};
    } else if (type != nullptr && type->kind == TypeInfo::Kind::kStruct &&
               type->members.size() == results) {
      member_types = type->members;
    } else {
      return Error(inst, absl::StrCat(label, " returns ", results,
                                      " tensors; its result type must be a struct of them"));
    }
    std::vector<std::optional<Shape>> declared;
    for (uint32_t member : member_types) {
      const TypeInfo* t = FindType(member);
      if (t == nullptr || t->kind != TypeInfo::Kind::kTensor) {
        return Error(inst, absl::StrCat(label, " has result type %", member,
                                        ", which is not a tensor type"));
      }
      declared.push_back(t->shape);
    }
    std::optional<std::vector<Shape>> inferred;
    for (size_t k = 0; k < member_types.size(); ++k) {
      Tensor tensor;
      tensor.name = results == 1 ? NameOf(result) : absl::StrCat(NameOf(result), "_", k);
      tensor.block = Graph::kMainBlock;
      auto dtype = TensorDType(member_types[k], inst.word_offset);
      if (!dtype.ok()) return dtype.status();
      tensor.dtype = *dtype;
      bool open_input = false;
      for (TensorId in : op.inputs) open_input |= graph_->tensor(in).unranked;
      if (declared[k].has_value()) {
        tensor.shape = *declared[k];
      } else if (open_input && options_.leave_open_shapes) {
        tensor.unranked = true;
      } else {
        if (!inferred.has_value()) {
          auto shapes = InferOutputShapes(*graph_, op);
          if (!shapes.ok())
            return Error(inst, absl::StrCat(label, ": ", shapes.status().message()));
          inferred = *std::move(shapes);
        }
        tensor.shape = (*inferred)[k];
        const TypeInfo& t = types_.at(member_types[k]);
        if (t.rank.has_value() && tensor.shape.size() != *t.rank) {
          return Error(inst, absl::StrCat(label, ": derived shape ", ShapeToString(tensor.shape),
                                          " does not have the declared rank ", *t.rank));
        }
      }
      op.outputs.push_back(AddTensor(std::move(tensor)));
    }
    if (results == 1) {
      values_[result] = op.outputs[0];
    } else {
      struct_values_[result] = op.outputs;
    }
    block().operators.push_back(std::move(op));
    return absl::OkStatus();
  }

  // Tensor names must be unique in a block: inputs and outputs keep the file's names, anything
  // else that clashes gets its index appended.
  void FinishNames() {
    std::set<std::string> seen(io_names_.begin(), io_names_.end());
    for (TensorId id = 0; id < graph_->tensors.size(); ++id) {
      Tensor& t = graph_->tensors[id];
      const bool port =
          std::find(block().inputs.begin(), block().inputs.end(), id) != block().inputs.end() ||
          is_port_.contains(id);
      if (port) continue;
      if (!seen.insert(t.name).second) {
        t.name = absl::StrCat(t.name, "#", id);
        seen.insert(t.name);
      }
    }
  }

  const VgfFile& file_;
  const VgfSegment& segment_;
  const VgfModule& module_;
  const VgfDecodeOptions& options_;

  std::vector<Instruction> instructions_;
  std::set<uint32_t> defined_;
  std::unordered_map<uint32_t, TypeInfo> types_;
  std::unordered_map<uint32_t, ConstInfo> constants_;
  std::unordered_map<uint32_t, std::string> names_;
  std::unordered_map<uint32_t, uint32_t> bindings_;
  std::vector<EntryPoint> entry_points_;
  std::vector<GraphRange> graphs_;
  uint32_t tosa_set_ = 0;

  EntryPoint entry_;
  GraphRange graph_range_{0, 0, 0};
  uint32_t graph_type_id_ = 0;

  std::shared_ptr<Graph> graph_;
  std::unordered_map<uint32_t, TensorId> values_;
  std::unordered_map<uint32_t, std::vector<TensorId>> struct_values_;
  std::map<std::pair<uint32_t, bool>, TensorId> constant_tensors_;
  std::set<std::string> io_names_;
  int64_t constant_bytes_ = 0;
  std::set<TensorId> is_port_;
};

// A file that is one GRAPH segment (what DecodeVgfGraph decodes directly); anything else is a
// sequence (vgf_sequence.h).
bool IsSingleGraph(const VgfFile& file) {
  return file.segments.size() == 1 && file.segments.front().type == VgfModuleType::kGraph;
}

absl::StatusOr<const VgfModule*> GraphModule(const VgfFile& file, const VgfSegment& segment) {
  const VgfModule& module = file.modules.at(segment.module_index);
  if (module.code_kind != VgfCodeKind::kSpirv) {
    return absl::InvalidArgumentError(absl::StrCat("VGF graph module '", module.name, "' holds ",
                                                   std::string(VgfCodeKindName(module.code_kind)),
                                                   " code; a GRAPH module must be SPIR-V"));
  }
  return &module;
}

}  // namespace

absl::StatusOr<VgfSignature> ReadVgfSignature(const VgfFile& file) {
  if (file.segments.empty()) return absl::InvalidArgumentError("VGF file has no segments");
  if (!IsSingleGraph(file)) return ReadVgfSequenceSignature(file);
  auto module = GraphModule(file, file.segments.front());
  if (!module.ok()) return module.status();
  const VgfDecodeOptions options;
  return Decoder(file, file.segments.front(), **module, options).Signature();
}

absl::StatusOr<VgfSegmentGraph> DecodeVgfGraphSegment(const VgfFile& file, size_t segment,
                                                      const VgfDecodeOptions& options) {
  auto module = GraphModule(file, file.segments.at(segment));
  if (!module.ok()) return module.status();
  Decoder decoder(file, file.segments[segment], **module, options);
  auto graph = decoder.Decode();
  if (!graph.ok()) return graph.status();
  VgfSegmentGraph out;
  auto inputs = decoder.PortResources(true);
  if (!inputs.ok()) return inputs.status();
  auto outputs = decoder.PortResources(false);
  if (!outputs.ok()) return outputs.status();
  out.graph = *std::move(graph);
  out.input_resources = *std::move(inputs);
  out.output_resources = *std::move(outputs);
  return out;
}

absl::StatusOr<std::shared_ptr<const Graph>> DecodeVgfGraph(const VgfFile& file,
                                                            const VgfDecodeOptions& options) {
  if (file.segments.empty()) return absl::InvalidArgumentError("VGF file has no segments");
  if (!IsSingleGraph(file)) return AssembleVgfSequence(file, options);
  auto module = GraphModule(file, file.segments.front());
  if (!module.ok()) return module.status();
  auto graph = Decoder(file, file.segments.front(), **module, options).Decode();
  if (!graph.ok()) return graph.status();
  return std::shared_ptr<const Graph>(*std::move(graph));
}

absl::StatusOr<std::shared_ptr<const Graph>> LoadVgfGraph(std::span<const uint8_t> bytes,
                                                          const VgfDecodeOptions& options) {
  auto file = ReadVgfFile(bytes);
  if (!file.ok()) return file.status();
  auto graph = DecodeVgfGraph(*file, options);
  if (!graph.ok()) return graph.status();
  if (auto s = ValidateGraph(**graph); !s.ok()) return s;
  return graph;
}

}  // namespace inferd::graph::vgf

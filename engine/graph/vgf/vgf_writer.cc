#include "engine/graph/vgf/vgf_writer.h"

#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/graph/vgf/spirv.h"
#include "engine/graph/vgf/tosa_spirv_ops.h"
#include "engine/graph/vgf/vgf_file.h"
#include "engine/graph/vgf/vgf_file_writer.h"
#include "engine/graph/vgf/vk_format.h"

namespace inferd::graph::vgf {
namespace {

absl::Status Refuse(std::string what) {
  return absl::InvalidArgumentError(absl::StrCat("cannot write as VGF: ", what));
}

class Writer {
 public:
  explicit Writer(const Graph& graph) : g_(graph) {}

  absl::StatusOr<std::vector<uint8_t>> Write() {
    if (auto s = Check(); !s.ok()) return s;
    if (auto s = EmitModule(); !s.ok()) return s;
    return Assemble();
  }

 private:
  const Block& main() const { return g_.main_block(); }

  std::string OpLabel(size_t i) const {
    return absl::StrCat("operator #", i, " (", std::string(OpName(main().operators[i].op)), ")");
  }
  std::string TensorLabel(TensorId t) const {
    return absl::StrCat("tensor '", g_.tensor(t).name, "'");
  }

  // ------------------------------------------------------------------ what can be written

  absl::Status Check() {
    if (g_.blocks.size() != 1) {
      return Refuse(absl::StrCat("the graph has ", g_.blocks.size(),
                                 " blocks; control flow (COND_IF, WHILE_LOOP) has no "
                                 "TOSA.001000.1 instruction"));
    }
    for (size_t i = 0; i < main().operators.size(); ++i) {
      const Operator& op = main().operators[i];
      if (op.op == Op::kConst || op.op == Op::kConstShape || op.op == Op::kIdentity) continue;
      if (FindTosaSpirvOpFor(op.op) == nullptr) {
        return Refuse(absl::StrCat(OpLabel(i), " has no TOSA.001000.1 instruction"));
      }
    }
    // IDENTITY is elided: its output stands for its input.
    for (const Operator& op : main().operators) {
      if (op.op == Op::kIdentity && op.inputs.size() == 1 && op.outputs.size() == 1) {
        alias_[op.outputs[0]] = Resolve(op.inputs[0]);
      }
    }
    return absl::OkStatus();
  }

  TensorId Resolve(TensorId t) const {
    for (int hops = 0; hops < 1 << 20; ++hops) {
      auto it = alias_.find(t);
      if (it == alias_.end()) return t;
      t = it->second;
    }
    return t;
  }

  // ------------------------------------------------------------------ ids and types

  uint32_t NewId() { return next_id_++; }

  static void Emit(std::vector<uint32_t>& out, uint16_t opcode, std::initializer_list<uint32_t> ops,
                   std::span<const uint32_t> more = {}) {
    out.push_back(static_cast<uint32_t>((1 + ops.size() + more.size()) << 16) | opcode);
    out.insert(out.end(), ops.begin(), ops.end());
    out.insert(out.end(), more.begin(), more.end());
  }

  uint32_t IntType(uint32_t width) {
    auto [it, fresh] = int_types_.try_emplace(width, 0);
    if (fresh) {
      it->second = NewId();
      Emit(types_, spirv::kOpTypeInt, {it->second, width, 0});
    }
    return it->second;
  }

  uint32_t BoolType() {
    if (bool_type_ == 0) {
      bool_type_ = NewId();
      Emit(types_, spirv::kOpTypeBool, {bool_type_});
    }
    return bool_type_;
  }

  uint32_t U32(uint32_t value) {
    auto [it, fresh] = u32_constants_.try_emplace(value, 0);
    if (fresh) {
      const uint32_t type = IntType(32);
      it->second = NewId();
      Emit(types_, spirv::kOpConstant, {type, it->second, value});
    }
    return it->second;
  }

  uint32_t Bool(bool value) {
    uint32_t& id = value ? true_ : false_;
    if (id == 0) {
      const uint32_t type = BoolType();
      id = NewId();
      Emit(types_, value ? spirv::kOpConstantTrue : spirv::kOpConstantFalse, {type, id});
    }
    return id;
  }

  absl::StatusOr<uint32_t> ElementType(DType dtype, const std::string& where) {
    auto [it, fresh] = element_types_.try_emplace(dtype, 0);
    if (!fresh) return it->second;
    uint32_t id = 0;
    switch (dtype) {
      case DType::kBool:
        id = BoolType();
        break;
      case DType::kInt8:
        id = IntType(8);
        break;
      case DType::kInt16:
        id = IntType(16);
        break;
      case DType::kInt32:
        id = IntType(32);
        break;
      case DType::kInt48:
        id = IntType(64);
        break;
      case DType::kFp16:
      case DType::kFp32:
        id = NewId();
        Emit(types_, spirv::kOpTypeFloat, {id, dtype == DType::kFp16 ? 16u : 32u});
        break;
      case DType::kBf16:
        id = NewId();
        Emit(types_, spirv::kOpTypeFloat, {id, 16, spirv::kFPEncodingBFloat16KHR});
        uses_bf16_ = true;
        break;
      case DType::kFp8E4M3:
      case DType::kFp8E5M2:
        id = NewId();
        Emit(types_, spirv::kOpTypeFloat,
             {id, 8,
              dtype == DType::kFp8E4M3 ? spirv::kFPEncodingFloat8E4M3EXT
                                       : spirv::kFPEncodingFloat8E5M2EXT});
        uses_fp8_ = true;
        break;
      default:
        element_types_.erase(dtype);
        return Refuse(absl::StrCat(where, " is ", std::string(DTypeName(dtype)),
                                   ", which has no SPIR-V element type here"));
    }
    it->second = id;
    return id;
  }

  absl::StatusOr<uint32_t> TensorType(DType dtype, const Shape& shape, const std::string& where) {
    if (shape.empty()) {
      return Refuse(absl::StrCat(where, " has rank 0; SPIR-V tensors have rank 1 or more"));
    }
    const auto key = std::make_pair(dtype, shape);
    if (auto it = tensor_types_.find(key); it != tensor_types_.end()) return it->second;
    auto element = ElementType(dtype, where);
    if (!element.ok()) return element.status();
    const uint32_t rank = U32(static_cast<uint32_t>(shape.size()));
    const uint32_t int32 = IntType(32);
    const uint32_t array = NewId();
    Emit(types_, spirv::kOpTypeArray, {array, int32, rank});
    std::vector<uint32_t> dims;
    for (int64_t d : shape) {
      if (d < 0 || d > 0xFFFFFFFFll) return Refuse(absl::StrCat(where, " has dimension ", d));
      dims.push_back(U32(static_cast<uint32_t>(d)));
    }
    const uint32_t shape_id = NewId();
    Emit(types_, spirv::kOpConstantComposite, {array, shape_id}, dims);
    const uint32_t id = NewId();
    Emit(types_, spirv::kOpTypeTensorARM, {id, *element, rank, shape_id});
    tensor_types_[key] = id;
    return id;
  }

  // A rank-1 int32 tensor constant (attribute lists, shape operands).
  absl::StatusOr<uint32_t> IntTensorConstant(const std::vector<int64_t>& values,
                                             const std::string& where) {
    if (values.empty()) return Refuse(absl::StrCat(where, " is an empty list"));
    auto type = TensorType(DType::kInt32, {static_cast<int64_t>(values.size())}, where);
    if (!type.ok()) return type.status();
    std::vector<uint32_t> parts;
    for (int64_t v : values) {
      if (v < INT32_MIN || v > INT32_MAX) {
        return Refuse(absl::StrCat(where, " holds ", v, ", outside int32"));
      }
      parts.push_back(U32(static_cast<uint32_t>(static_cast<int32_t>(v))));
    }
    const uint32_t id = NewId();
    Emit(types_, spirv::kOpConstantComposite, {*type, id}, parts);
    return id;
  }

  // A scalar of `dtype` whose little-endian bytes start at `bytes`.
  absl::StatusOr<uint32_t> ScalarConstant(DType dtype, std::span<const uint8_t> bytes,
                                          const std::string& where) {
    auto type = ElementType(dtype, where);
    if (!type.ok()) return type.status();
    const int64_t size = *DTypeDataSize(dtype, 1);
    if (static_cast<int64_t>(bytes.size()) < size) {
      return Refuse(absl::StrCat(where, " holds ", bytes.size(), " bytes; needs ", size));
    }
    if (dtype == DType::kBool) return Bool(bytes[0] != 0);
    uint32_t words[2] = {0, 0};
    std::memcpy(words, bytes.data(), size);
    if (dtype == DType::kInt48 && (bytes[5] & 0x80)) words[1] |= 0xFFFF0000u;  // sign-extend
    const uint32_t id = NewId();
    if (dtype == DType::kInt48) {
      Emit(types_, spirv::kOpConstant, {*type, id, words[0], words[1]});
    } else {
      Emit(types_, spirv::kOpConstant, {*type, id, words[0]});
    }
    return id;
  }

  // ------------------------------------------------------------------ the module

  absl::StatusOr<uint32_t> ValueOf(TensorId t) {
    t = Resolve(t);
    if (auto it = values_.find(t); it != values_.end()) return it->second;
    return Refuse(absl::StrCat(TensorLabel(t), " is used before it is produced"));
  }

  // A CONST tensor becomes a graph constant backed by the constants section.
  absl::Status EmitGraphConstant(TensorId t) {
    const Tensor& tensor = g_.tensor(t);
    auto type = TensorType(tensor.dtype, tensor.shape, TensorLabel(t));
    if (!type.ok()) return type.status();
    const auto index = static_cast<uint32_t>(constants_.size());
    VgfConstant constant;
    constant.mrt_index = static_cast<uint32_t>(resources_.size());
    if (tensor.dtype == DType::kInt48) {
      // Widened to the 64-bit integers SPIR-V holds them in.
      for (size_t at = 0; at + 6 <= tensor.data.size(); at += 6) {
        uint8_t wide[8] = {};
        std::memcpy(wide, tensor.data.data() + at, 6);
        if (wide[5] & 0x80) wide[6] = wide[7] = 0xFF;
        constant.data.insert(constant.data.end(), wide, wide + 8);
      }
    } else {
      constant.data = tensor.data;
    }
    constants_.push_back(std::move(constant));
    VgfResource resource;
    resource.category = VgfResourceCategory::kConstant;
    resource.vk_format = VkFormatOf(tensor.dtype);
    resource.shape = tensor.shape;
    resources_.push_back(std::move(resource));
    const uint32_t id = NewId();
    Emit(types_, spirv::kOpGraphConstantARM, {*type, id, index});
    Name(id, tensor.name);
    values_[t] = id;
    return absl::OkStatus();
  }

  void Name(uint32_t id, std::string_view name) {
    std::vector<uint32_t> text;
    spirv::AppendLiteralString(text, name);
    Emit(names_, spirv::kOpName, {id}, text);
  }

  absl::Status EmitPorts() {
    const size_t inputs = main().inputs.size();
    const size_t outputs = main().outputs.size();
    std::vector<uint32_t> port_types;
    for (size_t k = 0; k < inputs + outputs; ++k) {
      const bool input = k < inputs;
      const TensorId t = input ? main().inputs[k] : Resolve(main().outputs[k - inputs]);
      const Tensor& tensor = g_.tensor(t);
      const std::string where =
          absl::StrCat(input ? "graph input '" : "graph output '",
                       g_.tensor(input ? t : main().outputs[k - inputs]).name, "'");
      if (tensor.unranked) return Refuse(absl::StrCat(where, " has no static shape"));
      auto type = TensorType(tensor.dtype, tensor.shape, where);
      if (!type.ok()) return type.status();
      port_types.push_back(*type);
      const uint32_t pointer = NewId();
      Emit(types_, spirv::kOpTypePointer, {pointer, spirv::kStorageClassUniformConstant, *type});
      const uint32_t variable = NewId();
      Emit(types_, spirv::kOpVariable, {pointer, variable, spirv::kStorageClassUniformConstant});
      Emit(annotations_, spirv::kOpDecorate, {variable, spirv::kDecorationDescriptorSet, 0});
      Emit(annotations_, spirv::kOpDecorate,
           {variable, spirv::kDecorationBinding, static_cast<uint32_t>(k)});
      interface_.push_back(variable);
      VgfResource resource;
      resource.category = input ? VgfResourceCategory::kInput : VgfResourceCategory::kOutput;
      resource.vk_descriptor_type = kDescriptorTypeTensorArm;
      resource.vk_format = VkFormatOf(tensor.dtype);
      resource.shape = tensor.shape;
      const VgfBinding slot{static_cast<uint32_t>(k), static_cast<uint32_t>(resources_.size())};
      resources_.push_back(std::move(resource));
      (input ? input_slots_ : output_slots_).push_back(slot);
      (input ? input_names_ : output_names_)
          .push_back(g_.tensor(input ? t : main().outputs[k - inputs]).name);
    }
    graph_type_ = NewId();
    std::vector<uint32_t> members = {static_cast<uint32_t>(inputs)};
    members.insert(members.end(), port_types.begin(), port_types.end());
    Emit(types_, spirv::kOpTypeGraphARM, {graph_type_}, members);
    port_types_ = std::move(port_types);
    return absl::OkStatus();
  }

  absl::Status EmitOperator(size_t index) {
    const Operator& op = main().operators[index];
    if (op.op == Op::kIdentity) return absl::OkStatus();
    if (op.op == Op::kConst) return EmitGraphConstant(op.outputs.at(0));
    if (op.op == Op::kConstShape) return absl::OkStatus();  // inlined where used
    const TosaSpirvOp& entry = *FindTosaSpirvOpFor(op.op);
    const std::string label = OpLabel(index);
    std::vector<uint32_t> args;
    size_t next_input = 0;
    for (TosaOperand role : entry.operands) {
      const std::string where = absl::StrCat(label, " ", std::string(TosaOperandName(role)));
      if (role == TosaOperand::kTensor || role == TosaOperand::kTensorList) {
        const size_t last = role == TosaOperand::kTensorList ? op.inputs.size() : next_input + 1;
        if (last > op.inputs.size()) return Refuse(absl::StrCat(label, " lacks inputs"));
        for (; next_input < last; ++next_input) {
          auto value = ValueOf(op.inputs[next_input]);
          if (!value.ok()) return value.status();
          args.push_back(*value);
        }
      } else if (role == TosaOperand::kShape) {
        if (next_input >= op.inputs.size()) return Refuse(absl::StrCat(label, " lacks inputs"));
        const TensorId shape_id = Resolve(op.inputs[next_input++]);
        if (auto it = shape_values_.find(shape_id); it != shape_values_.end()) {
          args.push_back(it->second);  // one constant per CONST_SHAPE, however often it is used
          continue;
        }
        const Tensor& shape = g_.tensor(shape_id);
        if (shape.dtype != DType::kShape || shape.data.size() % 8 != 0) {
          return Refuse(absl::StrCat(where, " is not a constant shape"));
        }
        std::vector<int64_t> values(shape.data.size() / 8);
        std::memcpy(values.data(), shape.data.data(), shape.data.size());
        auto id = IntTensorConstant(values, where);
        if (!id.ok()) return id.status();
        shape_values_[shape_id] = *id;
        args.push_back(*id);
      } else if (IsIntListOperand(role)) {
        const std::vector<int32_t>* list = IntListField(op.attribute, role);
        if (list == nullptr) return Refuse(absl::StrCat(where, " is missing"));
        auto id = IntTensorConstant(std::vector<int64_t>(list->begin(), list->end()), where);
        if (!id.ok()) return id.status();
        args.push_back(*id);
      } else if (IsBoolOperand(role)) {
        const bool* value = BoolField(op.attribute, role);
        if (value == nullptr) return Refuse(absl::StrCat(where, " is missing"));
        args.push_back(Bool(*value));
      } else if (IsScalarOperand(role)) {
        std::optional<int64_t> value = GetScalarField(op.attribute, role);
        if (!value.has_value())
          return Refuse(absl::StrCat(where, " has no TOSA enumeration value"));
        args.push_back(U32(static_cast<uint32_t>(*value)));
      } else {
        const auto& clamp = std::get<ClampAttr>(op.attribute);
        const DType dtype = g_.tensor(op.inputs.at(0)).dtype;
        auto id = ScalarConstant(
            dtype, role == TosaOperand::kMinVal ? clamp.min_val : clamp.max_val, where);
        if (!id.ok()) return id.status();
        args.push_back(*id);
      }
    }
    if (next_input != op.inputs.size()) {
      return Refuse(absl::StrCat(label, " has ", op.inputs.size(),
                                 " inputs; the instruction takes ", next_input));
    }
    std::vector<uint32_t> output_types;
    for (TensorId out : op.outputs) {
      const Tensor& tensor = g_.tensor(out);
      auto type = TensorType(tensor.dtype, tensor.shape, TensorLabel(out));
      if (!type.ok()) return type.status();
      output_types.push_back(*type);
    }
    if (output_types.size() != entry.results) {
      return Refuse(
          absl::StrCat(label, " has ", output_types.size(), " outputs; expected ", entry.results));
    }
    uint32_t result_type = output_types[0];
    if (entry.results > 1) {
      result_type = NewId();
      Emit(types_, spirv::kOpTypeStruct, {result_type}, output_types);
    }
    const uint32_t result = NewId();
    Emit(body_, spirv::kOpExtInst, {result_type, result, tosa_set_, entry.opcode}, args);
    if (entry.results == 1) {
      values_[op.outputs[0]] = result;
      Name(result, g_.tensor(op.outputs[0]).name);
    } else {
      for (uint32_t k = 0; k < entry.results; ++k) {
        const uint32_t member = NewId();
        Emit(body_, spirv::kOpCompositeExtract, {output_types[k], member, result, k});
        values_[op.outputs[k]] = member;
        Name(member, g_.tensor(op.outputs[k]).name);
      }
    }
    return absl::OkStatus();
  }

  absl::Status EmitModule() {
    tosa_set_ = NewId();
    if (auto s = EmitPorts(); !s.ok()) return s;
    const uint32_t graph = NewId();
    Emit(body_, spirv::kOpGraphARM, {graph_type_, graph});
    for (size_t k = 0; k < main().inputs.size(); ++k) {
      const uint32_t value = NewId();
      Emit(body_, spirv::kOpGraphInputARM, {port_types_[k], value, U32(static_cast<uint32_t>(k))});
      values_[main().inputs[k]] = value;
    }
    for (size_t i = 0; i < main().operators.size(); ++i) {
      if (auto s = EmitOperator(i); !s.ok()) return s;
    }
    for (size_t k = 0; k < main().outputs.size(); ++k) {
      auto value = ValueOf(main().outputs[k]);
      if (!value.ok()) return value.status();
      Emit(body_, spirv::kOpGraphSetOutputARM, {*value, U32(static_cast<uint32_t>(k))});
    }
    Emit(body_, spirv::kOpGraphEndARM, {});

    std::vector<uint32_t>& w = words_;
    w = {spirv::kMagic, 0x00010600, 0, next_id_, 0};
    for (uint32_t capability :
         {spirv::kCapabilityShader, spirv::kCapabilityInt8, spirv::kCapabilityInt16,
          spirv::kCapabilityInt64, spirv::kCapabilityFloat16, spirv::kCapabilityVulkanMemoryModel,
          spirv::kCapabilityTensorsARM, spirv::kCapabilityGraphARM,
          spirv::kCapabilityReplicatedCompositesEXT}) {
      Emit(w, spirv::kOpCapability, {capability});
    }
    std::vector<const char*> extensions = {"SPV_ARM_tensors", "SPV_ARM_graph",
                                           "SPV_EXT_replicated_composites",
                                           "SPV_KHR_vulkan_memory_model"};
    if (uses_bf16_) {
      Emit(w, spirv::kOpCapability, {spirv::kCapabilityBFloat16TypeKHR});
      extensions.push_back("SPV_KHR_bfloat16");
    }
    if (uses_fp8_) {
      Emit(w, spirv::kOpCapability, {spirv::kCapabilityFloat8EXT});
      extensions.push_back("SPV_EXT_float8");
    }
    for (const char* extension : extensions) {
      std::vector<uint32_t> text;
      spirv::AppendLiteralString(text, extension);
      Emit(w, spirv::kOpExtension, {}, text);
    }
    std::vector<uint32_t> set_name;
    spirv::AppendLiteralString(set_name, spirv::kTosaInstructionSet);
    Emit(w, spirv::kOpExtInstImport, {tosa_set_}, set_name);
    Emit(w, spirv::kOpMemoryModel, {spirv::kAddressingLogical, spirv::kMemoryModelVulkan});
    std::vector<uint32_t> entry;
    spirv::AppendLiteralString(entry, kEntryPoint);
    entry.insert(entry.end(), interface_.begin(), interface_.end());
    Emit(w, spirv::kOpGraphEntryPointARM, {graph}, entry);
    w.insert(w.end(), names_.begin(), names_.end());
    w.insert(w.end(), annotations_.begin(), annotations_.end());
    w.insert(w.end(), types_.begin(), types_.end());
    w.insert(w.end(), body_.begin(), body_.end());
    w[3] = next_id_;
    return absl::OkStatus();
  }

  // ------------------------------------------------------------------ the file

  // One GRAPH module and one segment whose descriptor set 0 binds every input and output.
  std::vector<uint8_t> Assemble() const {
    VgfFile file;
    VgfModule module;
    module.type = VgfModuleType::kGraph;
    module.name = kModuleName;
    module.entry_point = kEntryPoint;
    module.code_kind = VgfCodeKind::kSpirv;
    module.spirv = words_;
    file.modules.push_back(std::move(module));
    VgfSegment segment;
    segment.type = VgfModuleType::kGraph;
    segment.name = "graph_segment_0";
    VgfDescriptorSet set;
    set.bindings = input_slots_;
    set.bindings.insert(set.bindings.end(), output_slots_.begin(), output_slots_.end());
    segment.descriptor_sets.push_back(std::move(set));
    segment.inputs = input_slots_;
    segment.outputs = output_slots_;
    for (uint32_t i = 0; i < constants_.size(); ++i) segment.constants.push_back(i);
    segment.dispatch_shape = {0, 0, 0};
    file.segments.push_back(std::move(segment));
    file.inputs = input_slots_;
    file.outputs = output_slots_;
    file.input_names = input_names_;
    file.output_names = output_names_;
    file.resources = resources_;
    file.constants = constants_;
    return SerializeVgfFile(file);
  }

  static constexpr char kEntryPoint[] = "main";
  static constexpr char kModuleName[] = "graph_partition_0";

  const Graph& g_;
  std::unordered_map<TensorId, TensorId> alias_;
  uint32_t next_id_ = 1;
  uint32_t tosa_set_ = 0;
  uint32_t graph_type_ = 0;
  uint32_t bool_type_ = 0, true_ = 0, false_ = 0;
  bool uses_bf16_ = false, uses_fp8_ = false;
  std::map<uint32_t, uint32_t> int_types_;
  std::map<uint32_t, uint32_t> u32_constants_;
  std::map<DType, uint32_t> element_types_;
  std::map<std::pair<DType, Shape>, uint32_t> tensor_types_;
  std::unordered_map<TensorId, uint32_t> values_;
  std::unordered_map<TensorId, uint32_t> shape_values_;
  std::vector<uint32_t> names_, annotations_, types_, body_, words_;
  std::vector<uint32_t> interface_, port_types_;
  std::vector<VgfConstant> constants_;
  std::vector<VgfResource> resources_;
  std::vector<VgfBinding> input_slots_, output_slots_;
  std::vector<std::string> input_names_, output_names_;
};

}  // namespace

absl::StatusOr<std::vector<uint8_t>> WriteVgfFile(const Graph& graph) {
  return Writer(graph).Write();
}

}  // namespace inferd::graph::vgf

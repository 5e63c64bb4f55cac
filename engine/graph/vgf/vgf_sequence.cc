#include "engine/graph/vgf/vgf_sequence.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/graph/vgf/compute_segment.h"
#include "engine/graph/vgf/vk_format.h"

namespace inferd::graph::vgf {
namespace {

std::string DescriptorTypeName(uint32_t type) {
  static constexpr const char* kNames[] = {"SAMPLER",
                                           "COMBINED_IMAGE_SAMPLER",
                                           "SAMPLED_IMAGE",
                                           "STORAGE_IMAGE",
                                           "UNIFORM_TEXEL_BUFFER",
                                           "STORAGE_TEXEL_BUFFER",
                                           "UNIFORM_BUFFER",
                                           "STORAGE_BUFFER",
                                           "UNIFORM_BUFFER_DYNAMIC",
                                           "STORAGE_BUFFER_DYNAMIC",
                                           "INPUT_ATTACHMENT"};
  if (type < std::size(kNames)) return absl::StrCat("VK_DESCRIPTOR_TYPE_", kNames[type]);
  if (type == kDescriptorTypeTensorArm) return "VK_DESCRIPTOR_TYPE_TENSOR_ARM";
  if (type == kNoDescriptorType) return "no descriptor type";
  return absl::StrCat("descriptor type ", type);
}

class SequenceAssembler {
 public:
  SequenceAssembler(const VgfFile& file, const VgfDecodeOptions& options)
      : file_(file), options_(options), graph_(std::make_shared<Graph>()) {
    graph_->regions.push_back(Region{"main", {Graph::kMainBlock}});
    graph_->blocks.push_back(Block{});
    graph_->blocks[0].name = "main";
  }

  absl::StatusOr<std::shared_ptr<const Graph>> Assemble() {
    for (size_t k = 0; k < file_.inputs.size(); ++k) {
      auto id = ModelInput(file_.inputs[k].mrt_index);
      if (!id.ok()) return id.status();
      block().inputs.push_back(*id);
      is_port_.insert(*id);
    }
    for (size_t s = 0; s < file_.segments.size(); ++s) {
      const absl::Status status = file_.segments[s].type == VgfModuleType::kGraph
                                      ? InlineGraphSegment(s)
                                      : AddComputeSegment(s);
      if (!status.ok()) return status;
    }
    for (size_t k = 0; k < file_.outputs.size(); ++k) {
      const uint32_t resource = file_.outputs[k].mrt_index;
      auto it = tensors_.find(resource);
      if (it == tensors_.end()) {
        return absl::InvalidArgumentError(absl::StrCat("VGF model output ", k, " (resource ",
                                                       resource, ") is written by no segment"));
      }
      TensorId id = it->second;
      if (is_port_.contains(id)) {  // a model input or an output already: a copy of its own
        Tensor copy = graph_->tensors[id];
        copy.data.clear();
        const TensorId copied = AddTensor(std::move(copy));
        Operator op;
        op.op = Op::kIdentity;
        op.inputs = {id};
        op.outputs = {copied};
        block().operators.push_back(std::move(op));
        id = copied;
      }
      graph_->tensors[id].name = VgfResourceTensorName(file_, resource);
      block().outputs.push_back(id);
      is_port_.insert(id);
    }
    FinishNames();
    return std::shared_ptr<const Graph>(graph_);
  }

 private:
  Block& block() { return graph_->blocks[Graph::kMainBlock]; }

  TensorId AddTensor(Tensor tensor) {
    tensor.block = Graph::kMainBlock;
    const auto id = static_cast<TensorId>(graph_->tensors.size());
    graph_->tensors.push_back(std::move(tensor));
    block().tensors.push_back(id);
    return id;
  }

  // The element type and shape the resource table gives resource `r`; the shape may hold -1.
  // For an image, the element type is its texel format's component type and the shape must be
  // [1,] H, W, components.
  absl::StatusOr<std::pair<DType, Shape>> Declared(uint32_t r, const std::string& user,
                                                   bool image = false) const {
    const VgfResource& resource = file_.resources.at(r);
    std::optional<DType> dtype;
    const std::optional<ImageFormat> format =
        image ? ImageFormatOf(resource.vk_format) : std::nullopt;
    if (image) {
      if (format.has_value()) dtype = format->dtype;
    } else {
      dtype = DTypeOfVkFormat(resource.vk_format);
    }
    if (!dtype.has_value()) {
      return absl::UnimplementedError(absl::StrCat(
          user, ": resource ", r, " has VkFormat ", resource.vk_format, ", which inferd does not ",
          image ? "run as an image format" : "map to a tensor element type"));
    }
    Shape shape;
    for (int64_t d : resource.shape) shape.push_back(d < 0 ? -1 : d);
    if (image) {
      if (auto status = CheckImageShape(shape, shape, user); !status.ok()) return status;
      if (shape.back() != format->components) {
        return absl::InvalidArgumentError(
            absl::StrCat(user, ": resource ", r, " has shape ", ShapeToString(shape),
                         " but its format has ", format->components, " components per texel"));
      }
    }
    if (!resource.strides.empty()) {
      int64_t packed = 1;
      for (size_t d = shape.size(); d-- > 0;) {
        if (d >= resource.strides.size() || resource.strides[d] != packed || shape[d] < 0) {
          return absl::UnimplementedError(
              absl::StrCat(user, ": resource ", r,
                           " has strides that are not packed row-major; inferd "
                           "passes tensors packed"));
        }
        packed *= shape[d];
      }
    }
    return std::make_pair(*dtype, shape);
  }

  // An image's tensor is [H, W, C] or [1, H, W, C], the same as the resource declares.
  static absl::Status CheckImageShape(const Shape& shape, const Shape& declared,
                                      const std::string& user) {
    const bool rank_ok = shape.size() == 3 || (shape.size() == 4 && shape[0] == 1);
    if (!rank_ok) {
      return absl::UnimplementedError(
          absl::StrCat(user, ": an image resource has shape ", ShapeToString(shape),
                       "; inferd runs images of shape [H, W, C] or [1, H, W, C]"));
    }
    if (shape != declared) {
      return absl::InvalidArgumentError(absl::StrCat(user, ": the image holds ",
                                                     ShapeToString(shape), "; the resource says ",
                                                     ShapeToString(declared)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<TensorId> ModelInput(uint32_t r) {
    const std::string name = VgfResourceTensorName(file_, r);
    if (tensors_.contains(r)) {
      return absl::InvalidArgumentError(
          absl::StrCat("VGF model input '", name, "' (resource ", r, ") is listed twice"));
    }
    const uint32_t type = file_.resources.at(r).vk_descriptor_type;
    auto declared = Declared(
        r, absl::StrCat("VGF model input '", name, "'"),
        type == kDescriptorTypeStorageImage || type == kDescriptorTypeCombinedImageSampler);
    if (!declared.ok()) return declared.status();
    Tensor tensor;
    tensor.name = name;
    tensor.dtype = declared->first;
    tensor.shape = declared->second;
    if (std::any_of(tensor.shape.begin(), tensor.shape.end(), [](int64_t d) { return d < 0; })) {
      auto given = options_.input_shapes.find(name);
      if (given == options_.input_shapes.end() || given->second.size() != tensor.shape.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("VGF model input '", name, "' has shape ", ShapeToString(tensor.shape),
                         " with open dimensions; give its shape (config.pbtxt dims)"));
      }
      tensor.shape = given->second;
    }
    const TensorId id = AddTensor(std::move(tensor));
    tensors_[r] = id;
    return id;
  }

  absl::Status Written(uint32_t r, TensorId id, const std::string& segment) {
    if (!tensors_.emplace(r, id).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "VGF segment '", segment, "' writes resource ", r,
          ", which a model input or an earlier segment already holds; inferd runs sequences in "
          "which each resource is written once"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<TensorId> Read(uint32_t r, const std::string& segment) const {
    auto it = tensors_.find(r);
    if (it == tensors_.end()) {
      return absl::InvalidArgumentError(absl::StrCat("VGF segment '", segment, "' reads resource ",
                                                     r, " before any segment writes it"));
    }
    return it->second;
  }

  absl::Status InlineGraphSegment(size_t s) {
    const VgfSegment& segment = file_.segments[s];
    VgfDecodeOptions options = options_;
    for (const auto& [r, id] : tensors_) {
      options.input_shapes[VgfResourceTensorName(file_, r)] = graph_->tensors[id].shape;
    }
    auto decoded = DecodeVgfGraphSegment(file_, s, options);
    if (!decoded.ok()) return decoded.status();
    const Graph& part = *decoded->graph;
    const Block& main = part.main_block();
    std::vector<std::optional<TensorId>> mapped(part.tensors.size());
    for (size_t k = 0; k < main.inputs.size(); ++k) {
      auto id = Read(decoded->input_resources[k], segment.name);
      if (!id.ok()) return id.status();
      const Tensor& theirs = part.tensor(main.inputs[k]);
      const Tensor& ours = graph_->tensors[*id];
      if (theirs.dtype != ours.dtype || theirs.shape != ours.shape) {
        return absl::InvalidArgumentError(absl::StrCat(
            "VGF graph segment '", segment.name, "' reads resource ", decoded->input_resources[k],
            " as ", std::string(DTypeName(theirs.dtype)), " ", ShapeToString(theirs.shape),
            "; it holds ", std::string(DTypeName(ours.dtype)), " ", ShapeToString(ours.shape)));
      }
      mapped[main.inputs[k]] = *id;
    }
    for (TensorId t = 0; t < part.tensors.size(); ++t) {
      if (mapped[t].has_value()) continue;
      Tensor tensor = part.tensors[t];
      mapped[t] = AddTensor(std::move(tensor));
    }
    for (const Operator& op : main.operators) {
      Operator copy = op;
      for (TensorId& id : copy.inputs) id = *mapped[id];
      for (TensorId& id : copy.outputs) id = *mapped[id];
      block().operators.push_back(std::move(copy));
    }
    for (size_t k = 0; k < main.outputs.size(); ++k) {
      if (auto status =
              Written(decoded->output_resources[k], *mapped[main.outputs[k]], segment.name);
          !status.ok()) {
        return status;
      }
    }
    return absl::OkStatus();
  }

  absl::Status AddComputeSegment(size_t s) {
    const VgfSegment& segment = file_.segments[s];
    const VgfModule& module = file_.modules.at(segment.module_index);
    const std::string label = absl::StrCat("VGF compute segment '", segment.name, "'");
    if (module.type != VgfModuleType::kCompute) {
      return absl::InvalidArgumentError(
          absl::StrCat(label, " runs module '", module.name, "', which is a GRAPH module"));
    }
    ComputeSegment compute;
    compute.name = segment.name;
    compute.entry_point = module.entry_point.empty() ? "main" : module.entry_point;
    switch (module.code_kind) {
      case VgfCodeKind::kSpirv:
        compute.code = ComputeSegment::Code::kSpirv;
        compute.spirv = module.spirv;
        break;
      case VgfCodeKind::kGlsl:
        compute.code = ComputeSegment::Code::kGlsl;
        compute.glsl = module.source;
        break;
      case VgfCodeKind::kHlsl:
        return absl::UnimplementedError(
            absl::StrCat(label, ": module '", module.name,
                         "' is HLSL source; inferd compiles GLSL compute sources and runs SPIR-V"));
      case VgfCodeKind::kNone:
        return absl::InvalidArgumentError(
            absl::StrCat(label, ": module '", module.name, "' holds no code"));
    }
    if (!segment.constants.empty() || !segment.constant_bindings.empty()) {
      return absl::UnimplementedError(
          absl::StrCat(label,
                       " lists constants; constants are for GRAPH segments (a compute shader reads "
                       "its data through its bindings)"));
    }
    if (segment.dispatch_shape.size() != 3 ||
        std::any_of(segment.dispatch_shape.begin(), segment.dispatch_shape.end(),
                    [](uint32_t n) { return n == 0; })) {
      std::string shape;
      for (uint32_t n : segment.dispatch_shape)
        absl::StrAppend(&shape, shape.empty() ? "" : ",", n);
      return absl::InvalidArgumentError(absl::StrCat(label, " has dispatch shape [", shape,
                                                     "]; it needs three workgroup counts above 0"));
    }
    std::copy(segment.dispatch_shape.begin(), segment.dispatch_shape.end(),
              compute.workgroups.begin());
    uint64_t push_end = 0;
    for (const VgfPushConstantRange& range : segment.push_constant_ranges) {
      push_end = std::max(push_end, uint64_t{range.offset} + range.size);
    }
    compute.push_constant_bytes = static_cast<uint32_t>(std::min<uint64_t>(push_end, UINT32_MAX));

    std::set<uint32_t> writes, reads;
    for (const VgfBinding& slot : segment.outputs) writes.insert(slot.mrt_index);
    for (const VgfBinding& slot : segment.inputs) reads.insert(slot.mrt_index);
    for (const VgfBinding& slot : segment.inputs) {
      if (writes.contains(slot.mrt_index)) {
        return absl::UnimplementedError(
            absl::StrCat(label, " reads and writes resource ", slot.mrt_index,
                         "; inferd runs sequences in which each resource is written once"));
      }
    }
    Operator op;
    op.op = Op::kCustom;
    std::map<uint32_t, uint32_t> input_operand, output_operand;  // resource -> operand
    std::vector<std::pair<uint32_t, TensorId>> new_outputs;
    for (const VgfDescriptorSet& set : segment.descriptor_sets) {
      for (const VgfBinding& slot : set.bindings) {
        const uint32_t r = slot.mrt_index;
        const VgfResource& resource = file_.resources.at(r);
        const std::string where = absl::StrCat(label, ", set ", set.set_index, " binding ",
                                               slot.binding, " (resource ", r, ")");
        if (resource.vk_descriptor_type == kDescriptorTypeTensorArm) {
          return absl::UnimplementedError(absl::StrCat(
              where,
              " is a VK_DESCRIPTOR_TYPE_TENSOR_ARM: compute shaders on Arm tensors need "
              "VK_ARM_tensors, which inferd does not use; bind storage buffers"));
        }
        ComputeSegmentBinding binding;
        binding.set = set.set_index;
        binding.binding = slot.binding;
        switch (resource.vk_descriptor_type) {
          case kDescriptorTypeStorageBuffer:
            binding.kind = ComputeSegmentBinding::Kind::kStorageBuffer;
            break;
          case kDescriptorTypeStorageImage:
            binding.kind = ComputeSegmentBinding::Kind::kStorageImage;
            break;
          case kDescriptorTypeCombinedImageSampler:
            binding.kind = ComputeSegmentBinding::Kind::kSampledImage;
            if (!resource.has_sampler) {
              return absl::InvalidArgumentError(
                  absl::StrCat(where, " is a combined image sampler without a sampler config"));
            }
            binding.sampler = resource.sampler;
            break;
          default:
            return absl::UnimplementedError(absl::StrCat(
                where, " is a ", DescriptorTypeName(resource.vk_descriptor_type),
                "; inferd binds storage buffers, storage images and combined image samplers"));
        }
        if (resource.category == VgfResourceCategory::kConstant) {
          return absl::UnimplementedError(absl::StrCat(where, " is a constant resource"));
        }
        const bool image = binding.kind != ComputeSegmentBinding::Kind::kStorageBuffer;
        if (image) binding.vk_format = resource.vk_format;
        // A resource the segment lists as an output is written, one it lists as an input read;
        // one it lists as neither is read when it holds a value and else written (scratch).
        const bool output = writes.contains(r) || (!reads.contains(r) && !tensors_.contains(r));
        binding.output = output;
        if (output && binding.kind == ComputeSegmentBinding::Kind::kSampledImage) {
          return absl::InvalidArgumentError(absl::StrCat(
              where, " is a sampled image, which a shader reads; nothing holds it yet"));
        }
        if (output) {
          auto [it, added] = output_operand.emplace(r, static_cast<uint32_t>(op.outputs.size()));
          if (added) {
            auto declared = Declared(r, where, image);
            if (!declared.ok()) return declared.status();
            if (declared->first == DType::kInt48 || declared->first == DType::kBool) {
              return absl::UnimplementedError(
                  absl::StrCat(where, " holds ", std::string(DTypeName(declared->first)),
                               ", whose storage differs between inferd and Vulkan formats"));
            }
            for (int64_t d : declared->second) {
              if (d < 0) {
                return absl::InvalidArgumentError(
                    absl::StrCat(where, " has open dimensions ", ShapeToString(declared->second),
                                 "; a resource a compute segment writes needs its full shape"));
              }
            }
            Tensor tensor;
            tensor.name = VgfResourceTensorName(file_, r);
            tensor.dtype = declared->first;
            tensor.shape = declared->second;
            const TensorId id = AddTensor(std::move(tensor));
            op.outputs.push_back(id);
            new_outputs.emplace_back(r, id);
          }
          binding.operand = it->second;
        } else {
          auto [it, added] = input_operand.emplace(r, static_cast<uint32_t>(op.inputs.size()));
          if (added) {
            auto id = Read(r, segment.name);
            if (!id.ok()) return id.status();
            if (image) {
              const Tensor& held = graph_->tensors[*id];
              auto declared = Declared(r, where, /*image=*/true);
              if (!declared.ok()) return declared.status();
              if (held.dtype != declared->first) {
                return absl::InvalidArgumentError(absl::StrCat(
                    where, " is an image of ", std::string(DTypeName(declared->first)),
                    " components; the resource holds ", std::string(DTypeName(held.dtype))));
              }
              if (auto status = CheckImageShape(held.shape, declared->second, where);
                  !status.ok()) {
                return status;
              }
            }
            op.inputs.push_back(*id);
          }
          binding.operand = it->second;
        }
        compute.bindings.push_back(binding);
      }
    }
    for (const VgfBinding& slot : segment.outputs) {
      if (!output_operand.contains(slot.mrt_index)) {
        return absl::InvalidArgumentError(absl::StrCat(label, " lists resource ", slot.mrt_index,
                                                       " as an output but binds it nowhere"));
      }
    }
    if (op.outputs.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(label, " writes no resource"));
    }
    for (const auto& [r, id] : new_outputs) {
      if (auto status = Written(r, id, segment.name); !status.ok()) return status;
    }
    op.attribute =
        CustomAttr{kComputeSegmentOperator, kComputeSegmentDomain, EncodeComputeSegment(compute)};
    op.location = label;
    block().operators.push_back(std::move(op));
    return absl::OkStatus();
  }

  // Names must be unique in a block: ports keep the file's names, anything else that clashes
  // gets its index appended.
  void FinishNames() {
    std::set<std::string> seen;
    for (TensorId id : is_port_) seen.insert(graph_->tensors[id].name);
    for (TensorId id = 0; id < graph_->tensors.size(); ++id) {
      if (is_port_.contains(id)) continue;
      Tensor& t = graph_->tensors[id];
      if (!seen.insert(t.name).second) {
        t.name = absl::StrCat(t.name, "#", id);
        seen.insert(t.name);
      }
    }
  }

  const VgfFile& file_;
  const VgfDecodeOptions& options_;
  std::shared_ptr<Graph> graph_;
  std::map<uint32_t, TensorId> tensors_;  // resource -> the tensor holding it
  std::set<TensorId> is_port_;
};

}  // namespace

std::string VgfResourceTensorName(const VgfFile& file, uint32_t resource) {
  for (size_t k = 0; k < file.inputs.size(); ++k) {
    if (file.inputs[k].mrt_index == resource) {
      return k < file.input_names.size() ? file.input_names[k] : absl::StrCat("input_", k);
    }
  }
  for (size_t k = 0; k < file.outputs.size(); ++k) {
    if (file.outputs[k].mrt_index == resource) {
      return k < file.output_names.size() ? file.output_names[k] : absl::StrCat("output_", k);
    }
  }
  return absl::StrCat("resource_", resource);
}

absl::StatusOr<VgfSignature> ReadVgfSequenceSignature(const VgfFile& file) {
  VgfSignature signature;
  for (bool input : {true, false}) {
    for (const VgfBinding& port : input ? file.inputs : file.outputs) {
      const VgfResource& resource = file.resources.at(port.mrt_index);
      VgfPort out;
      out.name = VgfResourceTensorName(file, port.mrt_index);
      std::optional<DType> dtype = DTypeOfVkFormat(resource.vk_format);
      if (!dtype.has_value()) {
        return absl::UnimplementedError(absl::StrCat(
            "VGF model ", input ? "input '" : "output '", out.name, "' has VkFormat ",
            resource.vk_format, ", which inferd does not map to a tensor element type"));
      }
      out.dtype = *dtype;
      for (int64_t d : resource.shape) out.shape.push_back(d < 0 ? -1 : d);
      (input ? signature.inputs : signature.outputs).push_back(std::move(out));
    }
  }
  return signature;
}

absl::StatusOr<std::shared_ptr<const Graph>> AssembleVgfSequence(const VgfFile& file,
                                                                 const VgfDecodeOptions& options) {
  return SequenceAssembler(file, options).Assemble();
}

}  // namespace inferd::graph::vgf

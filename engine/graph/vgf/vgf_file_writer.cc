#include "engine/graph/vgf/vgf_file_writer.h"

#include <cstring>

#include "engine/graph/vgf/vgf_generated.h"
#include "flatbuffers/flatbuffers.h"

namespace inferd::graph::vgf {
namespace {

constexpr uint8_t kVersionMajor = 0, kVersionMinor = 4, kVersionPatch = 3;

using Builder = flatbuffers::FlatBufferBuilder;

std::vector<uint8_t> Finished(const Builder& b) {
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

std::vector<flatbuffers::Offset<vgf_fb::BindingSlot>> Slots(Builder& b,
                                                            const std::vector<VgfBinding>& slots) {
  std::vector<flatbuffers::Offset<vgf_fb::BindingSlot>> out;
  for (const VgfBinding& s : slots)
    out.push_back(vgf_fb::CreateBindingSlot(b, s.binding, s.mrt_index));
  return out;
}

std::vector<uint8_t> ModuleSection(const VgfFile& file) {
  Builder b;
  std::vector<flatbuffers::Offset<vgf_fb::Module>> modules;
  for (const VgfModule& m : file.modules) {
    flatbuffers::Offset<void> code;
    auto code_type = vgf_fb::ModuleCode::NONE;
    switch (m.code_kind) {
      case VgfCodeKind::kSpirv:
        code = vgf_fb::CreateSPIRV(b, b.CreateVector(m.spirv)).Union();
        code_type = vgf_fb::ModuleCode::SPIRV;
        break;
      case VgfCodeKind::kGlsl:
        code = vgf_fb::CreateGLSL(b, b.CreateString(m.source)).Union();
        code_type = vgf_fb::ModuleCode::GLSL;
        break;
      case VgfCodeKind::kHlsl:
        code = vgf_fb::CreateHLSL(b, b.CreateString(m.source)).Union();
        code_type = vgf_fb::ModuleCode::HLSL;
        break;
      case VgfCodeKind::kNone:
        break;
    }
    modules.push_back(vgf_fb::CreateModule(b, static_cast<vgf_fb::ModuleType>(m.type),
                                           b.CreateString(m.name), b.CreateString(m.entry_point),
                                           code_type, code));
  }
  b.Finish(vgf_fb::CreateModuleTable(b, b.CreateVector(modules)));
  return Finished(b);
}

std::vector<uint8_t> SequenceSection(const VgfFile& file) {
  Builder b;
  std::vector<flatbuffers::Offset<vgf_fb::SegmentInfo>> segments;
  for (const VgfSegment& s : file.segments) {
    std::vector<flatbuffers::Offset<vgf_fb::DescriptorSetInfo>> sets;
    for (const VgfDescriptorSet& set : s.descriptor_sets) {
      sets.push_back(vgf_fb::CreateDescriptorSetInfo(b, b.CreateVector(Slots(b, set.bindings)),
                                                     set.set_index));
    }
    std::vector<flatbuffers::Offset<vgf_fb::PushConstantRange>> ranges;
    for (const VgfPushConstantRange& r : s.push_constant_ranges) {
      ranges.push_back(vgf_fb::CreatePushConstantRange(b, r.stage_flags, r.offset, r.size));
    }
    segments.push_back(vgf_fb::CreateSegmentInfo(
        b, static_cast<vgf_fb::ModuleType>(s.type), b.CreateString(s.name), s.module_index,
        b.CreateVector(sets), b.CreateVector(Slots(b, s.inputs)),
        b.CreateVector(Slots(b, s.outputs)), b.CreateVector(s.constants),
        b.CreateVector(s.dispatch_shape), b.CreateVector(ranges)));
  }
  b.Finish(vgf_fb::CreateModelSequenceTable(
      b, b.CreateVector(segments), b.CreateVector(Slots(b, file.inputs)),
      b.CreateVector(Slots(b, file.outputs)), b.CreateVectorOfStrings(file.input_names),
      b.CreateVectorOfStrings(file.output_names)));
  return Finished(b);
}

std::vector<uint8_t> ResourceSection(const VgfFile& file) {
  Builder b;
  std::vector<flatbuffers::Offset<vgf_fb::ModelResourceTableEntry>> entries;
  for (const VgfResource& r : file.resources) {
    auto description =
        vgf_fb::CreateDescription(b, b.CreateVector(r.shape), b.CreateVector(r.strides));
    flatbuffers::Offset<void> sampler;
    if (r.has_sampler) {
      sampler = vgf_fb::CreateSamplerConfig(b, r.sampler.min_filter, r.sampler.mag_filter,
                                            r.sampler.address_mode_u, r.sampler.address_mode_v,
                                            r.sampler.border_color)
                    .Union();
    }
    entries.push_back(vgf_fb::CreateModelResourceTableEntry(
        b, r.vk_descriptor_type, r.vk_format, static_cast<vgf_fb::ResourceCategory>(r.category),
        description, r.has_sampler ? vgf_fb::ExtraConfig::SamplerConfig : vgf_fb::ExtraConfig::NONE,
        sampler, r.alias_group_id));
  }
  b.Finish(vgf_fb::CreateModelResourceTable(b, b.CreateVector(entries)));
  return Finished(b);
}

void Put64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void Put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

std::vector<uint8_t> ConstantsSection(const VgfFile& file) {
  std::vector<uint8_t> out = {'C', 'O', 'N', 'S', 'T', '0', '0', '\0'};
  Put64(out, file.constants.size());
  uint64_t offset = 0;
  for (const VgfConstant& c : file.constants) {
    Put32(out, c.mrt_index);
    Put32(out, static_cast<uint32_t>(static_cast<int32_t>(c.sparsity_dimension)));
    Put64(out, c.data.size());
    Put64(out, offset);
    offset += (c.data.size() + 7) / 8 * 8;
  }
  for (const VgfConstant& c : file.constants) {
    out.insert(out.end(), c.data.begin(), c.data.end());
    out.resize((out.size() + 7) / 8 * 8, 0);
  }
  return out;
}

}  // namespace

std::vector<uint8_t> SerializeVgfFile(const VgfFile& file) {
  const std::vector<uint8_t> sections[4] = {ModuleSection(file), SequenceSection(file),
                                            ResourceSection(file), ConstantsSection(file)};
  std::vector<uint8_t> out(kVgfHeaderSize, 0);
  std::memcpy(out.data(), "VGF1", 4);
  std::memcpy(out.data() + 4, &file.vk_header_version, 2);
  out[8] = kVersionMajor;
  out[9] = kVersionMinor;
  out[10] = kVersionPatch;
  for (int i = 0; i < 4; ++i) {
    out.resize((out.size() + 7) / 8 * 8, 0);  // 0.4.3: sections start 8-byte aligned
    const uint64_t offset = out.size();
    const uint64_t size = sections[i].size();
    std::memcpy(out.data() + 16 + 16 * i, &offset, 8);
    std::memcpy(out.data() + 24 + 16 * i, &size, 8);
    out.insert(out.end(), sections[i].begin(), sections[i].end());
  }
  return out;
}

}  // namespace inferd::graph::vgf

// ReadVgfFile: the fixed header, four sections, FlatBuffers verification and cross-table indexes.
#include <cstring>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/graph/vgf/vgf_file.h"
#include "engine/graph/vgf/vgf_generated.h"
#include "flatbuffers/flatbuffers.h"

namespace inferd::graph::vgf {
namespace {

constexpr uint8_t kMagic[4] = {'V', 'G', 'F', '1'};
constexpr uint32_t kOldMagic = 0xF0E1D2C3;  // deprecated, still accepted by the reference decoder
constexpr uint8_t kOldestMinor = 3;
constexpr uint8_t kNewestMinor = 5;
constexpr char kConst00[8] = {'C', 'O', 'N', 'S', 'T', '0', '0', '\0'};
constexpr size_t kConstRecordSize = 24;

// Limits for the structure verifier: far above any real model.
constexpr flatbuffers::uoffset_t kMaxVerifierDepth = 64;
constexpr flatbuffers::uoffset_t kMaxVerifierTables = 10'000'000;

absl::Status Invalid(std::string message) {
  return absl::InvalidArgumentError(absl::StrCat("VGF file: ", message));
}

template <typename T>
T ReadLE(std::span<const uint8_t> bytes, size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

struct Section {
  const char* name;
  uint64_t offset;
  uint64_t size;
};

// A section's bytes, 8-byte aligned: a view when the file's copy already is, else a copy.
class AlignedSection {
 public:
  AlignedSection(std::span<const uint8_t> file, const Section& s) {
    std::span<const uint8_t> view = file.subspan(s.offset, s.size);
    if (reinterpret_cast<uintptr_t>(view.data()) % 8 == 0) {
      bytes_ = view;
    } else {
      // uint64_t storage gives the 8-byte alignment force_align: 8 asks for.
      storage_.resize((view.size() + 7) / 8);
      std::memcpy(storage_.data(), view.data(), view.size());
      bytes_ =
          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(storage_.data()), view.size());
    }
  }
  std::span<const uint8_t> bytes() const { return bytes_; }

 private:
  std::vector<uint64_t> storage_;
  std::span<const uint8_t> bytes_;
};

template <typename Root>
absl::StatusOr<const Root*> VerifiedRoot(const AlignedSection& section, const Section& s) {
  const std::span<const uint8_t> bytes = section.bytes();
  if (bytes.size() < sizeof(flatbuffers::uoffset_t) + sizeof(flatbuffers::soffset_t)) {
    return Invalid(absl::StrCat(s.name, " section (offset ", s.offset, ", ", s.size,
                                " bytes) is too small to hold a FlatBuffers table"));
  }
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), kMaxVerifierDepth, kMaxVerifierTables);
  if (!verifier.VerifyBuffer<Root>(nullptr)) {
    return Invalid(absl::StrCat(s.name, " section (offset ", s.offset, ", ", s.size,
                                " bytes): FlatBuffers structure verification failed"));
  }
  return flatbuffers::GetRoot<Root>(bytes.data());
}

std::string Str(const flatbuffers::String* s) { return s == nullptr ? std::string() : s->str(); }

// Scalar vectors are copied bytewise: the verifier checks a vector's length field for 4-byte
// alignment only, so the int64 elements of a crafted file may sit 4 bytes off their alignment.
// (FlatBuffers data is little-endian, as every host inferd builds for.)
template <typename T>
std::vector<T> Vec(const flatbuffers::Vector<T>* v) {
  if (v == nullptr || v->size() == 0) return {};
  std::vector<T> out(v->size());
  std::memcpy(out.data(), v->Data(), v->size() * sizeof(T));
  return out;
}

std::vector<VgfBinding> Bindings(
    const flatbuffers::Vector<flatbuffers::Offset<vgf_fb::BindingSlot>>* v) {
  std::vector<VgfBinding> out;
  if (v == nullptr) return out;
  for (const vgf_fb::BindingSlot* slot : *v) out.push_back({slot->binding(), slot->mrt_index()});
  return out;
}

absl::Status ReadModules(const vgf_fb::ModuleTable& table, VgfFile& file) {
  if (table.modules() == nullptr) return absl::OkStatus();
  for (flatbuffers::uoffset_t i = 0; i < table.modules()->size(); ++i) {
    const vgf_fb::Module* m = table.modules()->Get(i);
    VgfModule module;
    const auto type = static_cast<uint8_t>(m->type());
    if (type > 1) {
      return Invalid(absl::StrCat("module ", i, " has unknown type ", type,
                                  " (expected 0 COMPUTE or 1 GRAPH)"));
    }
    module.type = static_cast<VgfModuleType>(type);
    module.name = Str(m->name());
    module.entry_point = Str(m->entry_point());
    // The verifier accepts a union whose type is set and whose value is absent: refuse that here.
    auto absent = [&](const char* kind) {
      return Invalid(absl::StrCat("module ", i, " ('", module.name, "') says it holds ", kind,
                                  " code but holds none"));
    };
    switch (m->code_type()) {
      case vgf_fb::ModuleCode::NONE:
        module.code_kind = VgfCodeKind::kNone;
        break;
      case vgf_fb::ModuleCode::SPIRV:
        if (m->code_as_SPIRV() == nullptr) return absent("SPIR-V");
        module.code_kind = VgfCodeKind::kSpirv;
        module.spirv = Vec(m->code_as_SPIRV()->words());
        break;
      case vgf_fb::ModuleCode::GLSL:
        if (m->code_as_GLSL() == nullptr) return absent("GLSL");
        module.code_kind = VgfCodeKind::kGlsl;
        module.source = Str(m->code_as_GLSL()->code());
        break;
      case vgf_fb::ModuleCode::HLSL:
        if (m->code_as_HLSL() == nullptr) return absent("HLSL");
        module.code_kind = VgfCodeKind::kHlsl;
        module.source = Str(m->code_as_HLSL()->code());
        break;
      default:
        return Invalid(absl::StrCat("module ", i, " ('", module.name, "') has unknown code kind ",
                                    static_cast<int>(m->code_type())));
    }
    file.modules.push_back(std::move(module));
  }
  return absl::OkStatus();
}

absl::Status ReadSequence(const vgf_fb::ModelSequenceTable& table, VgfFile& file) {
  if (table.segments() != nullptr) {
    for (flatbuffers::uoffset_t i = 0; i < table.segments()->size(); ++i) {
      const vgf_fb::SegmentInfo* s = table.segments()->Get(i);
      VgfSegment segment;
      const auto type = static_cast<uint8_t>(s->type());
      if (type > 1) {
        return Invalid(absl::StrCat("segment ", i, " has unknown type ", type,
                                    " (expected 0 COMPUTE or 1 GRAPH)"));
      }
      segment.type = static_cast<VgfModuleType>(type);
      segment.name = Str(s->name());
      segment.module_index = s->module_index();
      if (s->set_infos() != nullptr) {
        for (flatbuffers::uoffset_t k = 0; k < s->set_infos()->size(); ++k) {
          const vgf_fb::DescriptorSetInfo* set = s->set_infos()->Get(k);
          segment.descriptor_sets.push_back(
              {set->set_index() == 0xFFFFFFFF ? static_cast<uint32_t>(k) : set->set_index(),
               Bindings(set->bindings())});
        }
      }
      segment.inputs = Bindings(s->inputs());
      segment.outputs = Bindings(s->outputs());
      segment.constants = Vec(s->constants());
      segment.dispatch_shape = Vec(s->dispatch_shape());
      if (s->push_constant_ranges() != nullptr) {
        for (const vgf_fb::PushConstantRange* r : *s->push_constant_ranges()) {
          segment.push_constant_ranges.push_back({r->stage_flags(), r->offset(), r->size()});
        }
      }
      if (s->constant_bindings() != nullptr) {
        for (const vgf_fb::ConstantBinding* b : *s->constant_bindings()) {
          segment.constant_bindings.push_back({b->graph_constant_id(), b->constant_table_index()});
        }
      }
      file.segments.push_back(std::move(segment));
    }
  }
  file.inputs = Bindings(table.inputs());
  file.outputs = Bindings(table.outputs());
  if (table.input_names() != nullptr) {
    for (const flatbuffers::String* name : *table.input_names())
      file.input_names.push_back(Str(name));
  }
  if (table.output_names() != nullptr) {
    for (const flatbuffers::String* name : *table.output_names()) {
      file.output_names.push_back(Str(name));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadResources(const vgf_fb::ModelResourceTable& table, VgfFile& file) {
  if (table.mrt_entry() == nullptr) return absl::OkStatus();
  for (flatbuffers::uoffset_t i = 0; i < table.mrt_entry()->size(); ++i) {
    const vgf_fb::ModelResourceTableEntry* e = table.mrt_entry()->Get(i);
    VgfResource resource;
    resource.vk_descriptor_type = e->vk_descriptor_type();
    resource.vk_format = e->vk_format();
    const auto category = static_cast<uint8_t>(e->category());
    if (category > 3) {
      return Invalid(absl::StrCat("resource ", i, " has unknown category ", category));
    }
    resource.category = static_cast<VgfResourceCategory>(category);
    if (e->description() != nullptr) {
      resource.shape = Vec(e->description()->shape());
      resource.strides = Vec(e->description()->strides());
    }
    resource.alias_group_id = e->alias_group_id();
    if (const vgf_fb::SamplerConfig* sampler = e->extra_config_as_SamplerConfig();
        sampler != nullptr) {
      resource.has_sampler = true;
      resource.sampler =
          VgfSampler{sampler->min_filter(), sampler->mag_filter(), sampler->address_mode_u(),
                     sampler->address_mode_v(), sampler->border_color()};
    }
    file.resources.push_back(std::move(resource));
  }
  return absl::OkStatus();
}

absl::Status ReadLegacyConstants(const AlignedSection& aligned, const Section& s, VgfFile& file) {
  auto root = VerifiedRoot<vgf_fb::ConstantSection>(aligned, s);
  if (!root.ok()) return root.status();
  file.legacy_constants = true;
  if ((*root)->data() == nullptr) return absl::OkStatus();
  for (const vgf_fb::ConstantData* c : *(*root)->data()) {
    file.constants.push_back({c->mrt_index(), c->sparsity_dimension(), Vec(c->raw())});
  }
  return absl::OkStatus();
}

absl::Status ReadRawConstants(std::span<const uint8_t> bytes, const Section& s, VgfFile& file) {
  if (bytes.size() < 16) {
    return Invalid(absl::StrCat("constants section (offset ", s.offset, ") is ", bytes.size(),
                                " bytes; the CONST00 header needs 16"));
  }
  const uint64_t count = ReadLE<uint64_t>(bytes, 8);
  const uint64_t records_end_limit = (bytes.size() - 16) / kConstRecordSize;
  if (count > records_end_limit) {
    return Invalid(absl::StrCat("constants section (offset ", s.offset, ", ", bytes.size(),
                                " bytes) claims ", count, " constants; at most ", records_end_limit,
                                " records fit"));
  }
  const size_t payload_start = 16 + count * kConstRecordSize;
  const uint64_t payload_size = bytes.size() - payload_start;
  for (uint64_t i = 0; i < count; ++i) {
    const size_t record = 16 + i * kConstRecordSize;
    VgfConstant constant;
    constant.mrt_index = ReadLE<uint32_t>(bytes, record);
    constant.sparsity_dimension = ReadLE<int32_t>(bytes, record + 4);
    const uint64_t size = ReadLE<uint64_t>(bytes, record + 8);
    const uint64_t offset = ReadLE<uint64_t>(bytes, record + 16);
    if (offset > payload_size || size > payload_size - offset) {
      return Invalid(absl::StrCat("constant ", i, ": data at payload offset ", offset, " (", size,
                                  " bytes) lies outside the constants payload of ", payload_size,
                                  " bytes"));
    }
    const auto* begin = bytes.data() + payload_start + offset;
    constant.data.assign(begin, begin + size);
    file.constants.push_back(std::move(constant));
  }
  return absl::OkStatus();
}

absl::Status CheckBindings(const std::vector<VgfBinding>& bindings, size_t resources,
                           const std::string& where) {
  for (size_t i = 0; i < bindings.size(); ++i) {
    if (bindings[i].mrt_index >= resources) {
      return Invalid(absl::StrCat(where, " binding ", i, " (binding ", bindings[i].binding,
                                  ") refers to resource ", bindings[i].mrt_index, "; the file has ",
                                  resources));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckIndexes(const VgfFile& file) {
  const size_t resources = file.resources.size();
  for (size_t i = 0; i < file.segments.size(); ++i) {
    const VgfSegment& s = file.segments[i];
    const std::string where = absl::StrCat("segment ", i, " ('", s.name, "')");
    if (s.module_index >= file.modules.size()) {
      return Invalid(absl::StrCat(where, " refers to module ", s.module_index, "; the file has ",
                                  file.modules.size()));
    }
    if (file.modules[s.module_index].type != s.type) {
      return Invalid(absl::StrCat(
          where, " is ", std::string(VgfModuleTypeName(s.type)), " but its module ", s.module_index,
          " is ", std::string(VgfModuleTypeName(file.modules[s.module_index].type))));
    }
    for (size_t k = 0; k < s.descriptor_sets.size(); ++k) {
      if (auto st = CheckBindings(s.descriptor_sets[k].bindings, resources,
                                  absl::StrCat(where, " descriptor set ", k));
          !st.ok()) {
        return st;
      }
    }
    if (auto st = CheckBindings(s.inputs, resources, absl::StrCat(where, " input")); !st.ok()) {
      return st;
    }
    if (auto st = CheckBindings(s.outputs, resources, absl::StrCat(where, " output")); !st.ok()) {
      return st;
    }
    for (size_t k = 0; k < s.constants.size(); ++k) {
      if (s.constants[k] >= file.constants.size()) {
        return Invalid(absl::StrCat(where, " constant ", k, " refers to constant ", s.constants[k],
                                    "; the file has ", file.constants.size()));
      }
    }
    for (size_t k = 0; k < s.constant_bindings.size(); ++k) {
      if (s.constant_bindings[k].constant_index >= file.constants.size()) {
        return Invalid(absl::StrCat(where, " constant binding ", k, " (GraphConstantID ",
                                    s.constant_bindings[k].graph_constant_id,
                                    ") refers to constant ", s.constant_bindings[k].constant_index,
                                    "; the file has ", file.constants.size()));
      }
    }
    if (!s.dispatch_shape.empty() && s.dispatch_shape.size() != 3) {
      return Invalid(absl::StrCat(where, " has a dispatch shape of ", s.dispatch_shape.size(),
                                  " elements; expected 3"));
    }
  }
  if (auto st = CheckBindings(file.inputs, resources, "model input"); !st.ok()) return st;
  if (auto st = CheckBindings(file.outputs, resources, "model output"); !st.ok()) return st;
  if (!file.input_names.empty() && file.input_names.size() != file.inputs.size()) {
    return Invalid(absl::StrCat("the model has ", file.inputs.size(), " inputs but ",
                                file.input_names.size(), " input names"));
  }
  if (!file.output_names.empty() && file.output_names.size() != file.outputs.size()) {
    return Invalid(absl::StrCat("the model has ", file.outputs.size(), " outputs but ",
                                file.output_names.size(), " output names"));
  }
  for (size_t i = 0; i < file.constants.size(); ++i) {
    if (file.constants[i].mrt_index >= resources) {
      return Invalid(absl::StrCat("constant ", i, " refers to resource ",
                                  file.constants[i].mrt_index, "; the file has ", resources));
    }
    if (file.constants[i].sparsity_dimension < -1) {
      return Invalid(absl::StrCat("constant ", i, " has invalid sparsity dimension ",
                                  file.constants[i].sparsity_dimension));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view VgfModuleTypeName(VgfModuleType type) {
  return type == VgfModuleType::kCompute ? "COMPUTE" : "GRAPH";
}

std::string_view VgfCodeKindName(VgfCodeKind kind) {
  switch (kind) {
    case VgfCodeKind::kSpirv:
      return "SPIR-V";
    case VgfCodeKind::kGlsl:
      return "GLSL";
    case VgfCodeKind::kHlsl:
      return "HLSL";
    default:
      return "none";
  }
}

std::string_view VgfResourceCategoryName(VgfResourceCategory category) {
  switch (category) {
    case VgfResourceCategory::kInput:
      return "INPUT";
    case VgfResourceCategory::kOutput:
      return "OUTPUT";
    case VgfResourceCategory::kIntermediate:
      return "INTERMEDIATE";
    default:
      return "CONSTANT";
  }
}

absl::StatusOr<VgfFile> ReadVgfFile(std::span<const uint8_t> bytes) {
  if (bytes.size() < kVgfHeaderSize) {
    return Invalid(
        absl::StrCat("truncated header: ", bytes.size(), " bytes, the header is ", kVgfHeaderSize));
  }
  if (std::memcmp(bytes.data(), kMagic, 4) != 0 && ReadLE<uint32_t>(bytes, 0) != kOldMagic) {
    return Invalid(absl::StrCat("bad magic 0x", absl::Hex(ReadLE<uint32_t>(bytes, 0)),
                                " at offset 0; expected 'VGF1'"));
  }
  VgfFile file;
  file.vk_header_version = ReadLE<uint16_t>(bytes, 4);
  file.version = {bytes[8], bytes[9], bytes[10]};
  if (file.version.major != 0 || file.version.minor < kOldestMinor ||
      file.version.minor > kNewestMinor) {
    return Invalid(absl::StrCat("format version ", file.version.major, ".", file.version.minor, ".",
                                file.version.patch,
                                " is not supported; inferd reads 0.3.0 through 0.5.x"));
  }
  const char* names[4] = {"module", "model sequence", "model resource", "constants"};
  Section sections[4];
  for (int i = 0; i < 4; ++i) {
    sections[i] = {names[i], ReadLE<uint64_t>(bytes, 16 + 16 * i),
                   ReadLE<uint64_t>(bytes, 24 + 16 * i)};
    const Section& s = sections[i];
    if (s.offset < kVgfHeaderSize || s.offset > bytes.size() || s.size > bytes.size() - s.offset) {
      if (s.size == 0 && s.offset <= bytes.size()) continue;
      return Invalid(absl::StrCat(s.name, " section at offset ", s.offset, " (", s.size,
                                  " bytes) lies outside the file of ", bytes.size(), " bytes"));
    }
  }
  {
    const Section& s = sections[0];
    if (s.size == 0) return Invalid("the module section is empty");
    AlignedSection aligned(bytes, s);
    auto root = VerifiedRoot<vgf_fb::ModuleTable>(aligned, s);
    if (!root.ok()) return root.status();
    if (auto st = ReadModules(**root, file); !st.ok()) return st;
  }
  if (const Section& s = sections[1]; s.size > 0) {
    AlignedSection aligned(bytes, s);
    auto root = VerifiedRoot<vgf_fb::ModelSequenceTable>(aligned, s);
    if (!root.ok()) return root.status();
    if (auto st = ReadSequence(**root, file); !st.ok()) return st;
  }
  if (const Section& s = sections[2]; s.size > 0) {
    AlignedSection aligned(bytes, s);
    auto root = VerifiedRoot<vgf_fb::ModelResourceTable>(aligned, s);
    if (!root.ok()) return root.status();
    if (auto st = ReadResources(**root, file); !st.ok()) return st;
  }
  if (const Section& s = sections[3]; s.size > 0) {
    AlignedSection aligned(bytes, s);
    const std::span<const uint8_t> data = aligned.bytes();
    absl::Status st = data.size() >= 8 && std::memcmp(data.data(), kConst00, 8) == 0
                          ? ReadRawConstants(data, s, file)
                          : ReadLegacyConstants(aligned, s, file);
    if (!st.ok()) return st;
  }
  if (auto st = CheckIndexes(file); !st.ok()) return st;
  return file;
}

}  // namespace inferd::graph::vgf

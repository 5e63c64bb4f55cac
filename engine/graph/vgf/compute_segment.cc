#include "engine/graph/vgf/compute_segment.h"

#include <cstring>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"

namespace inferd::graph::vgf {
namespace {

// Little-endian u32 fields and length-prefixed strings after a 4-byte tag; the tag's digit is
// the layout's version.
constexpr char kTag[4] = {'I', 'V', 'C', '1'};

void PutU32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutString(std::vector<uint8_t>& out, const std::string& s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  absl::StatusOr<uint32_t> U32(const char* what) {
    if (bytes_.size() - at_ < 4) return Truncated(what);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{bytes_[at_ + i]} << (8 * i);
    at_ += 4;
    return v;
  }
  absl::StatusOr<std::string> String(const char* what) {
    auto size = U32(what);
    if (!size.ok()) return size.status();
    if (bytes_.size() - at_ < *size) return Truncated(what);
    std::string s(reinterpret_cast<const char*>(bytes_.data() + at_), *size);
    at_ += *size;
    return s;
  }
  absl::StatusOr<std::vector<uint32_t>> Words(const char* what) {
    auto count = U32(what);
    if (!count.ok()) return count.status();
    if ((bytes_.size() - at_) / 4 < *count) return Truncated(what);
    std::vector<uint32_t> words(*count);
    for (uint32_t& w : words) w = *U32(what);
    return words;
  }
  bool Tag() {
    if (bytes_.size() < sizeof(kTag) || std::memcmp(bytes_.data(), kTag, sizeof(kTag)) != 0) {
      return false;
    }
    at_ = sizeof(kTag);
    return true;
  }
  size_t left() const { return bytes_.size() - at_; }

 private:
  static absl::Status Truncated(const char* what) {
    return absl::InvalidArgumentError(
        absl::StrCat("compute segment attributes end inside the ", what));
  }
  std::span<const uint8_t> bytes_;
  size_t at_ = 0;
};

}  // namespace

std::vector<uint8_t> EncodeComputeSegment(const ComputeSegment& segment) {
  std::vector<uint8_t> out(kTag, kTag + sizeof(kTag));
  PutString(out, segment.name);
  PutString(out, segment.entry_point);
  PutU32(out, static_cast<uint32_t>(segment.code));
  if (segment.code == ComputeSegment::Code::kSpirv) {
    PutU32(out, static_cast<uint32_t>(segment.spirv.size()));
    for (uint32_t w : segment.spirv) PutU32(out, w);
  } else {
    PutString(out, segment.glsl);
  }
  PutU32(out, static_cast<uint32_t>(segment.bindings.size()));
  for (const ComputeSegmentBinding& b : segment.bindings) {
    for (uint32_t field :
         {b.set, b.binding, b.output ? 1u : 0u, b.operand, static_cast<uint32_t>(b.kind),
          b.vk_format, b.sampler.min_filter, b.sampler.mag_filter, b.sampler.address_mode_u,
          b.sampler.address_mode_v, b.sampler.border_color}) {
      PutU32(out, field);
    }
  }
  for (uint32_t count : segment.workgroups) PutU32(out, count);
  PutU32(out, segment.push_constant_bytes);
  return out;
}

absl::StatusOr<ComputeSegment> DecodeComputeSegment(std::span<const uint8_t> bytes, size_t inputs,
                                                    size_t outputs) {
  Reader r(bytes);
  if (!r.Tag()) {
    return absl::InvalidArgumentError(
        "compute segment attributes do not start with inferd's tag (IVC1)");
  }
  ComputeSegment segment;
  auto name = r.String("segment name");
  if (!name.ok()) return name.status();
  segment.name = *std::move(name);
  auto entry = r.String("entry point");
  if (!entry.ok()) return entry.status();
  segment.entry_point = *std::move(entry);
  auto code = r.U32("code kind");
  if (!code.ok()) return code.status();
  if (*code == static_cast<uint32_t>(ComputeSegment::Code::kSpirv)) {
    segment.code = ComputeSegment::Code::kSpirv;
    auto words = r.Words("SPIR-V words");
    if (!words.ok()) return words.status();
    segment.spirv = *std::move(words);
  } else if (*code == static_cast<uint32_t>(ComputeSegment::Code::kGlsl)) {
    segment.code = ComputeSegment::Code::kGlsl;
    auto glsl = r.String("GLSL source");
    if (!glsl.ok()) return glsl.status();
    segment.glsl = *std::move(glsl);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("compute segment '", segment.name, "' has unknown code kind ", *code));
  }
  auto count = r.U32("binding count");
  if (!count.ok()) return count.status();
  constexpr size_t kBindingBytes = 11 * 4;
  if (r.left() / kBindingBytes < *count) {
    return absl::InvalidArgumentError("compute segment attributes end inside the bindings");
  }
  std::set<std::pair<uint32_t, uint32_t>> slots;
  std::vector<bool> input_bound(inputs, false), output_bound(outputs, false);
  for (uint32_t i = 0; i < *count; ++i) {
    ComputeSegmentBinding b;
    b.set = *r.U32("bindings");
    b.binding = *r.U32("bindings");
    const uint32_t output = *r.U32("bindings");
    b.operand = *r.U32("bindings");
    const uint32_t kind = *r.U32("bindings");
    b.vk_format = *r.U32("bindings");
    b.sampler.min_filter = *r.U32("bindings");
    b.sampler.mag_filter = *r.U32("bindings");
    b.sampler.address_mode_u = *r.U32("bindings");
    b.sampler.address_mode_v = *r.U32("bindings");
    b.sampler.border_color = *r.U32("bindings");
    if (kind > static_cast<uint32_t>(ComputeSegmentBinding::Kind::kSampledImage)) {
      return absl::InvalidArgumentError(absl::StrCat("compute segment '", segment.name,
                                                     "': binding ", i, " has unknown kind ", kind));
    }
    b.kind = static_cast<ComputeSegmentBinding::Kind>(kind);
    if (output > 1) {
      return absl::InvalidArgumentError(absl::StrCat("compute segment '", segment.name,
                                                     "': binding ", i, " has direction ", output,
                                                     " (0: input, 1: output)"));
    }
    b.output = output == 1;
    if (b.output && b.kind == ComputeSegmentBinding::Kind::kSampledImage) {
      return absl::InvalidArgumentError(absl::StrCat(
          "compute segment '", segment.name, "': binding ", i, " is a sampled image it writes"));
    }
    if (b.operand >= (b.output ? outputs : inputs)) {
      return absl::InvalidArgumentError(
          absl::StrCat("compute segment '", segment.name, "': binding ", i, " names ",
                       b.output ? "output " : "input ", b.operand, " of an operator with ",
                       b.output ? outputs : inputs, b.output ? " outputs" : " inputs"));
    }
    if (!slots.emplace(b.set, b.binding).second) {
      return absl::InvalidArgumentError(absl::StrCat("compute segment '", segment.name,
                                                     "' binds set ", b.set, " binding ", b.binding,
                                                     " twice"));
    }
    (b.output ? output_bound : input_bound)[b.operand] = true;
    segment.bindings.push_back(b);
  }
  for (size_t k = 0; k < inputs + outputs; ++k) {
    const bool output = k >= inputs;
    if (!(output ? output_bound[k - inputs] : input_bound[k])) {
      return absl::InvalidArgumentError(absl::StrCat("compute segment '", segment.name,
                                                     "': ", output ? "output " : "input ",
                                                     output ? k - inputs : k, " is not bound"));
    }
  }
  for (uint32_t& groups : segment.workgroups) {
    auto v = r.U32("workgroup counts");
    if (!v.ok()) return v.status();
    groups = *v;
  }
  auto push = r.U32("push-constant size");
  if (!push.ok()) return push.status();
  segment.push_constant_bytes = *push;
  if (r.left() != 0) {
    return absl::InvalidArgumentError(absl::StrCat("compute segment '", segment.name, "' has ",
                                                   r.left(), " bytes after its attributes"));
  }
  return segment;
}

absl::StatusOr<std::optional<ComputeSegment>> ComputeSegmentOf(const Operator& op) {
  if (op.op != Op::kCustom) return std::nullopt;
  const auto* custom = std::get_if<CustomAttr>(&op.attribute);
  if (custom == nullptr || custom->domain_name != kComputeSegmentDomain ||
      custom->operator_name != kComputeSegmentOperator) {
    return std::nullopt;
  }
  auto segment =
      DecodeComputeSegment(custom->implementation_attrs, op.inputs.size(), op.outputs.size());
  if (!segment.ok()) return segment.status();
  return std::optional<ComputeSegment>(*std::move(segment));
}

const Operator* FirstComputeSegment(const Graph& graph) {
  for (const Operator& op : graph.main_block().operators) {
    const auto* custom = std::get_if<CustomAttr>(&op.attribute);
    if (op.op == Op::kCustom && custom != nullptr && custom->domain_name == kComputeSegmentDomain &&
        custom->operator_name == kComputeSegmentOperator) {
      return &op;
    }
  }
  return nullptr;
}

}  // namespace inferd::graph::vgf

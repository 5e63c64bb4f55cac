#include "tests/backends/cpu/conformance_case.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace inferd::cpu::testing {
namespace fs = std::filesystem;
using google::protobuf::Struct;
using google::protobuf::Value;

namespace {

const Value* Field(const Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? nullptr : &it->second;
}

std::vector<std::string> Strings(const Struct& s, const std::string& key) {
  std::vector<std::string> out;
  const Value* v = Field(s, key);
  if (v == nullptr || !v->has_list_value()) return out;
  for (const Value& item : v->list_value().values()) out.push_back(item.string_value());
  return out;
}

}  // namespace

std::optional<fs::path> ConformanceDir() {
  fs::path dir;
  if (const char* env = std::getenv("INFERD_TOSA_CONFORMANCE_DIR"); env != nullptr && *env) {
    dir = env;
  } else {
    dir = fs::path(INFERD_SOURCE_DIR) / ".." / "shared" / "tosa-conformance";
  }
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  return dir;
}

std::vector<fs::path> CaseDirs(const fs::path& root, const std::string& group) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  const fs::path base = root / "operators" / group;
  if (!fs::is_directory(base, ec)) return dirs;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / "test.tosa")) {
      dirs.push_back(entry.path());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

std::vector<std::string> GroupsWithPrefix(const fs::path& root, const std::string& category,
                                          const std::string& prefix) {
  std::vector<std::string> groups;
  std::error_code ec;
  const fs::path base = root / "operators" / category;
  if (!fs::is_directory(base, ec)) return groups;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && absl::StartsWith(name, prefix)) {
      groups.push_back(category + "/" + name);
    }
  }
  std::sort(groups.begin(), groups.end());
  return groups;
}

absl::StatusOr<ConformanceCase> ReadCase(const fs::path& dir) {
  std::ifstream in(dir / "desc.json");
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", (dir / "desc.json").string()));
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Struct desc;
  if (auto status = google::protobuf::util::JsonStringToMessage(json, &desc); !status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat((dir / "desc.json").string(), ": ", status.ToString()));
  }
  ConformanceCase c;
  c.dir = dir;
  c.input_names = Strings(desc, "ifm_name");
  c.input_files = Strings(desc, "ifm_file");
  if (const Value* v = Field(desc, "expected_failure")) c.expected_failure = v->bool_value();
  const Struct* compliance = nullptr;
  if (const Value* meta = Field(desc, "meta"); meta != nullptr && meta->has_struct_value()) {
    if (const Value* comp = Field(meta->struct_value(), "compliance");
        comp != nullptr && comp->has_struct_value()) {
      if (const Value* tensors = Field(comp->struct_value(), "tensors");
          tensors != nullptr && tensors->has_struct_value()) {
        compliance = &tensors->struct_value();
      }
    }
  }
  for (const std::string& name : Strings(desc, "ofm_name")) {
    ConformanceOutput output;
    output.name = name;
    output.mode = "EXACT";
    if (compliance != nullptr) {
      if (const Value* t = Field(*compliance, name); t != nullptr && t->has_struct_value()) {
        if (const Value* mode = Field(t->struct_value(), "mode"))
          output.mode = mode->string_value();
        if (const Value* info = Field(t->struct_value(), "dot_product_info");
            info != nullptr && info->has_struct_value()) {
          if (const Value* ksb = Field(info->struct_value(), "ksb")) {
            output.ksb = ksb->number_value();
          }
        }
        if (const Value* info = Field(t->struct_value(), "reduce_product_info");
            info != nullptr && info->has_struct_value()) {
          if (const Value* n = Field(info->struct_value(), "n")) {
            output.reduce_product_n = n->number_value();
          }
        }
        if (const Value* info = Field(t->struct_value(), "relative_info");
            info != nullptr && info->has_struct_value()) {
          if (const Value* scale = Field(info->struct_value(), "scale")) {
            output.relative_scale = scale->number_value();
          }
        }
      }
    }
    c.outputs.push_back(output);
  }
  if (c.input_names.size() != c.input_files.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir.string(), ": ifm_name and ifm_file differ in length"));
  }
  return c;
}

}  // namespace inferd::cpu::testing

#include "tests/conformance/test_folder.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace inferd::conformance {
namespace fs = std::filesystem;
using google::protobuf::Struct;
using google::protobuf::Value;

namespace {

const Value* Field(const Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? nullptr : &it->second;
}

const Struct* StructField(const Struct& s, const std::string& key) {
  const Value* v = Field(s, key);
  return v != nullptr && v->has_struct_value() ? &v->struct_value() : nullptr;
}

std::vector<std::string> Strings(const Struct& s, const std::string& key) {
  std::vector<std::string> out;
  const Value* v = Field(s, key);
  if (v == nullptr || !v->has_list_value()) return out;
  for (const Value& item : v->list_value().values()) out.push_back(item.string_value());
  return out;
}

// Reads a numeric field into `out` when present.
template <typename T>
void Number(const Struct* s, const std::string& key, T& out) {
  if (s == nullptr) return;
  if (const Value* v = Field(*s, key); v != nullptr && v->has_number_value()) {
    out = static_cast<T>(v->number_value());
  }
}

void OptionalNumber(const Struct* s, const std::string& key, std::optional<double>& out) {
  if (s == nullptr) return;
  if (const Value* v = Field(*s, key); v != nullptr && v->has_number_value()) {
    out = v->number_value();
  }
}

absl::StatusOr<ComplianceInfo> ParseCompliance(const Struct& t, const std::string& where) {
  ComplianceInfo info;
  const Value* mode = Field(t, "mode");
  if (mode == nullptr) return info;  // EXACT
  const std::optional<ComplianceMode> parsed = ComplianceModeFromName(mode->string_value());
  if (!parsed.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": unknown compliance mode '", mode->string_value(), "'"));
  }
  info.mode = *parsed;
  const Struct* dot = StructField(t, "dot_product_info");
  Number(dot, "s", info.set);
  Number(dot, "ksb", info.ksb);
  OptionalNumber(dot, "abs_bound", info.abs_bound);
  OptionalNumber(dot, "variance_error_bound", info.variance_error_bound);
  const Struct* ulp = StructField(t, "ulp_info");
  Number(ulp, "ulp", info.ulp);
  OptionalNumber(ulp, "ulp_lower", info.ulp_lower);
  const Struct* abs = StructField(t, "abs_error_info");
  Number(abs, "lower_bound", info.lower_bound);
  Number(abs, "base_bound", info.base_bound);
  Number(abs, "normal_divisor", info.normal_divisor);
  Number(abs, "max_compare", info.max_compare);
  if (abs != nullptr) {
    if (const Value* v = Field(*abs, "bound_as_magnitude"))
      info.bound_as_magnitude = v->bool_value();
  }
  const Struct* rel = StructField(t, "relative_info");
  Number(rel, "max", info.relative_max);
  Number(rel, "scale", info.relative_scale);
  Number(rel, "ulp_bound", info.relative_ulp_bound);
  Number(StructField(t, "reduce_product_info"), "n", info.products);
  if (const Struct* inexact = StructField(t, "rescale_inexact_info")) {
    if (const Value* v = Field(*inexact, "unsigned_data")) info.unsigned_data = v->bool_value();
  }
  return info;
}

}  // namespace

absl::StatusOr<TestFolder> ReadTestFolder(const fs::path& dir) {
  const fs::path desc_path = dir / "desc.json";
  std::ifstream in(desc_path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", desc_path.string()));
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Struct desc;
  if (auto status = google::protobuf::util::JsonStringToMessage(json, &desc); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(desc_path.string(), ": ", status.ToString()));
  }
  TestFolder folder;
  folder.dir = dir;
  std::string tosa_name = "test.tosa";
  if (const Value* v = Field(desc, "tosa_file"); v != nullptr && v->has_string_value()) {
    tosa_name = v->string_value();
  }
  folder.tosa_file = dir / tosa_name;
  folder.input_names = Strings(desc, "ifm_name");
  for (const std::string& f : Strings(desc, "ifm_file")) folder.input_files.push_back(dir / f);
  if (folder.input_names.size() != folder.input_files.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(desc_path.string(), ": ifm_name and ifm_file differ in length"));
  }
  if (const Value* v = Field(desc, "expected_failure")) folder.expected_failure = v->bool_value();
  if (const Struct* requirements = StructField(desc, "test_requirements")) {
    folder.extensions = Strings(*requirements, "extensions_required");
  }
  const Struct* tensors = nullptr;
  if (const Struct* meta = StructField(desc, "meta")) {
    if (const Struct* compliance = StructField(*meta, "compliance")) {
      tensors = StructField(*compliance, "tensors");
    }
  }
  for (const std::string& name : Strings(desc, "ofm_name")) {
    TestOutput output;
    output.name = name;
    if (tensors != nullptr) {
      if (const Struct* t = StructField(*tensors, name)) {
        absl::StatusOr<ComplianceInfo> info =
            ParseCompliance(*t, absl::StrCat(desc_path.string(), ", tensor ", name));
        if (!info.ok()) return info.status();
        output.compliance = *info;
      }
    }
    output.expected_file = dir / ("expected-" + name + ".npy");
    output.precise_file = dir / ("expected-precise-" + name + ".npy");
    output.bounds_file = dir / ("bounds_expected-precise-" + name + ".npy");
    folder.outputs.push_back(std::move(output));
  }
  return folder;
}

std::vector<fs::path> FindTestFolders(const std::vector<fs::path>& roots) {
  std::set<fs::path> found;
  for (const fs::path& root : roots) {
    std::error_code ec;
    if (fs::is_regular_file(root / "desc.json", ec)) {
      found.insert(root.lexically_normal());
      continue;
    }
    for (auto it = fs::recursive_directory_iterator(
             root, fs::directory_options::follow_directory_symlink, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().filename() == "desc.json") {
        found.insert(it->path().parent_path().lexically_normal());
      }
    }
  }
  return std::vector<fs::path>(found.begin(), found.end());
}

}  // namespace inferd::conformance

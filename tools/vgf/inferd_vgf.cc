// inferd-vgf: inspects VGF files and converts .tosa graphs to VGF.
//
//   inferd-vgf dump MODEL.vgf [--json] [--input-shape NAME=D0,D1,...]...
//   inferd-vgf convert MODEL.tosa MODEL.vgf
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/graph/graph_validator.h"
#include "engine/graph/tosa_reader.h"
#include "engine/graph/vgf/compute_segment.h"
#include "engine/graph/vgf/vgf_file.h"
#include "engine/graph/vgf/vgf_graph_decoder.h"
#include "engine/graph/vgf/vgf_writer.h"
#include "nlohmann/json.hpp"

namespace inferd::graph::vgf {
namespace {

constexpr char kHelp[] =
    R"(inferd-vgf: inspect VGF files (the ML SDK for Vulkan's model format) and write them.

Usage:
  inferd-vgf dump MODEL.vgf [--json] [--input-shape NAME=D0,D1,...]...
      Prints the header (format version), the modules, the segments with their descriptor
      bindings, the model's inputs and outputs, the resource table, the constants and the TOSA
      operators the GRAPH segment decodes to, with each tensor's type and shape. --json prints the
      same as one JSON object for scripts. A graph whose inputs leave dimensions open (the NSS
      model's do) is listed with those shapes unknown unless --input-shape gives them.
  inferd-vgf convert MODEL.tosa MODEL.vgf
      Writes the .tosa graph as a VGF file of format 0.4.3: one GRAPH segment, CONST tensors as
      graph constants, IDENTITY elided. Refuses, naming the operator, what TOSA.001000.1 cannot
      express: COND_IF, WHILE_LOOP, variables, CUSTOM, shape operators, rank-0 and INT4 tensors.
  inferd-vgf --help

Exit status: 0 on success, 1 when the file cannot be read, decoded or written, 2 on bad usage.
)";

std::optional<std::vector<uint8_t>> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

std::string Dims(const Shape& shape) {
  std::vector<std::string> parts;
  for (int64_t d : shape) parts.push_back(d < 0 ? "?" : absl::StrCat(d));
  return absl::StrCat("[", absl::StrJoin(parts, ","), "]");
}

std::string TensorText(const Tensor& t) {
  return absl::StrCat(t.name, ":", std::string(DTypeName(t.dtype)),
                      t.unranked ? "[?]" : Dims(t.shape));
}

nlohmann::json BindingsJson(const std::vector<VgfBinding>& bindings) {
  nlohmann::json out = nlohmann::json::array();
  for (const VgfBinding& b : bindings)
    out.push_back({{"binding", b.binding}, {"mrt_index", b.mrt_index}});
  return out;
}

nlohmann::json TensorJson(const Tensor& t) {
  nlohmann::json j = {{"name", t.name}, {"dtype", std::string(DTypeName(t.dtype))}};
  if (t.unranked) {
    j["shape"] = nullptr;
  } else {
    j["shape"] = t.shape;
  }
  return j;
}

nlohmann::json FileJson(const VgfFile& file) {
  nlohmann::json j;
  j["version"] = absl::StrCat(file.version.major, ".", file.version.minor, ".", file.version.patch);
  j["vk_header_version"] = file.vk_header_version;
  j["constants_layout"] = file.legacy_constants ? "flatbuffers" : "CONST00";
  for (size_t i = 0; i < file.modules.size(); ++i) {
    const VgfModule& m = file.modules[i];
    j["modules"].push_back({{"index", i},
                            {"type", std::string(VgfModuleTypeName(m.type))},
                            {"name", m.name},
                            {"entry_point", m.entry_point},
                            {"code", std::string(VgfCodeKindName(m.code_kind))},
                            {"spirv_words", m.spirv.size()},
                            {"source_chars", m.source.size()}});
  }
  for (size_t i = 0; i < file.segments.size(); ++i) {
    const VgfSegment& s = file.segments[i];
    nlohmann::json sets = nlohmann::json::array();
    for (const VgfDescriptorSet& set : s.descriptor_sets) {
      sets.push_back({{"set", set.set_index}, {"bindings", BindingsJson(set.bindings)}});
    }
    nlohmann::json constant_bindings = nlohmann::json::array();
    for (const VgfConstantBinding& b : s.constant_bindings) {
      constant_bindings.push_back(
          {{"graph_constant_id", b.graph_constant_id}, {"constant_index", b.constant_index}});
    }
    nlohmann::json push_constants = nlohmann::json::array();
    for (const VgfPushConstantRange& r : s.push_constant_ranges) {
      push_constants.push_back(
          {{"stage_flags", r.stage_flags}, {"offset", r.offset}, {"size", r.size}});
    }
    j["segments"].push_back({{"index", i},
                             {"type", std::string(VgfModuleTypeName(s.type))},
                             {"name", s.name},
                             {"module_index", s.module_index},
                             {"descriptor_sets", sets},
                             {"inputs", BindingsJson(s.inputs)},
                             {"outputs", BindingsJson(s.outputs)},
                             {"constants", s.constants},
                             {"dispatch_shape", s.dispatch_shape},
                             {"push_constant_ranges", push_constants},
                             {"constant_bindings", constant_bindings}});
  }
  j["inputs"] = BindingsJson(file.inputs);
  j["outputs"] = BindingsJson(file.outputs);
  j["input_names"] = file.input_names;
  j["output_names"] = file.output_names;
  for (size_t i = 0; i < file.resources.size(); ++i) {
    const VgfResource& r = file.resources[i];
    j["resources"].push_back({{"index", i},
                              {"category", std::string(VgfResourceCategoryName(r.category))},
                              {"vk_descriptor_type", r.vk_descriptor_type},
                              {"vk_format", r.vk_format},
                              {"shape", r.shape},
                              {"strides", r.strides}});
  }
  for (size_t i = 0; i < file.constants.size(); ++i) {
    const VgfConstant& c = file.constants[i];
    j["constants"].push_back({{"index", i},
                              {"mrt_index", c.mrt_index},
                              {"sparsity_dimension", c.sparsity_dimension},
                              {"bytes", c.data.size()}});
  }
  return j;
}

nlohmann::json GraphJson(const Graph& g) {
  nlohmann::json j;
  const Block& main = g.main_block();
  for (TensorId t : main.inputs) j["inputs"].push_back(TensorJson(g.tensor(t)));
  for (TensorId t : main.outputs) j["outputs"].push_back(TensorJson(g.tensor(t)));
  j["operators"] = nlohmann::json::array();
  for (const Operator& op : main.operators) {
    nlohmann::json o = {{"op", std::string(OpName(op.op))}};
    for (TensorId t : op.inputs) o["inputs"].push_back(TensorJson(g.tensor(t)));
    for (TensorId t : op.outputs) o["outputs"].push_back(TensorJson(g.tensor(t)));
    if (auto segment = ComputeSegmentOf(op); segment.ok() && segment->has_value()) {
      static constexpr const char* kKinds[] = {"storage_buffer", "storage_image", "sampled_image"};
      nlohmann::json compute = {
          {"name", (*segment)->name},
          {"code", (*segment)->code == ComputeSegment::Code::kGlsl ? "GLSL" : "SPIR-V"},
          {"workgroups", (*segment)->workgroups},
          {"bindings", nlohmann::json::array()}};
      for (const ComputeSegmentBinding& b : (*segment)->bindings) {
        compute["bindings"].push_back(
            {{"set", b.set},
             {"binding", b.binding},
             {"kind", kKinds[static_cast<int>(b.kind)]},
             {"writes", b.output},
             {"tensor", g.tensor(b.output ? op.outputs[b.operand] : op.inputs[b.operand]).name}});
      }
      o["compute_segment"] = compute;
    }
    j["operators"].push_back(o);
  }
  return j;
}

void PrintText(const nlohmann::json& file, const Graph* graph, const std::string& graph_error) {
  std::cout << "VGF format " << file["version"].get<std::string>() << " (vk_header_version "
            << file["vk_header_version"] << ", constants "
            << file["constants_layout"].get<std::string>() << ")\n";
  std::cout << "modules:\n";
  for (const auto& m : file.value("modules", nlohmann::json::array())) {
    std::cout << "  #" << m["index"] << " " << m["type"].get<std::string>() << " '"
              << m["name"].get<std::string>() << "' entry '" << m["entry_point"].get<std::string>()
              << "', " << m["code"].get<std::string>() << " (" << m["spirv_words"] << " words)\n";
  }
  std::cout << "segments:\n";
  for (const auto& s : file.value("segments", nlohmann::json::array())) {
    std::cout << "  #" << s["index"] << " " << s["type"].get<std::string>() << " '"
              << s["name"].get<std::string>() << "' module " << s["module_index"] << ", dispatch "
              << s["dispatch_shape"].dump() << ", " << s["constants"].size() << " constants\n";
    for (const auto& set : s["descriptor_sets"]) {
      std::cout << "    set " << set["set"] << ":";
      for (const auto& b : set["bindings"]) {
        std::cout << " binding " << b["binding"] << "->resource " << b["mrt_index"] << ";";
      }
      std::cout << "\n";
    }
  }
  auto names = [&](const char* key, const char* names_key) {
    const auto& slots = file[key];
    for (size_t i = 0; i < slots.size(); ++i) {
      const std::string name =
          i < file[names_key].size() ? file[names_key][i].get<std::string>() : "";
      std::cout << "  " << key << " " << i << " '" << name << "': binding " << slots[i]["binding"]
                << ", resource " << slots[i]["mrt_index"] << "\n";
    }
  };
  std::cout << "model inputs and outputs:\n";
  names("inputs", "input_names");
  names("outputs", "output_names");
  std::cout << "resources:\n";
  for (const auto& r : file.value("resources", nlohmann::json::array())) {
    std::vector<std::string> dims;
    for (const auto& d : r["shape"]) {
      const int64_t v = d.get<int64_t>();
      dims.push_back(v < 0 ? "?" : absl::StrCat(v));
    }
    std::cout << "  #" << r["index"] << " " << r["category"].get<std::string>() << " vk_format "
              << r["vk_format"] << " shape [" << absl::StrJoin(dims, ",") << "]\n";
  }
  std::cout << "constants:\n";
  for (const auto& c : file.value("constants", nlohmann::json::array())) {
    std::cout << "  #" << c["index"] << " resource " << c["mrt_index"] << ", " << c["bytes"]
              << " bytes" << (c["sparsity_dimension"] != -1 ? " (sparse)" : "") << "\n";
  }
  if (graph == nullptr) {
    std::cout << "operators: not decoded: " << graph_error << "\n";
    return;
  }
  const Block& main = graph->main_block();
  std::cout << "operators (" << main.operators.size() << "):\n";
  for (size_t i = 0; i < main.operators.size(); ++i) {
    const Operator& op = main.operators[i];
    std::vector<std::string> ins, outs;
    for (TensorId t : op.inputs) ins.push_back(TensorText(graph->tensor(t)));
    for (TensorId t : op.outputs) outs.push_back(TensorText(graph->tensor(t)));
    std::string name(OpName(op.op));
    // A COMPUTE segment is a CUSTOM operator in the graph; say which segment and how it runs.
    if (auto segment = ComputeSegmentOf(op); segment.ok() && segment->has_value()) {
      name = absl::StrCat("COMPUTE '", (*segment)->name, "' (",
                          (*segment)->code == ComputeSegment::Code::kGlsl ? "GLSL" : "SPIR-V",
                          ", workgroups ", absl::StrJoin((*segment)->workgroups, "x"), ")");
    }
    std::cout << "  " << i << " " << name << "(" << absl::StrJoin(ins, ", ") << ") -> "
              << absl::StrJoin(outs, ", ") << "\n";
  }
}

int Dump(const std::vector<std::string>& args) {
  std::string path;
  bool json = false;
  VgfDecodeOptions options;
  options.leave_open_shapes = true;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      json = true;
    } else if (args[i] == "--input-shape" && i + 1 < args.size()) {
      const std::string spec = args[++i];
      const size_t eq = spec.rfind('=');
      Shape shape;
      bool ok = eq != std::string::npos;
      if (ok) {
        for (absl::string_view part : absl::StrSplit(spec.substr(eq + 1), ',')) {
          int64_t d;
          ok &= absl::SimpleAtoi(part, &d) && d >= 0;
          shape.push_back(d);
        }
      }
      if (!ok) {
        std::cerr << "inferd-vgf: --input-shape wants NAME=D0,D1,..., got '" << spec << "'\n";
        return 2;
      }
      options.input_shapes[spec.substr(0, eq)] = shape;
    } else if (path.empty() && !args[i].starts_with("--")) {
      path = args[i];
    } else {
      std::cerr << "inferd-vgf dump: unexpected argument '" << args[i] << "' (see --help)\n";
      return 2;
    }
  }
  if (path.empty()) {
    std::cerr << "inferd-vgf dump: which file? (see --help)\n";
    return 2;
  }
  auto bytes = ReadFile(path);
  if (!bytes.has_value()) {
    std::cerr << "inferd-vgf: cannot read '" << path << "'\n";
    return 1;
  }
  auto file = ReadVgfFile(*bytes);
  if (!file.ok()) {
    std::cerr << "inferd-vgf: " << path << ": " << file.status().message() << "\n";
    return 1;
  }
  nlohmann::json j = FileJson(*file);
  auto graph = DecodeVgfGraph(*file, options);
  const std::string graph_error = graph.ok() ? "" : std::string(graph.status().message());
  if (json) {
    if (graph.ok()) {
      j["graph"] = GraphJson(**graph);
    } else {
      j["graph_error"] = graph_error;
    }
    std::cout << j.dump(2) << "\n";
  } else {
    PrintText(j, graph.ok() ? graph->get() : nullptr, graph_error);
  }
  return 0;
}

int Convert(const std::vector<std::string>& args) {
  if (args.size() != 2) {
    std::cerr << "inferd-vgf convert: wants MODEL.tosa MODEL.vgf (see --help)\n";
    return 2;
  }
  auto graph = LoadTosaFile(args[0]);
  if (!graph.ok()) {
    std::cerr << "inferd-vgf: " << graph.status().message() << "\n";
    return 1;
  }
  auto bytes = WriteVgfFile(**graph);
  if (!bytes.ok()) {
    std::cerr << "inferd-vgf: " << args[0] << ": " << bytes.status().message() << "\n";
    return 1;
  }
  std::ofstream out(args[1], std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes->data()),
            static_cast<std::streamsize>(bytes->size()));
  if (!out) {
    std::cerr << "inferd-vgf: cannot write '" << args[1] << "'\n";
    return 1;
  }
  std::cout << "wrote " << args[1] << " (" << bytes->size() << " bytes, VGF 0.4.3, "
            << (*graph)->main_block().operators.size() << " TOSA operators in)\n";
  return 0;
}

}  // namespace
}  // namespace inferd::graph::vgf

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << inferd::graph::vgf::kHelp;
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "dump") return inferd::graph::vgf::Dump(args);
  if (command == "convert") return inferd::graph::vgf::Convert(args);
  std::cerr << "inferd-vgf: unknown command '" << command << "' (see --help)\n";
  return 2;
}

#include "tests/conformance/support_table.h"

#include <functional>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backends/cpu/op_support.h"
#ifdef INFERD_HAVE_VULKAN
#include "backends/vulkan/vulkan_op_support.h"
#endif
#include "engine/graph/dtype.h"
#include "engine/graph/op.h"

namespace inferd::conformance {
namespace {

using graph::DType;

// Matrix columns: the element type of an operator's first typed operand.
const DType kColumns[] = {DType::kBool,  DType::kInt4,    DType::kInt8,    DType::kInt16,
                          DType::kInt32, DType::kInt48,   DType::kFp16,    DType::kBf16,
                          DType::kFp32,  DType::kFp8E4M3, DType::kFp8E5M2, DType::kShape};

std::string Name(graph::Op op) { return std::string(graph::OpName(op)); }
std::string Name(DType t) { return std::string(graph::DTypeName(t)); }

constexpr char kUsage[] = R"(# TOSA 1.0 operator support in the CPU and Vulkan backends

This file is generated; do not edit it by hand. Regenerate it from the repository root with

    <build>/tests/conformance/tosa_conformance --support-table ../shared/tosa-conformance \
        > docs/tosa-support.md

(or without the folder argument to leave out the conformance counts). The ctest
`tosa_support_table_current` fails when the support section below no longer matches the code.

## Running the conformance tests

    tosa_conformance [--backend cpu|vulkan] [--skip-unsupported] [--jobs N] [--verbose] FOLDER...

runs every TOSA conformance test folder (a folder holding `desc.json`) at or below each FOLDER:
it loads `test.tosa` as a model load does (reader, validator, then CPU kernel binding, or with
`--backend vulkan` the tosa_vulkan backend's lowering on the first Vulkan device), feeds
`input-N.npy`, and compares each output with the reference model's result under the output's
compliance mode from `desc.json` (EXACT, DOT_PRODUCT, ULP, ABS_ERROR, RELATIVE, FP_SPECIAL,
REDUCE_PRODUCT, RESCALE_INEXACT; see docs/tosa-format.md). BF16, FP8 and INT4 data are read as the
reference model stores them (`'<V2'`, `'<V1'` / `'|u1'` raw bit patterns, one INT4 per byte), by
the element type the graph gives the tensor. It prints one line per failing folder (folder, then
for each output that differs the first bad element: index, got, expected, bound; `--verbose`
shows up to ten per output and lists skipped folders too) and ends with `N passed, M failed`
(`, K skipped` when graphs the CPU backend does not implement were skipped with
`--skip-unsupported`; without that flag they fail). `--jobs N` runs N folders at once (default:
the number of cores). Folders marked `expected_failure` pass when the graph is rejected. The exit status is 0 only when nothing failed. The ctest
`tosa_conformance_shared` runs it over `$INFERD_TOSA_CONFORMANCE_DIR` (default
`<repo>/../shared/tosa-conformance`), without `--skip-unsupported`, and is skipped when that folder
is absent; `tosa_conformance_shared_reference_kernels` runs it again with
`INFERD_CPU_KERNELS=reference`, so the reference kernels behind the optimised ones pass too;
`tosa_conformance_shared_vulkan` runs it on the Vulkan backend (lavapipe in CI) with
`--skip-unsupported`, so every graph the GPU loads must comply and the ones it refuses are counted.

)";

std::string Matrix(const std::vector<graph::OpSupport>& table) {
  std::string out = "| Operator |";
  std::string rule = "|---|";
  for (DType t : kColumns) {
    absl::StrAppend(&out, " ", Name(t), " |");
    absl::StrAppend(&rule, ":-:|");
  }
  absl::StrAppend(&out, "\n", rule, "\n");
  for (const graph::OpSupport& entry : table) {
    absl::StrAppend(&out, "| ", Name(entry.op), " |");
    if (entry.signatures.empty()) {
      for (size_t i = 0; i < std::size(kColumns); ++i) {
        absl::StrAppend(&out, i == 0 ? (entry.supported ? " ✓ (untyped)" : " — (untyped)") : "",
                        " |");
      }
      absl::StrAppend(&out, "\n");
      continue;
    }
    for (DType t : kColumns) {
      int legal = 0, bound = 0;
      for (const graph::OpSignature& s : entry.signatures) {
        if (s.types.empty() || s.types[0] != t) continue;
        ++legal;
        bound += s.supported ? 1 : 0;
      }
      const char* cell = legal == 0 ? "" : bound == legal ? "✓" : bound == 0 ? "✗" : "partial";
      absl::StrAppend(&out, " ", cell, " |");
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

std::string Details(const std::vector<graph::OpSupport>& table) {
  std::string out =
      "| Operator | Supported signatures | Legal but not supported |\n|---|---|---|\n";
  for (const graph::OpSupport& entry : table) {
    std::vector<std::string> yes, no;
    for (const graph::OpSignature& s : entry.signatures)
      (s.supported ? yes : no).push_back(s.label);
    if (entry.signatures.empty()) (entry.supported ? yes : no).push_back("(any)");
    absl::StrAppend(&out, "| ", Name(entry.op), " | ", absl::StrJoin(yes, ", "), " | ",
                    absl::StrJoin(no, ", "), " |\n");
  }
  return out;
}

// Each entry's outcome counts, keyed by what `key` files it under (a folder may count under
// several keys).
struct Row {
  size_t passed = 0, failed = 0, skipped = 0;
  void Add(Outcome outcome) {
    ++(outcome == Outcome::kPassed ? passed : outcome == Outcome::kFailed ? failed : skipped);
  }
};

std::string CountTable(const std::string& first_column, const std::vector<BackendReports>& runs,
                       const std::function<std::vector<std::string>(const FolderReport&)>& keys) {
  std::vector<std::map<std::string, Row>> rows(runs.size());
  std::vector<Row> totals(runs.size());
  std::set<std::string> all_keys;
  for (size_t b = 0; b < runs.size(); ++b) {
    for (const FolderReport& r : runs[b].reports) {
      for (const std::string& key : keys(r)) {
        rows[b][key].Add(r.outcome);
        all_keys.insert(key);
      }
      totals[b].Add(r.outcome);
    }
  }
  std::string header = absl::StrCat("| ", first_column, " |");
  std::string rule = "|---|";
  for (const BackendReports& run : runs) {
    absl::StrAppend(&header, " ", run.backend, " passed | failed | skipped |");
    absl::StrAppend(&rule, "--:|--:|--:|");
  }
  std::string out = absl::StrCat(header, "\n", rule, "\n");
  auto append_row = [&](const std::string& name, const std::vector<Row>& cells) {
    absl::StrAppend(&out, "| ", name, " |");
    for (const Row& row : cells) {
      absl::StrAppend(&out, " ", row.passed, " | ", row.failed, " | ", row.skipped, " |");
    }
    absl::StrAppend(&out, "\n");
  };
  for (const std::string& key : all_keys) {
    std::vector<Row> cells;
    for (size_t b = 0; b < runs.size(); ++b) cells.push_back(rows[b][key]);
    append_row(key, cells);
  }
  append_row("**all**", totals);
  return out;
}

std::string Counts(const std::vector<BackendReports>& runs, const std::string& source) {
  std::string out = absl::StrCat(
      "Folders under `", source, "`, run with `--skip-unsupported` on each backend, grouped by ",
      "the operator under test (the first operator of the main block other than CONST / ",
      "CONST_SHAPE):\n\n");
  absl::StrAppend(&out, CountTable("Operator", runs, [](const FolderReport& r) {
    return std::vector<std::string>{r.op.has_value() ? Name(*r.op) : "(unreadable)"};
  }));
  absl::StrAppend(&out, "\nThe same folders by the extension they require ",
                  "(`test_requirements.extensions_required`; a folder that needs two is counted ",
                  "under both):\n\n");
  absl::StrAppend(&out, CountTable("Extension", runs, [](const FolderReport& r) {
    return r.extensions.empty() ? std::vector<std::string>{"(profiles only)"} : r.extensions;
  }));
  return out;
}

// The signatures the CPU backend runs and `other` does not, per operator; empty rows left out.
std::string Missing(const std::vector<graph::OpSupport>& cpu,
                    const std::vector<graph::OpSupport>& other) {
  std::string out = "| Operator | Runs on tosa_cpu, not on tosa_vulkan |\n|---|---|\n";
  for (size_t i = 0; i < cpu.size(); ++i) {
    std::vector<std::string> missing;
    for (size_t k = 0; k < cpu[i].signatures.size(); ++k) {
      if (cpu[i].signatures[k].supported && !other[i].signatures[k].supported) {
        missing.push_back(cpu[i].signatures[k].label);
      }
    }
    if (cpu[i].signatures.empty() && cpu[i].supported && !other[i].supported) {
      missing.push_back("(any)");
    }
    if (missing.empty()) continue;
    absl::StrAppend(&out, "| ", Name(cpu[i].op), " | ", absl::StrJoin(missing, ", "), " |\n");
  }
  return out;
}

// "N of M operators ...; K of the L type signatures ..." for one backend's table.
std::string SupportTotals(const std::vector<graph::OpSupport>& table, const std::string& backend,
                          const std::string& verb) {
  size_t ops = 0, legal = 0, bound = 0;
  for (const graph::OpSupport& entry : table) {
    ops += entry.supported ? 1 : 0;
    legal += entry.signatures.size();
    for (const graph::OpSignature& s : entry.signatures) bound += s.supported ? 1 : 0;
  }
  return absl::StrCat(ops, " of ", table.size(), " operators run on the ", backend, "; ", bound,
                      " of the ", legal, " type signatures the graph validator accepts ", verb,
                      ".\n\n");
}

std::string VulkanSection(const std::vector<graph::OpSupport>& cpu) {
#ifdef INFERD_HAVE_VULKAN
  const std::vector<graph::OpSupport>& table = vulkan::VulkanOpSupport();
  return absl::StrCat(
      "\n## The Vulkan backend (tosa_vulkan)\n\n",
      SupportTotals(table, "Vulkan backend", "lower to shaders"),
      "The same probe graphs, each offered to the Vulkan backend's lowering "
      "(GraphProgram::CheckRunnable in backends/vulkan/graph_program.h: every operator has a "
      "shader for its types and every tensor a type the GPU stores), which needs no device, so "
      "the table is the same on every machine. A device may still refuse a model at load for "
      "its limits (memory, maxStorageBufferRange). Same legend as above.\n\n",
      Matrix(table), "\n### Not yet on the GPU\n\n", Missing(cpu, table));
#else
  (void)cpu;
  return "\n## The Vulkan backend (tosa_vulkan)\n\nThis build has no Vulkan backend.\n";
#endif
}

}  // namespace

std::string SupportSection() {
  const std::vector<graph::OpSupport>& table = cpu::CpuOpSupport();
  return absl::StrCat(
      kSupportBegin, "\n\n## Operator × data type support\n\n",
      SupportTotals(table, "CPU backend", "bind to a kernel"),
      "Discovered from the code (engine/graph/op_support_probe.h, backends/cpu/op_support.h): "
      "for each operator, every combination "
      "of element types is put in a minimal one-operator graph; the ones the graph validator "
      "accepts are the legal signatures, and a signature is supported when BindOperator binds "
      "it. A column is the type of the operator's first typed operand: ✓ every legal signature "
      "with that type is supported, ✗ none is, *partial* some are, empty: not a legal type. "
      "The VARIABLE operators are probed on one variable of each type, declared, written and "
      "read. CUSTOM carries no types the validator checks; operators registered with "
      "CustomOperatorRegistry (backends/cpu/custom_operators.h) run, an unregistered one fails "
      "the load, which is what its row shows.\n\n",
      Matrix(table), "\n### Signatures\n\n",
      "Inputs `×`-separated, then `→` outputs; `acc` is the accumulator type; a single type "
      "means every operand has it.\n\n",
      Details(table), VulkanSection(table), "\n", kSupportEnd, "\n");
}

bool SupportSectionCoversVulkan() {
#ifdef INFERD_HAVE_VULKAN
  return true;
#else
  return false;
#endif
}

std::string SupportDocument(const std::vector<BackendReports>& conformance,
                            const std::string& conformance_source) {
  std::string doc = absl::StrCat(kUsage, SupportSection(), "\n## Conformance results\n\n");
  if (!conformance.empty()) {
    absl::StrAppend(&doc, Counts(conformance, conformance_source));
  } else {
    absl::StrAppend(&doc,
                    "Not generated: run `tosa_conformance --support-table <conformance set>`.\n");
  }
  return doc;
}

std::optional<std::string> ExtractSupportSection(const std::string& document) {
  const size_t begin = document.find(kSupportBegin);
  if (begin == std::string::npos) return std::nullopt;
  const size_t end = document.find(kSupportEnd, begin);
  if (end == std::string::npos) return std::nullopt;
  return document.substr(begin, end + std::string(kSupportEnd).size() - begin) + "\n";
}

}  // namespace inferd::conformance

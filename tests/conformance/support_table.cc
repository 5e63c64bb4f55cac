#include "tests/conformance/support_table.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backends/cpu/op_support.h"
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

constexpr char kUsage[] = R"(# TOSA 1.0 operator support in the CPU backend

This file is generated; do not edit it by hand. Regenerate it from the repository root with

    <build>/tests/conformance/tosa_conformance --support-table ../shared/tosa-conformance \
        > docs/tosa-support.md

(or without the folder argument to leave out the conformance counts). The ctest
`tosa_support_table_current` fails when the support section below no longer matches the code.

## Running the conformance tests

    tosa_conformance [--skip-unsupported] [--jobs N] [--verbose] FOLDER...

runs every TOSA conformance test folder (a folder holding `desc.json`) at or below each FOLDER:
it loads `test.tosa` as a model load does (reader, validator, CPU kernel binding), feeds
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
`INFERD_CPU_KERNELS=reference`, so the reference kernels behind the optimised ones pass too.

)";

std::string Matrix(const std::vector<cpu::OpSupport>& table) {
  std::string out = "| Operator |";
  std::string rule = "|---|";
  for (DType t : kColumns) {
    absl::StrAppend(&out, " ", Name(t), " |");
    absl::StrAppend(&rule, ":-:|");
  }
  absl::StrAppend(&out, "\n", rule, "\n");
  for (const cpu::OpSupport& entry : table) {
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
      for (const cpu::OpSignature& s : entry.signatures) {
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

std::string Details(const std::vector<cpu::OpSupport>& table) {
  std::string out =
      "| Operator | Supported signatures | Legal but not supported |\n|---|---|---|\n";
  for (const cpu::OpSupport& entry : table) {
    std::vector<std::string> yes, no;
    for (const cpu::OpSignature& s : entry.signatures) (s.supported ? yes : no).push_back(s.label);
    if (entry.signatures.empty()) (entry.supported ? yes : no).push_back("(any)");
    absl::StrAppend(&out, "| ", Name(entry.op), " | ", absl::StrJoin(yes, ", "), " | ",
                    absl::StrJoin(no, ", "), " |\n");
  }
  return out;
}

std::string Counts(const std::vector<FolderReport>& reports, const std::string& source) {
  struct Row {
    size_t passed = 0, failed = 0, skipped = 0;
  };
  std::map<std::string, Row> rows;
  Row total;
  for (const FolderReport& r : reports) {
    Row& row = rows[r.op.has_value() ? Name(*r.op) : std::string("(unreadable)")];
    size_t Row::*field = r.outcome == Outcome::kPassed   ? &Row::passed
                         : r.outcome == Outcome::kFailed ? &Row::failed
                                                         : &Row::skipped;
    ++(row.*field);
    ++(total.*field);
  }
  std::string out = absl::StrCat(
      "Folders under `", source, "`, run with `--skip-unsupported`, grouped by the operator under ",
      "test (the first operator of the main block other than CONST / CONST_SHAPE):\n\n",
      "| Operator | Passed | Failed | Skipped |\n|---|--:|--:|--:|\n");
  for (const auto& [name, row] : rows) {
    absl::StrAppend(&out, "| ", name, " | ", row.passed, " | ", row.failed, " | ", row.skipped,
                    " |\n");
  }
  absl::StrAppend(&out, "| **all** | ", total.passed, " | ", total.failed, " | ", total.skipped,
                  " |\n");
  // The same folders by the extension they need (a folder needing two counts under both).
  std::map<std::string, Row> by_extension;
  for (const FolderReport& r : reports) {
    size_t Row::*field = r.outcome == Outcome::kPassed   ? &Row::passed
                         : r.outcome == Outcome::kFailed ? &Row::failed
                                                         : &Row::skipped;
    if (r.extensions.empty()) ++(by_extension["(profiles only)"].*field);
    for (const std::string& extension : r.extensions) ++(by_extension[extension].*field);
  }
  absl::StrAppend(&out, "\nThe same folders by the extension they require ",
                  "(`test_requirements.extensions_required`; a folder that needs two is counted ",
                  "under both):\n\n| Extension | Passed | Failed | Skipped |\n|---|--:|--:|--:|\n");
  for (const auto& [name, row] : by_extension) {
    absl::StrAppend(&out, "| ", name, " | ", row.passed, " | ", row.failed, " | ", row.skipped,
                    " |\n");
  }
  return out;
}

}  // namespace

std::string SupportSection() {
  const std::vector<cpu::OpSupport>& table = cpu::CpuOpSupport();
  size_t ops = 0, legal = 0, bound = 0;
  for (const cpu::OpSupport& entry : table) {
    ops += entry.supported ? 1 : 0;
    legal += entry.signatures.size();
    for (const cpu::OpSignature& s : entry.signatures) bound += s.supported ? 1 : 0;
  }
  return absl::StrCat(
      kSupportBegin, "\n\n## Operator × data type support\n\n", ops, " of ", table.size(),
      " operators run on the CPU backend; ", bound, " of the ", legal,
      " type signatures the graph validator accepts bind to a kernel.\n\n",
      "Discovered from the code (backends/cpu/op_support.h): for each operator, every combination "
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
      Details(table), "\n", kSupportEnd, "\n");
}

std::string SupportDocument(const std::optional<std::vector<FolderReport>>& conformance,
                            const std::string& conformance_source) {
  std::string doc = absl::StrCat(kUsage, SupportSection(), "\n## Conformance results\n\n");
  if (conformance.has_value()) {
    absl::StrAppend(&doc, Counts(*conformance, conformance_source));
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

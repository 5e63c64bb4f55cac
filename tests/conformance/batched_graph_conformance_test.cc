// engine/graph/batched_graph.h over the shared conformance set, on the CPU backend: every graph
// that widens to a batch of three gives each item what the graph gives that item alone. The items
// are the folder's inputs, then twice the same inputs with their elements in reverse order (no
// symmetry, so that a widening that mixed, dropped or reordered items shows). Skipped when the set
// is not there.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backends/cpu/graph_executor.h"
#include "client/npy.h"
#include "engine/graph/batched_graph.h"
#include "engine/graph/tosa_reader.h"
#include "tests/conformance/test_folder.h"

namespace inferd::conformance {
namespace {

namespace fs = std::filesystem;

using Bytes = std::vector<uint8_t>;

// The main block's outputs for `inputs`, or the run's error.
absl::StatusOr<std::vector<Bytes>> RunGraph(cpu::GraphExecutor& executor,
                                            const std::vector<Bytes>& inputs) {
  const graph::Block& main = executor.graph().main_block();
  std::vector<Bytes> outputs;
  for (graph::TensorId id : main.outputs) outputs.emplace_back(executor.StorageBytes(id));
  std::vector<std::span<const uint8_t>> in(inputs.begin(), inputs.end());
  std::vector<std::span<uint8_t>> out(outputs.begin(), outputs.end());
  if (absl::Status status = executor.Run(in, out); !status.ok()) return status;
  return outputs;
}

// `bytes` as elements of `element_bytes`, last first.
Bytes Reversed(const Bytes& bytes, size_t element_bytes) {
  Bytes reversed(bytes.size());
  const size_t count = bytes.size() / element_bytes;
  for (size_t i = 0; i < count; ++i) {
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(i * element_bytes), element_bytes,
                reversed.begin() + static_cast<std::ptrdiff_t>((count - 1 - i) * element_bytes));
  }
  return reversed;
}

TEST(BatchedGraphConformanceTest, EveryGraphThatWidensGivesEachItemItsOwnResult) {
  const char* env = std::getenv("INFERD_TOSA_CONFORMANCE_DIR");
  const fs::path set = env != nullptr && *env
                           ? fs::path(env)
                           : fs::path(INFERD_SOURCE_DIR) / ".." / "shared" / "tosa-conformance";
  std::error_code ec;
  if (!fs::is_directory(set / "operators", ec)) {
    GTEST_SKIP() << "shared conformance set not present at " << set
                 << " (set INFERD_TOSA_CONFORMANCE_DIR)";
  }
  constexpr int64_t kItems = 3;
  int widened = 0;
  std::map<std::string, int> refused;  // the refusal's reason, without the operator's position
  for (const fs::path& dir : FindTestFolders({set / "operators", set / "extensions"})) {
    absl::StatusOr<TestFolder> folder = ReadTestFolder(dir);
    if (!folder.ok() || folder->expected_failure) continue;
    auto graph = graph::LoadTosaFile(folder->tosa_file.string());
    if (!graph.ok()) continue;
    auto batched = graph::BatchedGraph(**graph, kItems);
    if (!batched.ok()) {
      // Refusals only: a widened graph that does not validate is a bug in the widening.
      EXPECT_EQ(batched.status().code(), absl::StatusCode::kUnimplemented)
          << dir << ": " << batched.status();
      const std::string message(batched.status().message());
      const size_t paren = message.find(") ");
      ++refused[paren == std::string::npos ? message : message.substr(paren + 2)];
      continue;
    }
    auto one = cpu::GraphExecutor::Create(*graph);
    auto three = cpu::GraphExecutor::Create(*batched);
    ASSERT_TRUE(one.ok()) << dir << ": " << one.status();
    ASSERT_TRUE(three.ok()) << dir << ": " << three.status();
    const graph::Block& main = (*graph)->main_block();
    std::vector<Bytes> x, y;
    bool usable = true;
    for (graph::TensorId id : main.inputs) {
      const std::string& name = (*graph)->tensor(id).name;
      const auto at = std::find(folder->input_names.begin(), folder->input_names.end(), name);
      if (at == folder->input_names.end()) {
        usable = false;
        break;
      }
      absl::StatusOr<Tensor> t =
          ReadNpyFile(folder->input_files[at - folder->input_names.begin()].string());
      const std::optional<int64_t> count = graph::ElementCount((*graph)->tensor(id));
      if (!t.ok() || !count.has_value() || *count == 0 ||
          t->byte_size() != (*one)->StorageBytes(id)) {
        usable = false;
        break;
      }
      x.emplace_back(t->bytes().begin(), t->bytes().end());
      y.push_back(Reversed(x.back(), x.back().size() / static_cast<size_t>(*count)));
    }
    if (!usable) continue;
    auto alone_x = RunGraph(**one, x);
    auto alone_y = RunGraph(**one, y);
    // Values the specification does not allow (an INTDIV by zero, a RESCALE out of range) fail
    // the CPU's run of the item alone; such a folder says nothing about the widening.
    if (!alone_x.ok() || !alone_y.ok()) continue;
    std::vector<Bytes> together(main.inputs.size());
    for (size_t i = 0; i < main.inputs.size(); ++i) {
      for (const Bytes* item : {&x[i], &y[i], &y[i]}) {
        together[i].insert(together[i].end(), item->begin(), item->end());
      }
    }
    auto batch = RunGraph(**three, together);
    ASSERT_TRUE(batch.ok()) << dir << ": " << batch.status();
    for (size_t k = 0; k < main.outputs.size(); ++k) {
      Bytes expected;
      for (const Bytes* item : {&(*alone_x)[k], &(*alone_y)[k], &(*alone_y)[k]}) {
        expected.insert(expected.end(), item->begin(), item->end());
      }
      EXPECT_TRUE((*batch)[k] == expected) << dir << ": output " << k;
    }
    ++widened;
  }
  std::string reasons;
  for (const auto& [why, count] : refused) reasons += "\n  " + std::to_string(count) + " " + why;
  // A floor (163 widen on 7 December 2026; most folders feed constants, or inputs that are not
  // one item), so that a widening that refused nearly everything would fail here.
  EXPECT_GE(widened, 150) << "refused:" << reasons;
  std::cout << widened << " graphs widened to " << kItems
            << " items and checked; refused:" << reasons << "\n";
}

}  // namespace
}  // namespace inferd::conformance

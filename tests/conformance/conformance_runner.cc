#include "tests/conformance/conformance_runner.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <span>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "backends/cpu/graph_executor.h"
#include "backends/cpu/kernel_binding.h"
#include "backends/cpu/kernels/float_formats.h"
#include "client/npy.h"
#include "engine/graph/graph.h"
#include "engine/graph/tosa_reader.h"
#include "engine/graph/vgf/vgf_graph_decoder.h"
#include "engine/graph/vgf/vgf_writer.h"
#include "tests/conformance/compliance.h"
#include "tests/conformance/test_folder.h"
#ifdef INFERD_HAVE_VULKAN
#include "backends/vulkan/graph_program.h"
#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_device.h"
#endif

namespace inferd::conformance {
namespace fs = std::filesystem;
using graph::DType;

namespace {

template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// A tensor's values widened to int64 (integers, bool) or double (floats).
struct Values {
  std::vector<int64_t> ints;
  std::vector<double> floats;
  bool is_float = false;
  bool is_unsigned = false;
};

// Widens `count` elements of graph type `dtype` stored as the CPU backend stores them (and as the
// reference model's .npy files hold them: INT4 a byte each, INT48 in int64, BF16 and FP8 as raw
// bit patterns); `as_unsigned` reads INT8/INT16 as the unsigned values of a RESCALE with
// output_unsigned. An error for a type it cannot read or a byte count that is not `count`
// elements: an output is never silently shorter than declared.
absl::StatusOr<Values> DecodeElements(std::span<const uint8_t> b, DType dtype, bool as_unsigned) {
  namespace k = cpu::kernels;
  Values v;
  const size_t element_bytes = cpu::StorageElementBytes(dtype);
  if (element_bytes == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read elements of type ", std::string(graph::DTypeName(dtype))));
  }
  if (b.size() % element_bytes != 0) {
    return absl::InvalidArgumentError(absl::StrCat(b.size(), " bytes are not whole ",
                                                   std::string(graph::DTypeName(dtype)),
                                                   " elements of ", element_bytes, " bytes"));
  }
  const size_t n = b.size() / element_bytes;
  auto ints = [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < n; ++i)
      v.ints.push_back(static_cast<int64_t>(Load<T>(&b[i * sizeof(T)])));
  };
  auto floats = [&](auto tag) {
    using T = decltype(tag);
    v.is_float = true;
    for (size_t i = 0; i < n; ++i) v.floats.push_back(k::Widen(Load<T>(&b[i * sizeof(T)])));
  };
  switch (dtype) {
    case DType::kBool:
      ints(uint8_t{});
      break;
    case DType::kInt4:
      ints(int8_t{});
      break;
    case DType::kInt8:
      v.is_unsigned = as_unsigned;
      as_unsigned ? ints(uint8_t{}) : ints(int8_t{});
      break;
    case DType::kInt16:
      v.is_unsigned = as_unsigned;
      as_unsigned ? ints(uint16_t{}) : ints(int16_t{});
      break;
    case DType::kInt32:
      ints(int32_t{});
      break;
    case DType::kInt48:
      ints(int64_t{});
      break;
    case DType::kFp32:
      floats(float{});
      break;
    case DType::kFp16:
      floats(k::Fp16{});
      break;
    case DType::kBf16:
      floats(k::Bf16{});
      break;
    case DType::kFp8E4M3:
      floats(k::Fp8E4M3{});
      break;
    case DType::kFp8E5M2:
      floats(k::Fp8E5M2{});
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("cannot read elements of type ", std::string(graph::DTypeName(dtype))));
  }
  return v;
}

// A .npy file widened by its own dtype (the fp64 precise results, the bounds, the integer
// results): read as the graph element type of the same storage, or as fp64 / uint32.
absl::StatusOr<Values> NpyValues(const Tensor& t) {
  const std::span<const uint8_t> b = t.bytes();
  const size_t n = static_cast<size_t>(t.element_count());
  Values v;
  switch (t.dtype()) {
    case DataType::kFp64:
      v.is_float = true;
      for (size_t i = 0; i < n; ++i) v.floats.push_back(Load<double>(&b[8 * i]));
      return v;
    case DataType::kUint32:
      v.is_unsigned = true;
      for (size_t i = 0; i < n; ++i) v.ints.push_back(Load<uint32_t>(&b[4 * i]));
      return v;
    default:
      break;
  }
  struct StoredAs {
    DataType npy;
    DType dtype;
    bool is_unsigned;
  };
  // INT48 values are stored in int64, as the CPU backend holds them.
  constexpr StoredAs kStoredAs[] = {
      {DataType::kBool, DType::kBool, false},   {DataType::kUint8, DType::kInt8, true},
      {DataType::kInt8, DType::kInt8, false},   {DataType::kUint16, DType::kInt16, true},
      {DataType::kInt16, DType::kInt16, false}, {DataType::kInt32, DType::kInt32, false},
      {DataType::kInt64, DType::kInt48, false}, {DataType::kFp16, DType::kFp16, false},
      {DataType::kBf16, DType::kBf16, false},   {DataType::kFp32, DType::kFp32, false},
  };
  for (const StoredAs& as : kStoredAs) {
    if (as.npy == t.dtype()) return DecodeElements(b, as.dtype, as.is_unsigned);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unsupported .npy element type ", std::string(DataTypeName(t.dtype()))));
}

absl::StatusOr<Values> ReadValues(const fs::path& path) {
  absl::StatusOr<Tensor> t = ReadNpyFile(path.string());
  if (!t.ok()) return t.status();
  return NpyValues(*t);
}

// True for the graph types whose .npy files cannot say what they hold ('<V2', '<V1', '|u1' raw
// bit patterns, INT4 in '|i1'): their expected file is decoded by the graph's type.
bool DecodedByGraphType(DType dtype) {
  return dtype == DType::kBf16 || dtype == DType::kFp8E4M3 || dtype == DType::kFp8E5M2 ||
         dtype == DType::kInt4;
}

// expected-<ofm>.npy: by the graph's type where the file's dtype does not name it.
absl::StatusOr<Values> ReadExpected(const fs::path& path, DType dtype) {
  absl::StatusOr<Tensor> t = ReadNpyFile(path.string());
  if (!t.ok()) return t.status();
  if (!DecodedByGraphType(dtype)) return NpyValues(*t);
  if (DataTypeByteSize(t->dtype()) != cpu::StorageElementBytes(dtype)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), " holds ", std::string(DataTypeName(t->dtype())),
                     " elements, which cannot be ", std::string(graph::DTypeName(dtype))));
  }
  absl::StatusOr<Values> v = DecodeElements(t->bytes(), dtype, false);
  if (!v.ok())
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ": ", v.status().message()));
  return v;
}

FloatFormat FormatOf(DType dtype) {
  switch (dtype) {
    case DType::kFp16:
      return Fp16Format();
    case DType::kBf16:
      return Bf16Format();
    case DType::kFp8E4M3:
      return Fp8E4M3Format();
    case DType::kFp8E5M2:
      return Fp8E5M2Format();
    default:
      return Fp32Format();
  }
}

std::string Describe(double value) { return absl::StrCat(value); }

void Report(FolderReport& report, const std::string& tensor, const ComplianceResult& result) {
  for (const Mismatch& m : result.mismatches) {
    std::string line = absl::StrCat(tensor, "[", m.index, "]: got ", Describe(m.got), ", expected ",
                                    Describe(m.expected));
    if (!std::isnan(m.bound) && m.bound != 0) absl::StrAppend(&line, ", bound ", m.bound);
    absl::StrAppend(&line, " (", m.reason, ")");
    report.messages.push_back(std::move(line));
  }
  if (result.mismatch_count > result.mismatches.size()) {
    report.messages.push_back(absl::StrCat(
        tensor, ": ", result.mismatch_count - result.mismatches.size(), " more elements differ"));
  }
  if (!result.tensor_failure.empty()) {
    report.messages.push_back(absl::StrCat(tensor, ": ", result.tensor_failure));
  }
}

// RESCALE_INEXACT: expected-precise holds each element's lowest allowed value and
// bounds_expected-precise its highest, in the output's signed container; unsigned outputs compare
// as unsigned 8- or 16-bit values.
bool CheckRescaleInexactOutput(const TestOutput& out, DType dtype, std::span<const uint8_t> bytes,
                               const RunOptions& options, FolderReport& report) {
  auto fail = [&](const std::string& message) {
    report.messages.push_back(absl::StrCat(out.name, ": ", message));
    return false;
  };
  const bool as_unsigned = out.compliance.unsigned_data;
  if (as_unsigned && dtype != DType::kInt8 && dtype != DType::kInt16) {
    return fail("RESCALE_INEXACT: unsigned results must be 8 or 16 bits");
  }
  absl::StatusOr<Values> got = DecodeElements(bytes, dtype, as_unsigned);
  if (!got.ok()) return fail(std::string(got.status().message()));
  absl::StatusOr<Values> lowest = ReadValues(out.precise_file);
  if (!lowest.ok()) return fail(std::string(lowest.status().message()));
  absl::StatusOr<Values> highest = ReadValues(out.bounds_file);
  if (!highest.ok()) return fail(std::string(highest.status().message()));
  if (got->is_float || lowest->is_float || highest->is_float) {
    return fail("RESCALE_INEXACT compares integers only");
  }
  if (as_unsigned) {
    const int64_t mask = dtype == DType::kInt8 ? 0xff : 0xffff;
    for (int64_t& v : lowest->ints) v &= mask;
    for (int64_t& v : highest->ints) v &= mask;
  }
  const ComplianceResult result =
      CheckRescaleInexact(got->ints, lowest->ints, highest->ints, options.max_reported);
  if (result.ok()) return true;
  Report(report, out.name, result);
  return false;
}

// Compares one output; appends failure lines to `report`. Returns false on a failure.
bool CheckOutput(const TestOutput& out, DType dtype, std::span<const uint8_t> bytes,
                 const RunOptions& options, FolderReport& report) {
  auto fail = [&](const std::string& message) {
    report.messages.push_back(absl::StrCat(out.name, ": ", message));
    return false;
  };
  if (out.compliance.mode == ComplianceMode::kRescaleInexact) {
    return CheckRescaleInexactOutput(out, dtype, bytes, options, report);
  }
  absl::StatusOr<Values> expected = ReadExpected(out.expected_file, dtype);
  if (!expected.ok()) return fail(std::string(expected.status().message()));
  absl::StatusOr<Values> got_or = DecodeElements(bytes, dtype, expected->is_unsigned);
  if (!got_or.ok()) return fail(std::string(got_or.status().message()));
  const Values& got = *got_or;
  ComplianceResult result;
  if (!got.is_float) {
    if (expected->is_float) return fail("expected values are floating point, output is not");
    result = CheckExactInt(got.ints, expected->ints, options.max_reported);
  } else if (out.compliance.mode == ComplianceMode::kExact) {
    if (!expected->is_float) return fail("expected values are integers, output is not");
    result = CheckExactFloat(got.floats, expected->floats, FormatOf(dtype), options.max_reported);
  } else {
    // The bound modes compare against the fp64 reference; without one, the rounded result.
    std::error_code ec;
    absl::StatusOr<Values> reference =
        fs::exists(out.precise_file, ec) ? ReadValues(out.precise_file) : std::move(expected);
    if (!reference.ok()) return fail(std::string(reference.status().message()));
    Values bounds;
    if (fs::exists(out.bounds_file, ec)) {
      absl::StatusOr<Values> b = ReadValues(out.bounds_file);
      if (!b.ok()) return fail(std::string(b.status().message()));
      bounds = *std::move(b);
    }
    result = CheckFloatTensor(out.compliance, FormatOf(dtype), got.floats, reference->floats,
                              bounds.floats, options.max_reported);
  }
  if (result.ok()) return true;
  Report(report, out.name, result);
  return false;
}

std::optional<graph::Op> PrimaryOp(const graph::Graph& g) {
  if (g.blocks.empty()) return std::nullopt;
  std::optional<graph::Op> fallback;
  for (const graph::Operator& op : g.main_block().operators) {
    if (op.op == graph::Op::kConst || op.op == graph::Op::kConstShape) {
      if (!fallback.has_value()) fallback = op.op;
      continue;
    }
    return op.op;
  }
  return fallback;
}

absl::StatusOr<std::vector<uint8_t>> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

// A graph loaded on one backend, as the runner needs it: byte sizes of the main block's inputs and
// outputs in the backend's layout, and one run.
class LoadedGraph {
 public:
  virtual ~LoadedGraph() = default;
  virtual size_t InputBytes(size_t index) const = 0;
  virtual size_t OutputBytes(size_t index) const = 0;
  virtual absl::Status Run(std::span<const std::span<const uint8_t>> inputs,
                           std::span<const std::span<uint8_t>> outputs) = 0;
};

class CpuGraph : public LoadedGraph {
 public:
  explicit CpuGraph(std::unique_ptr<cpu::GraphExecutor> executor)
      : executor_(std::move(executor)) {}
  size_t InputBytes(size_t index) const override {
    return executor_->StorageBytes(executor_->graph().main_block().inputs[index]);
  }
  size_t OutputBytes(size_t index) const override {
    return executor_->StorageBytes(executor_->graph().main_block().outputs[index]);
  }
  absl::Status Run(std::span<const std::span<const uint8_t>> inputs,
                   std::span<const std::span<uint8_t>> outputs) override {
    return executor_->Run(inputs, outputs);
  }

 private:
  std::unique_ptr<cpu::GraphExecutor> executor_;
};

#ifdef INFERD_HAVE_VULKAN
class VulkanGraph : public LoadedGraph {
 public:
  explicit VulkanGraph(std::unique_ptr<vulkan::GraphProgram> program)
      : program_(std::move(program)) {}
  size_t InputBytes(size_t index) const override { return program_->input_bytes(index); }
  size_t OutputBytes(size_t index) const override { return program_->output_bytes(index); }
  absl::Status Run(std::span<const std::span<const uint8_t>> inputs,
                   std::span<const std::span<uint8_t>> outputs) override {
    return program_->RunAndWait(inputs, outputs);
  }

 private:
  std::unique_ptr<vulkan::GraphProgram> program_;
};

#endif

absl::StatusOr<std::unique_ptr<LoadedGraph>> LoadOn(const RunOptions& options,
                                                    std::shared_ptr<const graph::Graph> graph) {
  if (options.backend == Backend::kCpu) {
    auto executor = cpu::GraphExecutor::Create(std::move(graph));
    if (!executor.ok()) return executor.status();
    return std::make_unique<CpuGraph>(*std::move(executor));
  }
#ifdef INFERD_HAVE_VULKAN
  // The device a tosa_vulkan model without instance_group gpus gets.
  auto device = vulkan::VulkanContext::OpenDevice(std::nullopt);
  if (!device.ok()) return device.status();
  auto program = vulkan::GraphProgram::Create(*device, std::move(graph), 1,
                                              {.use_int64 = !options.vulkan_no_int64});
  if (!program.ok()) return program.status();
  return std::make_unique<VulkanGraph>(*std::move(program));
#else
  return absl::UnimplementedError("this build has no Vulkan backend");
#endif
}

}  // namespace

std::optional<Backend> ParseBackend(const std::string& name) {
  if (name == "cpu") return Backend::kCpu;
#ifdef INFERD_HAVE_VULKAN
  if (name == "vulkan") return Backend::kVulkan;
#endif
  return std::nullopt;
}

FolderReport RunFolder(const fs::path& dir, const RunOptions& options) {
  FolderReport report;
  report.dir = dir;
  auto fail = [&](std::string message) {
    report.outcome = Outcome::kFailed;
    report.messages.push_back(std::move(message));
    return report;
  };
  absl::StatusOr<TestFolder> folder = ReadTestFolder(dir);
  if (!folder.ok()) return fail(std::string(folder.status().message()));
  report.extensions = folder->extensions;
  absl::StatusOr<std::vector<uint8_t>> bytes = ReadFile(folder->tosa_file);
  if (!bytes.ok()) return fail(std::string(bytes.status().message()));
  if (absl::StatusOr<std::shared_ptr<const graph::Graph>> unchecked = graph::ReadTosaGraph(*bytes);
      unchecked.ok()) {
    report.op = PrimaryOp(**unchecked);
  }

  // Load exactly as a model load does: read + validate, then the backend's own load.
  absl::StatusOr<std::shared_ptr<const graph::Graph>> g = graph::LoadTosaGraph(*bytes);
  if (options.via_vgf && g.ok()) {
    absl::StatusOr<std::vector<uint8_t>> vgf = graph::vgf::WriteVgfFile(**g);
    if (!vgf.ok()) {
      report.outcome = Outcome::kSkipped;
      report.messages.push_back(absl::StrCat("skipped (", vgf.status().message(), ")"));
      return report;
    }
    g = graph::vgf::LoadVgfGraph(*vgf);
    if (!g.ok()) return fail(absl::StrCat("VGF round trip: ", g.status().ToString()));
  }
  absl::StatusOr<std::unique_ptr<LoadedGraph>> loaded =
      g.ok() ? LoadOn(options, *g) : absl::StatusOr<std::unique_ptr<LoadedGraph>>(g.status());
  if (folder->expected_failure) {
    if (loaded.ok()) return fail("load: expected the graph to be rejected, but it loaded");
    report.outcome = Outcome::kPassed;
    return report;
  }
  if (!loaded.ok()) {
    if (loaded.status().code() == absl::StatusCode::kUnimplemented && options.skip_unsupported) {
      report.outcome = Outcome::kSkipped;
      report.messages.push_back(
          absl::StrCat("skipped (unsupported: ", loaded.status().message(), ")"));
      return report;
    }
    return fail(absl::StrCat("load: ", loaded.status().ToString()));
  }
  const graph::Graph& graph = **g;
  const graph::Block& main = graph.main_block();

  std::vector<Tensor> input_tensors;
  std::vector<std::span<const uint8_t>> inputs;
  for (size_t i = 0; i < main.inputs.size(); ++i) {
    const std::string& name = graph.tensor(main.inputs[i]).name;
    size_t k = 0;
    while (k < folder->input_names.size() && folder->input_names[k] != name) ++k;
    if (k == folder->input_names.size()) {
      return fail(absl::StrCat("no input file for graph input '", name, "'"));
    }
    absl::StatusOr<Tensor> t = ReadNpyFile(folder->input_files[k].string());
    if (!t.ok()) return fail(std::string(t.status().message()));
    if (t->byte_size() != (*loaded)->InputBytes(i)) {
      return fail(absl::StrCat("input '", name, "': ", folder->input_files[k].filename().string(),
                               " holds ", t->byte_size(), " bytes, the graph needs ",
                               (*loaded)->InputBytes(i)));
    }
    input_tensors.push_back(*std::move(t));
  }
  for (const Tensor& t : input_tensors) inputs.push_back(t.bytes());
  std::vector<std::vector<uint8_t>> storage;
  std::vector<std::span<uint8_t>> outputs;
  for (size_t i = 0; i < main.outputs.size(); ++i) storage.emplace_back((*loaded)->OutputBytes(i));
  for (auto& s : storage) outputs.emplace_back(s);
  if (absl::Status s = (*loaded)->Run(inputs, outputs); !s.ok()) {
    return fail(absl::StrCat("run: ", s.ToString()));
  }

  bool ok = true;
  for (const TestOutput& out : folder->outputs) {
    size_t k = 0;
    while (k < main.outputs.size() && graph.tensor(main.outputs[k]).name != out.name) ++k;
    if (k == main.outputs.size()) {
      ok = false;
      report.messages.push_back(absl::StrCat("graph has no output '", out.name, "'"));
      continue;
    }
    ok &= CheckOutput(out, graph.tensor(main.outputs[k]).dtype, storage[k], options, report);
  }
  report.outcome = ok ? Outcome::kPassed : Outcome::kFailed;
  return report;
}

std::vector<std::string> CompareOutput(const fs::path& dir, const std::string& output, DType dtype,
                                       std::span<const uint8_t> bytes, size_t max_reported) {
  FolderReport report;
  absl::StatusOr<TestFolder> folder = ReadTestFolder(dir);
  if (!folder.ok()) return {std::string(folder.status().message())};
  RunOptions options;
  options.max_reported = max_reported;
  for (const TestOutput& out : folder->outputs) {
    if (out.name != output) continue;
    CheckOutput(out, dtype, bytes, options, report);
    return report.messages;
  }
  return {absl::StrCat(dir.string(), "/desc.json has no output '", output, "'")};
}

std::vector<FolderReport> RunFolders(const std::vector<fs::path>& dirs, const RunOptions& options) {
  std::vector<FolderReport> reports(dirs.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < dirs.size(); i = next++) reports[i] = RunFolder(dirs[i], options);
  };
  const int jobs = std::max(1, options.jobs);
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  return reports;
}

Totals Count(const std::vector<FolderReport>& reports) {
  Totals totals;
  for (const FolderReport& r : reports) {
    switch (r.outcome) {
      case Outcome::kPassed:
        ++totals.passed;
        break;
      case Outcome::kFailed:
        ++totals.failed;
        break;
      case Outcome::kSkipped:
        ++totals.skipped;
        break;
    }
  }
  return totals;
}

std::string Summary(const Totals& totals) {
  std::string s = absl::StrCat(totals.passed, " passed, ", totals.failed, " failed");
  if (totals.skipped > 0) absl::StrAppend(&s, ", ", totals.skipped, " skipped");
  return s;
}

}  // namespace inferd::conformance

// Large MATMUL and CONV2D throughput on the tosa_vulkan backend's default device, in FP32, FP16
// and INT8, through GraphProgram as a model runs them: GFLOP/s (GOP/s for INT8) from the GPU's own
// timestamps around the operator (wall time where the device has none), medians, and the
// percentage of the device's FP32 peak where it is known (--peak-gflops, or the table below keyed
// on the device name). Each MATMUL runs twice in one process, interleaved: with the shared-memory
// tiled shader and with the shaders it replaced (register-blocked or plain), so its gain is
// measured against that baseline on the same device in the same run; INT8 outputs of the two must
// be byte-identical. CONV2D runs the backend's convolution shaders (no tiled CONV2D yet).
//
//   inferd_vulkan_peak_benchmark [--matmul N,H,C,W (default 1,1024,1024,1024)]
//       [--conv N,H,W,IC,OC,K (default 1,56,56,256,256,3: same padding, stride 1)]
//       [--types f32,f16,i8] [--ops matmul,conv] [--runs R (default 5)] [--peak-gflops X]
//       [--both-blocks: the tiled MATMUL with 8 x 8 and with 4 x 4 register blocks (64 x 64 and
//        32 x 32 tiles) whatever the size, to see which a device prefers]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "backends/cpu/kernels/float_formats.h"
#include "backends/vulkan/graph_program.h"
#include "backends/vulkan/op_lowering.h"
#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_device.h"
#include "benchmarks/vulkan/median.h"
#include "engine/graph/graph_validator.h"

namespace inferd::bench {
namespace {

using graph::DType;
using Clock = std::chrono::steady_clock;

// FP32 peaks (non-tensor-core, boost clock) from the vendors' datasheets, by a substring of the
// Vulkan device name; the first match wins, so the more specific names come first.
struct KnownPeak {
  const char* name;
  double fp32_gflops;
};
constexpr KnownPeak kKnownPeaks[] = {
    {"H100 PCIe", 51200}, {"H100 NVL", 60000}, {"H100", 66900},  // SXM5: "H100 80GB HBM3"
    {"H200 NVL", 60000},  {"H200", 66900},     {"A100", 19500},     {"L40S", 91600},
    {"L4", 30300},        {"RTX 4090", 82600}, {"RTX 3090", 35600},
};

std::optional<double> KnownFp32Peak(const std::string& device_name) {
  for (const KnownPeak& peak : kKnownPeaks) {
    if (device_name.find(peak.name) != std::string::npos) return peak.fp32_gflops;
  }
  return std::nullopt;
}

// A one-operator graph under construction: tensors, the main block, CONST operators.
class OneOperatorGraph {
 public:
  OneOperatorGraph() {
    graph_.regions.push_back(graph::Region{"main", {0}});
    graph_.blocks.push_back(graph::Block{});
    graph_.blocks[0].name = "main";
  }

  graph::TensorId Add(const std::string& name, DType dtype, Shape shape,
                      std::vector<uint8_t> constant = {}) {
    graph::Tensor tensor;
    tensor.name = name;
    tensor.dtype = dtype;
    tensor.shape = std::move(shape);
    tensor.block = 0;
    const bool is_constant = !constant.empty();
    tensor.data = std::move(constant);
    const auto id = static_cast<graph::TensorId>(graph_.tensors.size());
    graph_.tensors.push_back(std::move(tensor));
    graph_.blocks[0].tensors.push_back(id);
    if (is_constant) Operator(graph::Op::kConst, {}, {}, id);
    return id;
  }
  graph::TensorId Input(const std::string& name, DType dtype, Shape shape) {
    const graph::TensorId id = Add(name, dtype, std::move(shape));
    graph_.blocks[0].inputs.push_back(id);
    return id;
  }
  void Operator(graph::Op op, graph::Attribute attribute, std::vector<graph::TensorId> inputs,
                graph::TensorId output) {
    graph::Operator o;
    o.op = op;
    o.attribute = std::move(attribute);
    o.inputs = std::move(inputs);
    o.outputs = {output};
    graph_.blocks[0].operators.push_back(std::move(o));
  }
  absl::StatusOr<std::shared_ptr<const graph::Graph>> Finish(graph::TensorId output) {
    graph_.blocks[0].outputs = {output};
    if (absl::Status status = graph::ValidateGraph(graph_); !status.ok()) return status;
    return std::make_shared<const graph::Graph>(graph_);
  }

 private:
  graph::Graph graph_;
};

int64_t Width(DType dtype) {
  return dtype == DType::kFp32 || dtype == DType::kInt32 ? 4 : dtype == DType::kFp16 ? 2 : 1;
}

// `count` elements of `dtype` with values in [-1, 1] for the floats (products stay finite), over
// int8's range for INT8; a fixed pattern, so every run sees the same data.
std::vector<uint8_t> Pattern(DType dtype, int64_t count, uint32_t seed) {
  std::vector<uint8_t> bytes(static_cast<size_t>(count * Width(dtype)));
  uint32_t state = seed * 2654435761u + 1;
  for (int64_t i = 0; i < count; ++i) {
    state = state * 1664525u + 1013904223u;
    const float unit = static_cast<float>(state >> 8) / static_cast<float>(1 << 24) * 2 - 1;
    if (dtype == DType::kFp32) {
      std::memcpy(&bytes[i * 4], &unit, 4);
    } else if (dtype == DType::kFp16) {
      const uint16_t bits = cpu::kernels::Narrow<cpu::kernels::Fp16>(unit).bits;
      std::memcpy(&bytes[i * 2], &bits, 2);
    } else {
      bytes[i] = static_cast<uint8_t>(state >> 24);
    }
  }
  return bytes;
}

std::vector<uint8_t> ZeroPoint(DType dtype) { return std::vector<uint8_t>(Width(dtype), 0); }

DType OutputType(DType dtype) { return dtype == DType::kInt8 ? DType::kInt32 : dtype; }

struct MatMulShape {
  int64_t n = 1, h = 1024, c = 1024, w = 1024;
  double Operations() const { return 2.0 * n * h * c * w; }
};

struct ConvShape {
  int64_t n = 1, h = 56, w = 56, ic = 256, oc = 256, k = 3;
  double Operations() const { return 2.0 * n * h * w * oc * k * k * ic; }
};

absl::StatusOr<std::shared_ptr<const graph::Graph>> MatMulGraph(DType dtype, const MatMulShape& s) {
  OneOperatorGraph g;
  const auto a = g.Input("a", dtype, {s.n, s.h, s.c});
  const auto b = g.Input("b", dtype, {s.n, s.c, s.w});
  const auto a_zp = g.Add("a_zp", dtype, {1}, ZeroPoint(dtype));
  const auto b_zp = g.Add("b_zp", dtype, {1}, ZeroPoint(dtype));
  const auto y = g.Add("y", OutputType(dtype), {s.n, s.h, s.w});
  g.Operator(graph::Op::kMatMul, {}, {a, b, a_zp, b_zp}, y);
  return g.Finish(y);
}

// Same padding, stride 1: the output has the input's height and width. The weight is a constant,
// as in a model (the blocked CONV2D shader repacks it at load).
absl::StatusOr<std::shared_ptr<const graph::Graph>> Conv2dGraph(DType dtype, const ConvShape& s) {
  OneOperatorGraph g;
  const auto x = g.Input("x", dtype, {s.n, s.h, s.w, s.ic});
  const auto weight =
      g.Add("w", dtype, {s.oc, s.k, s.k, s.ic}, Pattern(dtype, s.oc * s.k * s.k * s.ic, 7));
  const DType bias_type = OutputType(dtype);
  const auto bias = g.Add("bias", bias_type, {s.oc}, std::vector<uint8_t>(s.oc * Width(bias_type)));
  const auto x_zp = g.Add("x_zp", dtype, {1}, ZeroPoint(dtype));
  const auto w_zp = g.Add("w_zp", dtype, {1}, ZeroPoint(dtype));
  const auto y = g.Add("y", OutputType(dtype), {s.n, s.h, s.w, s.oc});
  graph::Conv2dAttr attr;
  const auto half = static_cast<int32_t>(s.k / 2);
  attr.pad = {half, half, half, half};
  attr.stride = {1, 1};
  attr.dilation = {1, 1};
  attr.acc_type = dtype == DType::kInt8 ? DType::kInt32 : DType::kFp32;
  g.Operator(graph::Op::kConv2d, attr, {x, weight, bias, x_zp, w_zp}, y);
  return g.Finish(y);
}

// One graph loaded with one set of options, its inputs, and the shader its operator runs.
struct Subject {
  std::string label;
  std::unique_ptr<vulkan::GraphProgram> program;
  std::string shader;
  std::vector<std::vector<uint8_t>> inputs;
  std::vector<uint8_t> output;
  std::vector<double> milliseconds;
  uint64_t profiled_ns = 0;  // the operator's GPU time so far
  bool timestamps = true;
};

// The shader the backend's lowering gives the graph's last operator under `program`'s choices.
std::string ShaderName(const graph::Graph& g, const vulkan::GraphProgram& program,
                       const vulkan::VulkanDevice& device, bool tiled, int block) {
  vulkan::OpLowering lowering(g, {.subgroup_shuffle = device.info().subgroup_shuffle,
                                  .tiled_matmul = tiled,
                                  .matmul_register_block = block,
                                  .integer_dot_product = program.uses_integer_dot_product()});
  std::vector<vulkan::Step> steps;
  for (const graph::Operator& op : g.main_block().operators) {
    if (!lowering.Lower(op, steps).ok()) return "?";
  }
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    if (const auto* dispatch = std::get_if<vulkan::DispatchStep>(&*it)) return dispatch->shader;
  }
  return "?";
}

absl::StatusOr<Subject> Load(std::shared_ptr<vulkan::VulkanDevice> device,
                             std::shared_ptr<const graph::Graph> g,
                             vulkan::GraphProgramOptions options, std::string label) {
  options.time_operators = true;
  auto program = vulkan::GraphProgram::Create(device, g, 1, options);
  if (!program.ok()) return program.status();
  Subject subject;
  subject.label = std::move(label);
  subject.shader =
      ShaderName(*g, **program, *device, options.tiled_matmul, options.matmul_register_block);
  const graph::Block& main = g->main_block();
  for (size_t i = 0; i < main.inputs.size(); ++i) {
    const graph::Tensor& t = g->tensor(main.inputs[i]);
    int64_t count = 1;
    for (int64_t d : t.shape) count *= d;
    subject.inputs.push_back(Pattern(t.dtype, count, static_cast<uint32_t>(i + 1)));
  }
  subject.output.resize((*program)->output_bytes(0));
  subject.program = *std::move(program);
  return subject;
}

uint64_t ProfiledNanoseconds(const vulkan::GraphProgram& program) {
  uint64_t total = 0;
  for (const OperatorTiming& timing : program.OperatorProfile()) total += timing.total_ns;
  return total;
}

// One run: the operator's GPU time from its timestamps, or the wall time of the run where the
// device has no timestamps on its compute queue.
absl::Status RunOnce(Subject& s, bool record) {
  std::vector<std::span<const uint8_t>> in(s.inputs.begin(), s.inputs.end());
  std::vector<std::span<uint8_t>> out = {s.output};
  const auto start = Clock::now();
  if (absl::Status status = s.program->RunAndWait(in, out); !status.ok()) return status;
  const double wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  const uint64_t profiled = ProfiledNanoseconds(*s.program);
  s.timestamps = profiled > s.profiled_ns;
  if (record) s.milliseconds.push_back(s.timestamps ? (profiled - s.profiled_ns) / 1e6 : wall_ms);
  s.profiled_ns = profiled;
  return absl::OkStatus();
}

std::string TypeName(DType dtype) {
  return dtype == DType::kFp32 ? "FP32" : dtype == DType::kFp16 ? "FP16" : "INT8";
}

void Report(const Subject& s, double operations, DType dtype, std::optional<double> peak) {
  const double ms = Median(s.milliseconds);
  const double rate = operations / (ms * 1e6);  // G(FL)OP/s
  std::string of_peak = "";
  if (peak.has_value()) of_peak = absl::StrFormat("  %5.1f%% of FP32 peak", 100 * rate / *peak);
  std::cout << absl::StrFormat("  %-12s %-26s %10.3f ms %10.1f %s%s\n", s.label, s.shader, ms, rate,
                               dtype == DType::kInt8 ? "GOP/s  " : "GFLOP/s", of_peak);
}

// Runs the subjects interleaved, `runs` rounds after one warm-up each, and reports them.
int Measure(std::vector<Subject>& subjects, int runs, double operations, DType dtype,
            std::optional<double> peak) {
  for (int round = -1; round < runs; ++round) {
    for (Subject& s : subjects) {
      if (absl::Status status = RunOnce(s, round >= 0); !status.ok()) {
        std::cerr << s.label << ": " << status << "\n";
        return 1;
      }
    }
  }
  for (const Subject& s : subjects) Report(s, operations, dtype, peak);
  // With a baseline (the last subject): each other subject's speed against it, and its output.
  int status = 0;
  for (size_t i = 0; subjects.size() > 1 && i + 1 < subjects.size(); ++i) {
    const Subject& baseline = subjects.back();
    const double gain = Median(baseline.milliseconds) / Median(subjects[i].milliseconds);
    const bool same = subjects[i].output == baseline.output;
    std::cout << absl::StrFormat("  %s / baseline speed %.2fx; outputs %s\n", subjects[i].label,
                                 gain,
                                 same                    ? "byte-identical"
                                 : dtype == DType::kInt8 ? "DIFFER"
                                                         : "differ (float rounding order)");
    if (dtype == DType::kInt8 && !same) status = 1;
  }
  if (!subjects.empty() && !subjects[0].timestamps) {
    std::cout << "  (no GPU timestamps on this queue: wall time of each run)\n";
  }
  return status;
}

std::vector<int64_t> ParseList(const std::string& text) {
  std::vector<int64_t> values;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(part, &v) || v <= 0) return {};
    values.push_back(v);
  }
  return values;
}

int Usage() {
  std::cerr << "usage: inferd_vulkan_peak_benchmark [--matmul N,H,C,W] [--conv N,H,W,IC,OC,K]\n"
               "         [--types f32,f16,i8] [--ops matmul,conv] [--runs R] [--peak-gflops X]\n"
               "         [--both-blocks]\n";
  return 2;
}

int Main(int argc, char** argv) {
  MatMulShape matmul;
  ConvShape conv;
  std::vector<DType> types = {DType::kFp32, DType::kFp16, DType::kInt8};
  bool run_matmul = true, run_conv = true;
  bool both_blocks = false;
  int runs = 5;
  std::optional<double> peak;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--both-blocks") {
      both_blocks = true;
      --i;  // a flag without a value
      continue;
    }
    if (i + 1 >= argc) return Usage();
    const std::string value = argv[i + 1];
    if (flag == "--matmul") {
      const std::vector<int64_t> v = ParseList(value);
      if (v.size() != 4) return Usage();
      matmul = {v[0], v[1], v[2], v[3]};
    } else if (flag == "--conv") {
      const std::vector<int64_t> v = ParseList(value);
      if (v.size() != 6) return Usage();
      conv = {v[0], v[1], v[2], v[3], v[4], v[5]};
    } else if (flag == "--types") {
      types.clear();
      for (absl::string_view t : absl::StrSplit(value, ',')) {
        if (t == "f32")
          types.push_back(DType::kFp32);
        else if (t == "f16")
          types.push_back(DType::kFp16);
        else if (t == "i8")
          types.push_back(DType::kInt8);
        else
          return Usage();
      }
    } else if (flag == "--ops") {
      run_matmul = value.find("matmul") != std::string::npos;
      run_conv = value.find("conv") != std::string::npos;
    } else if (flag == "--runs") {
      runs = std::max(1, std::atoi(value.c_str()));
    } else if (flag == "--peak-gflops") {
      double v = 0;
      if (!absl::SimpleAtod(value, &v) || v <= 0) return Usage();
      peak = v;
    } else {
      return Usage();
    }
  }
  auto device = vulkan::VulkanContext::OpenDevice(std::nullopt);
  if (!device.ok()) {
    std::cerr << device.status() << "\n";
    return 1;
  }
  const vulkan::PhysicalDeviceInfo& info = (*device)->info();
  std::cout << "device: " << info.name << " (" << info.driver << ")\n";
  if (!peak.has_value()) peak = KnownFp32Peak(info.name);
  std::cout << (peak.has_value() ? absl::StrFormat("FP32 peak: %.0f GFLOP/s", *peak)
                                 : std::string("FP32 peak: unknown (--peak-gflops X)"))
            << "; int8 dot products: "
            << (info.integer_dot_product_accelerated ? "accelerated, used"
                : info.integer_dot_product           ? "not accelerated, unused"
                                                     : "none")
            << "; " << runs << " interleaved runs, medians of the GPU time\n";
  int status = 0;
  for (DType dtype : types) {
    if (run_matmul) {
      std::cout << absl::StrFormat("MATMUL %s %dx%dx%d @ %dx%d (%.2f G%sOP)\n", TypeName(dtype),
                                   matmul.n, matmul.h, matmul.c, matmul.c, matmul.w,
                                   matmul.Operations() / 1e9, dtype == DType::kInt8 ? "" : "FL");
      auto g = MatMulGraph(dtype, matmul);
      if (!g.ok()) {
        std::cerr << g.status() << "\n";
        return 1;
      }
      // The tiled shader as the backend picks it (with --both-blocks, each register block); for
      // INT8 on a device with int8 dot products, also the arithmetic the backend does not pick
      // (plain where they are accelerated, dot products where not); the baseline last.
      using IntegerDotProduct = vulkan::GraphProgramOptions::IntegerDotProduct;
      struct Variant {
        vulkan::GraphProgramOptions options;
        std::string label;
      };
      std::vector<Variant> variants = {{{}, "tiled"}};
      if (both_blocks) {
        variants = {{{.matmul_register_block = 8}, "tiled 8x8"},
                    {{.matmul_register_block = 4}, "tiled 4x4"}};
      }
      if (dtype == DType::kInt8 && info.integer_dot_product) {
        const bool accelerated = info.integer_dot_product_accelerated;
        variants.push_back(
            {{.integer_dot_product =
                  accelerated ? IntegerDotProduct::kOff : IntegerDotProduct::kWhereSupported},
             accelerated ? "tiled, plain" : "tiled, dot"});
      }
      variants.push_back({{.tiled_matmul = false}, "baseline"});
      std::vector<Subject> subjects;
      for (const Variant& v : variants) {
        auto subject = Load(*device, *g, v.options, v.label);
        if (!subject.ok()) {
          std::cerr << subject.status() << "\n";
          return 1;
        }
        subjects.push_back(*std::move(subject));
      }
      status |= Measure(subjects, runs, matmul.Operations(), dtype, peak);
    }
    if (run_conv) {
      std::cout << absl::StrFormat("CONV2D %s %dx%dx%dx%d -> %d, %dx%d, stride 1 (%.2f G%sOP)\n",
                                   TypeName(dtype), conv.n, conv.h, conv.w, conv.ic, conv.oc,
                                   conv.k, conv.k, conv.Operations() / 1e9,
                                   dtype == DType::kInt8 ? "" : "FL");
      auto g = Conv2dGraph(dtype, conv);
      if (!g.ok()) {
        std::cerr << g.status() << "\n";
        return 1;
      }
      auto subject = Load(*device, *g, {}, "current");
      if (!subject.ok()) {
        std::cerr << subject.status() << "\n";
        return 1;
      }
      std::vector<Subject> subjects;
      subjects.push_back(*std::move(subject));
      status |= Measure(subjects, runs, conv.Operations(), dtype, peak);
    }
  }
  return status;
}

}  // namespace
}  // namespace inferd::bench

int main(int argc, char** argv) { return inferd::bench::Main(argc, argv); }

// Google Benchmark of CONV2D, DEPTHWISE_CONV2D and MATMUL on MobileNetV2 shapes, and of MAX_POOL2D
// / AVG_POOL2D on common pooling shapes, INT8 and FP32, reference kernel vs optimised kernel
// (weights packed outside the timed loop, as at bind time). Run with --benchmark_repetitions=5
// --benchmark_report_aggregates_only=true for medians.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/kernels/clamp.h"
#include "backends/cpu/kernels/conv2d.h"
#include "backends/cpu/kernels/depthwise_conv2d.h"
#include "backends/cpu/kernels/elementwise_arithmetic.h"
#include "backends/cpu/kernels/elementwise_binary.h"
#include "backends/cpu/kernels/matmul.h"
#include "backends/cpu/kernels/optimized/conv2d_optimized.h"
#include "backends/cpu/kernels/optimized/depthwise_conv2d_optimized.h"
#include "backends/cpu/kernels/optimized/elementwise_optimized.h"
#include "backends/cpu/kernels/optimized/matmul_optimized.h"
#include "backends/cpu/kernels/optimized/pooling_optimized.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"
#include "backends/cpu/kernels/optimized/transpose_conv2d_optimized.h"
#include "backends/cpu/kernels/pooling.h"
#include "backends/cpu/kernels/transpose_conv2d.h"

namespace inferd::bench {
namespace {

namespace k = ::inferd::cpu::kernels;
namespace opt = ::inferd::cpu::kernels::optimized;

template <typename T>
std::vector<T> Random(int64_t count) {
  std::mt19937 rng(42);
  std::vector<T> v(count);
  for (auto& x : v) {
    if constexpr (std::is_floating_point_v<T>) {
      x = std::uniform_real_distribution<T>(-1, 1)(rng);
    } else {
      x = static_cast<T>(std::uniform_int_distribution<int>(-128, 127)(rng));
    }
  }
  return v;
}

// (in_hw, cin, cout, kernel, stride): same padding.
k::Conv2dParams ConvShape(int hw, int cin, int cout, int kernel, int stride) {
  k::Conv2dParams p;
  p.input_height = p.input_width = hw;
  p.input_channels = cin;
  p.output_channels = cout;
  p.kernel_height = p.kernel_width = kernel;
  p.stride_y = p.stride_x = stride;
  const int out = (hw + stride - 1) / stride;
  const int total = std::max((out - 1) * stride + kernel - hw, 0);
  p.pad_top = p.pad_left = total / 2;
  p.pad_bottom = p.pad_right = total - total / 2;
  p.output_height = p.output_width = out;
  p.bias_size = cout;
  p.input_zp = -128;
  return p;
}

k::DepthwiseConv2dParams DepthwiseShape(int hw, int channels, int stride) {
  const k::Conv2dParams c = ConvShape(hw, channels, channels, 3, stride);
  k::DepthwiseConv2dParams p;
  p.input_height = p.input_width = hw;
  p.channels = channels;
  p.kernel_height = p.kernel_width = 3;
  p.stride_y = p.stride_x = stride;
  p.pad_top = c.pad_top;
  p.pad_bottom = c.pad_bottom;
  p.pad_left = c.pad_left;
  p.pad_right = c.pad_right;
  p.output_height = p.output_width = c.output_height;
  p.bias_size = channels;
  p.input_zp = -128;
  return p;
}

void SetMacs(benchmark::State& state, double macs) {
  state.counters["GMAC/s"] = benchmark::Counter(macs, benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}

template <bool kOptimized, bool kInt8>
void BM_Conv2d(benchmark::State& state) {
  const k::Conv2dParams p =
      ConvShape(state.range(0), state.range(1), state.range(2), state.range(3), state.range(4));
  const int64_t in_count = int64_t{p.input_height} * p.input_width * p.input_channels;
  const int64_t w_count =
      int64_t{p.output_channels} * p.kernel_height * p.kernel_width * p.input_channels;
  const int64_t out_count = int64_t{p.output_height} * p.output_width * p.output_channels;
  const opt::TileKernels* tiles = opt::SelectTileKernels();
  if (kOptimized && tiles == nullptr) {
    state.SkipWithError("no optimised kernels for this CPU");
    return;
  }
  if constexpr (kInt8) {
    const auto input = Random<int8_t>(in_count);
    const auto weight = Random<int8_t>(w_count);
    const std::vector<int32_t> bias(p.output_channels, 100);
    std::vector<int32_t> output(out_count);
    const opt::PackedInt8Matrix packed =
        tiles != nullptr ? opt::PackConv2dInt8Weights(*tiles, p, weight.data(), 0)
                         : opt::PackedInt8Matrix{};
    for (auto _ : state) {
      if constexpr (kOptimized) {
        opt::Conv2dInt8Optimized(*tiles, p, packed, input.data(), bias.data(), output.data());
      } else {
        k::Conv2dInt8(p, input.data(), weight.data(), bias.data(), output.data());
      }
      benchmark::DoNotOptimize(output.data());
    }
  } else {
    const auto input = Random<float>(in_count);
    const auto weight = Random<float>(w_count);
    const std::vector<float> bias(p.output_channels, 0.5f);
    std::vector<float> output(out_count);
    const opt::PackedFp32Matrix packed = opt::PackConv2dFp32Weights(p, weight.data());
    for (auto _ : state) {
      if constexpr (kOptimized) {
        opt::Conv2dFp32Optimized(*tiles, p, packed, input.data(), bias.data(), output.data());
      } else {
        k::Conv2dFp32(p, input.data(), weight.data(), bias.data(), output.data());
      }
      benchmark::DoNotOptimize(output.data());
    }
  }
  SetMacs(state,
          static_cast<double>(out_count) * p.kernel_height * p.kernel_width * p.input_channels);
}

template <bool kOptimized, bool kInt8>
void BM_Depthwise(benchmark::State& state) {
  const k::DepthwiseConv2dParams p = DepthwiseShape(state.range(0), state.range(1), state.range(2));
  const int64_t in_count = int64_t{p.input_height} * p.input_width * p.channels;
  const int64_t w_count = 9 * int64_t{p.channels};
  const int64_t out_count = int64_t{p.output_height} * p.output_width * p.channels;
  const opt::TileKernels* tiles = opt::SelectTileKernels();
  if (kOptimized && tiles == nullptr) {
    state.SkipWithError("no optimised kernels for this CPU");
    return;
  }
  if constexpr (kInt8) {
    const auto input = Random<int8_t>(in_count);
    const auto weight = Random<int8_t>(w_count);
    const std::vector<int32_t> bias(p.channels, 100);
    std::vector<int32_t> output(out_count);
    const std::vector<int16_t> packed = opt::PackDepthwiseInt8Weights(p, weight.data(), 0);
    for (auto _ : state) {
      if constexpr (kOptimized) {
        opt::DepthwiseConv2dInt8Optimized(*tiles, p, packed.data(), input.data(), bias.data(),
                                          output.data());
      } else {
        k::DepthwiseConv2dInt8(p, input.data(), weight.data(), bias.data(), output.data());
      }
      benchmark::DoNotOptimize(output.data());
    }
  } else {
    const auto input = Random<float>(in_count);
    const auto weight = Random<float>(w_count);
    const std::vector<float> bias(p.channels, 0.5f);
    std::vector<float> output(out_count);
    for (auto _ : state) {
      if constexpr (kOptimized) {
        opt::DepthwiseConv2dFp32Optimized(*tiles, p, weight.data(), input.data(), bias.data(),
                                          output.data());
      } else {
        k::DepthwiseConv2dFp32(p, input.data(), weight.data(), bias.data(), output.data());
      }
      benchmark::DoNotOptimize(output.data());
    }
  }
  SetMacs(state, static_cast<double>(out_count) * 9);
}

template <bool kOptimized, bool kInt8>
void BM_Matmul(benchmark::State& state) {
  k::MatmulParams p;
  p.rows = state.range(0);
  p.depth = state.range(1);
  p.columns = state.range(2);
  const opt::TileKernels* tiles = opt::SelectTileKernels();
  if (kOptimized && tiles == nullptr) {
    state.SkipWithError("no optimised kernels for this CPU");
    return;
  }
  const int64_t out_count = int64_t{p.rows} * p.columns;
  if constexpr (kInt8) {
    const auto a = Random<int8_t>(int64_t{p.rows} * p.depth);
    const auto b = Random<int8_t>(int64_t{p.depth} * p.columns);
    std::vector<int32_t> output(out_count);
    const opt::PackedInt8Matrix packed =
        tiles != nullptr ? opt::PackMatmulInt8B(*tiles, p, b.data(), 0) : opt::PackedInt8Matrix{};
    for (auto _ : state) {
      if constexpr (kOptimized) {
        opt::MatmulInt8Optimized(*tiles, p, &packed, a.data(), b.data(), output.data());
      } else {
        k::MatmulInt8(p, a.data(), b.data(), output.data());
      }
      benchmark::DoNotOptimize(output.data());
    }
  } else {
    const auto a = Random<float>(int64_t{p.rows} * p.depth);
    const auto b = Random<float>(int64_t{p.depth} * p.columns);
    std::vector<float> output(out_count);
    const opt::PackedFp32Matrix packed = opt::PackMatmulFp32B(p, b.data());
    for (auto _ : state) {
      if constexpr (kOptimized) {
        opt::MatmulFp32Optimized(*tiles, p, &packed, a.data(), b.data(), output.data());
      } else {
        k::MatmulFp32(p, a.data(), b.data(), output.data());
      }
      benchmark::DoNotOptimize(output.data());
    }
  }
  SetMacs(state, static_cast<double>(out_count) * p.depth);
}

// MobileNetV2 layers: the stem, an expansion, a projection.
// (in_hw, cin, cout, kernel, stride), pads that make the output exactly stride times the input: the
// upsampling layers of decoders and segmentation heads.
k::TransposeConv2dParams TransposeConvShape(benchmark::State& state) {
  k::TransposeConv2dParams p;
  p.input_height = p.input_width = state.range(0);
  p.input_channels = state.range(1);
  p.output_channels = state.range(2);
  p.kernel_height = p.kernel_width = state.range(3);
  p.stride_y = p.stride_x = state.range(4);
  const int crop = p.kernel_height - p.stride_y;  // output = (in - 1) * s + k - crop = in * s
  p.out_pad_top = p.out_pad_left = -(crop / 2);
  p.out_pad_bottom = p.out_pad_right = -(crop - crop / 2);
  p.output_height = p.output_width = p.input_height * p.stride_y;
  p.bias_size = p.output_channels;
  p.input_zp = -128;
  return p;
}

template <bool kOptimized, bool kInt8>
void BM_TransposeConv(benchmark::State& state) {
  const k::TransposeConv2dParams p = TransposeConvShape(state);
  const int64_t in_count = int64_t{p.input_height} * p.input_width * p.input_channels;
  const int64_t w_count =
      int64_t{p.output_channels} * p.kernel_height * p.kernel_width * p.input_channels;
  const int64_t out_count = int64_t{p.output_height} * p.output_width * p.output_channels;
  const opt::TileKernels* tiles = opt::SelectTileKernels();
  if (kOptimized && tiles == nullptr) {
    state.SkipWithError("no optimised kernels for this CPU");
    return;
  }
  if constexpr (kInt8) {
    const auto input = Random<int8_t>(in_count);
    const auto weight = Random<int8_t>(w_count);
    const std::vector<int32_t> bias(p.output_channels, 100);
    std::vector<int32_t> output(out_count);
    std::vector<int32_t> scratch(opt::TransposeConv2dScratchElements(p));
    const opt::PackedInt8Matrix packed =
        tiles != nullptr ? opt::PackTransposeConv2dInt8Weights(*tiles, p, weight.data(), 0)
                         : opt::PackedInt8Matrix{};
    for (auto _ : state) {
      if constexpr (kOptimized) {
        opt::TransposeConv2dInt8Optimized(*tiles, p, packed, input.data(), bias.data(),
                                          scratch.data(), output.data());
      } else {
        k::TransposeConv2dInt8(p, input.data(), weight.data(), bias.data(), output.data());
      }
      benchmark::DoNotOptimize(output.data());
    }
  } else {
    const auto input = Random<float>(in_count);
    const auto weight = Random<float>(w_count);
    const std::vector<float> bias(p.output_channels, 0.5f);
    std::vector<float> output(out_count);
    std::vector<float> scratch(opt::TransposeConv2dScratchElements(p));
    const opt::PackedFp32Matrix packed = opt::PackTransposeConv2dFp32Weights(p, weight.data());
    for (auto _ : state) {
      if constexpr (kOptimized) {
        opt::TransposeConv2dFp32Optimized(*tiles, p, packed, input.data(), bias.data(),
                                          scratch.data(), output.data());
      } else {
        k::TransposeConv2dFp32(p, input.data(), weight.data(), bias.data(), output.data());
      }
      benchmark::DoNotOptimize(output.data());
    }
  }
  SetMacs(state,
          static_cast<double>(in_count) * p.output_channels * p.kernel_height * p.kernel_width);
}

void TransposeConvShapes(benchmark::internal::Benchmark* b) {
  b->Args({16, 64, 32, 2, 2})->Args({16, 64, 32, 4, 2})->Args({28, 32, 16, 3, 1});
}

// [1, hw, hw, channels] with [1, hw, hw, channels] (a residual ADD) or, when per_channel is 1, with
// [1, 1, 1, channels] (a per-channel MAXIMUM, broadcast along every row).
k::BroadcastShape ElementwiseShape(benchmark::State& state) {
  k::BroadcastShape s;
  s.rank = 4;
  const int32_t dims[4] = {1, static_cast<int32_t>(state.range(0)),
                           static_cast<int32_t>(state.range(0)),
                           static_cast<int32_t>(state.range(1))};
  for (int d = 0; d < 4; ++d) {
    s.output_dims[d] = s.input1_dims[d] = dims[d];
    s.input2_dims[d] = state.range(2) != 0 && d < 3 ? 1 : dims[d];
  }
  return s;
}

int64_t ElementCount(const int32_t* dims) { return int64_t{dims[0]} * dims[1] * dims[2] * dims[3]; }

template <bool kOptimized>
void BM_AddInt32(benchmark::State& state) {
  const k::BroadcastShape s = ElementwiseShape(state);
  const auto a = Random<int32_t>(ElementCount(s.input1_dims));
  const auto b = Random<int32_t>(ElementCount(s.input2_dims));
  std::vector<int32_t> out(ElementCount(s.output_dims));
  for (auto _ : state) {
    if constexpr (kOptimized) {
      opt::ElementwiseInt32(opt::ElementwiseOp::kAdd, s, a.data(), b.data(), out.data());
    } else {
      k::AddInt32(s, a.data(), b.data(), out.data());
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}

template <bool kOptimized>
void BM_MaximumFp32(benchmark::State& state) {
  const k::BroadcastShape s = ElementwiseShape(state);
  const auto a = Random<float>(ElementCount(s.input1_dims));
  const auto b = Random<float>(ElementCount(s.input2_dims));
  std::vector<float> out(ElementCount(s.output_dims));
  for (auto _ : state) {
    if constexpr (kOptimized) {
      opt::ElementwiseFp32(opt::ElementwiseOp::kMaximum, k::NanMode::kPropagate, s, a.data(),
                           b.data(), out.data());
    } else {
      k::FloatBinary<float>(k::FloatBinaryOp::kMaximum, k::NanMode::kPropagate, s, a.data(),
                            b.data(), out.data());
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}

template <bool kOptimized, bool kInt8>
void BM_Clamp(benchmark::State& state) {
  const int64_t count = int64_t{state.range(0)} * state.range(0) * state.range(1);
  if constexpr (kInt8) {
    const auto in = Random<int8_t>(count);
    std::vector<int8_t> out(count);
    for (auto _ : state) {
      (kOptimized ? opt::ClampInt8 : k::ClampInt8)(in.data(), out.data(), count, -100, 100);
      benchmark::DoNotOptimize(out.data());
    }
  } else {
    const auto in = Random<float>(count);
    std::vector<float> out(count);
    for (auto _ : state) {
      (kOptimized ? opt::ClampFp32 : k::ClampFp32)(in.data(), out.data(), count, 0.0f, 0.5f,
                                                   k::NanMode::kPropagate);
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * count);
}

// MobileNetV2's largest residual ADD and a per-channel MAXIMUM on it; CLAMP after its first conv.
void ResidualShapes(benchmark::internal::Benchmark* b) { b->Args({56, 24, 0}); }
void PerChannelShapes(benchmark::internal::Benchmark* b) { b->Args({56, 24, 1}); }
void ClampShapes(benchmark::internal::Benchmark* b) { b->Args({112, 32})->Args({56, 24}); }

// (in_hw, channels, kernel, stride), no padding: kernel == in_hw is a global pool.
k::Pool2dParams PoolShape(benchmark::State& state) {
  k::Pool2dParams p;
  p.input_height = p.input_width = state.range(0);
  p.channels = state.range(1);
  p.kernel_height = p.kernel_width = state.range(2);
  p.stride_y = p.stride_x = state.range(3);
  p.output_height = p.output_width = (p.input_height - p.kernel_height) / p.stride_y + 1;
  p.input_zp = -3;
  p.output_zp = 5;
  return p;
}

template <bool kOptimized, bool kInt8, bool kMax>
void BM_Pool(benchmark::State& state) {
  const k::Pool2dParams p = PoolShape(state);
  const int64_t in_count = int64_t{p.input_height} * p.input_width * p.channels;
  const int64_t out_count = int64_t{p.output_height} * p.output_width * p.channels;
  if constexpr (kInt8) {
    const auto input = Random<int8_t>(in_count);
    std::vector<int8_t> output(out_count);
    for (auto _ : state) {
      if constexpr (kMax) {
        (kOptimized ? opt::MaxPool2dInt8 : k::MaxPool2dInt8)(p, input.data(), output.data());
      } else {
        (kOptimized ? opt::AvgPool2dInt8 : k::AvgPool2dInt8)(p, input.data(), output.data());
      }
      benchmark::DoNotOptimize(output.data());
    }
  } else {
    const auto input = Random<float>(in_count);
    std::vector<float> output(out_count);
    for (auto _ : state) {
      if constexpr (kMax) {
        (kOptimized ? opt::MaxPool2dFp32 : k::MaxPool2dFp32)(p, input.data(), output.data(),
                                                             k::NanMode::kPropagate);
      } else {
        (kOptimized ? opt::AvgPool2dFp32 : k::AvgPool2dFp32)(p, input.data(), output.data());
      }
      benchmark::DoNotOptimize(output.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * out_count);
}

// ResNet's stem max pool, the digits model's, and MobileNetV2's global average pool.
void MaxPoolShapes(benchmark::internal::Benchmark* b) {
  b->Args({112, 64, 3, 2})->Args({8, 8, 2, 2});
}
void AvgPoolShapes(benchmark::internal::Benchmark* b) { b->Args({7, 1280, 7, 1}); }

void ConvShapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"hw", "cin", "cout", "k", "s"});
  b->Args({224, 3, 32, 3, 2});
  b->Args({28, 32, 192, 1, 1});
  b->Args({56, 144, 24, 1, 1});
  b->Unit(benchmark::kMicrosecond);
}
void DepthwiseShapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"hw", "c", "s"});
  b->Args({112, 96, 2});
  b->Args({56, 144, 1});
  b->Args({14, 384, 1});
  b->Unit(benchmark::kMicrosecond);
}
void MatmulShapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"h", "c", "w"});
  b->Args({1, 1280, 1000});
  b->Args({196, 256, 256});
  b->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_Conv2d<false, true>)->Name("Conv2dInt8/reference")->Apply(ConvShapes);
BENCHMARK(BM_Conv2d<true, true>)->Name("Conv2dInt8/optimized")->Apply(ConvShapes);
BENCHMARK(BM_Conv2d<false, false>)->Name("Conv2dFp32/reference")->Apply(ConvShapes);
BENCHMARK(BM_Conv2d<true, false>)->Name("Conv2dFp32/optimized")->Apply(ConvShapes);
BENCHMARK(BM_Depthwise<false, true>)->Name("DepthwiseInt8/reference")->Apply(DepthwiseShapes);
BENCHMARK(BM_Depthwise<true, true>)->Name("DepthwiseInt8/optimized")->Apply(DepthwiseShapes);
BENCHMARK(BM_Depthwise<false, false>)->Name("DepthwiseFp32/reference")->Apply(DepthwiseShapes);
BENCHMARK(BM_Depthwise<true, false>)->Name("DepthwiseFp32/optimized")->Apply(DepthwiseShapes);
BENCHMARK(BM_Matmul<false, true>)->Name("MatmulInt8/reference")->Apply(MatmulShapes);
BENCHMARK(BM_Matmul<true, true>)->Name("MatmulInt8/optimized")->Apply(MatmulShapes);
BENCHMARK(BM_Matmul<false, false>)->Name("MatmulFp32/reference")->Apply(MatmulShapes);
BENCHMARK(BM_Matmul<true, false>)->Name("MatmulFp32/optimized")->Apply(MatmulShapes);
BENCHMARK(BM_TransposeConv<false, true>)
    ->Name("TransposeConvInt8/reference")
    ->Apply(TransposeConvShapes);
BENCHMARK(BM_TransposeConv<true, true>)
    ->Name("TransposeConvInt8/optimized")
    ->Apply(TransposeConvShapes);
BENCHMARK(BM_TransposeConv<false, false>)
    ->Name("TransposeConvFp32/reference")
    ->Apply(TransposeConvShapes);
BENCHMARK(BM_TransposeConv<true, false>)
    ->Name("TransposeConvFp32/optimized")
    ->Apply(TransposeConvShapes);
BENCHMARK(BM_AddInt32<false>)->Name("AddInt32/reference")->Apply(ResidualShapes);
BENCHMARK(BM_AddInt32<true>)->Name("AddInt32/optimized")->Apply(ResidualShapes);
BENCHMARK(BM_MaximumFp32<false>)->Name("MaximumFp32/reference")->Apply(PerChannelShapes);
BENCHMARK(BM_MaximumFp32<true>)->Name("MaximumFp32/optimized")->Apply(PerChannelShapes);
BENCHMARK(BM_Clamp<false, true>)->Name("ClampInt8/reference")->Apply(ClampShapes);
BENCHMARK(BM_Clamp<true, true>)->Name("ClampInt8/optimized")->Apply(ClampShapes);
BENCHMARK(BM_Clamp<false, false>)->Name("ClampFp32/reference")->Apply(ClampShapes);
BENCHMARK(BM_Clamp<true, false>)->Name("ClampFp32/optimized")->Apply(ClampShapes);
BENCHMARK(BM_Pool<false, true, true>)->Name("MaxPoolInt8/reference")->Apply(MaxPoolShapes);
BENCHMARK(BM_Pool<true, true, true>)->Name("MaxPoolInt8/optimized")->Apply(MaxPoolShapes);
BENCHMARK(BM_Pool<false, false, true>)->Name("MaxPoolFp32/reference")->Apply(MaxPoolShapes);
BENCHMARK(BM_Pool<true, false, true>)->Name("MaxPoolFp32/optimized")->Apply(MaxPoolShapes);
BENCHMARK(BM_Pool<false, true, false>)->Name("AvgPoolInt8/reference")->Apply(AvgPoolShapes);
BENCHMARK(BM_Pool<true, true, false>)->Name("AvgPoolInt8/optimized")->Apply(AvgPoolShapes);
BENCHMARK(BM_Pool<false, false, false>)->Name("AvgPoolFp32/reference")->Apply(AvgPoolShapes);
BENCHMARK(BM_Pool<true, false, false>)->Name("AvgPoolFp32/optimized")->Apply(AvgPoolShapes);

}  // namespace
}  // namespace inferd::bench

BENCHMARK_MAIN();

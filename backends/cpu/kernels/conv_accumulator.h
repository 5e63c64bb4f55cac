// How the TOSA 1.0 convolution pseudo-code accumulates for each (element, acc_t) pair: the
// per-tap multiply-add and the epilogue that adds the bias. CONV3D and TRANSPOSE_CONV2D share one
// loop nest and take one of these policies. Header-only, freestanding.
#ifndef INFERD_BACKENDS_CPU_KERNELS_CONV_ACCUMULATOR_H_
#define INFERD_BACKENDS_CPU_KERNELS_CONV_ACCUMULATOR_H_

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"
#include "backends/cpu/kernels/tosa_arith.h"

namespace inferd::cpu::kernels {

// Integer inputs: (in - input_zp) * (weight - weight_zp) summed exactly in int64_t, where every
// partial sum of int8/int16 products is exact, so a result outside [out_min, out_max] (before or
// after the bias, the specification's REQUIREs) is detected rather than wrapped.
template <typename OutT>
struct IntConvAccumulation {
  using Acc = int64_t;
  int64_t input_zp;
  int64_t weight_zp;
  int64_t out_min;
  int64_t out_max;

  template <typename InT, typename WeightT>
  void Add(Acc& acc, InT in, WeightT w) const {
    acc += (static_cast<int64_t>(in) - input_zp) * (static_cast<int64_t>(w) - weight_zp);
  }
  OutT Finish(Acc acc, OutT bias, bool& unpredictable) const {
    if (!InRange(acc, out_min, out_max)) unpredictable = true;
    acc += bias;
    if (!InRange(acc, out_min, out_max)) unpredictable = true;
    return static_cast<OutT>(acc);
  }
};

// fp32 with fp32 accumulation; zero points are 0 and ignored.
struct Fp32ConvAccumulation {
  using Acc = float;
  void Add(Acc& acc, float in, float w) const { acc += in * w; }
  float Finish(Acc acc, float bias, bool&) const { return acc + bias; }
};

// FP16 / BF16 outputs `T` with acc_t `AccT` (float or Fp16); the inputs and weights are T, or FP8
// for an FP16 output. With fp32 accumulation the products of 16-bit floats are exact in fp32 and
// only the sums round; with fp16 accumulation apply_mul_s and apply_add_s both round to fp16
// (through fp64, where one operation on fp16 or fp8 values rounds only once more). The epilogue is
// out = static_cast<out_t>(acc); out = apply_add_s<out_t>(out, bias).
template <typename T, typename AccT>
struct Float16ConvAccumulation;

template <typename T>
struct Float16ConvAccumulation<T, float> {
  using Acc = float;
  template <typename InT>
  void Add(Acc& acc, InT in, InT w) const {
    acc += static_cast<float>(Widen(in)) * static_cast<float>(Widen(w));
  }
  T Finish(Acc acc, T bias, bool&) const { return Narrow<T>(Widen(Narrow<T>(acc)) + Widen(bias)); }
};

template <typename T>
struct Float16ConvAccumulation<T, Fp16> {
  using Acc = Fp16;
  template <typename InT>
  void Add(Acc& acc, InT in, InT w) const {
    const Fp16 product = Narrow<Fp16>(Widen(in) * Widen(w));
    acc = Narrow<Fp16>(Widen(acc) + Widen(product));
  }
  T Finish(Acc acc, T bias, bool&) const {
    return Narrow<T>(Widen(Narrow<T>(Widen(acc))) + Widen(bias));
  }
};

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_CONV_ACCUMULATOR_H_

#include "backends/cpu/kernels/activation.h"

#include <cmath>
#include <cstdint>

namespace inferd::cpu::kernels {

template <typename T>
void Activation(ActivationOp op, const T* input, T* output, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    const double x = Widen(input[i]);
    double y;
    switch (op) {
      case ActivationOp::kSigmoid:
        // 1 / (1 + e^-x): e^-x overflows to +inf for very negative x, giving the exact limit 0.
        y = 1.0 / (1.0 + std::exp(-x));
        break;
      case ActivationOp::kTanh:
        y = std::tanh(x);
        break;
      case ActivationOp::kErf:
      default:
        y = std::erf(x);
        break;
    }
    output[i] = Narrow<T>(y);
  }
}

template void Activation<float>(ActivationOp, const float*, float*, int64_t);
template void Activation<Fp16>(ActivationOp, const Fp16*, Fp16*, int64_t);
template void Activation<Bf16>(ActivationOp, const Bf16*, Bf16*, int64_t);

}  // namespace inferd::cpu::kernels

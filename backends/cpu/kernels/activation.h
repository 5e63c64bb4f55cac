// Reference TOSA 1.0 float activation functions SIGMOID, TANH and ERF (CLAMP is in clamp.h),
// computed in fp64 and rounded once to the element type: within the specification's accuracy
// bounds with a wide margin. input and output may be the same buffer.
#ifndef INFERD_BACKENDS_CPU_KERNELS_ACTIVATION_H_
#define INFERD_BACKENDS_CPU_KERNELS_ACTIVATION_H_

#include <cstdint>

#include "backends/cpu/kernels/float_formats.h"

namespace inferd::cpu::kernels {

enum class ActivationOp : uint8_t { kSigmoid, kTanh, kErf };

// T is float, Fp16 or Bf16.
template <typename T>
void Activation(ActivationOp op, const T* input, T* output, int64_t count);

}  // namespace inferd::cpu::kernels

#endif  // INFERD_BACKENDS_CPU_KERNELS_ACTIVATION_H_

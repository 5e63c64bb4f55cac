// Which SIMD instruction sets the running CPU offers, asked once at run time, so the optimised
// kernels can be compiled into every build and chosen only where they can execute.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_CPU_FEATURES_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_CPU_FEATURES_H_

namespace inferd::cpu::kernels::optimized {

// INFERD_CPU_KERNELS=reference in the environment turns the optimised kernels off (for
// comparisons and debugging); the CpuHas* answers below are then false.
bool DisabledByEnvironment();

// INFERD_CPU_KERNELS=avx2 caps the x86-64 kernels at AVX2 + FMA on a CPU with AVX-512 (the
// CpuHasAvx512* answers are then false): the AVX2 path measured and tested on such a machine.
bool CappedAtAvx2ByEnvironment();

// x86-64 with AVX2 and FMA (Haswell and later). Always false elsewhere.
bool CpuHasAvx2Fma();

// x86-64 with AVX2, FMA and AVX-512 Foundation (512-bit registers). Always false elsewhere.
bool CpuHasAvx512F();

// x86-64 with AVX-512 VL and VNNI (vpdpwssd on 256-bit registers). Always false elsewhere.
bool CpuHasAvx512Vnni();

// aarch64: Advanced SIMD is part of the base architecture, so true whenever compiled for it.
bool CpuHasNeon();

}  // namespace inferd::cpu::kernels::optimized

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_CPU_FEATURES_H_

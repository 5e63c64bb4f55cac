// INFERD_VECTOR_CLONES marks a plain loop function that the compiler vectorises: on x86-64 with GCC
// it also gets an AVX2 clone, which the dynamic loader selects when the CPU has AVX2 (the default
// clone keeps the baseline ISA). Elsewhere it is empty: aarch64's baseline already has NEON.
#ifndef INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_VECTOR_CLONES_H_
#define INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_VECTOR_CLONES_H_

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define INFERD_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define INFERD_VECTOR_CLONES
#endif

#endif  // INFERD_BACKENDS_CPU_KERNELS_OPTIMIZED_VECTOR_CLONES_H_

#include "backends/cpu/kernels/optimized/cpu_features.h"

#include <cstdlib>
#include <cstring>

namespace inferd::cpu::kernels::optimized {

bool DisabledByEnvironment() {
  static const bool disabled = [] {
    const char* value = std::getenv("INFERD_CPU_KERNELS");
    return value != nullptr && value[0] == 'r';
  }();
  return disabled;
}

bool CappedAtAvx2ByEnvironment() {
  static const bool capped = [] {
    const char* value = std::getenv("INFERD_CPU_KERNELS");
    return value != nullptr && std::strcmp(value, "avx2") == 0;
  }();
  return capped;
}

bool CpuHasAvx2Fma() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool has =
      !DisabledByEnvironment() && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
#else
  return false;
#endif
}

bool CpuHasAvx512F() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool has =
      CpuHasAvx2Fma() && !CappedAtAvx2ByEnvironment() && __builtin_cpu_supports("avx512f");
  return has;
#else
  return false;
#endif
}

bool CpuHasAvx512Vnni() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool has = CpuHasAvx2Fma() && !CappedAtAvx2ByEnvironment() &&
                          __builtin_cpu_supports("avx512vl") &&
                          __builtin_cpu_supports("avx512vnni");
  return has;
#else
  return false;
#endif
}

bool CpuHasNeon() {
#if defined(__aarch64__)
  static const bool has = !DisabledByEnvironment();
  return has;
#else
  return false;
#endif
}

}  // namespace inferd::cpu::kernels::optimized

#include "backends/cpu/kernels/optimized/tile_kernels.h"

#include <atomic>

#include "backends/cpu/kernels/optimized/cpu_features.h"
#include "backends/cpu/kernels/optimized/rescale_kernels.h"

namespace inferd::cpu::kernels::optimized {
namespace {

std::atomic<bool> enabled{true};

}  // namespace

void SetOptimizedKernelsEnabled(bool on) { enabled.store(on, std::memory_order_relaxed); }

bool OptimizedKernelsEnabled() {
  return enabled.load(std::memory_order_relaxed) && !DisabledByEnvironment();
}

const TileKernels* SelectTileKernels() {
  if (!enabled.load(std::memory_order_relaxed)) return nullptr;
  static const TileKernels* const selected = []() -> const TileKernels* {
    if (CpuHasAvx512Vnni() && Avx512VnniTileKernels() != nullptr) return Avx512VnniTileKernels();
    if (CpuHasAvx2Fma() && Avx2TileKernels() != nullptr) return Avx2TileKernels();
    if (CpuHasNeon() && NeonTileKernels() != nullptr) return NeonTileKernels();
    return nullptr;
  }();
  return selected;
}

const RescaleKernels* SelectRescaleKernels() {
  if (!enabled.load(std::memory_order_relaxed)) return nullptr;
  static const RescaleKernels* const selected = []() -> const RescaleKernels* {
    if (CpuHasAvx512F() && Avx512RescaleKernels() != nullptr) return Avx512RescaleKernels();
    if (CpuHasAvx2Fma() && Avx2RescaleKernels() != nullptr) return Avx2RescaleKernels();
    if (CpuHasNeon() && NeonRescaleKernels() != nullptr) return NeonRescaleKernels();
    return nullptr;
  }();
  return selected;
}

#if !defined(__x86_64__)
const TileKernels* Avx2TileKernels() { return nullptr; }
const RescaleKernels* Avx2RescaleKernels() { return nullptr; }
const RescaleKernels* Avx512RescaleKernels() { return nullptr; }
const TileKernels* Avx512VnniTileKernels() { return nullptr; }
#endif
#if !defined(__aarch64__)
const TileKernels* NeonTileKernels() { return nullptr; }
const RescaleKernels* NeonRescaleKernels() { return nullptr; }
#endif

}  // namespace inferd::cpu::kernels::optimized

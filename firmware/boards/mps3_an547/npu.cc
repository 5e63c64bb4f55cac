// The Ethos-U55 of Corstone-300 under Arm's ethos-u-core-driver: initialisation, its interrupt,
// and the driver's semaphore and mutex hooks. The driver's own bare-metal semaphores allocate with
// malloc, which this image does not have; the agent is single-threaded, so static counters and no
// locking are enough. The reset handler leaves the M55's data cache off, so the NPU and the CPU see
// the same bytes without cache maintenance (the driver's ethosu_flush/invalidate_dcache stay
// empty); an image that turns the cache on must clean the inputs and invalidate the scratch around
// a job.
#include "firmware/boards/mps3_an547/npu.h"

#include <ethosu_driver.h>
#include <pmu_ethosu.h>

#include "firmware/boards/mps3_an547/board.h"

namespace inferd::firmware::an547 {
namespace {

ethosu_driver g_npu_driver;

struct Semaphore {
  volatile uint32_t count;
};
// The driver creates two: one for the set of drivers, one for this NPU's job.
Semaphore g_semaphores[2];
uint32_t g_semaphores_used = 0;
uint8_t g_mutex;

}  // namespace

bool StartNpu(TargetDescription* target) {
  // Secure and privileged: with the SAU disabled this image runs everything Secure (README).
  if (ethosu_init(&g_npu_driver, reinterpret_cast<void*>(kNpuBase), nullptr, 0, /*secure=*/1,
                  /*privileged=*/1) != 0) {
    DebugPrint("inferd agent: the Ethos-U NPU did not initialise\n");
    return false;
  }
  ethosu_hw_info info;
  ethosu_get_hw_info(&g_npu_driver, &info);
#if defined(ETHOSU65)
  target->npu_product = 65;
#elif defined(ETHOSU85)
  target->npu_product = 85;
#else
  target->npu_product = 55;
#endif
  target->npu_macs = 1u << info.cfg.macs_per_cc;  // the register holds log2 of the MACs
  target->npu_version = (info.version.arch_major_rev << 24) | (info.version.arch_minor_rev << 16) |
                        (info.version.arch_patch_rev << 8);
  target->pmu_counters = ETHOSU_PMU_Get_NumEventCounters();
  EnableNvicIrq(kNpuIrq);
  return true;
}

}  // namespace inferd::firmware::an547

extern "C" {

void Npu_IRQHandler() { ethosu_irq_handler(&inferd::firmware::an547::g_npu_driver); }

void* ethosu_mutex_create(void) { return &inferd::firmware::an547::g_mutex; }
void ethosu_mutex_destroy(void*) {}
int ethosu_mutex_lock(void*) { return 0; }
int ethosu_mutex_unlock(void*) { return 0; }

void* ethosu_semaphore_create(void) {
  using namespace inferd::firmware::an547;
  if (g_semaphores_used == sizeof g_semaphores / sizeof g_semaphores[0]) return nullptr;
  Semaphore* semaphore = &g_semaphores[g_semaphores_used++];
  semaphore->count = 0;
  return semaphore;
}

void ethosu_semaphore_destroy(void*) {}

// The executor only takes a semaphore that the interrupt has given (it polls ethosu_wait without
// blocking); reserving the driver takes the one given when it registered. So this never waits in
// practice, and sleeps until an interrupt when it must.
int ethosu_semaphore_take(void* semaphore, uint64_t /*timeout*/) {
  auto* s = static_cast<inferd::firmware::an547::Semaphore*>(semaphore);
  if (s == nullptr) return -1;  // the driver was never initialised
  for (;;) {
    __asm volatile("cpsid i" ::: "memory");
    if (s->count > 0) {
      s->count = s->count - 1;
      __asm volatile("cpsie i" ::: "memory");
      return 0;
    }
    __asm volatile("dsb\n wfi" ::: "memory");
    __asm volatile("cpsie i" ::: "memory");
  }
}

int ethosu_semaphore_give(void* semaphore) {
  auto* s = static_cast<inferd::firmware::an547::Semaphore*>(semaphore);
  s->count = s->count + 1;
  return 0;
}

}  // extern "C"

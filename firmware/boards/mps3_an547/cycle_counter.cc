#include "firmware/boards/mps3_an547/cycle_counter.h"

namespace inferd::firmware::an547 {
namespace {

constexpr uintptr_t kSysTickCsr = 0xE000E010u;
constexpr uintptr_t kSysTickRvr = 0xE000E014u;
constexpr uintptr_t kSysTickCvr = 0xE000E018u;
constexpr uint32_t kReload = 0x00FFFFFFu;  // the full 24-bit range
constexpr uint32_t kCsrEnable = 1u << 0;
constexpr uint32_t kCsrTickInt = 1u << 1;
constexpr uint32_t kCsrProcessorClock = 1u << 2;

volatile uint32_t g_wraps = 0;

volatile uint32_t& Reg(uintptr_t address) { return *reinterpret_cast<volatile uint32_t*>(address); }

}  // namespace

void StartCycleCounter() {
  Reg(kSysTickCsr) = 0;
  Reg(kSysTickRvr) = kReload;
  Reg(kSysTickCvr) = 0;
  Reg(kSysTickCsr) = kCsrEnable | kCsrTickInt | kCsrProcessorClock;
}

uint64_t CycleCount() {
  // Re-read when a wrap-around was counted in between, so high and low halves match.
  for (;;) {
    const uint32_t wraps = g_wraps;
    const uint32_t value = Reg(kSysTickCvr);
    if (wraps == g_wraps) {
      return (uint64_t{wraps} << 24) + (kReload - value);
    }
  }
}

}  // namespace inferd::firmware::an547

extern "C" void SysTick_Handler() {
  inferd::firmware::an547::g_wraps = inferd::firmware::an547::g_wraps + 1;
}

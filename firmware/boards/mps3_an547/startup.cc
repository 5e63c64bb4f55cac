// Reset and exception entry for the Cortex-M55 on MPS3 AN547: the vector table, the reset handler
// that prepares memory and the FPU/MVE before main, and fault handlers that report on UART1.
#include <stdint.h>

#include "firmware/boards/mps3_an547/board.h"

extern "C" {
extern uint32_t __stack_top;
extern uint32_t __stack_limit;
extern uint32_t __data_start, __data_end, __data_load;
extern uint32_t __bss_start, __bss_end;
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();

int main();
void Reset_Handler();
void Default_Handler();
void HardFault_Handler();
void SysTick_Handler();
void Uart0_IRQHandler();
// The Ethos-U55's interrupt; npu.cc defines it in images built with the NPU driver.
void Npu_IRQHandler() __attribute__((weak, alias("Default_Handler")));
}

namespace {

using Handler = void (*)();

// The Armv8-M system exceptions, then the first 64 external interrupts of AN547 (only UART0's and
// the NPU's are enabled; everything else is unexpected).
__attribute__((section(".vectors"), used)) const Handler kVectors[16 + 64] = {
    reinterpret_cast<Handler>(&__stack_top),
    Reset_Handler,
    Default_Handler,    // NMI
    HardFault_Handler,  // HardFault
    Default_Handler,    // MemManage
    Default_Handler,    // BusFault
    Default_Handler,    // UsageFault
    Default_Handler,    // SecureFault
    nullptr,
    nullptr,
    nullptr,
    Default_Handler,  // SVCall
    Default_Handler,  // DebugMonitor
    nullptr,
    Default_Handler,  // PendSV
    SysTick_Handler,
    Default_Handler,   // IRQ 0
    Default_Handler,   // IRQ 1
    Default_Handler,   // IRQ 2
    Default_Handler,   // IRQ 3
    Default_Handler,   // IRQ 4
    Default_Handler,   // IRQ 5
    Default_Handler,   // IRQ 6
    Default_Handler,   // IRQ 7
    Default_Handler,   // IRQ 8
    Default_Handler,   // IRQ 9
    Default_Handler,   // IRQ 10
    Default_Handler,   // IRQ 11
    Default_Handler,   // IRQ 12
    Default_Handler,   // IRQ 13
    Default_Handler,   // IRQ 14
    Default_Handler,   // IRQ 15
    Default_Handler,   // IRQ 16
    Default_Handler,   // IRQ 17
    Default_Handler,   // IRQ 18
    Default_Handler,   // IRQ 19
    Default_Handler,   // IRQ 20
    Default_Handler,   // IRQ 21
    Default_Handler,   // IRQ 22
    Default_Handler,   // IRQ 23
    Default_Handler,   // IRQ 24
    Default_Handler,   // IRQ 25
    Default_Handler,   // IRQ 26
    Default_Handler,   // IRQ 27
    Default_Handler,   // IRQ 28
    Default_Handler,   // IRQ 29
    Default_Handler,   // IRQ 30
    Default_Handler,   // IRQ 31
    Default_Handler,   // IRQ 32
    Uart0_IRQHandler,  // IRQ 33: UART0 receive
    Uart0_IRQHandler,  // IRQ 34: UART0 transmit
    Default_Handler,   // IRQ 35
    Default_Handler,   // IRQ 36
    Default_Handler,   // IRQ 37
    Default_Handler,   // IRQ 38
    Default_Handler,   // IRQ 39
    Default_Handler,   // IRQ 40
    Default_Handler,   // IRQ 41
    Default_Handler,   // IRQ 42
    Uart0_IRQHandler,  // IRQ 43: UART0 combined
    Default_Handler,   // IRQ 44
    Default_Handler,   // IRQ 45
    Default_Handler,   // IRQ 46
    Default_Handler,   // IRQ 47
    Default_Handler,   // IRQ 48
    Default_Handler,   // IRQ 49
    Default_Handler,   // IRQ 50
    Default_Handler,   // IRQ 51
    Default_Handler,   // IRQ 52
    Default_Handler,   // IRQ 53
    Default_Handler,   // IRQ 54
    Default_Handler,   // IRQ 55
    Npu_IRQHandler,    // IRQ 56: Ethos-U55
    Default_Handler,   // IRQ 57
    Default_Handler,   // IRQ 58
    Default_Handler,   // IRQ 59
    Default_Handler,   // IRQ 60
    Default_Handler,   // IRQ 61
    Default_Handler,   // IRQ 62
    Default_Handler,   // IRQ 63
};

constexpr uintptr_t kCpacr = 0xE000ED88u;

}  // namespace

extern "C" __attribute__((noreturn)) void Reset_Handler() {
  // Stack overflow into .bss faults instead of corrupting it.
  __asm volatile("msr msplim, %0" : : "r"(&__stack_limit));
  // CP10/CP11 full access: the FPU and MVE (the kernels may be compiled to use either).
  *reinterpret_cast<volatile uint32_t*>(kCpacr) |= (0xFu << 20);
  __asm volatile("dsb\n isb" ::: "memory");
  // Volatile copies keep the compiler from turning these loops into library calls that might
  // themselves use uninitialised data.
  volatile uint32_t* dst = &__data_start;
  const volatile uint32_t* src = &__data_load;
  while (dst < &__data_end) *dst++ = *src++;
  for (volatile uint32_t* p = &__bss_start; p < &__bss_end;) *p++ = 0;
  for (void (**f)() = __init_array_start; f < __init_array_end; ++f) (*f)();
  main();
  for (;;) {
  }
}

extern "C" void HardFault_Handler() {
  inferd::firmware::an547::DebugPrint("inferd agent: HardFault\n");
  for (;;) {
  }
}

extern "C" void Default_Handler() {
  inferd::firmware::an547::DebugPrint("inferd agent: unexpected exception\n");
  for (;;) {
  }
}

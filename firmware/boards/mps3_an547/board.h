// Facts about MPS3 AN547 (Corstone-300) that the agent image depends on: peripheral addresses
// and clocks as QEMU's mps3-an547 and the Corstone-300 FVP present them, and the board services
// main() uses (UARTs, cycle counter).
#ifndef INFERD_FIRMWARE_BOARDS_MPS3_AN547_BOARD_H_
#define INFERD_FIRMWARE_BOARDS_MPS3_AN547_BOARD_H_

#include <stdint.h>

namespace inferd::firmware::an547 {

// CMSDK APB UARTs on the expansion APB bus. UART0 carries the protocol; UART1 takes diagnostics.
inline constexpr uintptr_t kUart0Base = 0x49303000u;
inline constexpr uintptr_t kUart1Base = 0x49304000u;
// UART0's interrupt lines (receive, transmit, combined) on the NVIC.
inline constexpr uint32_t kUart0RxIrq = 33;
inline constexpr uint32_t kUart0TxIrq = 34;
inline constexpr uint32_t kUart0CombinedIrq = 43;
// The APB peripheral clock that drives the UART baud generators (25 MHz on AN547).
inline constexpr uint32_t kPeripheralClockHz = 25000000u;
// The Cortex-M55 clock (32 MHz on the FPGA; QEMU models the same).
inline constexpr uint32_t kCpuClockHz = 32000000u;
inline constexpr uint32_t kBaudRate = 115200u;

inline constexpr uint32_t kItcmSize = 512u * 1024u;
inline constexpr uint32_t kDtcmSize = 512u * 1024u;
inline constexpr uint32_t kIsramSize = 4u * 1024u * 1024u;

// The Ethos-U55 of the Corstone-300 subsystem: its registers (the Secure alias adds 0x1000_0000)
// and its interrupt.
inline constexpr uintptr_t kNpuBase = 0x48102000u;
inline constexpr uint32_t kNpuIrq = 56;

// Writes a NUL-terminated string to UART1 (blocking). Safe before and after main starts.
void DebugPrint(const char* text);

// Lets an external interrupt through the NVIC.
inline void EnableNvicIrq(uint32_t irq) {
  volatile uint32_t* iser = reinterpret_cast<volatile uint32_t*>(0xE000E100u);
  iser[irq / 32] = 1u << (irq % 32);
}

}  // namespace inferd::firmware::an547

#endif  // INFERD_FIRMWARE_BOARDS_MPS3_AN547_BOARD_H_

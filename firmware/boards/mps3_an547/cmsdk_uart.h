// Polled driver for the Arm CMSDK APB UART (the UARTs of MPS2/MPS3 FPGA images and Corstone
// FVPs): one byte register each way, no FIFO, so the host paces itself by request/response.
#ifndef INFERD_FIRMWARE_BOARDS_MPS3_AN547_CMSDK_UART_H_
#define INFERD_FIRMWARE_BOARDS_MPS3_AN547_CMSDK_UART_H_

#include <stdint.h>

namespace inferd::firmware::an547 {

class CmsdkUart {
 public:
  explicit constexpr CmsdkUart(uintptr_t base) : base_(base) {}

  // Enables transmitter and receiver at `baud` from a `clock_hz` peripheral clock.
  void Init(uint32_t clock_hz, uint32_t baud) const;
  // Raises the receive interrupt while a byte waits, so the core can sleep in WFI instead of
  // polling (under QEMU, polling also starves the thread that delivers the bytes).
  void EnableReceiveInterrupt() const;
  // Acknowledges the UART's interrupts; called from the interrupt handler.
  void ClearInterrupts() const;
  // Takes one received byte if there is one.
  bool TryRead(uint8_t* byte) const;
  // Waits for room and sends one byte.
  void Write(uint8_t byte) const;

 private:
  volatile uint32_t* reg(uint32_t offset) const {
    return reinterpret_cast<volatile uint32_t*>(base_ + offset);
  }

  uintptr_t base_;
};

}  // namespace inferd::firmware::an547

#endif  // INFERD_FIRMWARE_BOARDS_MPS3_AN547_CMSDK_UART_H_

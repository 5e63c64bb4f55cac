#include "firmware/boards/mps3_an547/cmsdk_uart.h"

namespace inferd::firmware::an547 {
namespace {

// Register offsets and bits of the CMSDK APB UART.
constexpr uint32_t kData = 0x00;
constexpr uint32_t kState = 0x04;
constexpr uint32_t kCtrl = 0x08;
constexpr uint32_t kIntStatusClear = 0x0C;
constexpr uint32_t kBaudDiv = 0x10;
constexpr uint32_t kStateTxFull = 1u << 0;
constexpr uint32_t kStateRxFull = 1u << 1;
constexpr uint32_t kCtrlTxEnable = 1u << 0;
constexpr uint32_t kCtrlRxEnable = 1u << 1;
constexpr uint32_t kCtrlRxInterruptEnable = 1u << 3;
constexpr uint32_t kAllInterrupts = 0xFu;

}  // namespace

void CmsdkUart::Init(uint32_t clock_hz, uint32_t baud) const {
  // The divider must be at least 16 for the UART to run.
  uint32_t divider = clock_hz / baud;
  if (divider < 16) divider = 16;
  *reg(kCtrl) = 0;
  *reg(kBaudDiv) = divider;
  *reg(kCtrl) = kCtrlTxEnable | kCtrlRxEnable;
}

void CmsdkUart::EnableReceiveInterrupt() const {
  *reg(kCtrl) = *reg(kCtrl) | kCtrlRxInterruptEnable;
}

void CmsdkUart::ClearInterrupts() const { *reg(kIntStatusClear) = kAllInterrupts; }

bool CmsdkUart::TryRead(uint8_t* byte) const {
  if ((*reg(kState) & kStateRxFull) == 0) return false;
  *byte = static_cast<uint8_t>(*reg(kData));
  return true;
}

void CmsdkUart::Write(uint8_t byte) const {
  while ((*reg(kState) & kStateTxFull) != 0) {
  }
  *reg(kData) = byte;
}

}  // namespace inferd::firmware::an547

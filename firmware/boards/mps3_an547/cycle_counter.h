// CPU cycle count for INFERENCE_RSP.cpu_cycles: SysTick clocked by the processor, widened to 64
// bits by counting its wrap-arounds. SysTick exists on every Armv8-M core and in QEMU, unlike the
// DWT cycle counter, which QEMU does not model.
#ifndef INFERD_FIRMWARE_BOARDS_MPS3_AN547_CYCLE_COUNTER_H_
#define INFERD_FIRMWARE_BOARDS_MPS3_AN547_CYCLE_COUNTER_H_

#include <stdint.h>

namespace inferd::firmware::an547 {

void StartCycleCounter();
uint64_t CycleCount();

}  // namespace inferd::firmware::an547

#endif  // INFERD_FIRMWARE_BOARDS_MPS3_AN547_CYCLE_COUNTER_H_

// Bring-up of the NPU for the 'ethos-u' executor on MPS3 AN547 / Corstone-300: npu.cc with Arm's
// ethos-u-core-driver, npu_test_double.cc when the image is built against the driver's test double
// (tests/firmware/ethosu_driver_test_double, for QEMU, which models no NPU).
#ifndef INFERD_FIRMWARE_BOARDS_MPS3_AN547_NPU_H_
#define INFERD_FIRMWARE_BOARDS_MPS3_AN547_NPU_H_

#include "firmware/agent/agent.h"

namespace inferd::firmware::an547 {

// Initialises the driver for the NPU and fills the NPU fields of `target` (product, MACs, version,
// PMU counters). False when the driver cannot bring the NPU up; the executor then refuses jobs.
bool StartNpu(TargetDescription* target);

}  // namespace inferd::firmware::an547

#endif  // INFERD_FIRMWARE_BOARDS_MPS3_AN547_NPU_H_

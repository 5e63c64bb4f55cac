// StartNpu for images built against the driver's test double: there is no NPU to bring up (QEMU
// models none), so CAPABILITIES reports none; the executor is there to show that the image builds,
// boots and lists it.
#include "firmware/boards/mps3_an547/npu.h"

namespace inferd::firmware::an547 {

bool StartNpu(TargetDescription* /*target*/) { return true; }

}  // namespace inferd::firmware::an547

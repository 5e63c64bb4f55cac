// libFuzzer target for the .npy reader (inferctl and the test tools read user files with it): any
// input is parsed or refused with a status, never a crash or an out-of-bounds read.
#include <cstddef>
#include <cstdint>
#include <span>

#include "client/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto tensor = inferd::ParseNpy(std::span<const uint8_t>(data, size));
  if (tensor.ok()) (void)inferd::SerializeNpy(*tensor);
  return 0;
}

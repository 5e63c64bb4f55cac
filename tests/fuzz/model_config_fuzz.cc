// libFuzzer target for config.pbtxt handling: parsing and normalizing any text ends in a config or
// a status.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/model_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto config = inferd::ParseModelConfig(text, "fuzz");
  if (config.ok()) {
    if (inferd::NormalizeModelConfig("fuzz", "tosa_cpu", *config).ok()) {
      (void)inferd::InputSpecs(*config);
      (void)inferd::OutputSpecs(*config);
    }
  }
  return 0;
}

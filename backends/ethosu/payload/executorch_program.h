// Reader for ExecuTorch programs (.pte) lowered whole to Arm's EthosUBackend. Such a program is a
// FlatBuffer (file identifier "ET12", schema: executorch_program.fbs) with an optional extended
// header at byte 8 ("eh00": header length, program size, segment base offset) and data segments
// after the program. One method's graph is a single call into one EthosUBackend delegate, whose
// processed blob (inline in Program.backend_delegate_data or in a segment) is the Vela bin stream
// that ExecuTorch's Arm runtime hands to the NPU driver.
//
// The reader verifies the FlatBuffer before touching it and checks every offset against the file,
// so arbitrary bytes are refused with a reason. It refuses programs it could not serve like a bare
// bin stream: no EthosUBackend delegate, several, a delegate of another backend, or any operator
// that would run on the CPU outside the delegate.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/ethosu/payload/vela_bin_stream.h"
#include "engine/data_type.h"

namespace inferd::ethosu {

inline constexpr char kEthosUBackendId[] = "EthosUBackend";

// A method input or output as the program declares it.
struct ProgramTensor {
  DataType dtype = DataType::kInvalid;  // kInvalid: a scalar type inferd has no equivalent for
  int32_t scalar_type = -1;             // ExecuTorch's ScalarType number, for messages
  std::vector<int64_t> sizes;
};

struct EthosUProgram {
  std::string method;
  // The delegate's processed blob (points into the file) and the bin stream parsed from it.
  std::span<const uint8_t> bin_stream;
  VelaBinStream stream;
  std::vector<ProgramTensor> inputs;
  std::vector<ProgramTensor> outputs;
};

// True when bytes 4..7 carry an ExecuTorch file identifier ("ET" and two digits).
bool LooksLikeExecuTorchProgram(std::span<const uint8_t> bytes);

// Parses and validates; INVALID_ARGUMENT saying what is wrong otherwise. The method served is the
// only one, or "forward" when there are several.
absl::StatusOr<EthosUProgram> ParseEthosUProgram(std::span<const uint8_t> bytes);

}  // namespace inferd::ethosu

// LoadDelegatedProgram: the step a backend applies to an ExecuTorch program (.pte) it is asked to
// load. It reads the program (executorch_program.h), refuses a delegate the backend does not take,
// checks the method's inputs and outputs against the config, hands the backend the delegate's
// payload alone as a model of its own (integer tensors, in the delegate's order, named after the
// config's), and wraps the backend's Executable in a QuantizedEdgesExecutable when the program
// quantizes its inputs or dequantizes its outputs on the host. The same code serves every
// delegate: EthosUBackend (a Vela bin stream) on the ethosu backend, VgfBackend (a VGF file) on the
// TOSA backends.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/backend.h"
#include "engine/executorch/executorch_program.h"

namespace inferd::executorch {

// Loads the delegate's payload: `delegate_request` is the backend's request with model_bytes the
// payload and inputs / outputs the delegate's.
using DelegateLoader = std::function<absl::StatusOr<std::unique_ptr<Executable>>(
    const BackendLoadRequest& delegate_request, const DelegatedProgram& program)>;

// INVALID_ARGUMENT when the program is malformed, is delegated to another backend than
// `delegate_ids` name, or its IO disagrees with the config; otherwise what `load` returns, wrapped.
absl::StatusOr<std::unique_ptr<Executable>> LoadDelegatedProgram(
    const BackendLoadRequest& request, std::string_view backend_name,
    std::initializer_list<std::string_view> delegate_ids, const DelegateLoader& load);

}  // namespace inferd::executorch

// Reading and writing NumPy .npy files (format 1.0/2.0/3.0, little-endian, C order) as
// inferd::Tensor, for inferctl, the CPU backend tests and the conformance runner.
//
// The reader parses untrusted bytes: every malformed input comes back as an InvalidArgument status
// that says what is wrong, never a crash or an over-read.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/data_type.h"
#include "engine/tensor.h"

namespace inferd {

// The tensor stored in a complete .npy file image. Supported dtypes: b1 u1 u2 u4 u8 i1 i2 i4 i8 f2
// f4 f8, and the void dtypes ml_dtypes writes: V2 (bfloat16) as BF16, V1 (the float8 types) as
// UINT8 raw bytes. BOOL data must hold only 0 and 1.
absl::StatusOr<Tensor> ParseNpy(std::span<const uint8_t> file_bytes);

// ParseNpy on a file's contents; errors name the path.
absl::StatusOr<Tensor> ReadNpyFile(const std::string& path);

// The .npy image of `tensor`: format 1.0 unless the header needs 2.0, header padded to 64 bytes as
// NumPy does; BF16 is written as '<V2', as ml_dtypes saves bfloat16. Fails for BYTES and INVALID
// tensors, which .npy cannot describe.
absl::StatusOr<std::string> SerializeNpy(const Tensor& tensor);

// SerializeNpy written to `path`, replacing any existing file.
absl::Status WriteNpyFile(const std::string& path, const Tensor& tensor);

// The NumPy dtype string ("<f4", "|u1") of `type`; an error for types .npy cannot hold.
absl::StatusOr<std::string> NpyDescr(DataType type);

}  // namespace inferd

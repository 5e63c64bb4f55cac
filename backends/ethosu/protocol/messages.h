// C++ views of the target protocol's payloads: struct (de)serialisation with size checks, tensor
// lists for inference requests and responses, network ids, and type conversions.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backends/ethosu/protocol/inferd_target_protocol.h"
#include "engine/data_type.h"
#include "engine/shape.h"

namespace inferd::ethosu {

// The payload structs are little-endian on the wire and copied as-is; inferd hosts are LE.
static_assert(std::endian::native == std::endian::little, "the host codec assumes little-endian");

using NetworkId = std::array<uint8_t, INFERD_TP_NETWORK_ID_SIZE>;

// SHA-256 of the network bytes.
NetworkId ComputeNetworkId(std::span<const uint8_t> bytes);
std::string NetworkIdHex(const NetworkId& id, size_t bytes = 8);

template <typename T>
void AppendStruct(std::vector<uint8_t>& out, const T& value) {
  const auto* p = reinterpret_cast<const uint8_t*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

template <typename T>
std::vector<uint8_t> StructBytes(const T& value) {
  std::vector<uint8_t> out;
  AppendStruct(out, value);
  return out;
}

// Reads a T at the start of `bytes`; INVALID_ARGUMENT naming `what` when it is too short.
template <typename T>
absl::StatusOr<T> ParseStruct(std::span<const uint8_t> bytes, const char* what) {
  if (bytes.size() < sizeof(T)) {
    return absl::InvalidArgumentError(std::string(what) + ": payload of " +
                                      std::to_string(bytes.size()) + " bytes, need " +
                                      std::to_string(sizeof(T)));
  }
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

// A tensor as carried in INFERENCE_REQ/RSP.
struct WireTensor {
  uint8_t dtype = INFERD_TP_DTYPE_UNKNOWN;  // enum inferd_tp_dtype
  std::vector<int64_t> dims;
  std::span<const uint8_t> data;  // when encoding: the caller's bytes
  std::vector<uint8_t> owned;     // when decoding: the bytes, owned
  std::span<const uint8_t> bytes() const { return owned.empty() ? data : owned; }
};

uint8_t ToWireDType(DataType type);     // UNKNOWN when not representable
DataType FromWireDType(uint8_t dtype);  // kInvalid when unknown
size_t WireDTypeSize(uint8_t dtype);    // 0 when unknown

struct InferenceRequest {
  inferd_tp_inference_req header{};
  std::vector<WireTensor> inputs;
};

struct InferenceResponse {
  inferd_tp_inference_rsp header{};
  std::vector<WireTensor> outputs;
  // The target's ERR(DETAIL) text sent ahead of a failed response (the NPU driver's error), or "".
  std::string detail;
};

std::vector<uint8_t> EncodeInferenceRequest(const inferd_tp_inference_req& header,
                                            std::span<const WireTensor> inputs);
absl::StatusOr<InferenceRequest> DecodeInferenceRequest(std::span<const uint8_t> payload);

std::vector<uint8_t> EncodeInferenceResponse(const inferd_tp_inference_rsp& header,
                                             std::span<const WireTensor> outputs);
absl::StatusOr<InferenceResponse> DecodeInferenceResponse(std::span<const uint8_t> payload);

std::vector<uint8_t> EncodeError(uint32_t code, absl::string_view text);
struct ErrorMessage {
  uint32_t code = 0;
  std::string text;
};
absl::StatusOr<ErrorMessage> DecodeError(std::span<const uint8_t> payload);

// Names for logs and error messages.
const char* MessageTypeName(uint16_t type);
const char* InferenceStatusName(uint32_t status);
const char* NetworkStatusName(uint32_t status);

// A NUL-padded fixed-size name field as a string.
std::string FixedName(const char* field, size_t size);
void SetFixedName(char* field, size_t size, std::string_view name);

}  // namespace inferd::ethosu

#include "backends/ethosu/protocol/messages.h"

#include <openssl/evp.h>

#include "absl/strings/str_cat.h"

namespace inferd::ethosu {

NetworkId ComputeNetworkId(std::span<const uint8_t> bytes) {
  NetworkId id{};
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), id.data(), &size, EVP_sha256(), nullptr);
  return id;
}

std::string NetworkIdHex(const NetworkId& id, size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < std::min(bytes, id.size()); ++i) {
    out.push_back(kHex[id[i] >> 4]);
    out.push_back(kHex[id[i] & 0xF]);
  }
  return out;
}

uint8_t ToWireDType(DataType type) {
  switch (type) {
    case DataType::kBool:
      return INFERD_TP_DTYPE_BOOL;
    case DataType::kInt8:
      return INFERD_TP_DTYPE_INT8;
    case DataType::kUint8:
      return INFERD_TP_DTYPE_UINT8;
    case DataType::kInt16:
      return INFERD_TP_DTYPE_INT16;
    case DataType::kInt32:
      return INFERD_TP_DTYPE_INT32;
    case DataType::kFp16:
      return INFERD_TP_DTYPE_FP16;
    case DataType::kFp32:
      return INFERD_TP_DTYPE_FP32;
    default:
      return INFERD_TP_DTYPE_UNKNOWN;
  }
}

DataType FromWireDType(uint8_t dtype) {
  switch (dtype) {
    case INFERD_TP_DTYPE_BOOL:
      return DataType::kBool;
    case INFERD_TP_DTYPE_INT8:
      return DataType::kInt8;
    case INFERD_TP_DTYPE_UINT8:
      return DataType::kUint8;
    case INFERD_TP_DTYPE_INT16:
      return DataType::kInt16;
    case INFERD_TP_DTYPE_INT32:
      return DataType::kInt32;
    case INFERD_TP_DTYPE_FP16:
      return DataType::kFp16;
    case INFERD_TP_DTYPE_FP32:
      return DataType::kFp32;
    default:
      return DataType::kInvalid;
  }
}

size_t WireDTypeSize(uint8_t dtype) {
  const DataType type = FromWireDType(dtype);
  return type == DataType::kInvalid ? 0 : DataTypeByteSize(type);
}

namespace {

void AppendTensors(std::vector<uint8_t>& out, std::span<const WireTensor> tensors) {
  for (const WireTensor& t : tensors) {
    inferd_tp_tensor_desc desc{};
    desc.size_bytes = static_cast<uint32_t>(t.bytes().size());
    desc.dtype = t.dtype;
    desc.rank = static_cast<uint8_t>(std::min<size_t>(t.dims.size(), INFERD_TP_MAX_RANK));
    for (size_t i = 0; i < desc.rank; ++i) desc.dims[i] = static_cast<int32_t>(t.dims[i]);
    AppendStruct(out, desc);
  }
  for (const WireTensor& t : tensors) {
    const auto bytes = t.bytes();
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
}

// Parses `count` descriptors then their data from `rest`; checks every size against the shape so
// that a malformed payload is refused here rather than by the executor.
absl::StatusOr<std::vector<WireTensor>> ParseTensors(std::span<const uint8_t> rest, uint32_t count,
                                                     const char* what) {
  if (count > INFERD_TP_MAX_TENSORS) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": ", count, " tensors, at most ", INFERD_TP_MAX_TENSORS));
  }
  const size_t table = static_cast<size_t>(count) * sizeof(inferd_tp_tensor_desc);
  if (rest.size() < table) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": tensor table truncated"));
  }
  std::vector<WireTensor> tensors(count);
  size_t offset = table;
  for (uint32_t i = 0; i < count; ++i) {
    inferd_tp_tensor_desc desc;
    std::memcpy(&desc, rest.data() + i * sizeof(desc), sizeof(desc));
    if (desc.rank > INFERD_TP_MAX_RANK) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": tensor ", i, " has rank ", static_cast<int>(desc.rank)));
    }
    const size_t element = WireDTypeSize(desc.dtype);
    if (element == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": tensor ", i, " has unknown dtype ", static_cast<int>(desc.dtype)));
    }
    uint64_t elements = 1;
    for (uint8_t d = 0; d < desc.rank; ++d) {
      if (desc.dims[d] < 0) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": tensor ", i, " negative dim"));
      }
      elements *= static_cast<uint64_t>(desc.dims[d]);
      if (elements > INFERD_TP_MAX_PAYLOAD) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": tensor ", i, " too large"));
      }
    }
    if (elements * element != desc.size_bytes) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": tensor ", i, " declares ",
                                                     desc.size_bytes, " bytes for ", elements,
                                                     " elements of ", element, " bytes"));
    }
    if (rest.size() - offset < desc.size_bytes) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": tensor ", i, " data truncated"));
    }
    WireTensor& t = tensors[i];
    t.dtype = desc.dtype;
    t.dims.assign(desc.dims, desc.dims + desc.rank);
    t.owned.assign(rest.data() + offset, rest.data() + offset + desc.size_bytes);
    offset += desc.size_bytes;
  }
  if (offset != rest.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": ", rest.size() - offset, " bytes after the last tensor"));
  }
  return tensors;
}

}  // namespace

std::vector<uint8_t> EncodeInferenceRequest(const inferd_tp_inference_req& header,
                                            std::span<const WireTensor> inputs) {
  std::vector<uint8_t> out;
  inferd_tp_inference_req h = header;
  h.num_inputs = static_cast<uint32_t>(inputs.size());
  AppendStruct(out, h);
  AppendTensors(out, inputs);
  return out;
}

absl::StatusOr<InferenceRequest> DecodeInferenceRequest(std::span<const uint8_t> payload) {
  InferenceRequest request;
  auto header = ParseStruct<inferd_tp_inference_req>(payload, "INFERENCE_REQ");
  if (!header.ok()) return header.status();
  request.header = *header;
  auto tensors = ParseTensors(payload.subspan(sizeof(inferd_tp_inference_req)), header->num_inputs,
                              "INFERENCE_REQ");
  if (!tensors.ok()) return tensors.status();
  request.inputs = std::move(*tensors);
  return request;
}

std::vector<uint8_t> EncodeInferenceResponse(const inferd_tp_inference_rsp& header,
                                             std::span<const WireTensor> outputs) {
  std::vector<uint8_t> out;
  inferd_tp_inference_rsp h = header;
  h.num_outputs = static_cast<uint32_t>(outputs.size());
  AppendStruct(out, h);
  AppendTensors(out, outputs);
  return out;
}

absl::StatusOr<InferenceResponse> DecodeInferenceResponse(std::span<const uint8_t> payload) {
  InferenceResponse response;
  auto header = ParseStruct<inferd_tp_inference_rsp>(payload, "INFERENCE_RSP");
  if (!header.ok()) return header.status();
  response.header = *header;
  auto tensors = ParseTensors(payload.subspan(sizeof(inferd_tp_inference_rsp)), header->num_outputs,
                              "INFERENCE_RSP");
  if (!tensors.ok()) return tensors.status();
  response.outputs = std::move(*tensors);
  return response;
}

std::vector<uint8_t> EncodeError(uint32_t code, absl::string_view text) {
  inferd_tp_err err{};
  err.code = code;
  err.text_length = static_cast<uint32_t>(std::min<size_t>(text.size(), INFERD_TP_ERR_TEXT_MAX));
  std::vector<uint8_t> out = StructBytes(err);
  out.insert(out.end(), text.begin(), text.begin() + err.text_length);
  return out;
}

absl::StatusOr<ErrorMessage> DecodeError(std::span<const uint8_t> payload) {
  auto err = ParseStruct<inferd_tp_err>(payload, "ERR");
  if (!err.ok()) return err.status();
  const size_t available = payload.size() - sizeof(inferd_tp_err);
  if (err->text_length > INFERD_TP_ERR_TEXT_MAX || err->text_length > available) {
    return absl::InvalidArgumentError("ERR: text length exceeds the payload");
  }
  ErrorMessage message;
  message.code = err->code;
  message.text.assign(reinterpret_cast<const char*>(payload.data() + sizeof(inferd_tp_err)),
                      err->text_length);
  return message;
}

const char* MessageTypeName(uint16_t type) {
  switch (type) {
    case INFERD_TP_MSG_PING:
      return "PING";
    case INFERD_TP_MSG_PONG:
      return "PONG";
    case INFERD_TP_MSG_VERSION_REQ:
      return "VERSION_REQ";
    case INFERD_TP_MSG_VERSION_RSP:
      return "VERSION_RSP";
    case INFERD_TP_MSG_CAPABILITIES_REQ:
      return "CAPABILITIES_REQ";
    case INFERD_TP_MSG_CAPABILITIES_RSP:
      return "CAPABILITIES_RSP";
    case INFERD_TP_MSG_NETWORK_LOAD_BEGIN:
      return "NETWORK_LOAD_BEGIN";
    case INFERD_TP_MSG_NETWORK_LOAD_CHUNK:
      return "NETWORK_LOAD_CHUNK";
    case INFERD_TP_MSG_NETWORK_LOAD_RSP:
      return "NETWORK_LOAD_RSP";
    case INFERD_TP_MSG_NETWORK_UNLOAD_REQ:
      return "NETWORK_UNLOAD_REQ";
    case INFERD_TP_MSG_NETWORK_UNLOAD_RSP:
      return "NETWORK_UNLOAD_RSP";
    case INFERD_TP_MSG_INFERENCE_REQ:
      return "INFERENCE_REQ";
    case INFERD_TP_MSG_INFERENCE_RSP:
      return "INFERENCE_RSP";
    case INFERD_TP_MSG_CANCEL_REQ:
      return "CANCEL_REQ";
    case INFERD_TP_MSG_CANCEL_RSP:
      return "CANCEL_RSP";
    case INFERD_TP_MSG_ERR:
      return "ERR";
    default:
      return "UNKNOWN";
  }
}

const char* InferenceStatusName(uint32_t status) {
  switch (status) {
    case INFERD_TP_INF_OK:
      return "OK";
    case INFERD_TP_INF_ERROR:
      return "ERROR";
    case INFERD_TP_INF_CANCELLED:
      return "CANCELLED";
    case INFERD_TP_INF_NO_NETWORK:
      return "NO_NETWORK";
    case INFERD_TP_INF_BAD_INPUT:
      return "BAD_INPUT";
    case INFERD_TP_INF_NO_MEMORY:
      return "NO_MEMORY";
    case INFERD_TP_INF_UNSUPPORTED:
      return "UNSUPPORTED";
    default:
      return "UNKNOWN";
  }
}

const char* NetworkStatusName(uint32_t status) {
  switch (status) {
    case INFERD_TP_NET_CACHED:
      return "CACHED";
    case INFERD_TP_NET_READY:
      return "READY";
    case INFERD_TP_NET_CHUNK_OK:
      return "CHUNK_OK";
    case INFERD_TP_NET_LOADED:
      return "LOADED";
    case INFERD_TP_NET_NO_MEMORY:
      return "NO_MEMORY";
    case INFERD_TP_NET_BAD_FORMAT:
      return "BAD_FORMAT";
    case INFERD_TP_NET_CRC_MISMATCH:
      return "CRC_MISMATCH";
    case INFERD_TP_NET_BAD_CHUNK:
      return "BAD_CHUNK";
    case INFERD_TP_NET_UNSUPPORTED:
      return "UNSUPPORTED";
    default:
      return "UNKNOWN";
  }
}

std::string FixedName(const char* field, size_t size) {
  size_t length = 0;
  while (length < size && field[length] != '\0') ++length;
  return std::string(field, length);
}

void SetFixedName(char* field, size_t size, std::string_view name) {
  std::memset(field, 0, size);
  std::memcpy(field, name.data(), std::min(name.size(), size));
}

}  // namespace inferd::ethosu

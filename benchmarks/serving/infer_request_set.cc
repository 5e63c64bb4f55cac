#include "benchmarks/serving/infer_request_set.h"

#include <grpcpp/support/slice.h>

#include <cstring>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "inference.pb.h"

namespace inferd::bench {
namespace {

template <typename T>
void AppendValue(std::string* bytes, T value) {
  char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));
  bytes->append(raw, sizeof(T));
}

// Fills one tensor's raw bytes. Floats stay finite and in the range of the example models' pixel
// inputs (0..16) so that a model's arithmetic sees ordinary values, not NaNs or overflow.
absl::StatusOr<std::string> RandomTensorBytes(const InputSpec& spec, std::mt19937_64& rng) {
  const int64_t elements = spec.ByteSize() / static_cast<int64_t>(DataTypeByteSize(spec.type));
  std::string bytes;
  bytes.reserve(static_cast<size_t>(spec.ByteSize()));
  std::uniform_real_distribution<float> pixel(0.0f, 16.0f);
  for (int64_t i = 0; i < elements; ++i) {
    switch (spec.type) {
      case DataType::kFp32:
        AppendValue(&bytes, pixel(rng));
        break;
      case DataType::kFp64:
        AppendValue(&bytes, static_cast<double>(pixel(rng)));
        break;
      case DataType::kFp16:
        // Sign 0, exponent 14, random mantissa: a half in [0.5, 1).
        AppendValue(&bytes, static_cast<uint16_t>(0x3800 | (rng() & 0x3ff)));
        break;
      case DataType::kBf16: {
        uint32_t bits = 0;
        const float value = pixel(rng);
        std::memcpy(&bits, &value, sizeof(bits));
        AppendValue(&bytes, static_cast<uint16_t>(bits >> 16));
        break;
      }
      case DataType::kBool:
        AppendValue(&bytes, static_cast<uint8_t>(rng() & 1));
        break;
      case DataType::kInt8:
      case DataType::kUint8:
      case DataType::kInt16:
      case DataType::kUint16:
      case DataType::kInt32:
      case DataType::kUint32:
      case DataType::kInt64:
      case DataType::kUint64: {
        // Every bit pattern is a valid integer; take the low bytes of one draw.
        const uint64_t draw = rng();
        bytes.append(reinterpret_cast<const char*>(&draw), DataTypeByteSize(spec.type));
        break;
      }
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("input '", spec.name, "': cannot generate values of this type"));
    }
  }
  return bytes;
}

}  // namespace

absl::StatusOr<InferRequestSet> InferRequestSet::Build(const std::string& model_name,
                                                       const std::string& model_version,
                                                       const std::vector<InputSpec>& inputs,
                                                       size_t count, uint64_t seed) {
  if (count == 0) return absl::InvalidArgumentError("a request set needs at least one request");
  std::mt19937_64 rng(seed);
  std::vector<inference::ModelInferRequest> messages(count);
  for (inference::ModelInferRequest& request : messages) {
    request.set_model_name(model_name);
    request.set_model_version(model_version);
    for (const InputSpec& spec : inputs) {
      auto* input = request.add_inputs();
      input->set_name(spec.name);
      input->set_datatype(std::string(DataTypeName(spec.type)));
      for (int64_t dim : spec.shape) input->add_shape(dim);
      absl::StatusOr<std::string> bytes = RandomTensorBytes(spec, rng);
      if (!bytes.ok()) return bytes.status();
      request.add_raw_input_contents(*std::move(bytes));
    }
  }
  return FromMessages(messages);
}

absl::StatusOr<InferRequestSet> InferRequestSet::FromMessages(
    const std::vector<inference::ModelInferRequest>& messages) {
  if (messages.empty()) return absl::InvalidArgumentError("a request set needs a request");
  InferRequestSet set;
  set.requests_.reserve(messages.size());
  for (const inference::ModelInferRequest& request : messages) {
    std::string serialized;
    if (!request.SerializeToString(&serialized)) {
      return absl::InternalError("could not serialise a ModelInferRequest");
    }
    set.request_bytes_ = serialized.size();
    grpc::Slice slice(serialized);
    set.requests_.emplace_back(&slice, 1);
  }
  return set;
}

absl::StatusOr<inference::ModelInferRequest> InferRequestSet::Message(size_t i) const {
  grpc::Slice whole;
  if (!Get(i).DumpToSingleSlice(&whole).ok()) {
    return absl::InternalError("could not read a request buffer");
  }
  inference::ModelInferRequest request;
  if (!request.ParseFromArray(whole.begin(), static_cast<int>(whole.size()))) {
    return absl::InternalError("a pooled request does not parse back");
  }
  return request;
}

}  // namespace inferd::bench

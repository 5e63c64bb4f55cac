#include "server/infer_request_decoder.h"

#include <cstring>
#include <limits>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/client_text.h"

namespace inferd {
namespace {

std::string ModelLabel(const ServingModel& model) {
  return absl::StrCat("model '", model.name(), "' version ", model.version());
}

std::string SpecNames(const std::vector<TensorSpec>& specs) {
  return absl::StrJoin(specs, ", ",
                       [](std::string* out, const TensorSpec& spec) { out->append(spec.name); });
}

// The shape a request must carry for `spec`: the batch dimension first when the model batches.
std::string ExpectedShape(const TensorSpec& spec, int max_batch_size) {
  if (max_batch_size == 0) return ShapeToString(spec.dims);
  return absl::StrCat("[N,", ShapeToString(spec.dims).substr(1),
                      " with 1 <= N <= ", max_batch_size);
}

// Copies typed values into `out` as `Element`s; INVALID_ARGUMENT naming the first value that
// `Element` cannot hold, rather than wrapping it (300 is not an INT8).
template <typename Wire, typename Element>
absl::Status CopyTyped(const google::protobuf::RepeatedField<Wire>& values, uint8_t* out,
                       DataType type, const std::string& where) {
  auto* typed = reinterpret_cast<Element*>(out);
  for (int i = 0; i < values.size(); ++i) {
    const Wire value = values[i];
    if constexpr (std::is_integral_v<Element> && !std::is_same_v<Element, bool> &&
                  sizeof(Element) < sizeof(Wire)) {
      if (value < static_cast<Wire>(std::numeric_limits<Element>::min()) ||
          value > static_cast<Wire>(std::numeric_limits<Element>::max())) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": contents value ", value, " at index ", i, " is outside ",
                         std::string(DataTypeName(type)), "'s range ",
                         static_cast<int64_t>(std::numeric_limits<Element>::min()), "..",
                         static_cast<int64_t>(std::numeric_limits<Element>::max())));
      }
    }
    typed[i] = static_cast<Element>(value);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<std::vector<uint8_t>>> TypedContentsToBytes(
    const inference::InferTensorContents& contents, DataType type, int64_t elements,
    const std::string& where) {
  auto bytes = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(elements) *
                                                      DataTypeByteSize(type));
  int count = -1;
  absl::Status copied;
  uint8_t* out = bytes->data();
  switch (type) {
    case DataType::kBool:
      count = contents.bool_contents_size();
      if (count == elements)
        copied = CopyTyped<bool, uint8_t>(contents.bool_contents(), out, type, where);
      break;
    case DataType::kInt8:
      count = contents.int_contents_size();
      if (count == elements)
        copied = CopyTyped<int32_t, int8_t>(contents.int_contents(), out, type, where);
      break;
    case DataType::kInt16:
      count = contents.int_contents_size();
      if (count == elements)
        copied = CopyTyped<int32_t, int16_t>(contents.int_contents(), out, type, where);
      break;
    case DataType::kInt32:
      count = contents.int_contents_size();
      if (count == elements)
        copied = CopyTyped<int32_t, int32_t>(contents.int_contents(), out, type, where);
      break;
    case DataType::kInt64:
      count = contents.int64_contents_size();
      if (count == elements)
        copied = CopyTyped<int64_t, int64_t>(contents.int64_contents(), out, type, where);
      break;
    case DataType::kUint8:
      count = contents.uint_contents_size();
      if (count == elements)
        copied = CopyTyped<uint32_t, uint8_t>(contents.uint_contents(), out, type, where);
      break;
    case DataType::kUint16:
      count = contents.uint_contents_size();
      if (count == elements)
        copied = CopyTyped<uint32_t, uint16_t>(contents.uint_contents(), out, type, where);
      break;
    case DataType::kUint32:
      count = contents.uint_contents_size();
      if (count == elements)
        copied = CopyTyped<uint32_t, uint32_t>(contents.uint_contents(), out, type, where);
      break;
    case DataType::kUint64:
      count = contents.uint64_contents_size();
      if (count == elements)
        copied = CopyTyped<uint64_t, uint64_t>(contents.uint64_contents(), out, type, where);
      break;
    case DataType::kFp32:
      count = contents.fp32_contents_size();
      if (count == elements)
        copied = CopyTyped<float, float>(contents.fp32_contents(), out, type, where);
      break;
    case DataType::kFp64:
      count = contents.fp64_contents_size();
      if (count == elements)
        copied = CopyTyped<double, double>(contents.fp64_contents(), out, type, where);
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": datatype ", std::string(DataTypeName(type)),
                       " has no typed contents field; send it in raw_input_contents"));
  }
  if (count != elements) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": expected ", elements, " values in contents, got ", count));
  }
  if (!copied.ok()) return copied;
  return bytes;
}

namespace {

absl::Status NoSharedMemory(const std::string& where) {
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": names a shared memory region, but this endpoint has none"));
}

// An input's bytes from the shared-memory region its parameters name: exactly the tensor's size,
// and no contents in the request beside them.
absl::StatusOr<std::shared_ptr<std::vector<uint8_t>>> ReadSharedMemoryInput(
    const SystemSharedMemory* shared_memory, const SharedMemoryReference& region,
    const inference::ModelInferRequest::InferInputTensor& input, size_t expected_bytes,
    const std::string& where) {
  if (shared_memory == nullptr) return NoSharedMemory(where);
  if (input.has_contents()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": has typed contents although it is in shared memory"));
  }
  if (region.byte_size != expected_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": expected ", expected_bytes,
                                                   " bytes for its shape and datatype, "
                                                   "shared_memory_byte_size is ",
                                                   region.byte_size));
  }
  return shared_memory->Read(region, where);
}

}  // namespace

absl::StatusOr<DecodedRequest> DecodeInferRequest(const inference::ModelInferRequest& message,
                                                  const ServingModel& model,
                                                  const SystemSharedMemory* shared_memory) {
  const std::vector<TensorSpec>& specs = model.inputs();
  const int max_batch_size = model.max_batch_size();
  const bool raw = message.raw_input_contents_size() > 0;
  // Messages that name the model and a tensor are built only when an error needs them: most
  // requests carry no parameters and are valid, and each such string was a heap allocation.
  auto parameters = message.parameters().empty()
                        ? absl::StatusOr<RequestParameters>(RequestParameters{})
                        : ParseRequestParameters(message, ModelLabel(model));
  if (!parameters.ok()) return parameters.status();
  // Inputs in shared memory have no raw_input_contents entry (as tritonclient sends them): the
  // entries belong, in order, to the other inputs.
  int in_request = 0;
  for (const auto& input : message.inputs()) {
    if (!input.parameters().contains("shared_memory_region")) ++in_request;
  }
  if (raw && message.raw_input_contents_size() != in_request) {
    return absl::InvalidArgumentError(absl::StrCat(
        ModelLabel(model), ": raw_input_contents has ", message.raw_input_contents_size(),
        " entries but the request has ", in_request, " inputs not in shared memory"));
  }
  int next_raw = 0;
  if (message.inputs_size() != static_cast<int>(specs.size())) {
    return absl::InvalidArgumentError(absl::StrCat(ModelLabel(model), ": expected ", specs.size(),
                                                   " inputs (", SpecNames(specs), "), got ",
                                                   message.inputs_size()));
  }

  auto request = std::make_unique<InferenceRequest>();
  request->inputs.resize(specs.size());
  std::vector<bool> seen(specs.size(), false);
  int64_t batch_size = -1;
  for (int i = 0; i < message.inputs_size(); ++i) {
    const auto& input = message.inputs(i);
    size_t index = 0;
    while (index < specs.size() && specs[index].name != input.name()) ++index;
    if (index == specs.size()) {
      return absl::InvalidArgumentError(absl::StrCat(ModelLabel(model), " has no input ",
                                                     QuoteClientText(input.name()),
                                                     "; its inputs are ", SpecNames(specs)));
    }
    if (seen[index]) {
      return absl::InvalidArgumentError(absl::StrCat(
          ModelLabel(model), ": input ", QuoteClientText(input.name()), " is given twice"));
    }
    seen[index] = true;
    const TensorSpec& spec = specs[index];
    const auto where = [&] { return absl::StrCat(ModelLabel(model), " input '", spec.name, "'"); };

    absl::StatusOr<std::optional<SharedMemoryReference>> region = std::nullopt;
    if (!input.parameters().empty()) region = ParseTensorParameters(input.parameters(), where());
    if (!region.ok()) return region.status();
    const DataType type = DataTypeFromName(input.datatype());
    if (type != spec.dtype) {
      return absl::InvalidArgumentError(absl::StrCat(where(), ": expected datatype ",
                                                     std::string(DataTypeName(spec.dtype)),
                                                     ", got ", QuoteClientText(input.datatype())));
    }
    const Shape shape(input.shape().begin(), input.shape().end());
    bool shape_ok;
    if (max_batch_size > 0) {
      shape_ok = shape.size() == spec.dims.size() + 1 && shape[0] >= 1 &&
                 shape[0] <= max_batch_size &&
                 ShapeMatches(spec.dims, Shape(shape.begin() + 1, shape.end()));
    } else {
      shape_ok = ShapeMatches(spec.dims, shape);
    }
    const auto elements = ElementCount(shape);
    if (!shape_ok || !elements.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(where(), ": expected shape ",
                                                     ExpectedShape(spec, max_batch_size), ", got ",
                                                     ShapeToString(shape)));
    }
    const int64_t rows = max_batch_size > 0 ? shape[0] : 1;
    if (batch_size >= 0 && rows != batch_size) {
      return absl::InvalidArgumentError(absl::StrCat(
          where(), ": batch size ", rows, " differs from the other inputs' ", batch_size));
    }
    batch_size = rows;

    const size_t expected_bytes = static_cast<size_t>(*elements) * DataTypeByteSize(type);
    if (region->has_value()) {
      auto bytes = ReadSharedMemoryInput(shared_memory, **region, input, expected_bytes, where());
      if (!bytes.ok()) return bytes.status();
      std::span<const uint8_t> view(**bytes);
      request->inputs[index] = Tensor::View(type, shape, *bytes, view);
    } else if (raw) {
      if (input.has_contents()) {
        return absl::InvalidArgumentError(absl::StrCat(
            where(), ": has typed contents although the request uses raw_input_contents"));
      }
      const std::string& bytes = message.raw_input_contents(next_raw++);
      if (bytes.size() != expected_bytes) {
        return absl::InvalidArgumentError(absl::StrCat(
            where(), ": expected ", expected_bytes, " bytes for shape ", ShapeToString(shape), " ",
            std::string(DataTypeName(type)), ", got ", bytes.size()));
      }
      // No owner: the request message lives until the RPC finishes, after the request completes.
      request->inputs[index] = Tensor::View(
          type, shape, nullptr, {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
    } else {
      auto bytes = TypedContentsToBytes(input.contents(), type, *elements, where());
      if (!bytes.ok()) return bytes.status();
      std::span<const uint8_t> view(**bytes);
      request->inputs[index] = Tensor::View(type, shape, *bytes, view);
    }
  }
  request->batch_size = batch_size;

  DecodedRequest decoded;
  decoded.parameters = *std::move(parameters);
  const std::vector<TensorSpec>& outputs = model.outputs();
  std::vector<bool> requested(outputs.size(), false);
  for (const auto& wanted : message.outputs()) {
    size_t index = 0;
    while (index < outputs.size() && outputs[index].name != wanted.name()) ++index;
    if (index == outputs.size()) {
      return absl::InvalidArgumentError(absl::StrCat(ModelLabel(model), " has no output ",
                                                     QuoteClientText(wanted.name()),
                                                     "; its outputs are ", SpecNames(outputs)));
    }
    // Each repetition would be encoded again into the response: refuse instead of multiplying it.
    if (requested[index]) {
      return absl::InvalidArgumentError(absl::StrCat(
          ModelLabel(model), ": output ", QuoteClientText(wanted.name()), " is requested twice"));
    }
    requested[index] = true;
    const auto where = [&] {
      return absl::StrCat(ModelLabel(model), " output ", QuoteClientText(wanted.name()));
    };
    absl::StatusOr<OutputParameters> output_parameters = OutputParameters{};
    if (!wanted.parameters().empty()) {
      output_parameters = ParseOutputParameters(wanted.parameters(), where());
    }
    if (!output_parameters.ok()) return output_parameters.status();
    const int64_t class_count = output_parameters->class_count;
    if (class_count > 0 && outputs[index].dtype == DataType::kBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), " is BYTES: classification needs a numeric output"));
    }
    if (output_parameters->shared_memory.has_value()) {
      if (class_count > 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            where(),
            ": classification results are returned in the response, not in shared memory"));
      }
      if (shared_memory == nullptr) return NoSharedMemory(where());
      // Checked now so that a wrong region fails the request before the model runs; checked again
      // when the result is written, since the client may unregister it meanwhile.
      if (auto status = shared_memory->Check(*output_parameters->shared_memory, where());
          !status.ok()) {
        return status;
      }
    }
    decoded.output_indices.push_back(index);
    decoded.class_counts.push_back(class_count);
    decoded.output_regions.push_back(std::move(output_parameters->shared_memory));
  }
  if (decoded.output_indices.empty()) {
    for (size_t i = 0; i < outputs.size(); ++i) decoded.output_indices.push_back(i);
    decoded.class_counts.assign(outputs.size(), 0);
    decoded.output_regions.assign(outputs.size(), std::nullopt);
  }
  decoded.request = std::move(request);
  return decoded;
}

}  // namespace inferd

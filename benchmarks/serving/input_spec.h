// InputSpec: the name, element type and shape of one model input as the load generator sends it,
// taken from a server's ModelMetadata answer or from a --input-spec flag.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/data_type.h"
#include "inference.pb.h"

namespace inferd::bench {

struct InputSpec {
  std::string name;
  DataType type = DataType::kInvalid;
  std::vector<int64_t> shape;  // fully known: no -1 left

  // Bytes of one tensor of this spec in raw_input_contents.
  int64_t ByteSize() const;
};

// Parses "name:DATATYPE:d0xd1x...", several joined by ';', e.g. "x:FP32:1x8x8x1;y:INT8:1x4".
absl::StatusOr<std::vector<InputSpec>> ParseInputSpecs(absl::string_view text);

// The inputs a model declares, with every variable dimension (-1) set to `batch`. Fails for inputs
// the generator cannot fill (BYTES) or cannot size.
absl::StatusOr<std::vector<InputSpec>> InputSpecsFromMetadata(
    const inference::ModelMetadataResponse& metadata, int64_t batch);

// "x FP32 [1,8,8,1]; y INT8 [1,4]" — for the report header.
std::string DescribeInputSpecs(const std::vector<InputSpec>& specs);

}  // namespace inferd::bench

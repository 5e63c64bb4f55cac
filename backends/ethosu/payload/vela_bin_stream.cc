#include "backends/ethosu/payload/vela_bin_stream.h"

#include <cstring>
#include <limits>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace inferd::ethosu {
namespace {

constexpr size_t kAlign = 16;
// shape[rank], element_size, offset, region
size_t IoEntrySize(int rank) { return (static_cast<size_t>(rank) + 3) * sizeof(int32_t); }

size_t Padded(size_t size) { return (size + kAlign - 1) & ~(kAlign - 1); }

std::string BlockName(const uint8_t* header) {
  size_t length = 0;
  while (length < kVelaBlockNameSize && header[length] != 0) ++length;
  return std::string(reinterpret_cast<const char*>(header), length);
}

int32_t ReadI32(const uint8_t* p) {
  int32_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

absl::StatusOr<std::vector<VelaIo>> ParseIo(std::span<const uint8_t> data, const char* block) {
  auto error = [block](std::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("vela bin stream: block '", block, "': ", std::string(what)));
  };
  if (data.size() < sizeof(int32_t)) return error("shorter than its count");
  const int32_t count = ReadI32(data.data());
  const size_t entries = data.size() - sizeof(int32_t);
  if (count < 0 || static_cast<size_t>(count) > entries / IoEntrySize(4)) {
    return error(absl::StrCat("count ", count, " does not fit the block"));
  }
  // The block holds exactly `count` entries, so its size says how many dimensions each has.
  int rank = 4;
  if (count > 0 && entries == static_cast<size_t>(count) * IoEntrySize(6)) {
    rank = 6;
  } else if (count > 0 && entries != static_cast<size_t>(count) * IoEntrySize(4)) {
    return error(
        absl::StrCat(entries, " bytes hold neither ", count, " 4-D nor ", count, " 6-D entries"));
  }
  std::vector<VelaIo> list(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) {
    const uint8_t* entry =
        data.data() + sizeof(int32_t) + static_cast<size_t>(i) * IoEntrySize(rank);
    VelaIo& io = list[static_cast<size_t>(i)];
    io.rank = rank;
    for (int d = 0; d < rank; ++d) io.shape[d] = ReadI32(entry + 4 * d);
    io.element_size = ReadI32(entry + 4 * rank);
    io.offset = ReadI32(entry + 4 * rank + 4);
    io.region = ReadI32(entry + 4 * rank + 8);
    for (int32_t dim : std::span<const int32_t>(io.shape.data(), static_cast<size_t>(rank))) {
      if (dim < 0 || dim > (1 << 20)) return error(absl::StrCat("tensor ", i, " has dim ", dim));
    }
    if (io.element_size != 1 && io.element_size != 2 && io.element_size != 4) {
      return error(absl::StrCat("tensor ", i, " has element size ", io.element_size));
    }
    if (io.offset < 0) return error(absl::StrCat("tensor ", i, " has offset ", io.offset));
    if (io.region < 0 || io.region > kVelaMaxRegion) {
      return error(absl::StrCat("tensor ", i, " has region ", io.region));
    }
    if (io.bytes() > (int64_t{1} << 31)) return error(absl::StrCat("tensor ", i, " too large"));
  }
  return list;
}

}  // namespace

int64_t VelaIo::bytes() const {
  // The dims come from the file: four of up to 2^20 overflow int64 (undefined behaviour, found by
  // vela_bin_stream_fuzz). Saturate instead; the parser refuses anything over 2 GiB.
  for (int d = 0; d < rank; ++d) {
    if (shape[d] == 0) return 0;
  }
  int64_t total = element_size;
  for (int d = 0; d < rank; ++d) {
    if (__builtin_mul_overflow(total, int64_t{shape[d]}, &total)) {
      return std::numeric_limits<int64_t>::max();
    }
  }
  return total;
}

bool LooksLikeVelaBinStream(std::span<const uint8_t> bytes) {
  return bytes.size() >= kVelaBlockHeaderSize && BlockName(bytes.data()) == "vela_bin_stream";
}

absl::StatusOr<VelaBinStream> ParseVelaBinStream(std::span<const uint8_t> bytes) {
  auto error = [](std::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("vela bin stream: ", std::string(what)));
  };
  if (bytes.size() < 2 * kVelaBlockHeaderSize) return error("too short");
  if (bytes.size() % kAlign != 0) return error("size is not a multiple of 16");
  VelaBinStream stream;
  bool seen_cmd = false, seen_weights = false, seen_scratch = false, seen_inputs = false,
       seen_outputs = false;
  size_t cursor = 0;
  bool first = true;
  while (cursor < bytes.size()) {
    if (bytes.size() - cursor < kVelaBlockHeaderSize) return error("truncated block header");
    const uint8_t* header = bytes.data() + cursor;
    const std::string name = BlockName(header);
    uint32_t size;
    std::memcpy(&size, header + kVelaBlockNameSize, sizeof(size));
    const size_t remaining = bytes.size() - cursor - kVelaBlockHeaderSize;
    if (Padded(size) > remaining) {
      return error(absl::StrCat("block '", name, "' of ", size, " bytes runs past the end"));
    }
    const std::span<const uint8_t> data = bytes.subspan(cursor + kVelaBlockHeaderSize, size);
    cursor += kVelaBlockHeaderSize + Padded(size);
    auto once = [&](bool& seen) {
      if (seen) return false;
      seen = true;
      return true;
    };
    if (first) {
      first = false;
      if (name != "vela_bin_stream") return error("does not start with a vela_bin_stream block");
      continue;
    }
    if (name == "vela_bin_stream") return error("second vela_bin_stream header");
    if (name == "cmd_data") {
      if (!once(seen_cmd)) return error("duplicate cmd_data");
      if (size < 4 ||
          (std::memcmp(data.data(), "COP1", 4) != 0 && std::memcmp(data.data(), "COP2", 4) != 0)) {
        return error("cmd_data does not start with COP1/COP2");
      }
      stream.cmd_data = data;
    } else if (name == "weight_data") {
      if (!once(seen_weights)) return error("duplicate weight_data");
      stream.weight_data = data;
    } else if (name == "scratch_size") {
      if (!once(seen_scratch)) return error("duplicate scratch_size");
      if (size < sizeof(uint32_t)) return error("scratch_size block is too short");
      std::memcpy(&stream.scratch_size, data.data(), sizeof(uint32_t));
    } else if (name == "inputs" || name == "outputs") {
      const bool inputs = name == "inputs";
      if (!once(inputs ? seen_inputs : seen_outputs)) return error("duplicate " + name);
      auto list = ParseIo(data, inputs ? "inputs" : "outputs");
      if (!list.ok()) return list.status();
      (inputs ? stream.inputs : stream.outputs) = std::move(*list);
    } else if (name == "vela_end_stream") {
      if (cursor != bytes.size()) return error("vela_end_stream is not the last block");
      if (!(seen_cmd && seen_weights && seen_scratch && seen_inputs && seen_outputs)) {
        return error(
            "missing a required block (cmd_data, weight_data, scratch_size, inputs, outputs)");
      }
      return stream;
    }
    // Other blocks (vela_model, future additions) carry nothing the host needs.
  }
  return error("no vela_end_stream block");
}

std::vector<uint8_t> BuildVelaBinStream(std::span<const uint8_t> cmd_data,
                                        std::span<const uint8_t> weight_data, uint32_t scratch_size,
                                        const std::vector<VelaIo>& inputs,
                                        const std::vector<VelaIo>& outputs, int io_rank) {
  std::vector<uint8_t> out;
  auto block = [&out](const char* name, std::span<const uint8_t> data) {
    uint8_t header[kVelaBlockHeaderSize] = {};
    std::memcpy(header, name, std::min(std::strlen(name), kVelaBlockNameSize));
    const uint32_t size = static_cast<uint32_t>(data.size());
    std::memcpy(header + kVelaBlockNameSize, &size, sizeof(size));
    out.insert(out.end(), header, header + kVelaBlockHeaderSize);
    out.insert(out.end(), data.begin(), data.end());
    out.resize(out.size() + Padded(data.size()) - data.size(), 0);
  };
  auto io = [io_rank](const std::vector<VelaIo>& list) {
    const size_t entry_size = IoEntrySize(io_rank);
    std::vector<uint8_t> bytes(sizeof(int32_t) + list.size() * entry_size);
    const int32_t count = static_cast<int32_t>(list.size());
    std::memcpy(bytes.data(), &count, sizeof(count));
    for (size_t i = 0; i < list.size(); ++i) {
      std::vector<int32_t> fields(list[i].shape.begin(), list[i].shape.begin() + io_rank);
      fields.insert(fields.end(), {list[i].element_size, list[i].offset, list[i].region});
      std::memcpy(bytes.data() + sizeof(int32_t) + i * entry_size, fields.data(), entry_size);
    }
    return bytes;
  };
  block("vela_bin_stream", {});
  block("cmd_data", cmd_data);
  block("weight_data", weight_data);
  const uint8_t* scratch = reinterpret_cast<const uint8_t*>(&scratch_size);
  block("scratch_size", std::span<const uint8_t>(scratch, sizeof(scratch_size)));
  const auto in = io(inputs);
  const auto outs = io(outputs);
  block("inputs", in);
  block("outputs", outs);
  block("vela_end_stream", {});
  return out;
}

}  // namespace inferd::ethosu

#include "firmware/executors/ethos_u/vela_bin_layout.h"

#include <string.h>

namespace inferd::firmware {
namespace {

constexpr uint32_t kBlockHeaderSize = 32;  // 16-byte name, uint32 size, 12 bytes of padding
constexpr uint32_t kBlockNameSize = 16;
constexpr uint32_t kBlockAlignment = 16;
// A dimension larger than this is no tensor an Ethos-U runs; it bounds the size arithmetic.
constexpr int32_t kMaxDim = 1 << 20;

// The driver actions ethos-u-core-driver understands in a driver payload (its DRIVER_ACTION_e),
// and their lengths in 32-bit words including the action word.
constexpr uint32_t kActionOptimizerConfig = 1;
constexpr uint32_t kActionCommandStream = 2;
constexpr uint32_t kActionNop = 5;
constexpr uint32_t kOptimizerConfigWords = 3;

uint32_t Padded(uint32_t size) { return (size + kBlockAlignment - 1) & ~(kBlockAlignment - 1); }

uint32_t ReadU32(const uint8_t* p) { return inferd_tp_get_u32(p); }
int32_t ReadI32(const uint8_t* p) { return static_cast<int32_t>(inferd_tp_get_u32(p)); }

bool NameIs(const uint8_t* header, const char* name) {
  const uint32_t length = static_cast<uint32_t>(strlen(name));
  if (memcmp(header, name, length) != 0) return false;
  for (uint32_t i = length; i < kBlockNameSize; ++i) {
    if (header[i] != 0) return false;
  }
  return true;
}

// Reads an "inputs" or "outputs" block: int32 count, then per tensor int32 shape[4 or 6],
// element size, offset and region. The block's size says whether shapes have 4 or 6 dimensions
// (ExecuTorch wrote 4 before 2025 and 6 since).
uint32_t ReadPlacements(const char* block, const uint8_t* data, uint32_t size,
                        VelaTensorPlacement* placements, uint32_t* count, DetailText* why) {
  if (size < 4) {
    why->Add("block '").Add(block).Add("' is shorter than its count");
    return INFERD_TP_NET_BAD_FORMAT;
  }
  const int32_t declared = ReadI32(data);
  const uint32_t entry_bytes = size - 4;
  if (declared < 0) {
    why->Add("block '").Add(block).Add("' has count ").Add(declared);
    return INFERD_TP_NET_BAD_FORMAT;
  }
  uint32_t rank = 4;
  if (declared > 0 && entry_bytes == static_cast<uint32_t>(declared) * (6 + 3) * 4) {
    rank = 6;
  } else if (entry_bytes != static_cast<uint32_t>(declared) * (4 + 3) * 4) {
    why->Add("block '").Add(block).Add("' of ").Add(size).Add(" bytes holds neither ");
    why->Add(declared).Add(" 4-D nor 6-D entries");
    return INFERD_TP_NET_BAD_FORMAT;
  }
  if (static_cast<uint32_t>(declared) > INFERD_TP_MAX_TENSORS) {
    why->Add("block '").Add(block).Add("' lists ").Add(declared).Add(" tensors; at most ");
    why->Add(INFERD_TP_MAX_TENSORS).Add(" are carried");
    return INFERD_TP_NET_UNSUPPORTED;
  }
  *count = static_cast<uint32_t>(declared);
  for (uint32_t i = 0; i < *count; ++i) {
    const uint8_t* entry = data + 4 + i * (rank + 3) * 4;
    VelaTensorPlacement& placement = placements[i];
    placement.rank = rank;
    uint64_t bytes = 1;
    for (uint32_t d = 0; d < rank; ++d) {
      placement.shape[d] = ReadI32(entry + 4 * d);
      if (placement.shape[d] < 0 || placement.shape[d] > kMaxDim) {
        why->Add(block).Add(" ").Add(i).Add(" has dimension ").Add(placement.shape[d]);
        return INFERD_TP_NET_BAD_FORMAT;
      }
      bytes *= static_cast<uint64_t>(placement.shape[d]);
      if (bytes > 0xFFFFFFFFu) bytes = 0x100000000u;  // saturate: refused just below
    }
    const int32_t element_size = ReadI32(entry + 4 * rank);
    const int32_t offset = ReadI32(entry + 4 * rank + 4);
    const int32_t region = ReadI32(entry + 4 * rank + 8);
    if (element_size != 1 && element_size != 2 && element_size != 4) {
      why->Add(block).Add(" ").Add(i).Add(" has element size ").Add(element_size);
      return INFERD_TP_NET_BAD_FORMAT;
    }
    bytes *= static_cast<uint64_t>(element_size);
    if (offset < 0 || bytes > 0xFFFFFFFFu) {
      why->Add(block).Add(" ").Add(i).Add(" has offset ").Add(offset).Add(" or is too large");
      return INFERD_TP_NET_BAD_FORMAT;
    }
    // ExecuTorch's runtime reads and writes every input and output in the scratch region, which
    // is where Vela places a network's feature maps; anything else this executor cannot place.
    if (region != static_cast<int32_t>(kVelaRegionScratch)) {
      why->Add(block).Add(" ").Add(i).Add(" lies in region ").Add(region);
      why->Add("; inputs and outputs must be in the scratch region (1)");
      return INFERD_TP_NET_UNSUPPORTED;
    }
    placement.element_size = static_cast<uint32_t>(element_size);
    placement.offset = static_cast<uint32_t>(offset);
    placement.size_bytes = static_cast<uint32_t>(bytes);
  }
  return INFERD_TP_NET_LOADED;
}

// Walks the driver payload the way ethos-u-core-driver will: "COP1", then driver actions. Finds
// the one command stream and checks that every action, and the stream, lies inside cmd_data.
uint32_t ReadDriverPayload(VelaBinLayout* layout, DetailText* why) {
  const uint8_t* payload = layout->driver_payload;
  const uint32_t size = layout->driver_payload_size;
  if (size < 4 || size % 4 != 0 || ReadU32(payload) != kVelaDriverPayloadMagic) {
    why->Add("cmd_data of ").Add(size).Add(" bytes is no COP1 driver payload");
    return INFERD_TP_NET_BAD_FORMAT;
  }
  const uint32_t words = size / 4;
  uint32_t word = 1;
  while (word < words) {
    const uint32_t action_word = ReadU32(payload + 4 * word);
    const uint32_t action = action_word & 0xFFu;
    if (action == kActionNop) {
      word += 1;
    } else if (action == kActionOptimizerConfig) {
      if (words - word < kOptimizerConfigWords) {
        why->Add("cmd_data: optimizer config at word ").Add(word).Add(" runs past the end");
        return INFERD_TP_NET_BAD_FORMAT;
      }
      word += kOptimizerConfigWords;
    } else if (action == kActionCommandStream) {
      // Length in words: the action's upper 16 bits, extended by its "reserved" byte.
      const uint32_t length = ((action_word >> 8) & 0xFFu) << 16 | (action_word >> 16);
      if (length > words - word - 1) {
        why->Add("cmd_data: command stream of ").Add(length).Add(" words at word ").Add(word);
        why->Add(" runs past the ").Add(words).Add("-word payload");
        return INFERD_TP_NET_BAD_FORMAT;
      }
      if (layout->command_stream != nullptr) {
        why->Add("cmd_data holds more than one command stream");
        return INFERD_TP_NET_UNSUPPORTED;
      }
      layout->command_stream = payload + 4 * (word + 1);
      layout->command_stream_size = 4 * length;
      word += 1 + length;
    } else {
      why->Add("cmd_data: driver action ").Add(action).Add(" at word ").Add(word);
      why->Add(" is not one ethos-u-core-driver runs");
      return INFERD_TP_NET_UNSUPPORTED;
    }
  }
  if (layout->command_stream == nullptr || layout->command_stream_size == 0) {
    why->Add("cmd_data holds no command stream");
    return INFERD_TP_NET_BAD_FORMAT;
  }
  return INFERD_TP_NET_LOADED;
}

}  // namespace

uint32_t ReadVelaBinLayout(const uint8_t* bytes, uint32_t size, VelaBinLayout* layout,
                           DetailText* why) {
  *layout = VelaBinLayout();
  if (size < 2 * kBlockHeaderSize || size % kBlockAlignment != 0 ||
      !NameIs(bytes, "vela_bin_stream")) {
    why->Add("not a vela bin stream (").Add(size).Add(" bytes)");
    return INFERD_TP_NET_BAD_FORMAT;
  }
  bool seen_cmd = false, seen_weights = false, seen_scratch = false, seen_inputs = false,
       seen_outputs = false;
  uint32_t cursor = 0;
  while (size - cursor >= kBlockHeaderSize) {
    const uint8_t* header = bytes + cursor;
    const uint32_t block_size = ReadU32(header + kBlockNameSize);
    const uint32_t room = size - cursor - kBlockHeaderSize;
    if (block_size > room || Padded(block_size) > room) {
      why->Add("block at byte ").Add(cursor).Add(" of ").Add(block_size);
      why->Add(" bytes runs past the end");
      return INFERD_TP_NET_BAD_FORMAT;
    }
    const uint8_t* data = header + kBlockHeaderSize;
    const uint32_t next = cursor + kBlockHeaderSize + Padded(block_size);
    bool* seen = nullptr;
    uint32_t status = INFERD_TP_NET_LOADED;
    if (cursor == 0) {
      // The leading vela_bin_stream block, checked above.
    } else if (NameIs(header, "cmd_data")) {
      seen = &seen_cmd;
      layout->driver_payload = data;
      layout->driver_payload_size = block_size;
    } else if (NameIs(header, "weight_data")) {
      seen = &seen_weights;
      layout->weights = data;
      layout->weights_size = block_size;
    } else if (NameIs(header, "scratch_size")) {
      seen = &seen_scratch;
      if (block_size < 4) {
        why->Add("block 'scratch_size' is shorter than a uint32");
        return INFERD_TP_NET_BAD_FORMAT;
      }
      layout->scratch_size = ReadU32(data);
    } else if (NameIs(header, "inputs")) {
      seen = &seen_inputs;
      status =
          ReadPlacements("inputs", data, block_size, layout->inputs, &layout->input_count, why);
    } else if (NameIs(header, "outputs")) {
      seen = &seen_outputs;
      status =
          ReadPlacements("outputs", data, block_size, layout->outputs, &layout->output_count, why);
    } else if (NameIs(header, "vela_end_stream")) {
      if (next != size) {
        why->Add("vela_end_stream is not the last block");
        return INFERD_TP_NET_BAD_FORMAT;
      }
      if (!(seen_cmd && seen_weights && seen_scratch && seen_inputs && seen_outputs)) {
        why->Add("a required block is missing (cmd_data, weight_data, scratch_size, inputs, ");
        why->Add("outputs)");
        return INFERD_TP_NET_BAD_FORMAT;
      }
      status = ReadDriverPayload(layout, why);
      if (status != INFERD_TP_NET_LOADED) return status;
      // Vela places every input and output inside the scratch area it sizes.
      const VelaTensorPlacement* lists[2] = {layout->inputs, layout->outputs};
      const uint32_t counts[2] = {layout->input_count, layout->output_count};
      for (uint32_t list = 0; list < 2; ++list) {
        for (uint32_t i = 0; i < counts[list]; ++i) {
          const VelaTensorPlacement& p = lists[list][i];
          if (p.offset > layout->scratch_size || p.size_bytes > layout->scratch_size - p.offset) {
            why->Add(list == 0 ? "input " : "output ").Add(i).Add(" (").Add(p.size_bytes);
            why->Add(" bytes at offset ").Add(p.offset).Add(") lies outside the scratch of ");
            why->Add(layout->scratch_size).Add(" bytes");
            return INFERD_TP_NET_BAD_FORMAT;
          }
        }
      }
      return INFERD_TP_NET_LOADED;
    }
    // Other blocks (vela_model, later additions) carry nothing the NPU needs.
    if (status != INFERD_TP_NET_LOADED) return status;
    if (seen != nullptr) {
      if (*seen) {
        why->Add("block at byte ").Add(cursor).Add(" appears twice");
        return INFERD_TP_NET_BAD_FORMAT;
      }
      *seen = true;
    }
    cursor = next;
  }
  why->Add("no vela_end_stream block");
  return INFERD_TP_NET_BAD_FORMAT;
}

}  // namespace inferd::firmware

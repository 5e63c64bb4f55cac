// The "cpu job": a TOSA INT8 graph pre-lowered by the host (firmware/host/cpu_job_lowering.h) into
// a flat list of reference-kernel calls with every parameter resolved, which the target's 'cpu'
// executor (cpu_job_executor.h) checks once at load and then runs without parsing anything.
//
// Why not ship the .tosa flatbuffer: the target would need the FlatBuffers runtime, the whole TOSA
// IR and its validator (hundreds of rules) in C++ without a heap. The host already validates the
// graph; what the target must still guarantee is memory safety, which this format makes cheap to
// check: every tensor is a bounded byte range and every operation's parameters must agree with
// its tensors' sizes.
//
// Layout (little-endian, every section 8-byte aligned from the start of the job):
//   CpuJobHeader
//   CpuJobTensor[tensor_count]
//   uint32_t input_tensor[input_count], uint32_t output_tensor[output_count]   (then pad to 8)
//   CpuJobOp[op_count]
//   constant bytes[const_bytes] at const_offset
#ifndef INFERD_FIRMWARE_EXECUTORS_CPU_JOB_CPU_JOB_FORMAT_H_
#define INFERD_FIRMWARE_EXECUTORS_CPU_JOB_CPU_JOB_FORMAT_H_

#include <stdint.h>

// The protocol's NETWORK_LOAD_BEGIN.format value for cpu jobs. The shared protocol header names
// TOSA flatbuffers (2) and Vela streams (1); a pre-lowered job is a third thing on the wire.
#ifndef INFERD_TP_NETWORK_FORMAT_CPU_JOB
#define INFERD_TP_NETWORK_FORMAT_CPU_JOB 3u
#endif

namespace inferd::firmware {

inline constexpr uint32_t kCpuJobMagic = 0x314A4349u;  // "ICJ1"
inline constexpr uint32_t kCpuJobVersion = 1;
inline constexpr uint32_t kCpuJobMaxRank = 6;
inline constexpr uint32_t kCpuJobNoTensor = 0xFFFFFFFFu;
inline constexpr uint32_t kCpuJobAlignment = 8;

struct CpuJobHeader {
  uint32_t magic;  // kCpuJobMagic
  uint32_t version;
  uint32_t tensor_count;
  uint32_t op_count;
  uint32_t input_count;
  uint32_t output_count;
  uint32_t scratch_bytes;  // activation memory the job needs on the target
  uint32_t const_offset;   // from the start of the job
  uint32_t const_bytes;
  uint32_t reserved;
};
static_assert(sizeof(CpuJobHeader) == 40);

// Element types; the values equal the protocol's inferd_tp_dtype where both have one.
enum class CpuJobDType : uint8_t {
  kInt8 = 2,
  kInt16 = 3,
  kInt32 = 4,
  kInt48 = 8,  // held as int64_t, 8 bytes an element (the reference kernels' convention)
};

enum class CpuJobStorage : uint8_t {
  kScratch = 0,   // offset into the executor's scratch arena
  kConstant = 1,  // offset into the job's constant bytes
};

struct CpuJobTensor {
  uint8_t dtype;    // CpuJobDType
  uint8_t rank;     // <= kCpuJobMaxRank
  uint8_t storage;  // CpuJobStorage
  uint8_t reserved;
  int32_t dims[kCpuJobMaxRank];  // first `rank` used, >= 1 each
  uint32_t offset;               // kCpuJobAlignment-aligned
  uint32_t size_bytes;           // exactly elements x element size
};
static_assert(sizeof(CpuJobTensor) == 36);

// One kernel call. Operands and params per kind:
//   kConv2dInt8, kDepthwiseConv2dInt8: operands input, weight, bias (int32); result int32;
//       params = the kernel's Conv2dParams / DepthwiseConv2dParams fields in declaration order.
//   kMatmulInt8: operands a, b; result int32; params batch, rows, depth, columns, a_zp, b_zp.
//   kRescale: operands input (int8/16/32/48), multiplier (int32 if scale32 else int16), shift
//       (int8); result int8/16/32; params channels, input_zp, output_zp, scale32, per_channel,
//       input_unsigned, output_unsigned, rounding_mode (kernels::RoundingMode).
//   kClamp: operand input (int8 or int16); result same type; params min, max.
//   kMaxPool2d (int8/int16), kAvgPool2dInt8: operand input; params = Pool2dParams fields.
//   kAddInt32, kSubInt32: operands input1, input2; params rank, output_dims[6], input1_dims[6],
//       input2_dims[6].
//   kCopy (RESHAPE, IDENTITY): operand input; result of the same byte size.
//   kTranspose: operand input; params rank, perms[6].
enum class CpuJobOpKind : uint32_t {
  kConv2dInt8 = 1,
  kDepthwiseConv2dInt8 = 2,
  kMatmulInt8 = 3,
  kRescale = 4,
  kClamp = 5,
  kMaxPool2d = 6,
  kAvgPool2dInt8 = 7,
  kAddInt32 = 8,
  kSubInt32 = 9,
  kCopy = 10,
  kTranspose = 11,
};

inline constexpr uint32_t kCpuJobMaxOperands = 4;
inline constexpr uint32_t kCpuJobMaxParams = 26;

struct CpuJobOp {
  uint32_t kind;                          // CpuJobOpKind
  uint32_t operands[kCpuJobMaxOperands];  // tensor indices, kCpuJobNoTensor when unused
  uint32_t result;                        // tensor index
  int32_t params[kCpuJobMaxParams];
};
static_assert(sizeof(CpuJobOp) == 128);

// Bytes one element of `dtype` occupies; 0 for values that are not a CpuJobDType.
constexpr uint32_t CpuJobElementBytes(uint8_t dtype) {
  switch (static_cast<CpuJobDType>(dtype)) {
    case CpuJobDType::kInt8:
      return 1;
    case CpuJobDType::kInt16:
      return 2;
    case CpuJobDType::kInt32:
      return 4;
    case CpuJobDType::kInt48:
      return 8;
  }
  return 0;
}

constexpr uint32_t CpuJobAlign(uint32_t value) {
  return (value + (kCpuJobAlignment - 1)) & ~(kCpuJobAlignment - 1);
}

}  // namespace inferd::firmware

#endif  // INFERD_FIRMWARE_EXECUTORS_CPU_JOB_CPU_JOB_FORMAT_H_

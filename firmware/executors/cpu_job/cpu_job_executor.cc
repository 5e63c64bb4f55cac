#include "firmware/executors/cpu_job/cpu_job_executor.h"

#include <string.h>

#include "backends/cpu/kernels/broadcast.h"
#include "backends/cpu/kernels/clamp.h"
#include "backends/cpu/kernels/conv2d.h"
#include "backends/cpu/kernels/depthwise_conv2d.h"
#include "backends/cpu/kernels/elementwise_binary.h"
#include "backends/cpu/kernels/kernel_types.h"
#include "backends/cpu/kernels/matmul.h"
#include "backends/cpu/kernels/pooling.h"
#include "backends/cpu/kernels/rescale.h"
#include "backends/cpu/kernels/reshape.h"
#include "backends/cpu/kernels/transpose.h"

namespace inferd::firmware {
namespace {

namespace k = ::inferd::cpu::kernels;

constexpr uint32_t kMaxTensors = 1u << 16;
constexpr uint32_t kMaxOps = 1u << 16;

// Pointers into a job whose layout has been checked.
struct JobView {
  CpuJobHeader header;
  const CpuJobTensor* tensors;
  const uint32_t* input_ids;
  const uint32_t* output_ids;
  const CpuJobOp* ops;
  const uint8_t* constants;
};

bool ParseLayout(const uint8_t* bytes, uint32_t size, JobView* job) {
  if (size < sizeof(CpuJobHeader) || reinterpret_cast<uintptr_t>(bytes) % kCpuJobAlignment != 0) {
    return false;
  }
  memcpy(&job->header, bytes, sizeof(CpuJobHeader));
  const CpuJobHeader& h = job->header;
  if (h.magic != kCpuJobMagic || h.version != kCpuJobVersion || h.tensor_count > kMaxTensors ||
      h.op_count > kMaxOps || h.input_count > INFERD_TP_MAX_TENSORS ||
      h.output_count > INFERD_TP_MAX_TENSORS || h.output_count == 0) {
    return false;
  }
  const uint64_t tensors = sizeof(CpuJobHeader);
  const uint64_t ids = tensors + uint64_t{h.tensor_count} * sizeof(CpuJobTensor);
  const uint64_t ops = CpuJobAlign(
      static_cast<uint32_t>(ids + (uint64_t{h.input_count} + h.output_count) * sizeof(uint32_t)));
  const uint64_t ops_end = ops + uint64_t{h.op_count} * sizeof(CpuJobOp);
  if (ops_end > size || h.const_offset < ops_end || h.const_offset % kCpuJobAlignment != 0 ||
      uint64_t{h.const_offset} + h.const_bytes > size) {
    return false;
  }
  job->tensors = reinterpret_cast<const CpuJobTensor*>(bytes + tensors);
  job->input_ids = reinterpret_cast<const uint32_t*>(bytes + ids);
  job->output_ids = job->input_ids + h.input_count;
  job->ops = reinterpret_cast<const CpuJobOp*>(bytes + ops);
  job->constants = bytes + h.const_offset;
  return true;
}

int64_t Elements(const CpuJobTensor& t) {
  int64_t n = 1;
  for (uint32_t i = 0; i < t.rank; ++i) n *= t.dims[i];
  return n;
}

bool TensorValid(const CpuJobTensor& t, const CpuJobHeader& h) {
  const uint32_t element = CpuJobElementBytes(t.dtype);
  if (element == 0 || t.rank > kCpuJobMaxRank || t.offset % kCpuJobAlignment != 0) return false;
  int64_t n = 1;
  for (uint32_t i = 0; i < t.rank; ++i) {
    if (t.dims[i] < 1) return false;
    n *= t.dims[i];
    if (n > (int64_t{1} << 31)) return false;
  }
  if (n * element != t.size_bytes) return false;
  const uint64_t end = uint64_t{t.offset} + t.size_bytes;
  switch (static_cast<CpuJobStorage>(t.storage)) {
    case CpuJobStorage::kScratch:
      return end <= h.scratch_bytes;
    case CpuJobStorage::kConstant:
      return end <= h.const_bytes;
  }
  return false;
}

// Checks of one operation against its tensors; see CpuJobOpKind for the operand conventions.
class OpChecker {
 public:
  OpChecker(const JobView& job, const CpuJobOp& op) : job_(job), op_(op) {}

  bool Check() const;

 private:
  const CpuJobTensor* Operand(uint32_t i) const {
    const uint32_t id = op_.operands[i];
    return id < job_.header.tensor_count ? &job_.tensors[id] : nullptr;
  }
  const CpuJobTensor* Result() const {
    const uint32_t id = op_.result;
    if (id >= job_.header.tensor_count) return nullptr;
    const CpuJobTensor* t = &job_.tensors[id];
    // Constants are never written.
    return t->storage == static_cast<uint8_t>(CpuJobStorage::kScratch) ? t : nullptr;
  }
  static bool Is(const CpuJobTensor* t, CpuJobDType dtype, int64_t elements) {
    return t != nullptr && t->dtype == static_cast<uint8_t>(dtype) && Elements(*t) == elements;
  }
  static bool Int8Value(int32_t v) { return v >= -128 && v <= 127; }
  // TOSA's output size rule for convolutions and pooling, exact.
  static bool OutputSize(int32_t in, int32_t pad_a, int32_t pad_b, int32_t kernel, int32_t stride,
                         int32_t dilation, int32_t out) {
    const int64_t span = int64_t{in} - 1 + pad_a + pad_b - (int64_t{kernel} - 1) * dilation;
    return span >= 0 && span % stride == 0 && span / stride + 1 == out;
  }
  bool CheckConv(bool depthwise) const;
  bool CheckMatmul() const;
  bool CheckRescale() const;
  bool CheckClamp() const;
  bool CheckPool(bool average) const;
  bool CheckAddSub() const;
  bool CheckCopy() const;
  bool CheckTranspose() const;

  const JobView& job_;
  const CpuJobOp& op_;
};

bool OpChecker::Check() const {
  switch (static_cast<CpuJobOpKind>(op_.kind)) {
    case CpuJobOpKind::kConv2dInt8:
      return CheckConv(false);
    case CpuJobOpKind::kDepthwiseConv2dInt8:
      return CheckConv(true);
    case CpuJobOpKind::kMatmulInt8:
      return CheckMatmul();
    case CpuJobOpKind::kRescale:
      return CheckRescale();
    case CpuJobOpKind::kClamp:
      return CheckClamp();
    case CpuJobOpKind::kMaxPool2d:
      return CheckPool(false);
    case CpuJobOpKind::kAvgPool2dInt8:
      return CheckPool(true);
    case CpuJobOpKind::kAddInt32:
    case CpuJobOpKind::kSubInt32:
      return CheckAddSub();
    case CpuJobOpKind::kCopy:
      return CheckCopy();
    case CpuJobOpKind::kTranspose:
      return CheckTranspose();
  }
  return false;
}

bool OpChecker::CheckConv(bool depthwise) const {
  const int32_t* p = op_.params;
  for (int i = 0; i < 9; ++i) {
    if (p[i] < 1) return false;
  }
  if (!depthwise) {
    // batch ih iw ic oh ow oc kh kw pt pb pl pr sy sx dy dx bias_size izp wzp
    const k::Conv2dParams c = {p[0],  p[1],  p[2],  p[3],  p[4],  p[5],  p[6],
                               p[7],  p[8],  p[9],  p[10], p[11], p[12], p[13],
                               p[14], p[15], p[16], p[17], p[18], p[19]};
    if (c.pad_top < 0 || c.pad_bottom < 0 || c.pad_left < 0 || c.pad_right < 0 || c.stride_y < 1 ||
        c.stride_x < 1 || c.dilation_y < 1 || c.dilation_x < 1 ||
        !OutputSize(c.input_height, c.pad_top, c.pad_bottom, c.kernel_height, c.stride_y,
                    c.dilation_y, c.output_height) ||
        !OutputSize(c.input_width, c.pad_left, c.pad_right, c.kernel_width, c.stride_x,
                    c.dilation_x, c.output_width) ||
        (c.bias_size != 1 && c.bias_size != c.output_channels) || !Int8Value(c.input_zp) ||
        !Int8Value(c.weight_zp)) {
      return false;
    }
    const int64_t b = c.batch;
    return Is(Operand(0), CpuJobDType::kInt8,
              b * c.input_height * c.input_width * c.input_channels) &&
           Is(Operand(1), CpuJobDType::kInt8,
              int64_t{c.output_channels} * c.kernel_height * c.kernel_width * c.input_channels) &&
           Is(Operand(2), CpuJobDType::kInt32, c.bias_size) &&
           Is(Result(), CpuJobDType::kInt32,
              b * c.output_height * c.output_width * c.output_channels);
  }
  // batch ih iw channels multiplier oh ow kh kw pt pb pl pr sy sx dy dx bias_size izp wzp
  const k::DepthwiseConv2dParams c = {p[0],  p[1],  p[2],  p[3],  p[4],  p[5],  p[6],
                                      p[7],  p[8],  p[9],  p[10], p[11], p[12], p[13],
                                      p[14], p[15], p[16], p[17], p[18], p[19]};
  const int64_t out_channels = int64_t{c.channels} * c.multiplier;
  if (c.pad_top < 0 || c.pad_bottom < 0 || c.pad_left < 0 || c.pad_right < 0 || c.stride_y < 1 ||
      c.stride_x < 1 || c.dilation_y < 1 || c.dilation_x < 1 ||
      !OutputSize(c.input_height, c.pad_top, c.pad_bottom, c.kernel_height, c.stride_y,
                  c.dilation_y, c.output_height) ||
      !OutputSize(c.input_width, c.pad_left, c.pad_right, c.kernel_width, c.stride_x, c.dilation_x,
                  c.output_width) ||
      (c.bias_size != 1 && c.bias_size != out_channels) || !Int8Value(c.input_zp) ||
      !Int8Value(c.weight_zp)) {
    return false;
  }
  const int64_t b = c.batch;
  return Is(Operand(0), CpuJobDType::kInt8, b * c.input_height * c.input_width * c.channels) &&
         Is(Operand(1), CpuJobDType::kInt8,
            int64_t{c.kernel_height} * c.kernel_width * out_channels) &&
         Is(Operand(2), CpuJobDType::kInt32, c.bias_size) &&
         Is(Result(), CpuJobDType::kInt32, b * c.output_height * c.output_width * out_channels);
}

bool OpChecker::CheckMatmul() const {
  const int32_t* p = op_.params;  // batch rows depth columns a_zp b_zp
  if (p[0] < 1 || p[1] < 1 || p[2] < 1 || p[3] < 1 || !Int8Value(p[4]) || !Int8Value(p[5])) {
    return false;
  }
  const int64_t b = p[0];
  return Is(Operand(0), CpuJobDType::kInt8, b * p[1] * p[2]) &&
         Is(Operand(1), CpuJobDType::kInt8, b * p[2] * p[3]) &&
         Is(Result(), CpuJobDType::kInt32, b * p[1] * p[3]);
}

bool OpChecker::CheckRescale() const {
  // channels input_zp output_zp scale32 per_channel input_unsigned output_unsigned rounding_mode
  const int32_t* p = op_.params;
  const CpuJobTensor* in = Operand(0);
  const CpuJobTensor* multiplier = Operand(1);
  const CpuJobTensor* shift = Operand(2);
  const CpuJobTensor* out = Result();
  if (in == nullptr || multiplier == nullptr || shift == nullptr || out == nullptr) return false;
  if (Elements(*in) != Elements(*out) || p[7] < 0 || p[7] > 2) return false;
  const bool scale32 = p[3] != 0, per_channel = p[4] != 0;
  int64_t count = 1;
  if (per_channel) {
    if (in->rank < 1 || p[0] != in->dims[in->rank - 1]) return false;
    count = p[0];
  }
  if (!Is(multiplier, scale32 ? CpuJobDType::kInt32 : CpuJobDType::kInt16, count) ||
      !Is(shift, CpuJobDType::kInt8, count)) {
    return false;
  }
  // Any integer input; outputs are 8, 16 or 32 bits (TensorValid checked the types exist).
  return static_cast<CpuJobDType>(out->dtype) != CpuJobDType::kInt48;
}

bool OpChecker::CheckClamp() const {
  const CpuJobTensor* in = Operand(0);
  const CpuJobTensor* out = Result();
  if (in == nullptr || out == nullptr || in->dtype != out->dtype) return false;
  if (in->dtype != static_cast<uint8_t>(CpuJobDType::kInt8) &&
      in->dtype != static_cast<uint8_t>(CpuJobDType::kInt16)) {
    return false;
  }
  return Elements(*in) == Elements(*out);
}

bool OpChecker::CheckPool(bool average) const {
  // batch ih iw channels oh ow kh kw sy sx pt pb pl pr izp ozp
  const int32_t* p = op_.params;
  for (int i = 0; i < 10; ++i) {
    if (p[i] < 1) return false;
  }
  for (int i = 10; i < 14; ++i) {
    if (p[i] < 0) return false;
  }
  if (!OutputSize(p[1], p[10], p[11], p[6], p[8], 1, p[4]) ||
      !OutputSize(p[2], p[12], p[13], p[7], p[9], 1, p[5])) {
    return false;
  }
  // Padding never covers a whole kernel window (TOSA requires pad < kernel).
  if (p[10] >= p[6] || p[11] >= p[6] || p[12] >= p[7] || p[13] >= p[7]) return false;
  const CpuJobTensor* in = Operand(0);
  if (in == nullptr) return false;
  const auto dtype = static_cast<CpuJobDType>(in->dtype);
  if (average ? dtype != CpuJobDType::kInt8
              : (dtype != CpuJobDType::kInt8 && dtype != CpuJobDType::kInt16)) {
    return false;
  }
  if (average && (!Int8Value(p[14]) || !Int8Value(p[15]))) return false;
  const int64_t b = p[0];
  return Is(in, dtype, b * p[1] * p[2] * p[3]) && Is(Result(), dtype, b * p[4] * p[5] * p[3]);
}

bool OpChecker::CheckAddSub() const {
  // rank output_dims[6] input1_dims[6] input2_dims[6]
  const int32_t* p = op_.params;
  const int32_t rank = p[0];
  if (rank < 0 || rank > static_cast<int32_t>(kCpuJobMaxRank)) return false;
  int64_t out_n = 1, in1_n = 1, in2_n = 1;
  for (int32_t i = 0; i < rank; ++i) {
    const int32_t o = p[1 + i], a = p[7 + i], b = p[13 + i];
    if (o < 1 || (a != o && a != 1) || (b != o && b != 1)) return false;
    out_n *= o;
    in1_n *= a;
    in2_n *= b;
  }
  return Is(Operand(0), CpuJobDType::kInt32, in1_n) && Is(Operand(1), CpuJobDType::kInt32, in2_n) &&
         Is(Result(), CpuJobDType::kInt32, out_n);
}

bool OpChecker::CheckCopy() const {
  const CpuJobTensor* in = Operand(0);
  const CpuJobTensor* out = Result();
  return in != nullptr && out != nullptr && in->size_bytes == out->size_bytes;
}

bool OpChecker::CheckTranspose() const {
  const int32_t* p = op_.params;  // rank perms[6]
  const CpuJobTensor* in = Operand(0);
  const CpuJobTensor* out = Result();
  if (in == nullptr || out == nullptr || in->dtype != out->dtype || p[0] != in->rank ||
      out->rank != in->rank) {
    return false;
  }
  bool seen[kCpuJobMaxRank] = {};
  for (int32_t i = 0; i < p[0]; ++i) {
    const int32_t perm = p[1 + i];
    if (perm < 0 || perm >= p[0] || seen[perm]) return false;
    seen[perm] = true;
    if (out->dims[i] != in->dims[perm]) return false;
  }
  return true;
}

uint32_t FromKernel(k::KernelStatus status) {
  return status == k::KernelStatus::kOk ? INFERD_TP_INF_OK : INFERD_TP_INF_ERROR;
}

template <typename InT, typename OutT>
k::KernelStatus RescaleTyped(const k::RescaleParams& p, const uint8_t* in, uint8_t* out) {
  return k::Rescale<InT, OutT>(p, reinterpret_cast<const InT*>(in), reinterpret_cast<OutT*>(out));
}

template <typename InT>
k::KernelStatus RescaleForInput(const k::RescaleParams& p, CpuJobDType out_type, const uint8_t* in,
                                uint8_t* out) {
  switch (out_type) {
    case CpuJobDType::kInt8:
      return RescaleTyped<InT, int8_t>(p, in, out);
    case CpuJobDType::kInt16:
      return RescaleTyped<InT, int16_t>(p, in, out);
    default:
      return RescaleTyped<InT, int32_t>(p, in, out);
  }
}

}  // namespace

CpuJobExecutor::CpuJobExecutor(uint8_t* scratch, uint32_t scratch_size)
    : scratch_(scratch), scratch_size_(scratch_size) {}

uint32_t CpuJobExecutor::Prepare(const uint8_t* network, uint32_t size) {
  JobView job;
  if (!ParseLayout(network, size, &job)) return INFERD_TP_NET_BAD_FORMAT;
  const CpuJobHeader& h = job.header;
  for (uint32_t i = 0; i < h.tensor_count; ++i) {
    if (!TensorValid(job.tensors[i], h)) return INFERD_TP_NET_BAD_FORMAT;
  }
  for (uint32_t i = 0; i < h.input_count + h.output_count; ++i) {
    const uint32_t id = job.input_ids[i];
    if (id >= h.tensor_count ||
        job.tensors[id].storage != static_cast<uint8_t>(CpuJobStorage::kScratch) ||
        job.tensors[id].dtype == static_cast<uint8_t>(CpuJobDType::kInt48)) {
      return INFERD_TP_NET_BAD_FORMAT;
    }
  }
  for (uint32_t i = 0; i < h.op_count; ++i) {
    if (!OpChecker(job, job.ops[i]).Check()) return INFERD_TP_NET_BAD_FORMAT;
  }
  if (h.scratch_bytes > scratch_size_) return INFERD_TP_NET_NO_MEMORY;
  return INFERD_TP_NET_LOADED;
}

uint32_t CpuJobExecutor::Run(const uint8_t* network, uint32_t size, const TensorView* inputs,
                             uint32_t input_count, TensorView* outputs, uint32_t output_capacity,
                             uint32_t* output_count, const uint32_t* /*events*/,
                             RunCounters* /*counters*/, RunControl& control) {
  *output_count = 0;
  JobView job;
  // Prepare accepted these bytes; re-deriving the pointers is cheap and keeps no state per job.
  if (!ParseLayout(network, size, &job)) return INFERD_TP_INF_ERROR;
  const CpuJobHeader& h = job.header;
  if (h.scratch_bytes > scratch_size_) return INFERD_TP_INF_NO_MEMORY;
  if (input_count != h.input_count || output_capacity < h.output_count) {
    return INFERD_TP_INF_BAD_INPUT;
  }
  auto data = [&](const CpuJobTensor& t) -> uint8_t* {
    return t.storage == static_cast<uint8_t>(CpuJobStorage::kScratch)
               ? scratch_ + t.offset
               : const_cast<uint8_t*>(job.constants) + t.offset;
  };
  for (uint32_t i = 0; i < input_count; ++i) {
    const CpuJobTensor& t = job.tensors[job.input_ids[i]];
    const inferd_tp_tensor_desc& d = inputs[i].desc;
    if (d.dtype != t.dtype || d.rank != t.rank || d.size_bytes != t.size_bytes) {
      return INFERD_TP_INF_BAD_INPUT;
    }
    for (uint32_t r = 0; r < t.rank; ++r) {
      if (d.dims[r] != t.dims[r]) return INFERD_TP_INF_BAD_INPUT;
    }
    memcpy(data(t), inputs[i].data, t.size_bytes);
  }
  for (uint32_t i = 0; i < h.op_count; ++i) {
    if (control.ShouldStop()) return INFERD_TP_INF_CANCELLED;
    const CpuJobOp& op = job.ops[i];
    const int32_t* p = op.params;
    auto in = [&](uint32_t n) -> const uint8_t* { return data(job.tensors[op.operands[n]]); };
    const CpuJobTensor& result = job.tensors[op.result];
    uint8_t* out = data(result);
    k::KernelStatus status = k::KernelStatus::kOk;
    switch (static_cast<CpuJobOpKind>(op.kind)) {
      case CpuJobOpKind::kConv2dInt8: {
        const k::Conv2dParams c = {p[0],  p[1],  p[2],  p[3],  p[4],  p[5],  p[6],
                                   p[7],  p[8],  p[9],  p[10], p[11], p[12], p[13],
                                   p[14], p[15], p[16], p[17], p[18], p[19]};
        status = k::Conv2dInt8(
            c, reinterpret_cast<const int8_t*>(in(0)), reinterpret_cast<const int8_t*>(in(1)),
            reinterpret_cast<const int32_t*>(in(2)), reinterpret_cast<int32_t*>(out));
        break;
      }
      case CpuJobOpKind::kDepthwiseConv2dInt8: {
        const k::DepthwiseConv2dParams c = {p[0],  p[1],  p[2],  p[3],  p[4],  p[5],  p[6],
                                            p[7],  p[8],  p[9],  p[10], p[11], p[12], p[13],
                                            p[14], p[15], p[16], p[17], p[18], p[19]};
        status = k::DepthwiseConv2dInt8(
            c, reinterpret_cast<const int8_t*>(in(0)), reinterpret_cast<const int8_t*>(in(1)),
            reinterpret_cast<const int32_t*>(in(2)), reinterpret_cast<int32_t*>(out));
        break;
      }
      case CpuJobOpKind::kMatmulInt8: {
        const k::MatmulParams m = {p[0], p[1], p[2], p[3], p[4], p[5]};
        status =
            k::MatmulInt8(m, reinterpret_cast<const int8_t*>(in(0)),
                          reinterpret_cast<const int8_t*>(in(1)), reinterpret_cast<int32_t*>(out));
        break;
      }
      case CpuJobOpKind::kRescale: {
        const CpuJobTensor& input = job.tensors[op.operands[0]];
        k::RescaleParams r;
        r.element_count = Elements(input);
        r.channels = p[4] != 0 ? p[0] : 1;
        r.input_zp = p[1];
        r.output_zp = p[2];
        r.scale32 = p[3] != 0;
        r.per_channel = p[4] != 0;
        r.input_unsigned = p[5] != 0;
        r.output_unsigned = p[6] != 0;
        r.rounding_mode = static_cast<k::RoundingMode>(p[7]);
        if (r.scale32) {
          r.multiplier32 = reinterpret_cast<const int32_t*>(in(1));
        } else {
          r.multiplier16 = reinterpret_cast<const int16_t*>(in(1));
        }
        r.shift = reinterpret_cast<const int8_t*>(in(2));
        const auto out_type = static_cast<CpuJobDType>(result.dtype);
        switch (static_cast<CpuJobDType>(input.dtype)) {
          case CpuJobDType::kInt8:
            status = RescaleForInput<int8_t>(r, out_type, in(0), out);
            break;
          case CpuJobDType::kInt16:
            status = RescaleForInput<int16_t>(r, out_type, in(0), out);
            break;
          case CpuJobDType::kInt32:
            status = RescaleForInput<int32_t>(r, out_type, in(0), out);
            break;
          case CpuJobDType::kInt48:
            status = RescaleForInput<int64_t>(r, out_type, in(0), out);
            break;
        }
        break;
      }
      case CpuJobOpKind::kClamp: {
        const int64_t count = Elements(result);
        if (result.dtype == static_cast<uint8_t>(CpuJobDType::kInt8)) {
          k::ClampInt8(reinterpret_cast<const int8_t*>(in(0)), reinterpret_cast<int8_t*>(out),
                       count, static_cast<int8_t>(p[0]), static_cast<int8_t>(p[1]));
        } else {
          k::ClampInt16(reinterpret_cast<const int16_t*>(in(0)), reinterpret_cast<int16_t*>(out),
                        count, static_cast<int16_t>(p[0]), static_cast<int16_t>(p[1]));
        }
        break;
      }
      case CpuJobOpKind::kMaxPool2d:
      case CpuJobOpKind::kAvgPool2dInt8: {
        const k::Pool2dParams c = {p[0], p[1], p[2],  p[3],  p[4],  p[5],  p[6],  p[7],
                                   p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]};
        if (static_cast<CpuJobOpKind>(op.kind) == CpuJobOpKind::kAvgPool2dInt8) {
          status = k::AvgPool2dInt8(c, reinterpret_cast<const int8_t*>(in(0)),
                                    reinterpret_cast<int8_t*>(out));
        } else if (result.dtype == static_cast<uint8_t>(CpuJobDType::kInt8)) {
          k::MaxPool2dInt8(c, reinterpret_cast<const int8_t*>(in(0)),
                           reinterpret_cast<int8_t*>(out));
        } else {
          k::MaxPool2dInt16(c, reinterpret_cast<const int16_t*>(in(0)),
                            reinterpret_cast<int16_t*>(out));
        }
        break;
      }
      case CpuJobOpKind::kAddInt32:
      case CpuJobOpKind::kSubInt32: {
        k::BroadcastShape s;
        s.rank = p[0];
        for (int32_t d = 0; d < s.rank; ++d) {
          s.output_dims[d] = p[1 + d];
          s.input1_dims[d] = p[7 + d];
          s.input2_dims[d] = p[13 + d];
        }
        const auto* a = reinterpret_cast<const int32_t*>(in(0));
        const auto* b = reinterpret_cast<const int32_t*>(in(1));
        status = static_cast<CpuJobOpKind>(op.kind) == CpuJobOpKind::kAddInt32
                     ? k::AddInt32(s, a, b, reinterpret_cast<int32_t*>(out))
                     : k::SubInt32(s, a, b, reinterpret_cast<int32_t*>(out));
        break;
      }
      case CpuJobOpKind::kCopy:
        k::Reshape(in(0), out, result.size_bytes);
        break;
      case CpuJobOpKind::kTranspose: {
        const CpuJobTensor& input = job.tensors[op.operands[0]];
        k::TransposeParams t;
        t.rank = p[0];
        for (int32_t d = 0; d < t.rank; ++d) {
          t.input_dims[d] = input.dims[d];
          t.perms[d] = p[1 + d];
        }
        status = k::Transpose(t, in(0), out, static_cast<int32_t>(CpuJobElementBytes(input.dtype)));
        break;
      }
    }
    if (FromKernel(status) != INFERD_TP_INF_OK) return INFERD_TP_INF_ERROR;
  }
  for (uint32_t i = 0; i < h.output_count; ++i) {
    const CpuJobTensor& t = job.tensors[job.output_ids[i]];
    TensorView& view = outputs[i];
    view.desc = {};
    view.desc.size_bytes = t.size_bytes;
    view.desc.dtype = t.dtype;
    view.desc.rank = t.rank;
    for (uint32_t r = 0; r < t.rank; ++r) view.desc.dims[r] = t.dims[r];
    view.data = data(t);
  }
  *output_count = h.output_count;
  return INFERD_TP_INF_OK;
}

}  // namespace inferd::firmware

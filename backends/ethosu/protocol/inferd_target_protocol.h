/* The inferd target protocol: framed messages between the inferd host and an inference target
 * (Ethos-U firmware on a board or an emulator, or the host-side test agent). Plain C99, shared by
 * the host (C++) and arm-none-eabi firmware; docs/target-protocol.md is the prose specification.
 *
 * Every message is one frame: a 24-byte header followed by `payload_length` payload bytes. All
 * integers are little-endian. Payload structs below use only naturally aligned fixed-width fields
 * so that their layout is the same on every ABI without packing pragmas; their sizes are checked
 * at compile time. A receiver that sees a bad header CRC, an oversized length or a bad payload CRC
 * drops the candidate frame and resumes scanning for the sync word one byte further on: a corrupt
 * frame is never fatal to the stream.
 *
 * The message set is modelled on the shape of Arm's Ethos-U core message interface (ping/pong,
 * version, capabilities, network and inference requests, cancel, error), carried over a byte
 * stream (UART, TCP) instead of a shared-memory mailbox.
 */
#ifndef INFERD_TARGET_PROTOCOL_H_
#define INFERD_TARGET_PROTOCOL_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Compile-time layout checks that work in C99 and C++. */
#define INFERD_TP_CONCAT2_(a, b) a##b
#define INFERD_TP_CONCAT_(a, b) INFERD_TP_CONCAT2_(a, b)
#define INFERD_TP_STATIC_ASSERT(cond, tag) \
  typedef char INFERD_TP_CONCAT_(inferd_tp_assert_##tag##_, __LINE__)[(cond) ? 1 : -1]

/* ---- Framing ----------------------------------------------------------------------------------
 */

/* The bytes "INFT" on the wire (0x49 0x4E 0x46 0x54), read as a little-endian uint32. */
#define INFERD_TP_SYNC 0x54464E49u
#define INFERD_TP_VERSION_MAJOR 1u /* a receiver drops frames whose major differs */
#define INFERD_TP_VERSION_MINOR 0u
#define INFERD_TP_HEADER_SIZE 24u
/* The largest payload any frame may carry. A target advertises its own (smaller) limit in
 * CAPABILITIES.max_payload; the host never sends a frame larger than that. */
#define INFERD_TP_MAX_PAYLOAD (1u << 20)

typedef struct inferd_tp_header {
  uint32_t sync;           /* INFERD_TP_SYNC */
  uint8_t version_major;   /* INFERD_TP_VERSION_MAJOR */
  uint8_t version_minor;   /* INFERD_TP_VERSION_MINOR */
  uint16_t type;           /* enum inferd_tp_msg_type */
  uint32_t sequence;       /* chosen by the requester; a response echoes its request's */
  uint32_t payload_length; /* bytes after the header, <= INFERD_TP_MAX_PAYLOAD */
  uint32_t payload_crc32;  /* inferd_tp_crc32 over the payload (0 bytes: 0x00000000) */
  uint32_t header_crc32;   /* inferd_tp_crc32 over the 20 header bytes before this field */
} inferd_tp_header;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_header) == INFERD_TP_HEADER_SIZE, header);

/* Message types. Requests are odd or listed first; each response type is named after its request.
 * Only the host sends requests; the target only answers (it may send ERR in reply to anything). */
enum inferd_tp_msg_type {
  INFERD_TP_MSG_PING = 1,                /* payload: 0..64 bytes, echoed */
  INFERD_TP_MSG_PONG = 2,                /* payload: the PING's bytes */
  INFERD_TP_MSG_VERSION_REQ = 3,         /* inferd_tp_version_req */
  INFERD_TP_MSG_VERSION_RSP = 4,         /* inferd_tp_version_rsp */
  INFERD_TP_MSG_CAPABILITIES_REQ = 5,    /* empty */
  INFERD_TP_MSG_CAPABILITIES_RSP = 6,    /* inferd_tp_capabilities_rsp */
  INFERD_TP_MSG_NETWORK_LOAD_BEGIN = 7,  /* inferd_tp_network_load_begin */
  INFERD_TP_MSG_NETWORK_LOAD_CHUNK = 8,  /* inferd_tp_network_load_chunk + data */
  INFERD_TP_MSG_NETWORK_LOAD_RSP = 9,    /* inferd_tp_network_load_rsp, answers BEGIN and CHUNK */
  INFERD_TP_MSG_NETWORK_UNLOAD_REQ = 10, /* inferd_tp_network_ref */
  INFERD_TP_MSG_NETWORK_UNLOAD_RSP = 11, /* inferd_tp_network_unload_rsp */
  INFERD_TP_MSG_INFERENCE_REQ = 12,      /* inferd_tp_inference_req + descriptors + data */
  INFERD_TP_MSG_INFERENCE_RSP = 13,      /* inferd_tp_inference_rsp + descriptors + data */
  INFERD_TP_MSG_CANCEL_REQ = 14,         /* inferd_tp_cancel_req */
  INFERD_TP_MSG_CANCEL_RSP = 15,         /* inferd_tp_cancel_rsp */
  INFERD_TP_MSG_ERR = 16                 /* inferd_tp_err + text */
};

/* ---- CRC-32 ------------------------------------------------------------------------------------
 * CRC-32/ISO-HDLC (the zlib/Ethernet CRC): reflected polynomial 0xEDB88320, initial value
 * 0xFFFFFFFF, final XOR 0xFFFFFFFF. crc32("123456789") == 0xCBF43926. Nibble-table form: 64 bytes
 * of table, small enough for any firmware. Incremental: pass the previous result as `crc`
 * (start with 0). */
static inline uint32_t inferd_tp_crc32_update(uint32_t crc, const void* data, size_t size) {
  static const uint32_t kNibble[16] = {0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu,
                                       0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
                                       0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
                                       0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu};
  const uint8_t* p = (const uint8_t*)data;
  size_t i;
  crc = ~crc;
  for (i = 0; i < size; ++i) {
    crc ^= p[i];
    crc = (crc >> 4) ^ kNibble[crc & 0x0Fu];
    crc = (crc >> 4) ^ kNibble[crc & 0x0Fu];
  }
  return ~crc;
}

static inline uint32_t inferd_tp_crc32(const void* data, size_t size) {
  return inferd_tp_crc32_update(0u, data, size);
}

/* ---- Little-endian helpers (for targets or hosts that are not little-endian, and for unaligned
 * buffers). ------------------------------------------------------------------------------------ */
static inline uint32_t inferd_tp_get_u32(const uint8_t* p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline void inferd_tp_put_u32(uint8_t* p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}
static inline uint16_t inferd_tp_get_u16(const uint8_t* p) {
  return (uint16_t)(p[0] | (p[1] << 8));
}
static inline void inferd_tp_put_u16(uint8_t* p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

/* Writes a complete header for a payload into `out` (INFERD_TP_HEADER_SIZE bytes). */
static inline void inferd_tp_write_header(uint8_t* out, uint16_t type, uint32_t sequence,
                                          const void* payload, uint32_t payload_length) {
  inferd_tp_put_u32(out + 0, INFERD_TP_SYNC);
  out[4] = (uint8_t)INFERD_TP_VERSION_MAJOR;
  out[5] = (uint8_t)INFERD_TP_VERSION_MINOR;
  inferd_tp_put_u16(out + 6, type);
  inferd_tp_put_u32(out + 8, sequence);
  inferd_tp_put_u32(out + 12, payload_length);
  inferd_tp_put_u32(out + 16, payload_length ? inferd_tp_crc32(payload, payload_length) : 0u);
  inferd_tp_put_u32(out + 20, inferd_tp_crc32(out, 20));
}

/* Checks a candidate header (`in` holds INFERD_TP_HEADER_SIZE bytes) against `max_payload`:
 * 1 when sync, major version, header CRC and length are all valid, else 0. */
static inline int inferd_tp_check_header(const uint8_t* in, uint32_t max_payload,
                                         inferd_tp_header* out) {
  if (inferd_tp_get_u32(in) != INFERD_TP_SYNC) return 0;
  if (in[4] != INFERD_TP_VERSION_MAJOR) return 0;
  if (inferd_tp_get_u32(in + 20) != inferd_tp_crc32(in, 20)) return 0;
  if (inferd_tp_get_u32(in + 12) > max_payload) return 0;
  out->sync = INFERD_TP_SYNC;
  out->version_major = in[4];
  out->version_minor = in[5];
  out->type = inferd_tp_get_u16(in + 6);
  out->sequence = inferd_tp_get_u32(in + 8);
  out->payload_length = inferd_tp_get_u32(in + 12);
  out->payload_crc32 = inferd_tp_get_u32(in + 16);
  out->header_crc32 = inferd_tp_get_u32(in + 20);
  return 1;
}

/* ---- Payloads ----------------------------------------------------------------------------------
 */

#define INFERD_TP_NETWORK_ID_SIZE 32u /* SHA-256 of the network bytes, computed by the host */
#define INFERD_TP_MAX_TENSORS 8u      /* inputs or outputs per inference */
#define INFERD_TP_MAX_RANK 6u
#define INFERD_TP_PMU_MAX 4u /* event counters per inference, as Ethos-U55/65 PMUs */
#define INFERD_TP_NAME_SIZE 32u
#define INFERD_TP_PING_MAX 64u
#define INFERD_TP_ERR_TEXT_MAX 256u

typedef struct inferd_tp_version_req {
  uint8_t host_major; /* the host's INFERD_TP_VERSION_MAJOR/MINOR */
  uint8_t host_minor;
  uint16_t reserved;
} inferd_tp_version_req;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_version_req) == 4, version_req);

typedef struct inferd_tp_version_rsp {
  uint8_t protocol_major;
  uint8_t protocol_minor;
  uint16_t reserved;
  uint32_t agent_version;               /* (major << 16) | (minor << 8) | patch */
  char agent_name[INFERD_TP_NAME_SIZE]; /* NUL-padded, e.g. "inferd-fw-an547" */
} inferd_tp_version_rsp;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_version_rsp) == 40, version_rsp);

/* inferd_tp_capabilities_rsp.executors bits: what a network can be. */
#define INFERD_TP_EXEC_ETHOSU 0x1u /* Vela-compiled command streams (NETWORK_FORMAT_VELA_BIN) */
/* TOSA INT8 graphs on the target's CPU (as .tosa flatbuffers or pre-lowered cpu jobs). */
#define INFERD_TP_EXEC_TOSA_CPU 0x2u

/* inferd_tp_capabilities_rsp.flags bits. */
/* The target runs an INFERENCE_REQ whose inputs' leading dimension is N times the network's as N
 * runs, one per item. Without it the host sends one INFERENCE_REQ per item. */
#define INFERD_TP_CAP_BATCH 0x1u

typedef struct inferd_tp_capabilities_rsp {
  uint32_t npu_product;        /* 0: no NPU; 55, 65, 85: Ethos-U55/U65/U85 */
  uint32_t npu_macs;           /* MACs per cycle: 32, 64, 128, 256, 512, ... */
  uint32_t npu_version;        /* (arch_major << 24) | (arch_minor << 16) | (arch_patch << 8) */
  uint32_t executors;          /* INFERD_TP_EXEC_* bits */
  uint32_t sram_size;          /* bytes of fast memory usable as scratch/arena */
  uint32_t dram_size;          /* bytes of bulk memory for networks and tensors */
  uint32_t network_cache_size; /* bytes available for cached networks */
  uint32_t max_payload;        /* largest frame payload the target accepts */
  uint32_t cpu_clock_hz;       /* 0 when unknown */
  uint32_t pmu_counters;       /* event counters the NPU PMU has (<= INFERD_TP_PMU_MAX reported) */
  uint32_t max_networks;       /* networks the cache can hold at once */
  uint32_t flags;              /* INFERD_TP_CAP_* bits (0 before protocol 1.0 minor additions) */
  char target_name[INFERD_TP_NAME_SIZE]; /* NUL-padded, e.g. "mps3-an547" */
} inferd_tp_capabilities_rsp;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_capabilities_rsp) == 80, capabilities_rsp);

/* Network formats. */
#define INFERD_TP_NETWORK_FORMAT_VELA_BIN 1u /* Vela "bin stream" (cmd_data, weights, IO) */
#define INFERD_TP_NETWORK_FORMAT_TOSA 2u     /* TOSA flatbuffer, executed on the CPU path */
#ifndef INFERD_TP_NETWORK_FORMAT_CPU_JOB
/* A TOSA INT8 graph pre-lowered by the host into flat reference-kernel calls (the firmware's
 * 'cpu' executor; layout in firmware/executors/cpu_job/cpu_job_format.h). */
#define INFERD_TP_NETWORK_FORMAT_CPU_JOB 3u
#endif

/* NETWORK_LOAD_BEGIN: announces a network. The target answers NETWORK_LOAD_RSP with CACHED (it
 * already holds these bytes: send nothing more) or READY (send chunks), or an error status. */
typedef struct inferd_tp_network_load_begin {
  uint8_t network_id[INFERD_TP_NETWORK_ID_SIZE];
  uint32_t total_size; /* bytes of the whole network */
  uint32_t crc32;      /* inferd_tp_crc32 of the whole network, checked after the last chunk */
  uint32_t format;     /* INFERD_TP_NETWORK_FORMAT_* */
  uint32_t chunk_size; /* bytes per chunk the host will send (the last may be shorter) */
} inferd_tp_network_load_begin;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_network_load_begin) == 48, network_load_begin);

/* NETWORK_LOAD_CHUNK: this struct, then `length` bytes. Chunks are sent in order, each after the
 * previous one's NETWORK_LOAD_RSP (CHUNK_OK, or LOADED after the last). */
typedef struct inferd_tp_network_load_chunk {
  uint8_t network_id[INFERD_TP_NETWORK_ID_SIZE];
  uint32_t offset;
  uint32_t length;
} inferd_tp_network_load_chunk;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_network_load_chunk) == 40, network_load_chunk);

enum inferd_tp_network_status {
  INFERD_TP_NET_CACHED = 0,   /* already loaded: ready to run */
  INFERD_TP_NET_READY = 1,    /* send chunks */
  INFERD_TP_NET_CHUNK_OK = 2, /* chunk stored, send the next */
  INFERD_TP_NET_LOADED = 3,   /* last chunk stored, whole-network CRC good: ready to run */
  INFERD_TP_NET_NO_MEMORY = 16,
  INFERD_TP_NET_BAD_FORMAT = 17, /* unknown format, or the bytes do not parse */
  INFERD_TP_NET_CRC_MISMATCH = 18,
  INFERD_TP_NET_BAD_CHUNK = 19,  /* out of order, overlong, or no BEGIN for this id */
  INFERD_TP_NET_UNSUPPORTED = 20 /* the target has no executor for this format */
};

typedef struct inferd_tp_network_load_rsp {
  uint8_t network_id[INFERD_TP_NETWORK_ID_SIZE];
  uint32_t status;         /* enum inferd_tp_network_status */
  uint32_t bytes_received; /* so far, for this network */
} inferd_tp_network_load_rsp;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_network_load_rsp) == 40, network_load_rsp);

typedef struct inferd_tp_network_ref {
  uint8_t network_id[INFERD_TP_NETWORK_ID_SIZE];
} inferd_tp_network_ref;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_network_ref) == 32, network_ref);

typedef struct inferd_tp_network_unload_rsp {
  uint8_t network_id[INFERD_TP_NETWORK_ID_SIZE];
  uint32_t status; /* 0: unloaded; 1: was not loaded */
  uint32_t reserved;
} inferd_tp_network_unload_rsp;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_network_unload_rsp) == 40, network_unload_rsp);

/* Element types in tensor descriptors (a subset of TOSA's). */
enum inferd_tp_dtype {
  INFERD_TP_DTYPE_UNKNOWN = 0,
  INFERD_TP_DTYPE_BOOL = 1,
  INFERD_TP_DTYPE_INT8 = 2,
  INFERD_TP_DTYPE_INT16 = 3,
  INFERD_TP_DTYPE_INT32 = 4,
  INFERD_TP_DTYPE_FP16 = 5,
  INFERD_TP_DTYPE_FP32 = 6,
  INFERD_TP_DTYPE_UINT8 = 7
};

/* One input or output tensor: its shape and the byte count of its data. */
typedef struct inferd_tp_tensor_desc {
  uint32_t size_bytes;
  uint8_t dtype; /* enum inferd_tp_dtype */
  uint8_t rank;  /* <= INFERD_TP_MAX_RANK */
  uint16_t reserved;
  int32_t dims[INFERD_TP_MAX_RANK]; /* first `rank` used, the rest 0 */
} inferd_tp_tensor_desc;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_tensor_desc) == 32, tensor_desc);

#define INFERD_TP_PMU_EVENT_NONE 0u

/* INFERENCE_REQ payload: this struct, then num_inputs inferd_tp_tensor_desc, then the input bytes
 * concatenated in descriptor order (no padding). The network must be loaded (CACHED or LOADED). */
typedef struct inferd_tp_inference_req {
  uint8_t network_id[INFERD_TP_NETWORK_ID_SIZE];
  uint32_t num_inputs;                    /* <= INFERD_TP_MAX_TENSORS */
  uint32_t num_outputs;                   /* outputs the host expects */
  uint32_t pmu_events[INFERD_TP_PMU_MAX]; /* NPU PMU event numbers to count, 0: unused */
  uint32_t flags;                         /* reserved, 0 */
  uint32_t reserved;
} inferd_tp_inference_req;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_inference_req) == 64, inference_req);

enum inferd_tp_inference_status {
  INFERD_TP_INF_OK = 0,
  INFERD_TP_INF_ERROR = 1, /* the executor failed; an ERR may precede with detail */
  INFERD_TP_INF_CANCELLED = 2,
  INFERD_TP_INF_NO_NETWORK = 3, /* the id is not loaded (evicted, or target restarted) */
  INFERD_TP_INF_BAD_INPUT = 4,  /* count, dtype, shape or size differs from the network's */
  INFERD_TP_INF_NO_MEMORY = 5,  /* arena/scratch does not fit */
  INFERD_TP_INF_UNSUPPORTED = 6
};

/* INFERENCE_RSP payload: this struct, then num_outputs inferd_tp_tensor_desc, then the output
 * bytes concatenated (only when status == OK; otherwise num_outputs is 0). */
typedef struct inferd_tp_inference_rsp {
  uint32_t status; /* enum inferd_tp_inference_status */
  uint32_t num_outputs;
  uint32_t pmu_events[INFERD_TP_PMU_MAX]; /* as requested */
  uint32_t pmu_counts[INFERD_TP_PMU_MAX]; /* counts for those events */
  uint64_t npu_cycles;                    /* NPU PMU cycle counter, 0 without an NPU */
  uint64_t cpu_cycles; /* CPU cycles spent on the job (DWT CYCCNT), 0 if unknown */
} inferd_tp_inference_rsp;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_inference_rsp) == 56, inference_rsp);

/* CANCEL_REQ: asks the target to abandon the inference sent with `sequence`. The target answers
 * CANCEL_RSP at once; the cancelled job still gets its INFERENCE_RSP (status CANCELLED, or OK if it
 * had finished). */
typedef struct inferd_tp_cancel_req {
  uint32_t sequence;
  uint32_t reserved;
} inferd_tp_cancel_req;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_cancel_req) == 8, cancel_req);

typedef struct inferd_tp_cancel_rsp {
  uint32_t sequence;
  uint32_t status; /* 0: cancelling; 1: no such job running */
} inferd_tp_cancel_rsp;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_cancel_rsp) == 8, cancel_rsp);

enum inferd_tp_error_code {
  INFERD_TP_ERR_UNKNOWN_TYPE = 1, /* a valid frame of a type the target does not handle */
  INFERD_TP_ERR_BAD_PAYLOAD = 2,  /* a valid frame whose payload is short or inconsistent */
  INFERD_TP_ERR_VERSION_MISMATCH = 3,
  INFERD_TP_ERR_BUSY = 4, /* a request arrived while one is in progress */
  INFERD_TP_ERR_INTERNAL = 5,
  /* Not a failure by itself: text that explains the response following it with the same sequence
   * (why a network was refused, why an inference failed). A host that does not know this code
   * treats it as an error; one that does keeps waiting for the response and attaches the text. */
  INFERD_TP_ERR_DETAIL = 6
};

/* ERR payload: this struct, then text_length bytes of UTF-8 (no NUL), text_length <=
 * INFERD_TP_ERR_TEXT_MAX. The header's sequence is the offending request's. */
typedef struct inferd_tp_err {
  uint32_t code; /* enum inferd_tp_error_code */
  uint32_t text_length;
} inferd_tp_err;
INFERD_TP_STATIC_ASSERT(sizeof(inferd_tp_err) == 8, err);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* INFERD_TARGET_PROTOCOL_H_ */

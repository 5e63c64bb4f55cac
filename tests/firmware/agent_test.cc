// The agent core built for the host and driven over an in-memory byte stream: every message type,
// chunked loading and the cache, inference against backends/cpu, resynchronisation after corrupt
// frames, and cancellation.
#include "firmware/agent/agent.h"

#include <gtest/gtest.h>

#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "backends/cpu/graph_executor.h"
#include "firmware/executors/cpu_job/cpu_job_format.h"
#include "tests/firmware/digits_fixture.h"
#include "tests/firmware/target_link.h"

namespace inferd::firmware::testing {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kTimeout(5000);

template <typename T>
T PayloadAs(const Frame& frame) {
  T value{};
  EXPECT_EQ(frame.payload.size(), sizeof(T));
  std::memcpy(&value, frame.payload.data(), std::min(sizeof(T), frame.payload.size()));
  return value;
}

class AgentTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<DigitsData> digits = LoadDigits();
    ASSERT_TRUE(digits.ok()) << digits.status();
    digits_ = new DigitsData(*std::move(digits));
  }
  static void TearDownTestSuite() {
    delete digits_;
    digits_ = nullptr;
  }

  std::vector<Input> Image(int64_t index) const {
    return {Int8Input(
        {1, 8, 8, 1},
        std::span<const int8_t>(digits_->images.data() + index * kDigitsPixels, kDigitsPixels))};
  }
  std::span<const int8_t> Expected(int64_t index) const {
    return {digits_->expected_scores.data() + index * kDigitsClasses, kDigitsClasses};
  }
  void LoadDigitsJob(TargetSession& session, const NetworkId& id) {
    ASSERT_EQ(session.LoadNetwork(id, digits_->job, INFERD_TP_NETWORK_FORMAT_CPU_JOB, 256),
              INFERD_TP_NET_LOADED);
  }

  static DigitsData* digits_;
  InMemoryAgentLink link_;
  TargetSession session_{link_, kTimeout};
};

DigitsData* AgentTest::digits_ = nullptr;

TEST_F(AgentTest, PingIsAnsweredWithTheSamePayload) {
  const std::string text = "are you there";
  std::optional<Frame> reply = session_.Call(
      INFERD_TP_MSG_PING, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->header.type, INFERD_TP_MSG_PONG);
  EXPECT_EQ(std::string(reply->payload.begin(), reply->payload.end()), text);
}

TEST_F(AgentTest, OverlongPingIsAnError) {
  std::vector<uint8_t> payload(INFERD_TP_PING_MAX + 1, 'x');
  std::optional<Frame> reply = session_.Call(INFERD_TP_MSG_PING, payload);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->header.type, INFERD_TP_MSG_ERR);
}

TEST_F(AgentTest, VersionNamesProtocolAndAgent) {
  inferd_tp_version_req req{INFERD_TP_VERSION_MAJOR, INFERD_TP_VERSION_MINOR, 0};
  std::optional<Frame> reply = session_.Call(INFERD_TP_MSG_VERSION_REQ, AsBytes(req));
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->header.type, INFERD_TP_MSG_VERSION_RSP);
  const auto rsp = PayloadAs<inferd_tp_version_rsp>(*reply);
  EXPECT_EQ(rsp.protocol_major, INFERD_TP_VERSION_MAJOR);
  EXPECT_EQ(rsp.agent_version, kAgentVersion);
  EXPECT_STREQ(rsp.agent_name, "inferd-agent cpu");  // the name, then its executors
}

TEST_F(AgentTest, CapabilitiesDescribeTheCpuExecutorAndLimits) {
  std::optional<Frame> reply = session_.Call(INFERD_TP_MSG_CAPABILITIES_REQ, {});
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->header.type, INFERD_TP_MSG_CAPABILITIES_RSP);
  const auto rsp = PayloadAs<inferd_tp_capabilities_rsp>(*reply);
  EXPECT_EQ(rsp.executors, INFERD_TP_EXEC_TOSA_CPU);
  EXPECT_EQ(rsp.npu_product, 0u);
  EXPECT_EQ(rsp.max_payload, 16u * 1024u);
  EXPECT_EQ(rsp.network_cache_size, 256u * 1024u);
  EXPECT_EQ(rsp.max_networks, NetworkCache::kMaxNetworks);
  EXPECT_STREQ(rsp.target_name, "host-test");
}

TEST_F(AgentTest, UnknownTypeIsAnError) {
  std::optional<Frame> reply = session_.Call(INFERD_TP_MSG_PONG, {});
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->header.type, INFERD_TP_MSG_ERR);
  const auto* err = reinterpret_cast<const inferd_tp_err*>(reply->payload.data());
  EXPECT_EQ(err->code, INFERD_TP_ERR_UNKNOWN_TYPE);
}

TEST_F(AgentTest, ChunkedLoadThenCacheHitSendsNoChunks) {
  const NetworkId id = TestNetworkId(digits_->job);
  uint32_t chunks = 0;
  ASSERT_EQ(session_.LoadNetwork(id, digits_->job, INFERD_TP_NETWORK_FORMAT_CPU_JOB, 100, &chunks),
            INFERD_TP_NET_LOADED);
  EXPECT_EQ(chunks, (digits_->job.size() + 99) / 100);
  ASSERT_EQ(session_.LoadNetwork(id, digits_->job, INFERD_TP_NETWORK_FORMAT_CPU_JOB, 100, &chunks),
            INFERD_TP_NET_CACHED);
  EXPECT_EQ(chunks, 0u);
  EXPECT_EQ(link_.agent().cache().count(), 1u);
}

TEST_F(AgentTest, InferenceMatchesTheCpuBackendAndTheExpectedScores) {
  const NetworkId id = TestNetworkId(digits_->job);
  LoadDigitsJob(session_, id);
  absl::StatusOr<std::unique_ptr<cpu::GraphExecutor>> reference =
      cpu::GraphExecutor::Create(digits_->graph);
  ASSERT_TRUE(reference.ok()) << reference.status();
  for (int64_t i = 0; i < digits_->count; ++i) {
    std::optional<InferenceResult> result = session_.Infer(id, Image(i), 1);
    ASSERT_TRUE(result.has_value()) << "image " << i;
    ASSERT_EQ(result->rsp.status, INFERD_TP_INF_OK) << "image " << i;
    ASSERT_EQ(result->outputs.size(), 1u);
    EXPECT_EQ(result->descs[0].dtype, INFERD_TP_DTYPE_INT8);
    EXPECT_EQ(result->descs[0].rank, 2);
    EXPECT_EQ(result->descs[0].dims[1], kDigitsClasses);
    EXPECT_GT(result->rsp.cpu_cycles, 0u);
    const std::vector<uint8_t>& scores = result->outputs[0];
    ASSERT_EQ(scores.size(), static_cast<size_t>(kDigitsClasses));

    std::vector<uint8_t> expected(kDigitsClasses);
    const std::span<const uint8_t> input(
        reinterpret_cast<const uint8_t*>(digits_->images.data() + i * kDigitsPixels),
        kDigitsPixels);
    const std::span<const uint8_t> inputs[] = {input};
    const std::span<uint8_t> outputs[] = {expected};
    ASSERT_TRUE((*reference)->Run(inputs, outputs).ok());
    EXPECT_EQ(scores, expected) << "image " << i << " differs from backends/cpu";
    const std::span<const int8_t> golden = Expected(i);
    EXPECT_EQ(std::memcmp(scores.data(), golden.data(), kDigitsClasses), 0)
        << "image " << i << " differs from expected_scores_int8.npy";
  }
}

TEST_F(AgentTest, InferenceOnAnUnknownNetworkSaysSo) {
  const NetworkId id = TestNetworkId(digits_->job);
  std::optional<InferenceResult> result = session_.Infer(id, Image(0), 1);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->rsp.status, INFERD_TP_INF_NO_NETWORK);
  EXPECT_TRUE(result->outputs.empty());
}

TEST_F(AgentTest, InputOfTheWrongShapeIsRejected) {
  const NetworkId id = TestNetworkId(digits_->job);
  LoadDigitsJob(session_, id);
  std::vector<int8_t> pixels(32, 1);
  const std::vector<Input> inputs = {Int8Input({1, 4, 8, 1}, pixels)};
  std::optional<InferenceResult> result = session_.Infer(id, inputs, 1);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->rsp.status, INFERD_TP_INF_BAD_INPUT);
}

TEST_F(AgentTest, UnloadForgetsTheNetwork) {
  const NetworkId id = TestNetworkId(digits_->job);
  LoadDigitsJob(session_, id);
  inferd_tp_network_ref ref{};
  std::memcpy(ref.network_id, id.data(), id.size());
  std::optional<Frame> reply = session_.Call(INFERD_TP_MSG_NETWORK_UNLOAD_REQ, AsBytes(ref));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(PayloadAs<inferd_tp_network_unload_rsp>(*reply).status, 0u);
  reply = session_.Call(INFERD_TP_MSG_NETWORK_UNLOAD_REQ, AsBytes(ref));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(PayloadAs<inferd_tp_network_unload_rsp>(*reply).status, 1u);
  std::optional<InferenceResult> result = session_.Infer(id, Image(0), 1);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->rsp.status, INFERD_TP_INF_NO_NETWORK);
}

TEST_F(AgentTest, LoadFailuresAreReported) {
  const NetworkId id = TestNetworkId(digits_->job);
  // A format no executor runs.
  EXPECT_EQ(session_.LoadNetwork(id, digits_->job, INFERD_TP_NETWORK_FORMAT_VELA_BIN, 256),
            INFERD_TP_NET_UNSUPPORTED);
  // Bigger than the whole cache.
  std::vector<uint8_t> huge(300 * 1024, 0);
  EXPECT_EQ(session_.LoadNetwork(TestNetworkId(huge), huge, INFERD_TP_NETWORK_FORMAT_CPU_JOB, 8192),
            INFERD_TP_NET_NO_MEMORY);
  // Bytes that are not a cpu job.
  std::vector<uint8_t> garbage(1000, 0x5A);
  EXPECT_EQ(
      session_.LoadNetwork(TestNetworkId(garbage), garbage, INFERD_TP_NETWORK_FORMAT_CPU_JOB, 256),
      INFERD_TP_NET_BAD_FORMAT);
  // A chunk out of order.
  inferd_tp_network_load_begin begin{};
  std::memcpy(begin.network_id, id.data(), id.size());
  begin.total_size = static_cast<uint32_t>(digits_->job.size());
  begin.crc32 = inferd_tp_crc32(digits_->job.data(), digits_->job.size());
  begin.format = INFERD_TP_NETWORK_FORMAT_CPU_JOB;
  begin.chunk_size = 64;
  std::optional<Frame> reply = session_.Call(INFERD_TP_MSG_NETWORK_LOAD_BEGIN, AsBytes(begin));
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(PayloadAs<inferd_tp_network_load_rsp>(*reply).status, INFERD_TP_NET_READY);
  inferd_tp_network_load_chunk chunk{};
  std::memcpy(chunk.network_id, id.data(), id.size());
  chunk.offset = 64;
  chunk.length = 64;
  std::vector<uint8_t> payload(AsBytes(chunk).begin(), AsBytes(chunk).end());
  payload.insert(payload.end(), digits_->job.begin() + 64, digits_->job.begin() + 128);
  reply = session_.Call(INFERD_TP_MSG_NETWORK_LOAD_CHUNK, payload);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(PayloadAs<inferd_tp_network_load_rsp>(*reply).status, INFERD_TP_NET_BAD_CHUNK);
}

TEST_F(AgentTest, WholeNetworkCrcMismatchIsDetected) {
  std::vector<uint8_t> job = digits_->job;
  const NetworkId id = TestNetworkId(job);
  inferd_tp_network_load_begin begin{};
  std::memcpy(begin.network_id, id.data(), id.size());
  begin.total_size = static_cast<uint32_t>(job.size());
  begin.crc32 = inferd_tp_crc32(job.data(), job.size()) ^ 1u;
  begin.format = INFERD_TP_NETWORK_FORMAT_CPU_JOB;
  begin.chunk_size = static_cast<uint32_t>(job.size());
  std::optional<Frame> reply = session_.Call(INFERD_TP_MSG_NETWORK_LOAD_BEGIN, AsBytes(begin));
  ASSERT_TRUE(reply.has_value());
  inferd_tp_network_load_chunk chunk{};
  std::memcpy(chunk.network_id, id.data(), id.size());
  chunk.length = static_cast<uint32_t>(job.size());
  std::vector<uint8_t> payload(AsBytes(chunk).begin(), AsBytes(chunk).end());
  payload.insert(payload.end(), job.begin(), job.end());
  reply = session_.Call(INFERD_TP_MSG_NETWORK_LOAD_CHUNK, payload);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(PayloadAs<inferd_tp_network_load_rsp>(*reply).status, INFERD_TP_NET_CRC_MISMATCH);
  EXPECT_EQ(link_.agent().cache().count(), 0u);
}

TEST(AgentCacheTest, LeastRecentlyUsedNetworkIsEvicted) {
  absl::StatusOr<DigitsData> digits = LoadDigits();
  ASSERT_TRUE(digits.ok()) << digits.status();
  // Room for two copies of the job, not three.
  InMemoryAgentLink::Sizes sizes;
  sizes.network_arena = static_cast<uint32_t>(CpuJobAlign(digits->job.size()) * 2 + 64);
  InMemoryAgentLink link(sizes);
  TargetSession session(link, kTimeout);
  NetworkId a{}, b{}, c{};
  a[0] = 1;
  b[0] = 2;
  c[0] = 3;
  for (const NetworkId& id : {a, b}) {
    ASSERT_EQ(session.LoadNetwork(id, digits->job, INFERD_TP_NETWORK_FORMAT_CPU_JOB, 512),
              INFERD_TP_NET_LOADED);
  }
  // Using A makes B the least recently used.
  const std::vector<Input> image = {
      Int8Input({1, 8, 8, 1}, std::span<const int8_t>(digits->images.data(), kDigitsPixels))};
  ASSERT_EQ(session.Infer(a, image, 1)->rsp.status, INFERD_TP_INF_OK);
  ASSERT_EQ(session.LoadNetwork(c, digits->job, INFERD_TP_NETWORK_FORMAT_CPU_JOB, 512),
            INFERD_TP_NET_LOADED);
  EXPECT_EQ(session.Infer(b, image, 1)->rsp.status, INFERD_TP_INF_NO_NETWORK);
  // A moved down when B was evicted and still runs correctly; so does C.
  for (const NetworkId& id : {a, c}) {
    std::optional<InferenceResult> result = session.Infer(id, image, 1);
    ASSERT_TRUE(result.has_value());
    ASSERT_EQ(result->rsp.status, INFERD_TP_INF_OK);
    EXPECT_EQ(std::memcmp(result->outputs[0].data(), digits->expected_scores.data(), 10), 0);
  }
}

TEST_F(AgentTest, CorruptFramesAreSkippedAndTheStreamResynchronises) {
  const uint8_t hello[] = {'h', 'i'};
  std::vector<uint8_t> stream = {'n', 'o', 'i', 's', 'e', 'I', 'N', 'F'};  // noise, false sync
  // A frame whose payload was damaged in transit: dropped without an answer.
  std::vector<uint8_t> damaged = EncodeFrame(INFERD_TP_MSG_PING, 100, hello);
  damaged.back() ^= 0xFF;
  stream.insert(stream.end(), damaged.begin(), damaged.end());
  // A frame whose header was damaged: scanned past byte by byte.
  std::vector<uint8_t> bad_header = EncodeFrame(INFERD_TP_MSG_PING, 101, hello);
  bad_header[9] ^= 0x01;
  stream.insert(stream.end(), bad_header.begin(), bad_header.end());
  // A truncated header, then a good frame.
  const std::vector<uint8_t> good = EncodeFrame(INFERD_TP_MSG_PING, 102, hello);
  stream.insert(stream.end(), good.begin(), good.begin() + 10);
  stream.insert(stream.end(), good.begin(), good.end());
  ASSERT_TRUE(link_.Send(stream));
  std::optional<Frame> reply = link_.Receive(kTimeout);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->header.type, INFERD_TP_MSG_PONG);
  EXPECT_EQ(reply->header.sequence, 102u);
  EXPECT_FALSE(link_.Receive(kTimeout).has_value());
  EXPECT_EQ(link_.agent().parser().dropped_frames(), 1u);
  EXPECT_GT(link_.agent().parser().skipped_bytes(), 0u);
}

TEST_F(AgentTest, ResetStreamForgetsAPartialFrameButKeepsTheCache) {
  const NetworkId id = TestNetworkId(digits_->job);
  LoadDigitsJob(session_, id);
  // Half a PING, then the connection is gone.
  const std::vector<uint8_t> ping = EncodeFrame(INFERD_TP_MSG_PING, 7, {});
  ASSERT_TRUE(link_.Send(std::span<const uint8_t>(ping).first(12)));
  EXPECT_FALSE(link_.Receive(kTimeout).has_value());
  link_.mutable_agent().ResetStream();
  std::optional<Frame> reply = session_.Call(INFERD_TP_MSG_PING, {});
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->header.type, INFERD_TP_MSG_PONG);
  EXPECT_EQ(session_.LoadNetwork(id, digits_->job, INFERD_TP_NETWORK_FORMAT_CPU_JOB, 256),
            INFERD_TP_NET_CACHED);
}

TEST_F(AgentTest, CancelStopsARunningInference) {
  const NetworkId id = TestNetworkId(digits_->job);
  LoadDigitsJob(session_, id);
  // The CANCEL is already waiting when the inference starts, so the job sees it at its first
  // check between operators.
  const uint32_t job = 500;
  std::vector<uint8_t> bytes =
      EncodeFrame(INFERD_TP_MSG_INFERENCE_REQ, job, InferenceRequestPayload(id, Image(0), 1));
  inferd_tp_cancel_req cancel{job, 0};
  const std::vector<uint8_t> cancel_frame =
      EncodeFrame(INFERD_TP_MSG_CANCEL_REQ, 501, AsBytes(cancel));
  bytes.insert(bytes.end(), cancel_frame.begin(), cancel_frame.end());
  ASSERT_TRUE(link_.Send(bytes));

  std::optional<Frame> first = link_.Receive(kTimeout);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->header.type, INFERD_TP_MSG_CANCEL_RSP);
  EXPECT_EQ(first->header.sequence, 501u);
  const auto cancel_rsp = PayloadAs<inferd_tp_cancel_rsp>(*first);
  EXPECT_EQ(cancel_rsp.sequence, job);
  EXPECT_EQ(cancel_rsp.status, 0u);
  std::optional<Frame> second = link_.Receive(kTimeout);
  ASSERT_TRUE(second.has_value());
  ASSERT_EQ(second->header.type, INFERD_TP_MSG_INFERENCE_RSP);
  EXPECT_EQ(second->header.sequence, job);
  std::optional<InferenceResult> result = ParseInferenceResponse(second->payload);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->rsp.status, INFERD_TP_INF_CANCELLED);
  EXPECT_TRUE(result->outputs.empty());

  // The agent serves normally afterwards.
  result = session_.Infer(id, Image(0), 1);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->rsp.status, INFERD_TP_INF_OK);
}

TEST_F(AgentTest, CancelWithoutARunningJobSaysSo) {
  inferd_tp_cancel_req cancel{42, 0};
  std::optional<Frame> reply = session_.Call(INFERD_TP_MSG_CANCEL_REQ, AsBytes(cancel));
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->header.type, INFERD_TP_MSG_CANCEL_RSP);
  EXPECT_EQ(PayloadAs<inferd_tp_cancel_rsp>(*reply).status, 1u);
}

TEST_F(AgentTest, PingIsAnsweredAndOtherRequestsAreBusyDuringAnInference) {
  const NetworkId id = TestNetworkId(digits_->job);
  LoadDigitsJob(session_, id);
  std::vector<uint8_t> bytes =
      EncodeFrame(INFERD_TP_MSG_INFERENCE_REQ, 10, InferenceRequestPayload(id, Image(3), 1));
  const std::vector<uint8_t> ping = EncodeFrame(INFERD_TP_MSG_PING, 11, {});
  const std::vector<uint8_t> caps = EncodeFrame(INFERD_TP_MSG_CAPABILITIES_REQ, 12, {});
  bytes.insert(bytes.end(), ping.begin(), ping.end());
  bytes.insert(bytes.end(), caps.begin(), caps.end());
  ASSERT_TRUE(link_.Send(bytes));
  std::optional<Frame> pong = link_.Receive(kTimeout);
  ASSERT_TRUE(pong.has_value());
  EXPECT_EQ(pong->header.type, INFERD_TP_MSG_PONG);
  EXPECT_EQ(pong->header.sequence, 11u);
  std::optional<Frame> busy = link_.Receive(kTimeout);
  ASSERT_TRUE(busy.has_value());
  ASSERT_EQ(busy->header.type, INFERD_TP_MSG_ERR);
  EXPECT_EQ(busy->header.sequence, 12u);
  EXPECT_EQ(reinterpret_cast<const inferd_tp_err*>(busy->payload.data())->code, INFERD_TP_ERR_BUSY);
  std::optional<Frame> done = link_.Receive(kTimeout);
  ASSERT_TRUE(done.has_value());
  ASSERT_EQ(done->header.type, INFERD_TP_MSG_INFERENCE_RSP);
  std::optional<InferenceResult> result = ParseInferenceResponse(done->payload);
  ASSERT_TRUE(result.has_value());
  ASSERT_EQ(result->rsp.status, INFERD_TP_INF_OK);
  EXPECT_EQ(std::memcmp(result->outputs[0].data(), Expected(3).data(), kDigitsClasses), 0);
}

}  // namespace
}  // namespace inferd::firmware::testing

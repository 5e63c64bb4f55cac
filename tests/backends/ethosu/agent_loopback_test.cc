// The host agent and TargetClient over loopback TCP: the full protocol, including chunked uploads,
// the network cache, corrupt frames, cancel and an agent that dies mid-job.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <future>
#include <thread>

#include "absl/time/clock.h"
#include "backends/ethosu/target_client.h"
#include "backends/ethosu/transport/tcp_transport.h"
#include "tests/backends/ethosu/ethosu_test_support.h"

namespace inferd::ethosu {
namespace {

using testing::StartAgent;

constexpr absl::Duration kTimeout = absl::Seconds(20);

std::unique_ptr<TargetClient> Client(const std::string& address, TargetClientOptions options = {}) {
  auto transport = TcpTransport::FromAddress(address);
  EXPECT_TRUE(transport.ok());
  return std::make_unique<TargetClient>(std::move(*transport), options);
}

std::vector<WireTensor> Inputs(const Tensor& images) {
  std::vector<WireTensor> inputs(1);
  inputs[0].dtype = INFERD_TP_DTYPE_INT8;
  inputs[0].dims = images.shape();
  inputs[0].data = images.bytes();
  return inputs;
}

TEST(AgentLoopbackTest, VersionCapabilitiesAndPing) {
  AgentOptions options;
  options.simulated_npu_product = 55;
  options.simulated_npu_macs = 128;
  auto agent = StartAgent(options);
  auto client = Client(agent.address());
  ASSERT_TRUE(client->Connect(absl::Now() + kTimeout).ok());
  EXPECT_EQ(client->version().protocol_major, INFERD_TP_VERSION_MAJOR);
  EXPECT_EQ(FixedName(client->version().agent_name, INFERD_TP_NAME_SIZE), "inferd-host-agent");
  EXPECT_EQ(client->capabilities().npu_product, 55u);
  EXPECT_EQ(client->capabilities().npu_macs, 128u);
  EXPECT_TRUE(client->capabilities().executors & INFERD_TP_EXEC_TOSA_CPU);
  EXPECT_TRUE(client->Ping(absl::Now() + kTimeout).ok());
}

// A target still booting: what is written before its UART is enabled is lost, as QEMU's CMSDK
// UART drops bytes that arrive while its receiver is off.
class FirstWriteLostTransport final : public Transport {
 public:
  explicit FirstWriteLostTransport(std::unique_ptr<Transport> inner) : inner_(std::move(inner)) {}
  absl::Status Open(absl::Time deadline) override { return inner_->Open(deadline); }
  absl::StatusOr<size_t> Read(std::span<uint8_t> buffer, absl::Time deadline) override {
    return inner_->Read(buffer, deadline);
  }
  absl::Status Write(std::span<const uint8_t> bytes, absl::Time deadline) override {
    if (writes_++ == 0) return absl::OkStatus();
    return inner_->Write(bytes, deadline);
  }
  void Close() override { inner_->Close(); }
  bool is_open() const override { return inner_->is_open(); }
  std::string description() const override { return inner_->description(); }
  int writes() const { return writes_; }

 private:
  std::unique_ptr<Transport> inner_;
  int writes_ = 0;
};

TEST(AgentLoopbackTest, ConnectHailsATargetThatLostTheFirstRequest) {
  auto agent = StartAgent();
  auto tcp = TcpTransport::FromAddress(agent.address());
  ASSERT_TRUE(tcp.ok());
  auto lossy = std::make_unique<FirstWriteLostTransport>(std::move(*tcp));
  FirstWriteLostTransport* transport = lossy.get();
  TargetClient client(std::move(lossy));
  const absl::Status connected = client.Connect(absl::Now() + kTimeout);
  ASSERT_TRUE(connected.ok()) << connected;
  EXPECT_EQ(FixedName(client.version().agent_name, INFERD_TP_NAME_SIZE), "inferd-host-agent");
  EXPECT_GE(transport->writes(), 3);  // the lost VERSION_REQ, its repeat, CAPABILITIES_REQ
}

TEST(AgentLoopbackTest, ChunkedUploadThenInferenceMatchesTheCpuBackend) {
  auto agent = StartAgent();
  TargetClientOptions options;
  options.chunk_size = 1000;  // several chunks for the digits graph
  auto client = Client(agent.address(), options);
  auto bytes = testing::DigitsInt8Bytes();
  ASSERT_GT(bytes->size(), 3000u);
  const NetworkId id = ComputeNetworkId(*bytes);
  auto upload =
      client->EnsureNetwork(id, *bytes, INFERD_TP_NETWORK_FORMAT_TOSA, absl::Now() + kTimeout);
  ASSERT_TRUE(upload.ok()) << upload.status();
  EXPECT_FALSE(upload->cache_hit);
  EXPECT_EQ(upload->bytes_uploaded, bytes->size());
  EXPECT_EQ(agent.core->uploads_completed(), 1u);

  const Tensor images = testing::DigitsImages(5);
  auto response = client->Infer(id, Inputs(images), 1, nullptr, absl::Now() + kTimeout);
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->header.status, static_cast<uint32_t>(INFERD_TP_INF_OK));
  ASSERT_EQ(response->outputs.size(), 1u);
  EXPECT_EQ(response->outputs[0].dims, (std::vector<int64_t>{5, 10}));
  const Tensor expected = testing::CpuReferenceScores(images);
  const auto got = response->outputs[0].bytes();
  EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.end()),
            std::vector<uint8_t>(expected.bytes().begin(), expected.bytes().end()));
}

TEST(AgentLoopbackTest, TheAgentCachesNetworksAcrossConnections) {
  auto agent = StartAgent();
  auto bytes = testing::DigitsInt8Bytes();
  const NetworkId id = ComputeNetworkId(*bytes);
  {
    auto first = Client(agent.address());
    ASSERT_TRUE(
        first->EnsureNetwork(id, *bytes, INFERD_TP_NETWORK_FORMAT_TOSA, absl::Now() + kTimeout)
            .ok());
  }
  auto second = Client(agent.address());
  auto upload =
      second->EnsureNetwork(id, *bytes, INFERD_TP_NETWORK_FORMAT_TOSA, absl::Now() + kTimeout);
  ASSERT_TRUE(upload.ok()) << upload.status();
  EXPECT_TRUE(upload->cache_hit);
  EXPECT_EQ(upload->bytes_uploaded, 0u);
  EXPECT_EQ(agent.core->uploads_completed(), 1u);
  // After an unload the next job uploads again.
  ASSERT_TRUE(second->Unload(id, absl::Now() + kTimeout).ok());
  auto again =
      second->EnsureNetwork(id, *bytes, INFERD_TP_NETWORK_FORMAT_TOSA, absl::Now() + kTimeout);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->cache_hit);
}

TEST(AgentLoopbackTest, AMissingNetworkIsReportedNotRun) {
  auto agent = StartAgent();
  auto client = Client(agent.address());
  NetworkId unknown{};
  unknown[0] = 1;
  const Tensor images = testing::DigitsImages(1);
  auto response = client->Infer(unknown, Inputs(images), 1, nullptr, absl::Now() + kTimeout);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->header.status, static_cast<uint32_t>(INFERD_TP_INF_NO_NETWORK));
}

TEST(AgentLoopbackTest, AGraphThatDoesNotParseIsRefusedAtLoad) {
  auto agent = StartAgent();
  auto client = Client(agent.address());
  const std::vector<uint8_t> junk(300, 0x5A);
  auto upload = client->EnsureNetwork(ComputeNetworkId(junk), junk, INFERD_TP_NETWORK_FORMAT_TOSA,
                                      absl::Now() + kTimeout);
  ASSERT_FALSE(upload.ok());
  EXPECT_NE(upload.status().message().find("BAD_FORMAT"), absl::string_view::npos);
  // A Vela stream is refused: the host agent has no NPU executor.
  auto vela = client->EnsureNetwork(ComputeNetworkId(junk), junk, INFERD_TP_NETWORK_FORMAT_VELA_BIN,
                                    absl::Now() + kTimeout);
  ASSERT_FALSE(vela.ok());
  EXPECT_NE(vela.status().message().find("UNSUPPORTED"), absl::string_view::npos);
}

TEST(AgentLoopbackTest, CorruptFramesAreDroppedAndTheStreamRecovers) {
  auto agent = StartAgent();
  auto transport = TcpTransport::FromAddress(agent.address());
  ASSERT_TRUE(transport.ok());
  ASSERT_TRUE((*transport)->Open(absl::Now() + kTimeout).ok());
  // Noise, a frame with a flipped payload bit, then a good PING.
  std::vector<uint8_t> stream = {'n', 'o', 'i', 's', 'e', 'I', 'N', 'F'};
  auto bad = EncodeFrame(INFERD_TP_MSG_PING, 7, std::vector<uint8_t>{1, 2, 3});
  bad.back() ^= 1;
  stream.insert(stream.end(), bad.begin(), bad.end());
  auto good = EncodeFrame(INFERD_TP_MSG_PING, 8, std::vector<uint8_t>{4, 5, 6});
  stream.insert(stream.end(), good.begin(), good.end());
  ASSERT_TRUE((*transport)->Write(stream, absl::Now() + kTimeout).ok());
  FrameDecoder decoder;
  std::optional<Frame> reply;
  uint8_t buffer[256];
  while (!reply) {
    auto n = (*transport)->Read(buffer, absl::Now() + kTimeout);
    ASSERT_TRUE(n.ok()) << n.status();
    decoder.Feed(std::span<const uint8_t>(buffer, *n));
    reply = decoder.Next();
  }
  // The only reply is to the good frame: the corrupt one was dropped, not answered.
  EXPECT_EQ(reply->type, INFERD_TP_MSG_PONG);
  EXPECT_EQ(reply->sequence, 8u);
  EXPECT_EQ(reply->payload, (std::vector<uint8_t>{4, 5, 6}));
}

TEST(AgentLoopbackTest, UnknownMessageTypesGetAnError) {
  auto agent = StartAgent();
  auto transport = TcpTransport::FromAddress(agent.address());
  ASSERT_TRUE((*transport)->Open(absl::Now() + kTimeout).ok());
  ASSERT_TRUE((*transport)->Write(EncodeFrame(999, 3, {}), absl::Now() + kTimeout).ok());
  FrameDecoder decoder;
  std::optional<Frame> reply;
  uint8_t buffer[512];
  while (!reply) {
    auto n = (*transport)->Read(buffer, absl::Now() + kTimeout);
    ASSERT_TRUE(n.ok());
    decoder.Feed(std::span<const uint8_t>(buffer, *n));
    reply = decoder.Next();
  }
  EXPECT_EQ(reply->type, INFERD_TP_MSG_ERR);
  auto err = DecodeError(reply->payload);
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->code, static_cast<uint32_t>(INFERD_TP_ERR_UNKNOWN_TYPE));
}

TEST(AgentLoopbackTest, CancelStopsARunningJobAndTheConnectionStaysUsable) {
  AgentOptions options;
  options.inference_delay = absl::Hours(1);  // only a CANCEL ends it
  auto agent = StartAgent(options);
  auto token = std::make_shared<CancellationToken>();
  agent.core->set_on_inference_start([token](uint32_t) { token->Cancel(); });
  auto client = Client(agent.address());
  auto bytes = testing::DigitsInt8Bytes();
  const NetworkId id = ComputeNetworkId(*bytes);
  ASSERT_TRUE(
      client->EnsureNetwork(id, *bytes, INFERD_TP_NETWORK_FORMAT_TOSA, absl::Now() + kTimeout)
          .ok());
  const Tensor images = testing::DigitsImages(1);
  auto response = client->Infer(id, Inputs(images), 1, token.get(), absl::Now() + kTimeout);
  EXPECT_TRUE(absl::IsCancelled(response.status())) << response.status();
  EXPECT_TRUE(client->connected());
  EXPECT_TRUE(client->Ping(absl::Now() + kTimeout).ok());
}

TEST(AgentLoopbackTest, AnAgentKilledMidJobFailsTheJobPromptly) {
  AgentOptions options;
  options.inference_delay = absl::Hours(1);
  auto agent = StartAgent(options);
  std::promise<void> started;
  agent.core->set_on_inference_start([&started](uint32_t) { started.set_value(); });
  auto client = Client(agent.address());
  auto bytes = testing::DigitsInt8Bytes();
  const NetworkId id = ComputeNetworkId(*bytes);
  ASSERT_TRUE(
      client->EnsureNetwork(id, *bytes, INFERD_TP_NETWORK_FORMAT_TOSA, absl::Now() + kTimeout)
          .ok());
  const Tensor images = testing::DigitsImages(1);
  auto job = std::async(std::launch::async, [&] {
    return client->Infer(id, Inputs(images), 1, nullptr, absl::Now() + kTimeout);
  });
  started.get_future().wait();
  agent.server->Abort();
  auto response = job.get();
  EXPECT_TRUE(absl::IsUnavailable(response.status())) << response.status();
  EXPECT_FALSE(client->connected());
}

TEST(AgentLoopbackTest, ATargetThatNeverAnswersTimesOut) {
  AgentOptions options;
  options.inference_delay = absl::Hours(1);
  auto agent = StartAgent(options);
  auto client = Client(agent.address());
  auto bytes = testing::DigitsInt8Bytes();
  const NetworkId id = ComputeNetworkId(*bytes);
  ASSERT_TRUE(
      client->EnsureNetwork(id, *bytes, INFERD_TP_NETWORK_FORMAT_TOSA, absl::Now() + kTimeout)
          .ok());
  const Tensor images = testing::DigitsImages(1);
  auto response =
      client->Infer(id, Inputs(images), 1, nullptr, absl::Now() + absl::Milliseconds(200));
  EXPECT_TRUE(absl::IsDeadlineExceeded(response.status())) << response.status();
}

TEST(TcpTransportTest, ConnectingToANonListeningPortFailsWithinTheDeadline) {
  auto agent = StartAgent();
  const std::string address = agent.address();
  agent.server->Stop();
  auto transport = TcpTransport::FromAddress(address);
  ASSERT_TRUE(transport.ok());
  const absl::Status status = (*transport)->Open(absl::Now() + absl::Milliseconds(300));
  EXPECT_FALSE(status.ok());
  EXPECT_FALSE((*transport)->is_open());
}

TEST(TcpTransportTest, AddressesAreParsed) {
  EXPECT_TRUE(TcpTransport::FromAddress("127.0.0.1:5000").ok());
  EXPECT_TRUE(TcpTransport::FromAddress("[::1]:5000").ok());
  EXPECT_FALSE(TcpTransport::FromAddress("127.0.0.1").ok());
  EXPECT_FALSE(TcpTransport::FromAddress("host:0").ok());
  EXPECT_FALSE(TcpTransport::FromAddress("host:x").ok());
}

}  // namespace
}  // namespace inferd::ethosu

// The framed target protocol: CRC, frame round trips, resynchronisation after corruption, and the
// payload codecs' refusal of malformed input.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "backends/ethosu/protocol/frame_codec.h"
#include "backends/ethosu/protocol/messages.h"

namespace inferd::ethosu {
namespace {

std::vector<uint8_t> Bytes(std::string_view text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

TEST(Crc32Test, MatchesTheStandardCheckValue) {
  EXPECT_EQ(inferd_tp_crc32("123456789", 9), 0xCBF43926u);
  EXPECT_EQ(inferd_tp_crc32("", 0), 0u);
  // Incremental equals one-shot.
  const uint32_t part = inferd_tp_crc32_update(0, "12345", 5);
  EXPECT_EQ(inferd_tp_crc32_update(part, "6789", 4), 0xCBF43926u);
}

TEST(FrameCodecTest, RoundTripsFramesFedByteByByte) {
  std::vector<uint8_t> stream;
  for (uint32_t i = 0; i < 5; ++i) {
    auto frame = EncodeFrame(INFERD_TP_MSG_PING, i, Bytes(std::string(i * 7, 'x')));
    stream.insert(stream.end(), frame.begin(), frame.end());
  }
  FrameDecoder decoder;
  std::vector<Frame> frames;
  for (uint8_t byte : stream) {
    decoder.Feed(std::span<const uint8_t>(&byte, 1));
    while (auto frame = decoder.Next()) frames.push_back(*frame);
  }
  ASSERT_EQ(frames.size(), 5u);
  for (uint32_t i = 0; i < 5; ++i) {
    EXPECT_EQ(frames[i].type, INFERD_TP_MSG_PING);
    EXPECT_EQ(frames[i].sequence, i);
    EXPECT_EQ(frames[i].payload.size(), i * 7);
  }
  EXPECT_EQ(decoder.skipped_bytes(), 0u);
}

TEST(FrameCodecTest, HeaderLayoutIsLittleEndianWithSyncFirst) {
  auto frame = EncodeFrame(INFERD_TP_MSG_VERSION_REQ, 0x01020304, Bytes("ab"));
  ASSERT_EQ(frame.size(), INFERD_TP_HEADER_SIZE + 2);
  EXPECT_EQ(std::string(frame.begin(), frame.begin() + 4), "INFT");
  EXPECT_EQ(frame[4], INFERD_TP_VERSION_MAJOR);
  EXPECT_EQ(inferd_tp_get_u16(&frame[6]), INFERD_TP_MSG_VERSION_REQ);
  EXPECT_EQ(inferd_tp_get_u32(&frame[8]), 0x01020304u);
  EXPECT_EQ(inferd_tp_get_u32(&frame[12]), 2u);
  EXPECT_EQ(inferd_tp_get_u32(&frame[16]), inferd_tp_crc32("ab", 2));
  EXPECT_EQ(inferd_tp_get_u32(&frame[20]), inferd_tp_crc32(frame.data(), 20));
}

TEST(FrameCodecTest, ResynchronisesAfterNoiseAndCorruptFrames) {
  std::vector<uint8_t> stream = Bytes("boot banner INF INFT garbage\r\n");
  auto good1 = EncodeFrame(INFERD_TP_MSG_PING, 1, Bytes("one"));
  auto bad_payload = EncodeFrame(INFERD_TP_MSG_PING, 2, Bytes("two"));
  bad_payload.back() ^= 0x40;
  auto bad_header = EncodeFrame(INFERD_TP_MSG_PING, 3, Bytes("three"));
  bad_header[9] ^= 0x01;
  auto truncated = EncodeFrame(INFERD_TP_MSG_PING, 4, Bytes("four-four"));
  truncated.resize(truncated.size() - 3);
  auto good2 = EncodeFrame(INFERD_TP_MSG_PONG, 5, Bytes("five"));
  for (const auto* part : {&good1, &bad_payload, &bad_header, &truncated, &good2}) {
    stream.insert(stream.end(), part->begin(), part->end());
  }
  FrameDecoder decoder;
  decoder.Feed(stream);
  std::vector<Frame> frames;
  while (auto frame = decoder.Next()) frames.push_back(*frame);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].sequence, 1u);
  EXPECT_EQ(frames[1].sequence, 5u);
  EXPECT_EQ(frames[1].payload, Bytes("five"));
  EXPECT_GE(decoder.rejected_frames(), 1u);
}

TEST(FrameCodecTest, AnOversizedLengthIsRejectedNotAwaited) {
  // A header claiming more than the decoder's limit must not make it wait for megabytes.
  auto big = EncodeFrame(INFERD_TP_MSG_PING, 1, std::vector<uint8_t>(2000, 7));
  auto good = EncodeFrame(INFERD_TP_MSG_PING, 2, Bytes("ok"));
  FrameDecoder decoder(/*max_payload=*/1024);
  decoder.Feed(std::span<const uint8_t>(big.data(), INFERD_TP_HEADER_SIZE));
  decoder.Feed(good);
  auto frame = decoder.Next();
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ(frame->sequence, 2u);
}

TEST(MessagesTest, InferenceRequestRoundTrips) {
  std::vector<uint8_t> a(2 * 3, 1);
  std::vector<uint8_t> b(4 * 2, 2);
  std::vector<WireTensor> inputs(2);
  inputs[0].dtype = INFERD_TP_DTYPE_INT8;
  inputs[0].dims = {2, 3};
  inputs[0].data = a;
  inputs[1].dtype = INFERD_TP_DTYPE_FP32;
  inputs[1].dims = {2};
  inputs[1].data = b;
  inferd_tp_inference_req header{};
  header.network_id[0] = 0xAB;
  header.num_outputs = 1;
  auto payload = EncodeInferenceRequest(header, inputs);
  auto decoded = DecodeInferenceRequest(payload);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->header.network_id[0], 0xAB);
  ASSERT_EQ(decoded->inputs.size(), 2u);
  EXPECT_EQ(decoded->inputs[0].dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(
      std::vector<uint8_t>(decoded->inputs[1].bytes().begin(), decoded->inputs[1].bytes().end()),
      b);
}

TEST(MessagesTest, MalformedInferencePayloadsAreRefused) {
  std::vector<uint8_t> data(6, 1);
  std::vector<WireTensor> inputs(1);
  inputs[0].dtype = INFERD_TP_DTYPE_INT8;
  inputs[0].dims = {2, 3};
  inputs[0].data = data;
  auto payload = EncodeInferenceRequest({}, inputs);
  // Truncated data.
  auto truncated = payload;
  truncated.pop_back();
  EXPECT_FALSE(DecodeInferenceRequest(truncated).ok());
  // Trailing bytes.
  auto trailing = payload;
  trailing.push_back(0);
  EXPECT_FALSE(DecodeInferenceRequest(trailing).ok());
  // Size that disagrees with the shape.
  auto wrong = payload;
  wrong[sizeof(inferd_tp_inference_req)] = 5;
  EXPECT_FALSE(DecodeInferenceRequest(wrong).ok());
  // Too many tensors.
  auto many = payload;
  many[32] = 200;
  EXPECT_FALSE(DecodeInferenceRequest(many).ok());
  EXPECT_FALSE(DecodeInferenceRequest({}).ok());
}

TEST(MessagesTest, ErrorsCarryTheirText) {
  auto payload = EncodeError(INFERD_TP_ERR_BUSY, "busy now");
  auto decoded = DecodeError(payload);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->code, static_cast<uint32_t>(INFERD_TP_ERR_BUSY));
  EXPECT_EQ(decoded->text, "busy now");
  payload.pop_back();
  EXPECT_FALSE(DecodeError(payload).ok());
}

TEST(MessagesTest, NetworkIdIsSha256) {
  const std::vector<uint8_t> abc = Bytes("abc");
  EXPECT_EQ(NetworkIdHex(ComputeNetworkId(abc), 32),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace inferd::ethosu

// The system shared-memory registry against real POSIX shared-memory objects made by the test.
#include "server/shared_memory/system_shared_memory.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/shared_memory/shm_object.h"

namespace inferd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using testing::ShmObject;

TEST(SharedMemoryKeyTest, OnlyPosixShmNames) {
  EXPECT_TRUE(CheckSharedMemoryKey("/input_simple").ok());
  EXPECT_TRUE(CheckSharedMemoryKey("/a.b-c_1").ok());
  for (const char* bad :
       {"", "input", "/", "/..", "/.", "/../etc/passwd", "/a/b", "/dev/shm/x", "/a b", "//x"}) {
    const absl::Status status = CheckSharedMemoryKey(bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_THAT(std::string(CheckSharedMemoryKey("/etc/passwd").message()),
              HasSubstr("never other paths"));
}

TEST(SystemSharedMemoryTest, RegistersReadsWritesAndUnregisters) {
  ShmObject object(64);
  object.Write(16, std::vector<uint8_t>{1, 2, 3, 4});
  SystemSharedMemory memory({.max_regions = 4, .max_total_bytes = 1024});
  ASSERT_TRUE(memory.Register("in", object.key(), 16, 8).ok());
  ASSERT_TRUE(memory.Register("out", object.key(), 32, 32).ok());

  auto status = memory.Status("");
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status->size(), 2u);
  EXPECT_EQ((*status)[0].name, "in");
  EXPECT_EQ((*status)[0].key, object.key());
  EXPECT_EQ((*status)[0].offset, 16u);
  EXPECT_EQ((*status)[0].byte_size, 8u);

  auto bytes = memory.Read({"in", 0, 4}, "input 'x'");
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_THAT(**bytes, ElementsAre(1, 2, 3, 4));
  bytes = memory.Read({"in", 2, 2}, "input 'x'");
  ASSERT_TRUE(bytes.ok());
  EXPECT_THAT(**bytes, ElementsAre(3, 4));

  const std::vector<uint8_t> result = {9, 8, 7};
  ASSERT_TRUE(memory.Write({"out", 4, 8}, result, "output 'y'").ok());
  EXPECT_EQ(object.Read(36, 3), std::string("\x09\x08\x07"));

  ASSERT_TRUE(memory.Unregister("in").ok());
  EXPECT_EQ(memory.Status("in").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(memory.Read({"in", 0, 4}, "input 'x'").status().code(), absl::StatusCode::kNotFound);
  // Unregistering what is not registered is not an error (Triton's behaviour).
  EXPECT_TRUE(memory.Unregister("in").ok());
  ASSERT_TRUE(memory.Unregister("").ok());
  EXPECT_TRUE(memory.Status("")->empty());
}

TEST(SystemSharedMemoryTest, EveryUseIsCheckedAgainstTheRegisteredSize) {
  ShmObject object(64);
  SystemSharedMemory memory({.max_regions = 4, .max_total_bytes = 1024});
  ASSERT_TRUE(memory.Register("r", object.key(), 8, 16).ok());
  EXPECT_TRUE(memory.Check({"r", 0, 16}, "t").ok());
  for (const SharedMemoryReference& outside :
       {SharedMemoryReference{"r", 0, 17}, SharedMemoryReference{"r", 16, 1},
        SharedMemoryReference{"r", ~uint64_t{0}, 2}}) {
    const absl::Status status = memory.Check(outside, "input 'x'");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), HasSubstr("exceeds the 16 bytes of shared memory "
                                                         "region 'r'"));
    EXPECT_FALSE(memory.Read(outside, "input 'x'").ok());
  }
  EXPECT_THAT(
      std::string(memory.Write({"r", 0, 2}, std::vector<uint8_t>(3), "output 'y'").message()),
      HasSubstr("shared_memory_byte_size 2 is too small for the 3 bytes"));
}

TEST(SystemSharedMemoryTest, AShrunkObjectIsAnErrorNotACrash) {
  ShmObject object(64);
  SystemSharedMemory memory({.max_regions = 4, .max_total_bytes = 1024});
  ASSERT_TRUE(memory.Register("r", object.key(), 0, 64).ok());
  object.Truncate(8);
  auto bytes = memory.Read({"r", 0, 64}, "input 'x'");
  ASSERT_FALSE(bytes.ok());
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr("smaller than the region"));
  const absl::Status written = memory.Write({"r", 16, 8}, std::vector<uint8_t>(8), "output 'y'");
  EXPECT_THAT(std::string(written.message()), HasSubstr("is smaller than shared memory region"));
}

TEST(SystemSharedMemoryTest, RegistrationErrorsAndLimits) {
  ShmObject object(64);
  SystemSharedMemory memory({.max_regions = 2, .max_total_bytes = 100});
  EXPECT_EQ(memory.Register("", object.key(), 0, 8).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(memory.Register("r", "/no-such-inferd-object", 0, 8).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(memory.Register("r", "/etc/passwd", 0, 8).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(memory.Register("r", object.key(), 60, 8).message()),
              HasSubstr("holds 64 bytes, fewer than offset + byte_size = 68"));
  EXPECT_EQ(memory.Register("r", object.key(), 0, 0).code(), absl::StatusCode::kInvalidArgument);

  ASSERT_TRUE(memory.Register("a", object.key(), 0, 60).ok());
  const absl::Status again = memory.Register("a", object.key(), 0, 8);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(again.message()),
              HasSubstr("shared memory region 'a' already in manager"));
  EXPECT_EQ(memory.Register("b", object.key(), 0, 41).code(),
            absl::StatusCode::kResourceExhausted);  // 60 + 41 > 100 bytes
  ASSERT_TRUE(memory.Register("b", object.key(), 0, 40).ok());
  EXPECT_EQ(memory.Register("c", object.key(), 0, 1).code(),
            absl::StatusCode::kResourceExhausted);  // 2 regions at most
  ASSERT_TRUE(memory.Unregister("a").ok());
  EXPECT_TRUE(memory.Register("c", object.key(), 0, 60).ok());  // room again
}

}  // namespace
}  // namespace inferd

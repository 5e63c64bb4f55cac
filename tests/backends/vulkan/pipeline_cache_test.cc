// The persisted pipeline cache (--vulkan-pipeline-cache-dir): the file format checks, and a real
// device writing its cache and a second device starting from it.
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "backends/vulkan/pipeline_cache_file.h"
#include "backends/vulkan/vulkan_context.h"
#include "backends/vulkan/vulkan_device.h"
#include "gtest/gtest.h"

namespace inferd::vulkan {
namespace {

// clamp_i8's bindings: its input and output.
const std::vector<VkDescriptorType> kTwoStorageBuffers(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER);

namespace fs = std::filesystem;

class PipelineCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("inferd_pipeline_cache_" + std::string(test->name()) + "_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    identity_.vendor_id = 0x10005;
    identity_.device_id = 0x0042;
    for (size_t i = 0; i < identity_.cache_uuid.size(); ++i) identity_.cache_uuid[i] = i * 7;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A version-one header for `identity` followed by `payload` bytes.
  static std::vector<uint8_t> CacheBytes(const PipelineCacheIdentity& identity, size_t payload) {
    std::vector<uint8_t> bytes(16 + VK_UUID_SIZE + payload, 0xAB);
    const uint32_t header[4] = {16 + VK_UUID_SIZE, VK_PIPELINE_CACHE_HEADER_VERSION_ONE,
                                identity.vendor_id, identity.device_id};
    std::memcpy(bytes.data(), header, sizeof(header));
    std::memcpy(bytes.data() + 16, identity.cache_uuid.data(), VK_UUID_SIZE);
    return bytes;
  }

  fs::path dir_;
  PipelineCacheIdentity identity_;
};

TEST_F(PipelineCacheTest, FileNameNamesVendorDeviceAndDriverBuild) {
  EXPECT_EQ(PipelineCacheFileName(identity_),
            "inferd-pipelines-10005-0042-00070e151c232a31383f464d545b6269.bin");
}

TEST_F(PipelineCacheTest, MissingFileIsAnEmptyCache) {
  auto data = ReadPipelineCacheFile(dir_ / "absent.bin", identity_);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_TRUE(data->empty());
}

TEST_F(PipelineCacheTest, WrittenCacheReadsBackWhole) {
  const std::vector<uint8_t> bytes = CacheBytes(identity_, 100);
  ASSERT_TRUE(WritePipelineCacheFile(dir_ / "cache.bin", bytes).ok());
  auto data = ReadPipelineCacheFile(dir_ / "cache.bin", identity_);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(*data, bytes);
  // Nothing but the file itself is left behind (the temporary was renamed).
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(PipelineCacheTest, CacheOfAnotherDriverBuildIsRefusedNamingIt) {
  PipelineCacheIdentity other = identity_;
  other.cache_uuid[3] ^= 1;
  ASSERT_TRUE(WritePipelineCacheFile(dir_ / "cache.bin", CacheBytes(other, 8)).ok());
  auto data = ReadPipelineCacheFile(dir_ / "cache.bin", identity_);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(data.status().message().find("another device or driver"), std::string::npos)
      << data.status();
}

TEST_F(PipelineCacheTest, TruncatedOrForeignHeaderIsRefused) {
  std::vector<uint8_t> bytes = CacheBytes(identity_, 0);
  bytes.resize(20);
  ASSERT_TRUE(WritePipelineCacheFile(dir_ / "short.bin", bytes).ok());
  auto short_file = ReadPipelineCacheFile(dir_ / "short.bin", identity_);
  ASSERT_FALSE(short_file.ok());
  EXPECT_NE(short_file.status().message().find("shorter than"), std::string::npos);

  bytes = CacheBytes(identity_, 4);
  bytes[4] = 2;  // headerVersion
  ASSERT_TRUE(WritePipelineCacheFile(dir_ / "v2.bin", bytes).ok());
  auto foreign = ReadPipelineCacheFile(dir_ / "v2.bin", identity_);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("version-one"), std::string::npos);
}

TEST_F(PipelineCacheTest, UnwritableFolderIsAnErrorNamingThePath) {
  const absl::Status status =
      WritePipelineCacheFile(dir_ / "missing" / "cache.bin", CacheBytes(identity_, 1));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("missing"), std::string::npos) << status;
}

TEST_F(PipelineCacheTest, DeviceWritesItsCacheAndASecondDeviceStartsFromIt) {
  auto context = VulkanContext::Get();
  ASSERT_TRUE(context.ok()) << context.status();
  auto info = (*context)->Choose(std::nullopt);
  ASSERT_TRUE(info.ok()) << info.status();

  std::string path;
  {
    auto device = VulkanDevice::Create(**info, dir_.string());
    ASSERT_TRUE(device.ok()) << device.status();
    path = (*device)->pipeline_cache_path();
    ASSERT_FALSE(path.empty());
    EXPECT_EQ(fs::path(path).parent_path(), dir_);
    // Nothing made yet: nothing to write.
    ASSERT_TRUE((*device)->SavePipelineCache().ok());
    EXPECT_FALSE(fs::exists(path));
    ASSERT_TRUE((*device)->Kernel("clamp_i8", kTwoStorageBuffers, 16).ok());
    ASSERT_TRUE((*device)->SavePipelineCache().ok());
    ASSERT_TRUE(fs::exists(path));
  }
  // The file is a cache of this very device and driver: it reads back with its header checked.
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties((*info)->handle, &properties);
  PipelineCacheIdentity identity{properties.vendorID, properties.deviceID, {}};
  std::memcpy(identity.cache_uuid.data(), properties.pipelineCacheUUID, VK_UUID_SIZE);
  EXPECT_EQ(fs::path(path).filename(), PipelineCacheFileName(identity));
  auto data = ReadPipelineCacheFile(path, identity);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_GE(data->size(), 16u + VK_UUID_SIZE);

  auto second = VulkanDevice::Create(**info, dir_.string());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)->pipeline_cache_path(), path);
  EXPECT_TRUE((*second)->Kernel("clamp_i8", kTwoStorageBuffers, 16).ok());
}

TEST_F(PipelineCacheTest, CorruptCacheFileStillGivesAWorkingDevice) {
  auto context = VulkanContext::Get();
  ASSERT_TRUE(context.ok()) << context.status();
  auto info = (*context)->Choose(std::nullopt);
  ASSERT_TRUE(info.ok()) << info.status();
  auto probe = VulkanDevice::Create(**info, dir_.string());
  ASSERT_TRUE(probe.ok()) << probe.status();
  const std::string path = (*probe)->pipeline_cache_path();
  probe->reset();
  {
    std::ofstream garbage(path, std::ios::binary);
    garbage << "not a pipeline cache at all, but long enough to have a header's size";
  }
  auto device = VulkanDevice::Create(**info, dir_.string());
  ASSERT_TRUE(device.ok()) << device.status();
  ASSERT_TRUE((*device)->Kernel("clamp_i8", kTwoStorageBuffers, 16).ok());
  // The next save replaces the garbage with this device's cache.
  ASSERT_TRUE((*device)->SavePipelineCache().ok());
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties((*info)->handle, &properties);
  PipelineCacheIdentity identity{properties.vendorID, properties.deviceID, {}};
  std::memcpy(identity.cache_uuid.data(), properties.pipelineCacheUUID, VK_UUID_SIZE);
  EXPECT_TRUE(ReadPipelineCacheFile(path, identity).ok());
}

}  // namespace
}  // namespace inferd::vulkan

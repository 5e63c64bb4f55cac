// ShmObject: a POSIX shared-memory object as a client makes one (shm_open, ftruncate), with a
// name unique to the process, unlinked when the test ends. For the shared-memory tests.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace inferd::testing {

class ShmObject {
 public:
  explicit ShmObject(size_t size) : key_(absl::StrCat("/inferd-test-", getpid(), "-", Next())) {
    fd_ = shm_open(key_.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
    EXPECT_GE(fd_, 0) << std::strerror(errno);
    EXPECT_EQ(ftruncate(fd_, static_cast<off_t>(size)), 0);
  }
  ~ShmObject() {
    close(fd_);
    shm_unlink(key_.c_str());
  }
  ShmObject(const ShmObject&) = delete;
  ShmObject& operator=(const ShmObject&) = delete;

  const std::string& key() const { return key_; }
  void Write(size_t offset, std::span<const uint8_t> bytes) {
    ASSERT_EQ(pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset)),
              static_cast<ssize_t>(bytes.size()));
  }
  std::string Read(size_t offset, size_t size) {
    std::string bytes(size, '\0');
    EXPECT_EQ(pread(fd_, bytes.data(), size, static_cast<off_t>(offset)),
              static_cast<ssize_t>(size));
    return bytes;
  }
  void Truncate(size_t size) { ASSERT_EQ(ftruncate(fd_, static_cast<off_t>(size)), 0); }

 private:
  static int Next() {
    static int counter = 0;
    return counter++;
  }
  std::string key_;
  int fd_ = -1;
};

}  // namespace inferd::testing

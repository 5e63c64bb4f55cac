// A fixed-size, NUL-terminated text an executor fills to explain a refusal ("scratch of 5000 bytes
// does not fit the 4096-byte NPU arena"). Freestanding: no printf on the target, so numbers are
// written by hand; text past the capacity is dropped, never written out of bounds.
#ifndef INFERD_FIRMWARE_EXECUTORS_ETHOS_U_DETAIL_TEXT_H_
#define INFERD_FIRMWARE_EXECUTORS_ETHOS_U_DETAIL_TEXT_H_

#include <stdint.h>

namespace inferd::firmware {

class DetailText {
 public:
  static constexpr uint32_t kCapacity = 192;  // below INFERD_TP_ERR_TEXT_MAX

  void Clear() {
    length_ = 0;
    text_[0] = '\0';
  }

  DetailText& Add(const char* text) {
    for (; *text != '\0' && length_ + 1 < kCapacity; ++text) text_[length_++] = *text;
    text_[length_] = '\0';
    return *this;
  }

  // One integer overload for every integer type (uint32_t is unsigned long on arm-none-eabi and
  // unsigned int on the host, so a set of overloads would be ambiguous on one of them).
  DetailText& Add(int64_t value) {
    if (value < 0) Add("-");
    uint64_t magnitude =
        value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
    char digits[20];
    uint32_t count = 0;
    do {
      digits[count++] = static_cast<char>('0' + magnitude % 10);
      magnitude /= 10;
    } while (magnitude != 0);
    while (count > 0 && length_ + 1 < kCapacity) text_[length_++] = digits[--count];
    text_[length_] = '\0';
    return *this;
  }

  const char* c_str() const { return text_; }
  bool empty() const { return length_ == 0; }

 private:
  char text_[kCapacity] = {};
  uint32_t length_ = 0;
};

}  // namespace inferd::firmware

#endif  // INFERD_FIRMWARE_EXECUTORS_ETHOS_U_DETAIL_TEXT_H_

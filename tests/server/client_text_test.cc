#include "server/client_text.h"

#include <string>

#include "gtest/gtest.h"

namespace inferd {
namespace {

TEST(QuoteClientTextTest, QuotesShortTextWhole) {
  EXPECT_EQ(QuoteClientText("digits"), "'digits'");
}

TEST(QuoteClientTextTest, CutsLongTextAndGivesItsLength) {
  const std::string quoted = QuoteClientText(std::string(1 << 20, 'a'));
  EXPECT_EQ(quoted, "'" + std::string(64, 'a') + "…' (1048576 bytes)");
}

TEST(QuoteClientTextTest, EscapesControlBytes) {
  EXPECT_EQ(QuoteClientText(std::string("a\nb\0c", 5)), "'a\\nb\\x00\\x63'");
}

}  // namespace
}  // namespace inferd

#include "server/client_text.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace inferd {

std::string QuoteClientText(std::string_view text, size_t limit) {
  const absl::string_view quoted(text.data(), std::min(text.size(), limit));
  if (text.size() <= limit) return absl::StrCat("'", absl::CHexEscape(quoted), "'");
  return absl::StrCat("'", absl::CHexEscape(quoted), "…' (", text.size(), " bytes)");
}

}  // namespace inferd

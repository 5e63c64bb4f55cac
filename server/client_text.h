// Quoting text a client sent (model, tensor and parameter names, versions, ids) inside error
// messages and logs: at most a short prefix, escaped, so that a 1 MB name cannot come back whole.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace inferd {

// The longest prefix of client text an error message quotes.
inline constexpr size_t kQuotedClientTextLimit = 64;

// `text` in single quotes with non-printable bytes C-escaped; text longer than `limit` bytes is cut
// there and marked: 'abc…' (1048576 bytes).
std::string QuoteClientText(std::string_view text, size_t limit = kQuotedClientTextLimit);

}  // namespace inferd

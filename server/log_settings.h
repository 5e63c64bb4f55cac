// Triton's logging extension (LogSettings) over spdlog's single level threshold: reading the
// settings is always allowed; changing them only when the operator allowed it
// (--allow-log-settings-update), since a client that turns on trace logging makes the daemon write
// more to its log for every request. The log's destination is the operator's: it is never
// changed over the API.
#pragma once

#include "absl/status/status.h"
#include "inference.pb.h"

namespace inferd {

// Applies `request`'s settings (none: a read) and fills `response` with the settings in force.
// INVALID_ARGUMENT names a setting inferd does not know or a value it cannot honour;
// PERMISSION_DENIED when the request changes something and `updates_allowed` is false.
absl::Status ApplyLogSettings(const inference::LogSettingsRequest& request, bool updates_allowed,
                              inference::LogSettingsResponse& response);

}  // namespace inferd

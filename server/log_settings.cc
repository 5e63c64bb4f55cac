#include "server/log_settings.h"

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/client_text.h"
#include "spdlog/spdlog.h"

namespace inferd {
namespace {

using Setting = inference::LogSettingsRequest::SettingValue;

// The Triton settings as inferd can express them: a threshold, from errors only to trace.
struct Levels {
  bool error = true;
  bool warning = true;
  bool info = true;
  uint32_t verbose = 0;  // 1: debug, 2: trace
};

Levels FromSpdlog(spdlog::level::level_enum level) {
  Levels l;
  l.verbose = level <= spdlog::level::trace ? 2 : level <= spdlog::level::debug ? 1 : 0;
  l.info = level <= spdlog::level::info;
  l.warning = level <= spdlog::level::warn;
  l.error = level <= spdlog::level::err;
  return l;
}

spdlog::level::level_enum ToSpdlog(const Levels& l) {
  if (l.verbose >= 2) return spdlog::level::trace;
  if (l.verbose == 1) return spdlog::level::debug;
  if (l.info) return spdlog::level::info;
  if (l.warning) return spdlog::level::warn;
  if (l.error) return spdlog::level::err;
  return spdlog::level::off;
}

absl::Status Refuse(const std::string& key, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("log setting ", QuoteClientText(key), " ", why));
}

std::optional<bool> Bool(const Setting& value) {
  if (value.parameter_choice_case() != Setting::kBoolParam) return std::nullopt;
  return value.bool_param();
}

}  // namespace

absl::Status ApplyLogSettings(const inference::LogSettingsRequest& request, bool updates_allowed,
                              inference::LogSettingsResponse& response) {
  if (!request.settings().empty() && !updates_allowed) {
    return absl::PermissionDeniedError(
        "changing log settings over the API is off; the operator can allow it with "
        "--allow-log-settings-update=true (reading them is always allowed: send no settings)");
  }
  Levels levels = FromSpdlog(spdlog::get_level());
  for (const auto& [key, value] : request.settings()) {
    if (key == "log_info" || key == "log_warning" || key == "log_error") {
      const std::optional<bool> on = Bool(value);
      if (!on.has_value()) return Refuse(key, "must be a bool");
      (key == "log_info"      ? levels.info
       : key == "log_warning" ? levels.warning
                              : levels.error) = *on;
    } else if (key == "log_verbose_level") {
      if (value.parameter_choice_case() != Setting::kUint32Param) {
        return Refuse(key, "must be a uint32");
      }
      if (value.uint32_param() > 2) {
        return Refuse(key, absl::StrCat("is ", value.uint32_param(),
                                        "; inferd has levels 0 (off), 1 (debug) and 2 (trace)"));
      }
      levels.verbose = value.uint32_param();
    } else if (key == "log_format") {
      if (value.parameter_choice_case() != Setting::kStringParam ||
          value.string_param() != "default") {
        return Refuse(key, "must be \"default\": inferd has one log format");
      }
    } else if (key == "log_file") {
      if (value.parameter_choice_case() != Setting::kStringParam || !value.string_param().empty()) {
        return Refuse(key,
                      "cannot be changed over the API: inferd logs to stderr, and a client never "
                      "makes it open a file");
      }
    } else {
      return Refuse(key,
                    "is not one inferd knows; it has log_info, log_warning, log_error, "
                    "log_verbose_level, log_format and log_file");
    }
  }
  // spdlog filters by one threshold: a level can be on only if every more severe one is.
  if ((levels.info && (!levels.warning || !levels.error)) || (levels.warning && !levels.error) ||
      (levels.verbose > 0 && !levels.info)) {
    return absl::InvalidArgumentError(
        "inferd logs by severity threshold: log_info needs log_warning and log_error on, "
        "log_warning needs log_error, and log_verbose_level above 0 needs log_info");
  }
  if (!request.settings().empty()) {
    const spdlog::level::level_enum level = ToSpdlog(levels);
    if (level != spdlog::get_level()) {
      spdlog::set_level(level);
      spdlog::warn("log level set to {} over the LogSettings API",
                   spdlog::level::to_string_view(level));
    }
  }
  auto& out = *response.mutable_settings();
  out["log_file"].set_string_param("");
  out["log_info"].set_bool_param(levels.info);
  out["log_warning"].set_bool_param(levels.warning);
  out["log_error"].set_bool_param(levels.error);
  out["log_verbose_level"].set_uint32_param(levels.verbose);
  out["log_format"].set_string_param("default");
  return absl::OkStatus();
}

}  // namespace inferd

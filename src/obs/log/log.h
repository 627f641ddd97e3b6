// Logging for every part: one spdlog logger named "woolly", set up once from config::LogConfig
// by the app before anything else starts. Parts log with spdlog::info(...) etc. (it is the
// default logger) or through obs::logger().
//
// Privacy switches: prompts and responses go through loggable_text() and user ids through
// anonymize_user_id() before they reach a log line.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/config.h"
#include "obs/log/daily_file_sink.h"

namespace woolly::obs {

// trace|debug|info|warning|error ("warn" is accepted too).
Result<spdlog::level::level_enum> parse_log_level(std::string_view name);

// Replaces the default logger with one writing to the console (stdout, or stderr when
// config.console_stream is "stderr"; nothing when config.console is false) and to config.file
// rotated daily. `clock` drives rotation (tests pass a fake one). Safe to call again, e.g. after
// a configuration reload.
Status init_logging(const config::LogConfig& config,
                    LogClock clock = std::chrono::system_clock::now);

// The logger set up by init_logging (before that, spdlog's console default). Never null.
std::shared_ptr<spdlog::logger> logger();

// Flushes every logger (at shut-down). Logging keeps working afterwards.
void shutdown_logging();

// `text` itself when log.log_prompts is on, else "<redacted N chars>": use it for every prompt,
// completion, tool argument or tool result that goes into a log line.
std::string loggable_text(std::string_view text);

// `user_id` itself unless log.anonymize_user_ids is on; then "u_" + 16 hex digits of a salted
// HMAC-SHA256, the same for the same id as long as the salt stays the same.
std::string anonymize_user_id(std::string_view user_id);

}  // namespace woolly::obs

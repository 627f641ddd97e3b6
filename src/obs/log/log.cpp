#include "obs/log/log.h"

#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <filesystem>
#include <mutex>

namespace woolly::obs {
namespace {

// Privacy settings read by every thread that logs; written by init_logging. Guarded by mutex.
struct Privacy {
  std::mutex mutex;
  bool log_prompts = false;
  bool anonymize = false;
  std::string salt;
};

Privacy& privacy() {
  static Privacy p;
  return p;
}

constexpr char kLoggerName[] = "woolly";
constexpr char kPattern[] = "[%Y-%m-%d %H:%M:%S.%e] [%l] %v";

std::string random_salt() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // Without randomness the ids are still hashed, just with a salt an attacker could guess.
    return "woolly-fallback-salt";
  }
  return std::string(reinterpret_cast<char*>(bytes), sizeof bytes);
}

}  // namespace

Result<spdlog::level::level_enum> parse_log_level(std::string_view name) {
  if (name == "trace") return spdlog::level::trace;
  if (name == "debug") return spdlog::level::debug;
  if (name == "info") return spdlog::level::info;
  if (name == "warning" || name == "warn") return spdlog::level::warn;
  if (name == "error") return spdlog::level::err;
  return make_error(Errc::kInvalidArgument, "log.level: unknown log level \"" + std::string(name) +
                                                "\" (known: trace|debug|info|warning|error)");
}

Status init_logging(const config::LogConfig& config, LogClock clock) {
  WOOLLY_ASSIGN_OR_RETURN(spdlog::level::level_enum level, parse_log_level(config.level));
  std::vector<spdlog::sink_ptr> sinks;
  if (config.console) {
    if (config.console_stream == "stderr") {
      sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    } else if (config.console_stream == "stdout") {
      sinks.push_back(std::make_shared<spdlog::sinks::stdout_sink_mt>());
    } else {
      return make_error(Errc::kInvalidArgument, "log.console_stream: expected stdout or stderr");
    }
  }
  if (!config.file.empty()) {
    std::filesystem::path parent = std::filesystem::path(config.file).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    try {
      sinks.push_back(std::make_shared<DailyFileSinkMt>(config.file, std::move(clock)));
    } catch (const spdlog::spdlog_ex& e) {
      return make_error(Errc::kIo, "log.file: cannot open \"" + config.file + "\": " + e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>(kLoggerName, sinks.begin(), sinks.end());
  logger->set_pattern(kPattern);
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));

  Privacy& p = privacy();
  std::lock_guard lock(p.mutex);
  p.log_prompts = config.log_prompts;
  p.anonymize = config.anonymize_user_ids;
  p.salt = config.user_id_salt.empty() ? random_salt() : config.user_id_salt;
  return {};
}

std::shared_ptr<spdlog::logger> logger() { return spdlog::default_logger(); }

void shutdown_logging() {
  // Loggers stay registered: a thread still finishing may log after this without crashing.
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
}

std::string loggable_text(std::string_view text) {
  Privacy& p = privacy();
  {
    std::lock_guard lock(p.mutex);
    if (p.log_prompts) return std::string(text);
  }
  return "<redacted " + std::to_string(text.size()) + " chars>";
}

std::string anonymize_user_id(std::string_view user_id) {
  std::string salt;
  {
    Privacy& p = privacy();
    std::lock_guard lock(p.mutex);
    if (!p.anonymize) return std::string(user_id);
    if (p.salt.empty()) p.salt = random_salt();
    salt = p.salt;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), salt.data(), static_cast<int>(salt.size()),
       reinterpret_cast<const unsigned char*>(user_id.data()), user_id.size(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "u_";
  for (unsigned int i = 0; i < 8 && i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace woolly::obs

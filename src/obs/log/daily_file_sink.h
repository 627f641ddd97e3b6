// A spdlog sink writing to one file that is rotated at local midnight: the day's file is renamed
// to `<path>-YYYYMMdd` (the date it covers) and a fresh `<path>` is opened. Rotated files are
// never deleted. The clock is injectable so that tests can cross midnight deterministically.
#pragma once

#include <spdlog/details/file_helper.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

namespace woolly::obs {

using LogClock = std::function<std::chrono::system_clock::time_point()>;

// The local-time date of `t` as YYYYMMdd.
std::string local_date_stamp(std::chrono::system_clock::time_point t);

// The first local midnight strictly after `t`.
std::chrono::system_clock::time_point next_local_midnight(std::chrono::system_clock::time_point t);

// Name of the rotated file for the day of `day`: `<path>-YYYYMMdd`, or `<path>-YYYYMMdd.N`
// when that name is already taken (a restart on a day that was already rotated once).
std::string rotated_name(const std::string& path, std::chrono::system_clock::time_point day);

template <typename Mutex>
class DailyFileSink final : public spdlog::sinks::base_sink<Mutex> {
 public:
  explicit DailyFileSink(std::string path, LogClock clock = std::chrono::system_clock::now);

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  // Moves a file left over from an earlier day aside before appending to it.
  void open_for(std::chrono::system_clock::time_point now);
  void rotate(std::chrono::system_clock::time_point now);

  std::string path_;
  LogClock clock_;
  spdlog::details::file_helper file_;
  std::chrono::system_clock::time_point day_start_{};  // local midnight that began the open day
  std::chrono::system_clock::time_point rotate_at_{};  // next local midnight
};

using DailyFileSinkMt = DailyFileSink<std::mutex>;
using DailyFileSinkSt = DailyFileSink<spdlog::details::null_mutex>;

extern template class DailyFileSink<std::mutex>;
extern template class DailyFileSink<spdlog::details::null_mutex>;

}  // namespace woolly::obs

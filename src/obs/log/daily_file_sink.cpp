#include "obs/log/daily_file_sink.h"

#include <ctime>
#include <filesystem>

namespace woolly::obs {
namespace {

namespace fs = std::filesystem;
using TimePoint = std::chrono::system_clock::time_point;

std::tm local_tm(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  return tm;
}

TimePoint local_midnight_of(TimePoint t) {
  std::tm tm = local_tm(t);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;  // let mktime decide; midnight may fall in either DST state
  return std::chrono::system_clock::from_time_t(std::mktime(&tm));
}

}  // namespace

std::string local_date_stamp(TimePoint t) {
  std::tm tm = local_tm(t);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
  return buf;
}

TimePoint next_local_midnight(TimePoint t) {
  std::tm tm = local_tm(t);
  tm.tm_mday += 1;  // mktime normalises month and year ends
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return std::chrono::system_clock::from_time_t(std::mktime(&tm));
}

std::string rotated_name(const std::string& path, TimePoint day) {
  std::string base = path + "-" + local_date_stamp(day);
  std::error_code ec;
  if (!fs::exists(base, ec)) return base;
  for (int n = 1;; ++n) {
    std::string candidate = base + "." + std::to_string(n);
    if (!fs::exists(candidate, ec)) return candidate;
  }
}

template <typename Mutex>
DailyFileSink<Mutex>::DailyFileSink(std::string path, LogClock clock)
    : path_(std::move(path)), clock_(std::move(clock)) {
  open_for(clock_());
}

template <typename Mutex>
void DailyFileSink<Mutex>::open_for(TimePoint now) {
  std::error_code ec;
  if (fs::exists(path_, ec) && fs::file_size(path_, ec) > 0) {
    // The file's last write tells which day it covers; an older day is moved aside first.
    auto written = fs::last_write_time(path_, ec);
    if (!ec) {
      auto written_sys = std::chrono::file_clock::to_sys(written);
      if (written_sys < local_midnight_of(now)) {
        fs::rename(path_, rotated_name(path_, written_sys), ec);
      }
    }
  }
  file_.open(path_, /*truncate=*/false);
  day_start_ = local_midnight_of(now);
  rotate_at_ = next_local_midnight(now);
}

template <typename Mutex>
void DailyFileSink<Mutex>::rotate(TimePoint now) {
  file_.flush();
  file_.close();
  std::error_code ec;
  fs::rename(path_, rotated_name(path_, day_start_), ec);
  // A failed rename keeps logging into the same file rather than losing lines.
  file_.open(path_, /*truncate=*/false);
  day_start_ = local_midnight_of(now);
  rotate_at_ = next_local_midnight(now);
}

template <typename Mutex>
void DailyFileSink<Mutex>::sink_it_(const spdlog::details::log_msg& msg) {
  TimePoint now = clock_();
  if (now >= rotate_at_) rotate(now);
  spdlog::memory_buf_t formatted;
  this->formatter_->format(msg, formatted);
  file_.write(formatted);
}

template <typename Mutex>
void DailyFileSink<Mutex>::flush_() {
  file_.flush();
}

template class DailyFileSink<std::mutex>;
template class DailyFileSink<spdlog::details::null_mutex>;

}  // namespace woolly::obs

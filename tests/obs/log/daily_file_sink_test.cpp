// Rotation at local midnight with a fake clock: the day's file becomes <name>-YYYYMMdd.
#include "obs/log/daily_file_sink.h"

#include <gtest/gtest.h>
#include <spdlog/logger.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace woolly::obs {
namespace {

namespace fs = std::filesystem;
using TimePoint = std::chrono::system_clock::time_point;

TimePoint local_time(int year, int month, int day, int hour, int minute, int second) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  tm.tm_isdst = -1;
  return std::chrono::system_clock::from_time_t(std::mktime(&tm));
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class DailyFileSinkTest : public ::testing::Test {
 protected:
  DailyFileSinkTest() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("woolly-log-test-" + std::to_string(rd()));
    fs::create_directories(dir_);
    path_ = (dir_ / "woolly.log").string();
  }
  ~DailyFileSinkTest() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::shared_ptr<spdlog::logger> make_logger() {
    auto sink = std::make_shared<DailyFileSinkSt>(path_, [this] { return now_; });
    auto logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_pattern("%v");
    logger->flush_on(spdlog::level::trace);
    return logger;
  }

  fs::path dir_;
  std::string path_;
  TimePoint now_;
};

TEST_F(DailyFileSinkTest, CrossingMidnightRenamesTheDaysFileWithItsDate) {
  now_ = local_time(2026, 3, 14, 23, 59, 58);
  auto logger = make_logger();
  logger->info("before midnight");
  now_ = local_time(2026, 3, 15, 0, 0, 1);
  logger->info("after midnight");
  now_ = local_time(2026, 3, 15, 12, 0, 0);
  logger->info("noon");

  EXPECT_EQ(read(path_ + "-20260314"), "before midnight\n");
  EXPECT_EQ(read(path_), "after midnight\nnoon\n");

  now_ = local_time(2026, 3, 17, 8, 0, 0);  // a day with no lines is skipped, not invented
  logger->info("two days later");
  EXPECT_EQ(read(path_ + "-20260315"), "after midnight\nnoon\n");
  EXPECT_FALSE(fs::exists(path_ + "-20260316"));
  EXPECT_EQ(read(path_), "two days later\n");
  EXPECT_EQ(read(path_ + "-20260314"), "before midnight\n");  // never deleted
}

TEST_F(DailyFileSinkTest, MonthAndYearEnds) {
  now_ = local_time(2026, 12, 31, 23, 0, 0);
  auto logger = make_logger();
  logger->info("old year");
  now_ = local_time(2027, 1, 1, 0, 0, 0);
  logger->info("new year");
  EXPECT_EQ(read(path_ + "-20261231"), "old year\n");
  EXPECT_EQ(read(path_), "new year\n");
}

TEST_F(DailyFileSinkTest, RestartAppendsOnTheSameDayAndMovesAnOlderFileAside) {
  now_ = local_time(2026, 5, 1, 10, 0, 0);
  make_logger()->info("first run");
  make_logger()->info("second run");  // same day: appended
  EXPECT_EQ(read(path_), "first run\nsecond run\n");

  // The file was last written on May 1st; a start on May 2nd moves it aside first.
  fs::last_write_time(path_, std::chrono::file_clock::from_sys(local_time(2026, 5, 1, 10, 0, 0)));
  now_ = local_time(2026, 5, 2, 9, 0, 0);
  make_logger()->info("next day");
  EXPECT_EQ(read(path_ + "-20260501"), "first run\nsecond run\n");
  EXPECT_EQ(read(path_), "next day\n");
}

TEST_F(DailyFileSinkTest, ExistingRotatedNameIsNotOverwritten) {
  std::ofstream(path_ + "-20260601") << "kept\n";
  now_ = local_time(2026, 6, 1, 22, 0, 0);
  auto logger = make_logger();
  logger->info("again");
  now_ = local_time(2026, 6, 2, 1, 0, 0);
  logger->info("next");
  EXPECT_EQ(read(path_ + "-20260601"), "kept\n");
  EXPECT_EQ(read(path_ + "-20260601.1"), "again\n");
}

TEST(LocalDates, StampAndNextMidnight) {
  TimePoint t = local_time(2026, 2, 28, 15, 30, 0);
  EXPECT_EQ(local_date_stamp(t), "20260228");
  EXPECT_EQ(next_local_midnight(t), local_time(2026, 3, 1, 0, 0, 0));
  EXPECT_EQ(next_local_midnight(local_time(2026, 3, 1, 0, 0, 0)), local_time(2026, 3, 2, 0, 0, 0));
}

}  // namespace
}  // namespace woolly::obs

#include "obs/metrics/registry.h"

#include <gtest/gtest.h>

#include <thread>

namespace woolly::obs {
namespace {

TEST(Registry, RendersCounterWithLabelsInTextFormat) {
  Registry r;
  auto& f = r.counter("woolly_http_requests_total", "HTTP requests", {"route", "status"});
  f.with({"/api/v1/health", "200"}).inc();
  f.with({"/api/v1/health", "200"}).inc(2);
  f.with({"/x", "404"}).inc();
  std::string text = r.render();
  EXPECT_NE(text.find("# HELP woolly_http_requests_total HTTP requests\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE woolly_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("woolly_http_requests_total{route=\"/api/v1/health\",status=\"200\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("woolly_http_requests_total{route=\"/x\",status=\"404\"} 1\n"),
            std::string::npos);
}

TEST(Registry, GaugeWithoutLabelsGoesUpAndDown) {
  Registry r;
  auto& g = r.gauge("woolly_in_flight", "in flight").with({});
  g.inc();
  g.inc();
  g.dec();
  EXPECT_NE(r.render().find("woolly_in_flight 1\n"), std::string::npos) << r.render();
}

TEST(Registry, HistogramBucketsAreCumulative) {
  Registry r;
  auto& h = r.histogram("lat", "latency", {"route"}, {0.1, 1.0}).with({"a"});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(0.5);
  h.observe(7);
  std::string text = r.render();
  EXPECT_NE(text.find("# TYPE lat histogram\n"), std::string::npos);
  EXPECT_NE(text.find("lat_bucket{route=\"a\",le=\"0.1\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("lat_bucket{route=\"a\",le=\"1\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_bucket{route=\"a\",le=\"+Inf\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_sum{route=\"a\"} 8.05\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_count{route=\"a\"} 4\n"), std::string::npos) << text;
}

TEST(Registry, EscapesLabelValues) {
  Registry r;
  r.counter("c", "h", {"l"}).with({"a\"b\\c\nd"}).inc();
  EXPECT_NE(r.render().find("c{l=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << r.render();
}

TEST(Registry, SameNameReturnsSameFamily) {
  Registry r;
  auto& a = r.counter("c", "h");
  auto& b = r.counter("c", "h");
  EXPECT_EQ(&a, &b);
}

TEST(Registry, ConcurrentIncrementsAreNotLost) {
  Registry r;
  auto& c = r.counter("c", "h", {"k"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.with({"x"}).inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.with({"x"}).value(), 40000.0);
}

}  // namespace
}  // namespace woolly::obs

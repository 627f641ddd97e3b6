#include "net/client/line_parsers.h"

#include <gtest/gtest.h>

#include <vector>

namespace woolly::net::client {
namespace {

TEST(SseParser, EventsSplitAcrossChunksOfAnySize) {
  const std::string wire =
      ": ping\r\n\r\nevent: message_start\r\ndata: {\"a\":1}\r\n\r\ndata: line1\ndata: line2\nid: 7\n\n"
      "data: [DONE]\n\n";
  for (size_t step : {1u, 2u, 5u, 1000u}) {
    std::vector<SseEvent> got;
    SseParser p([&](const SseEvent& e) { got.push_back(e); });
    for (size_t i = 0; i < wire.size(); i += step) ASSERT_TRUE(p.feed(wire.substr(i, step)));
    p.finish();
    ASSERT_EQ(got.size(), 3u) << "step " << step;
    EXPECT_EQ(got[0].event, "message_start");
    EXPECT_EQ(got[0].data, "{\"a\":1}");
    EXPECT_EQ(got[1].event, "");
    EXPECT_EQ(got[1].data, "line1\nline2");
    EXPECT_EQ(got[1].id, "7");
    EXPECT_EQ(got[2].data, "[DONE]");
  }
}

TEST(SseParser, FinishDispatchesAnUnterminatedEventAndLongLinesAreRefused) {
  std::vector<SseEvent> got;
  SseParser p([&](const SseEvent& e) { got.push_back(e); }, 16);
  EXPECT_TRUE(p.feed("data: x"));
  p.finish();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, "x");
  EXPECT_FALSE(p.feed(std::string(40, 'y')));
}

TEST(SseParser, KeepsTheResumePointAndRetryAcrossEvents) {
  std::vector<SseEvent> got;
  SseParser p([&](const SseEvent& e) { got.push_back(e); });
  EXPECT_EQ(p.last_event_id(), "");
  EXPECT_FALSE(p.retry());
  // A priming event (id and retry, empty data), then a message without an id of its own.
  EXPECT_TRUE(p.feed("id: event-1\nretry: 500\ndata: \n\nretry: soon\ndata: {}\n\n"));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].data, "");
  EXPECT_EQ(got[1].data, "{}");
  EXPECT_EQ(p.last_event_id(), "event-1");
  ASSERT_TRUE(p.retry());
  EXPECT_EQ(p.retry()->count(), 500);  // "soon" is not a number and is ignored
  EXPECT_TRUE(p.feed("id: event-2\n\n"));  // no data: not dispatched, but the id counts
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(p.last_event_id(), "event-2");
}

TEST(LineParser, NdjsonLinesWithCrAndMissingFinalNewline) {
  std::vector<std::string> got;
  LineParser p([&](std::string_view l) { got.emplace_back(l); });
  EXPECT_TRUE(p.feed("{\"a\":1}\r\n\n{\"b\""));
  EXPECT_TRUE(p.feed(":2}\n{\"c\":3}"));
  p.finish();
  EXPECT_EQ(got, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}));
}

}  // namespace
}  // namespace woolly::net::client

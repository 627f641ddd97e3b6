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

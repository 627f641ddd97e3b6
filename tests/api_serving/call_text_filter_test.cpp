// The streamed text of a round that writes tool calls: the text before the call is shown, the call
// markup is not, and text that only looked like the start of a marker is shown after all.
#include <gtest/gtest.h>

#include "api/detail/call_text_filter.h"

namespace woolly::api::detail {
namespace {

std::string run(CallTextFilter& f, const std::vector<std::string>& pieces) {
  std::string out;
  for (const auto& p : pieces) out += f.feed(p);
  return out + f.end_round();
}

TEST(CallTextFilter, HermesCallSplitAcrossPiecesIsHeldBack) {
  CallTextFilter f;
  EXPECT_EQ(run(f, {"Let me look", ". <tool", "_call>{\"name\":", "\"files__read_file\"}</tool_call>"}),
            "Let me look. ");
  // The next round is shown again.
  EXPECT_EQ(run(f, {"The file says: baa"}), "The file says: baa");
}

TEST(CallTextFilter, MistralAndPythonTagMarkers) {
  CallTextFilter f;
  EXPECT_EQ(run(f, {"[TOOL", "_CALLS][{\"name\":\"x\"}]"}), "");
  EXPECT_EQ(run(f, {"ok <|python", "_tag|>f.call(a=1)"}), "ok ");
}

TEST(CallTextFilter, APrefixThatIsNotAMarkerIsShownOnceItIsClear) {
  CallTextFilter f;
  EXPECT_EQ(f.feed("a < b and <tool"), "a < b and ");
  EXPECT_EQ(f.feed("s> are fine"), "<tools> are fine");
  EXPECT_EQ(f.feed(" [TOOL"), " ");
  EXPECT_EQ(f.end_round(), "[TOOL");  // the answer ended: it was text after all
}

}  // namespace
}  // namespace woolly::api::detail

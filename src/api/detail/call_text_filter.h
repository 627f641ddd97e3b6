// Keeps the tool calls a local model writes into its text out of a streamed answer: Woolly runs
// those calls itself and reports them as tool events, so the client should not see their raw
// markup. Text is passed on until a call marker (<tool_call>, <|python_tag|>, [TOOL_CALLS]) starts;
// the rest of that round is held back. A piece that may be the start of a marker waits for the
// next piece. Llama 3.1's bare-JSON calls have no marker and are streamed as written.
//
// Not thread-safe: one per request, fed by the request's callbacks one at a time.
#pragma once

#include <string>
#include <string_view>

namespace woolly::api::detail {

class CallTextFilter {
 public:
  // The part of `piece` that may be shown now.
  std::string feed(std::string_view piece);
  // The end of a round (its calls run next, or the answer is done): what was held back as a
  // possible marker start is shown after all; the next round starts unfiltered.
  std::string end_round();

 private:
  std::string pending_;      // a suffix that may be the start of a marker
  bool in_call_ = false;     // a marker was seen in this round: hold back the rest
};

}  // namespace woolly::api::detail

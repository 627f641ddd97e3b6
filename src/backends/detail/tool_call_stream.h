// Streaming a local model's answer while tools are offered. Text goes out as it is generated
// until something that may begin a tool call appears: a call marker ("<tool_call>",
// "[TOOL_CALLS]"), or a "{" or "<|python_tag|>" opening the answer (the Llama 3.x forms). From
// there on the text is held back. When the generation ends, the held text is parsed like the
// finished answer (backends/tool_call_parser.h): its calls go out as kToolCallDelta events (one per call:
// index, id, name and the whole arguments), text around them as text; when it held no call after
// all, it goes out as text. So the stream never shows call markup as content and agrees with the
// non-streamed answer.
//
// Threads: not thread-safe; the engine calls it from one thread at a time for a request.
#pragma once

#include <string>
#include <vector>

#include "backends/backend.h"

namespace woolly::backends::detail {

class ToolCallStream {
 public:
  // `known_tools`: the offered tools' names (the bare-JSON form is a call only when it names one).
  explicit ToolCallStream(StreamCallback out, std::vector<std::string> known_tools = {})
      : out_(std::move(out)), known_tools_(std::move(known_tools)) {}

  // A piece of generated text (kText events; anything else passes through).
  void on_piece(const StreamEvent& ev);
  // The generation ended: sends what was held back.
  void finish();

 private:
  void send_text(std::string text);

  StreamCallback out_;
  std::vector<std::string> known_tools_;
  std::string pending_;  // not yet sent: a possible marker's beginning, or all text after one
  std::vector<TokenLogprob> pending_logprobs_;
  bool holding_ = false;  // a possible call began: hold everything until finish()
  bool started_ = false;  // text other than white space was sent: the answer no longer opens
};

}  // namespace woolly::backends::detail

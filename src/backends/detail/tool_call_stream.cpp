#include "backends/detail/tool_call_stream.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "backends/tool_call_parser.h"

namespace woolly::backends::detail {
namespace {

// Markers that begin a call anywhere in the answer.
constexpr std::string_view kMarkers[] = {"<tool_call>", "[TOOL_CALLS]"};
// Forms that are a call only when they open the answer.
constexpr std::string_view kPythonTag = "<|python_tag|>";

std::string_view ltrim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return s;
}

bool has_text(std::string_view s) { return !ltrim(s).empty(); }

// The length of the longest end of `s` that is the beginning of a marker (and not all of it).
size_t marker_prefix_at_end(std::string_view s) {
  size_t best = 0;
  for (std::string_view m : kMarkers) {
    for (size_t n = std::min(s.size(), m.size() - 1); n > best; --n) {
      if (s.substr(s.size() - n) == m.substr(0, n)) {
        best = n;
        break;
      }
    }
  }
  return best;
}

}  // namespace

void ToolCallStream::send_text(std::string text) {
  if (text.empty() && pending_logprobs_.empty()) return;
  if (has_text(text)) started_ = true;
  StreamEvent ev;
  ev.text = std::move(text);
  ev.logprobs = std::move(pending_logprobs_);
  pending_logprobs_.clear();
  out_(ev);
}

void ToolCallStream::on_piece(const StreamEvent& ev) {
  if (ev.kind != StreamEvent::Kind::kText) return out_(ev);
  pending_ += ev.text;
  pending_logprobs_.insert(pending_logprobs_.end(), ev.logprobs.begin(), ev.logprobs.end());
  if (holding_) return;
  if (!started_) {
    std::string_view head = ltrim(pending_);
    if (head.empty()) return;  // only white space so far: what opens the answer is not known
    if (head.front() == '{' || head.starts_with(kPythonTag)) {
      holding_ = true;
      return;
    }
    if (kPythonTag.starts_with(head)) return;  // may still become the tag
  }
  size_t first = std::string::npos;
  for (std::string_view m : kMarkers) first = std::min(first, pending_.find(m));
  if (first != std::string::npos) {
    std::string before = pending_.substr(0, first);
    pending_.erase(0, first);
    holding_ = true;
    if (!before.empty()) send_text(std::move(before));
    return;
  }
  const size_t keep = marker_prefix_at_end(pending_);
  std::string out = pending_.substr(0, pending_.size() - keep);
  pending_.erase(0, pending_.size() - keep);
  send_text(std::move(out));
}

void ToolCallStream::finish() {
  if (!holding_) {
    send_text(std::move(pending_));
    pending_.clear();
    return;
  }
  AnswerCalls parsed = answer_tool_calls(pending_, known_tools_);
  if (parsed.calls.empty()) {
    send_text(std::move(pending_));
    pending_.clear();
    return;
  }
  if (!parsed.content.empty()) send_text(parsed.content);
  for (size_t i = 0; i < parsed.calls.size(); ++i) {
    StreamEvent ev;
    ev.kind = StreamEvent::Kind::kToolCallDelta;
    ev.tool_index = static_cast<int>(i);
    ev.tool_id = parsed.calls[i].id;
    ev.tool_name = parsed.calls[i].name;
    ev.arguments_delta = parsed.calls[i].arguments;
    out_(ev);
  }
  pending_.clear();
}

}  // namespace woolly::backends::detail

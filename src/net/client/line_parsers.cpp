#include "net/client/line_parsers.h"

#include <charconv>

namespace woolly::net::client {

namespace {
// Splits complete lines off `buffer` after appending `bytes`; keeps the unfinished tail.
template <typename F>
bool split_lines(std::string& buffer, std::string_view bytes, size_t max_line, F&& on_line) {
  buffer.append(bytes);
  size_t start = 0;
  for (;;) {
    size_t nl = buffer.find('\n', start);
    if (nl == std::string::npos) break;
    std::string_view l(buffer.data() + start, nl - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    on_line(l);
    start = nl + 1;
  }
  buffer.erase(0, start);
  return buffer.size() <= max_line;
}
}  // namespace

bool SseParser::feed(std::string_view bytes) {
  return split_lines(buffer_, bytes, max_line_, [this](std::string_view l) { line(l); });
}

void SseParser::finish() {
  if (!buffer_.empty()) {
    std::string rest = std::move(buffer_);
    buffer_.clear();
    line(rest);
  }
  dispatch();
}

void SseParser::line(std::string_view l) {
  if (l.empty()) {
    dispatch();
    return;
  }
  if (l.front() == ':') return;  // comment (keep-alive pings)
  size_t colon = l.find(':');
  std::string_view field = l.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : l.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event.assign(value);
  } else if (field == "id") {
    // An id containing NUL is ignored (SSE spec); otherwise it is the stream's resume point.
    if (value.find('\0') == std::string_view::npos) {
      current_.id.assign(value);
      last_event_id_.assign(value);
    }
  } else if (field == "retry") {
    unsigned ms = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec == std::errc() && end == value.data() + value.size() && !value.empty())
      retry_ = std::chrono::milliseconds(ms);
  }
}

void SseParser::dispatch() {
  // Per the SSE spec an event without data lines is not dispatched; its fields are dropped.
  if (has_data_) on_event_(current_);
  current_.event.clear();
  current_.data.clear();
  has_data_ = false;
}

bool LineParser::feed(std::string_view bytes) {
  return split_lines(buffer_, bytes, max_line_, [this](std::string_view l) {
    if (!l.empty()) on_line_(l);
  });
}

void LineParser::finish() {
  if (!buffer_.empty()) {
    std::string rest = std::move(buffer_);
    buffer_.clear();
    if (!rest.empty() && rest.back() == '\r') rest.pop_back();
    if (!rest.empty()) on_line_(rest);
  }
}

}  // namespace woolly::net::client

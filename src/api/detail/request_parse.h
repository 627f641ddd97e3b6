// JSON request bodies -> typed backend requests, at the edge: every type and range is checked
// here with a message naming the field, so raw JSON never reaches a backend.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "common/result.h"
#include "net/responder.h"

namespace woolly::obs {
class Registry;
}

namespace woolly::api::detail {

// The body as a JSON object; kInvalidArgument when it is not JSON or not an object.
Result<boost::json::object> parse_object(std::string_view body);

// An optional string field; kInvalidArgument naming `key` when present with another type.
Result<std::optional<std::string>> optional_string(const boost::json::object& o,
                                                   std::string_view key);
Result<std::optional<bool>> optional_bool(const boost::json::object& o, std::string_view key);

// The sampling fields shared by every surface (OpenAI names): max_tokens / max_completion_tokens,
// temperature, top_p, top_k, min_p, presence/frequency/repetition penalties, seed, stop (string or
// array), logprobs (bool) and top_logprobs.
Result<backends::SamplingOptions> parse_sampling(const boost::json::object& o);
// Fills fields the request left unset from `defaults`.
void apply_defaults(backends::SamplingOptions& s, const backends::SamplingOptions& defaults);

// "messages": [{role, content (string or text parts), tool_calls?, tool_call_id?, name?}].
Result<std::vector<backends::Message>> parse_messages(const boost::json::object& o);
Result<std::vector<backends::Tool>> parse_tools(const boost::json::object& o);
Result<backends::ToolChoice> parse_tool_choice(const boost::json::object& o);
Result<backends::ResponseFormat> parse_response_format(const boost::json::object& o);

// "input": a string or an array of strings (OpenAI embeddings); `key` names the field.
Result<std::vector<std::string>> parse_inputs(const boost::json::object& o, std::string_view key);

boost::json::array logprobs_json(const std::vector<backends::TokenLogprob>& lps);
boost::json::array tool_calls_json(const std::vector<backends::ToolCall>& calls);

// Counts a generation stopped because its client went away (woolly_generations_cancelled_total).
void count_cancelled(obs::Registry* metrics, std::string_view surface);

int64_t unix_seconds();
int64_t unix_millis();
// "chatcmpl-" + 24 random hex digits.
std::string random_id(std::string_view prefix);

}  // namespace woolly::api::detail

namespace woolly::api::detail {

// A streamed answer whose HTTP status is decided by the first thing the backend reports: the
// stream (200) opens at the first piece of output, so an error before any output (a full queue,
// an unknown upstream model) still gets its own status (503 + Retry-After, 404...). Used from the
// backend's callbacks, which run one at a time for a request, so it needs no lock.
class LazyStream {
 public:
  explicit LazyStream(net::Responder res) : res_(std::move(res)) {}
  // Opens the stream on first use; `on_open` runs then (e.g. to send a first chunk).
  net::StreamWriter& writer() {
    if (!started_) {
      started_ = true;
      writer_ = res_.start_stream(200);
      if (on_open) on_open(writer_);
    }
    return writer_;
  }
  bool started() const { return started_; }
  // An error before the stream opened is an ordinary error response.
  void fail_unopened(const Error& e) { res_.send_error(e); }
  std::function<void(net::StreamWriter&)> on_open;

 private:
  net::Responder res_;
  net::StreamWriter writer_;
  bool started_ = false;
};

}  // namespace woolly::api::detail

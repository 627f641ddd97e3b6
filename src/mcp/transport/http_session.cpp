#include "mcp/transport/http_session.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "mcp/protocol.h"
#include "mcp/server.h"

namespace woolly::mcp::transport::detail {
namespace {

struct Classified {
  size_t finals = 0;    // responses (results or errors) in the message
  int error_code = 0;   // of the first error response, 0 when none
};

// Counts the responses a serialized message carries, so a POST knows when it is fully answered.
Classified classify(const std::string& text) {
  Classified c;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return c;
  auto one = [&c](const json::value& m) {
    const json::object* o = m.if_object();
    if (!o || o->contains("method") || !o->contains("id")) return;
    if (o->contains("result")) {
      ++c.finals;
    } else if (const json::value* e = o->if_contains("error")) {
      ++c.finals;
      if (c.error_code == 0 && e->is_object()) {
        if (const json::value* code = e->as_object().if_contains("code"); code && code->is_int64())
          c.error_code = static_cast<int>(code->as_int64());
      }
    }
  };
  if (v.is_array()) {
    for (const json::value& m : v.as_array()) one(m);
  } else {
    one(v);
  }
  return c;
}

}  // namespace

HttpSession::HttpSession(std::string id, size_t replay_cap, std::shared_ptr<Counters> counters,
                         std::function<void()> on_drained)
    : id_(std::move(id)),
      replay_cap_(replay_cap),
      counters_(std::move(counters)),
      on_drained_(std::move(on_drained)) {}

bool HttpSession::add_post(const std::vector<json::value>& request_ids, net::Responder responder,
                           net::Headers headers, bool force_stream, bool modern) {
  auto answer = std::make_shared<PostAnswer>();
  answer->responder.emplace(std::move(responder));
  answer->headers = std::move(headers);
  answer->force_stream = force_stream;
  answer->modern = modern;
  answer->pending = request_ids.size();
  std::lock_guard lock(mutex_);
  for (const json::value& id : request_ids) {
    if (routes_.count(id_key(id))) {
      RpcError e{rpc_code::kInvalidRequest, "Request id already in use on this session", nullptr};
      answer->responder->send(net::Response::json(400, json::serialize(make_error(id, e))));
      return false;
    }
  }
  for (const json::value& id : request_ids) routes_[id_key(id)] = answer;
  return true;
}

std::string HttpSession::record(const std::string& stream_id, uint64_t seq,
                                const std::string& text) {
  replay_.push_back(Event{stream_id, seq, text});
  while (replay_.size() > replay_cap_) replay_.pop_front();
  return stream_id + "-" + std::to_string(seq);
}

bool HttpSession::deliver_post(PostAnswer& a, const std::string& text, size_t finals,
                               int error_code) {
  a.pending -= std::min(finals, a.pending);
  const bool last = a.pending == 0;
  if (!a.streaming) {
    if (!a.responder) return false;
    if (last && !a.force_stream) {
      // The response is the only message: a plain JSON answer, which every client accepts.
      int status = error_code != 0 && a.modern ? http_status_for_error(error_code, true) : 200;
      net::Response r = net::Response::json(status, text);
      for (const auto& [k, v] : a.headers.fields()) r.headers.set(k, v);
      a.responder->send(std::move(r));
      a.responder.reset();
      return true;
    }
    net::Headers h = a.headers;
    h.set("Content-Type", "text/event-stream");
    h.set("Cache-Control", "no-cache");
    a.writer = a.responder->start_stream(200, std::move(h));
    a.responder.reset();
    a.streaming = true;
    a.stream_id = std::to_string(next_stream_++);
    counters_->sse_streams.fetch_add(1, std::memory_order_relaxed);
  }
  std::string event_id = record(a.stream_id, ++a.seq, text);
  bool ok = a.writer.write_event("message", text, event_id);
  if (last) a.writer.close();
  return ok;
}

bool HttpSession::write_get(const std::string& text) {
  if (!get_ || get_->cancelled()) return false;
  std::string event_id = record(get_stream_id_, ++get_seq_, text);
  return get_->write_event("message", text, event_id);
}

void HttpSession::keep_undelivered(std::string text) {
  undelivered_.push_back(std::move(text));
  while (undelivered_.size() > replay_cap_) undelivered_.pop_front();
}

void HttpSession::send(std::string text, const json::value& related_request) {
  bool drained = false;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    std::shared_ptr<PostAnswer> answer;
    if (!related_request.is_null()) {
      auto it = routes_.find(id_key(related_request));
      if (it != routes_.end()) answer = it->second;
    }
    if (answer && !(answer->streaming && answer->writer.cancelled())) {
      Classified c = classify(text);
      deliver_post(*answer, text, c.finals, c.error_code);
      if (answer->pending == 0) {
        std::erase_if(routes_, [&](const auto& kv) { return kv.second == answer; });
        drained = routes_.empty();
      }
    } else {
      if (answer) {
        // The POST's stream is gone: its later messages travel on the session stream.
        Classified c = classify(text);
        answer->pending -= std::min(c.finals, answer->pending);
        if (answer->pending == 0) {
          std::erase_if(routes_, [&](const auto& kv) { return kv.second == answer; });
          drained = routes_.empty();
        }
      }
      if (!write_get(text)) keep_undelivered(std::move(text));
    }
  }
  if (drained && on_drained_) on_drained_();
}

void HttpSession::open_get(net::StreamWriter writer, std::string_view last_event_id) {
  std::lock_guard lock(mutex_);
  if (get_) get_->close();  // one session stream at a time: the newest wins
  get_ = std::move(writer);
  get_stream_id_ = std::to_string(next_stream_++);
  get_seq_ = 0;
  counters_->sse_streams.fetch_add(1, std::memory_order_relaxed);
  if (auto dash = last_event_id.rfind('-'); dash != std::string_view::npos) {
    std::string_view stream = last_event_id.substr(0, dash);
    std::string_view seq_text = last_event_id.substr(dash + 1);
    uint64_t after = 0;
    auto [p, ec] = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), after);
    if (ec == std::errc() && p == seq_text.data() + seq_text.size()) {
      for (const Event& e : replay_) {
        if (e.stream_id == stream && e.seq > after)
          get_->write_event("message", e.data, e.stream_id + "-" + std::to_string(e.seq));
      }
    }
  }
  std::deque<std::string> pending;
  pending.swap(undelivered_);
  for (std::string& text : pending) write_get(text);
}

void HttpSession::end_get_stream() {
  std::lock_guard lock(mutex_);
  if (get_) get_->close();
  get_.reset();
}

void HttpSession::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  if (get_) get_->close();
  get_.reset();
  for (auto& [key, answer] : routes_) {
    if (answer->streaming) answer->writer.close();
  }
  routes_.clear();  // unanswered responders send their fallback answer
}

}  // namespace woolly::mcp::transport::detail

#include "backends/detail/upstream_util.h"

namespace woolly::backends::detail {

std::string join_url(std::string_view base, std::string_view path) {
  std::string b(base);
  while (!b.empty() && b.back() == '/') b.pop_back();
  if (b.ends_with("/v1") && path.starts_with("/v1/")) path.remove_prefix(3);
  return b + std::string(path);
}

net::client::HttpRequest make_post(const UpstreamConfig& cfg, std::string_view path, std::string body,
                                   const CancelToken& cancel) {
  net::client::HttpRequest r;
  r.method = net::Method::kPost;
  r.url = join_url(cfg.base_url, path);
  r.headers.set("Content-Type", "application/json");
  r.body = std::move(body);
  r.connect_timeout = cfg.connect_timeout;
  r.read_timeout = cfg.read_timeout;
  r.max_retries = cfg.max_retries;
  r.cancelled = [cancel] { return cancel.cancelled(); };
  return r;
}

net::client::HttpRequest make_get(const UpstreamConfig& cfg, std::string_view path) {
  net::client::HttpRequest r;
  r.url = join_url(cfg.base_url, path);
  r.connect_timeout = cfg.connect_timeout;
  r.read_timeout = cfg.read_timeout;
  r.max_retries = cfg.max_retries;
  return r;
}

Error status_error(std::string_view provider, int status, std::string_view body) {
  std::string detail;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    const auto& o = v.as_object();
    if (auto* e = o.if_contains("error")) {
      if (e->is_string()) detail = std::string(e->as_string());
      else if (e->is_object()) detail = str_at(e->as_object(), "message");
    }
  }
  if (detail.empty()) detail = std::string(body.substr(0, 200));
  std::string msg = std::string(provider) + " answered HTTP " + std::to_string(status);
  if (!detail.empty()) msg += ": " + detail;
  Errc code = (status == 429 || status >= 500) ? Errc::kUnavailable : Errc::kUpstream;
  return make_error(code, std::move(msg));
}

Result<json::value> parse_json(std::string_view provider, std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return make_error(Errc::kUpstream, std::string(provider) + " sent malformed JSON: " + ec.message());
  return v;
}

std::string str(const json::value* v) {
  if (v && v->is_string()) return std::string(v->as_string());
  return {};
}
std::string str_at(const json::object& o, std::string_view key) { return str(o.if_contains(key)); }
int64_t int_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->as_double());
  return 0;
}
const json::object* obj_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}
const json::array* arr_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_array() ? &v->as_array() : nullptr;
}

json::value json_or_empty(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return json::object{};
  return v;
}

std::string model_for(const UpstreamConfig& cfg, const std::string& requested) {
  return cfg.model_name.empty() ? requested : cfg.model_name;
}

Status check_health(net::client::HttpClient& client, const UpstreamConfig& cfg, std::string_view path,
                    std::string_view provider) {
  auto r = make_get(cfg, path);
  if (!cfg.api_key.empty()) {
    r.headers.set("Authorization", "Bearer " + cfg.api_key);
    r.headers.set("x-api-key", cfg.api_key);
  }
  r.headers.set("anthropic-version", cfg.anthropic_version);  // Anthropic requires it; others ignore it
  auto resp = client.fetch(std::move(r));
  if (!resp.ok()) return resp.take_error();
  if (resp->status < 200 || resp->status >= 300) return status_error(provider, resp->status, resp->body);
  return {};
}

}  // namespace woolly::backends::detail

#include <chrono>

#include "net/client/line_parsers.h"

namespace woolly::backends::detail {

void upstream_call(net::client::HttpClient& client, net::client::HttpRequest request,
                   BodyFraming framing, std::string provider, CallHandlers handlers) {
  struct State {
    int status = 0;
    std::string body;
    Status item_error;
    std::unique_ptr<net::client::SseParser> sse;
    std::unique_ptr<net::client::LineParser> lines;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    double first_ms = -1;
    CallHandlers h;
    std::string provider;
    void item(std::string_view text, std::string_view event) {
      if (!item_error.ok()) return;
      if (first_ms < 0)
        first_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      boost::system::error_code ec;
      json::value v = json::parse(text, ec);
      if (ec || !v.is_object()) {
        item_error = make_error(Errc::kUpstream, provider + " sent a malformed stream item");
        return;
      }
      item_error = h.on_item(v.as_object(), event);
    }
  };
  auto st = std::make_shared<State>();
  st->h = std::move(handlers);
  st->provider = std::move(provider);
  State* raw = st.get();
  if (framing == BodyFraming::kSse)
    st->sse = std::make_unique<net::client::SseParser>([raw](const net::client::SseEvent& ev) {
      if (ev.data != "[DONE]") raw->item(ev.data, ev.event);
    });
  if (framing == BodyFraming::kNdjson)
    st->lines = std::make_unique<net::client::LineParser>([raw](std::string_view l) { raw->item(l, {}); });
  net::client::StreamHandlers h;
  h.on_head = [st](int status, const net::Headers&) {
    st->status = status;
    st->body.clear();
  };
  h.on_body = [st](std::string_view bytes) {
    const bool ok = st->status >= 200 && st->status < 300;
    if (ok && st->sse) {
      if (!st->sse->feed(bytes)) st->item_error = make_error(Errc::kUpstream, st->provider + " sent an overlong stream line");
    } else if (ok && st->lines) {
      if (!st->lines->feed(bytes)) st->item_error = make_error(Errc::kUpstream, st->provider + " sent an overlong stream line");
    } else {
      st->body.append(bytes);
    }
  };
  h.on_done = [st](Status s) {
    CallTimes t;
    auto finish = [&](Status r) {
      t.total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - st->start).count();
      t.first_item_ms = st->first_ms;
      st->h.on_done(std::move(r), t);
    };
    if (!s.ok()) return finish(std::move(s));
    if (st->status < 200 || st->status >= 300) return finish(status_error(st->provider, st->status, st->body));
    if (st->sse) st->sse->finish();
    if (st->lines) st->lines->finish();
    if (!st->sse && !st->lines) st->item(st->body, {});
    finish(std::move(st->item_error));
  };
  client.stream(std::move(request), std::move(h));
}

}  // namespace woolly::backends::detail

namespace woolly::backends::detail {
void fill_timings(Timings& out, const CallTimes& t, bool streamed) {
  out.total_ms = t.total_ms;
  if (streamed && t.first_item_ms >= 0) {
    out.prompt_ms = t.first_item_ms;
    out.generate_ms = t.total_ms - t.first_item_ms;
  } else {
    out.prompt_ms = t.total_ms;
  }
}
}  // namespace woolly::backends::detail

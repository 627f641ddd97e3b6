#include "mcp/envelope.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace woolly::mcp {

Result<std::string> envelope_to_jsonrpc(std::string_view frame) {
  boost::system::error_code ec;
  json::value v = json::parse(frame, ec);
  if (ec || !v.is_object()) return make_error(Errc::kInvalidArgument, "envelope is not a JSON object");
  const json::object& o = v.as_object();
  if (const json::value* pv = o.if_contains("protocol_version")) {
    if (!pv->is_string() || pv->as_string() != kEnvelopeVersion) {
      return make_error(Errc::kInvalidArgument, "unsupported envelope protocol_version");
    }
  }
  const json::value* type = o.if_contains("type");
  if (!type || !type->is_string()) return make_error(Errc::kInvalidArgument, "envelope type is required");
  json::object out;
  out["jsonrpc"] = "2.0";
  const json::string& t = type->as_string();
  auto copy = [&](std::string_view key) {
    if (const json::value* f = o.if_contains(key)) out[key] = *f;
  };
  if (t == "request" || t == "notification") {
    const json::value* method = o.if_contains("method");
    if (!method || !method->is_string()) return make_error(Errc::kInvalidArgument, "envelope method is required");
    if (t == "request") {
      const json::value* id = o.if_contains("id");
      if (!id || !is_valid_id(*id)) return make_error(Errc::kInvalidArgument, "envelope id must be a string or an integer");
      out["id"] = *id;
    }
    out["method"] = *method;
    copy("params");
  } else if (t == "response") {
    copy("id");
    copy("result");
  } else if (t == "error") {
    copy("id");
    copy("error");
  } else {
    return make_error(Errc::kInvalidArgument, "unknown envelope type");
  }
  return json::serialize(out);
}

json::object envelope_error(const json::value& id, const RpcError& error) {
  json::object e{{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null()) e["data"] = error.data;
  return json::object{{"type", "error"}, {"id", id}, {"error", std::move(e)},
                      {"protocol_version", kEnvelopeVersion}};
}

std::vector<json::object> jsonrpc_to_envelopes(const json::value& message) {
  std::vector<json::object> out;
  if (const json::array* batch = message.if_array()) {
    for (const json::value& m : *batch) {
      auto part = jsonrpc_to_envelopes(m);
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  }
  const json::object* o = message.if_object();
  if (!o) return out;
  json::object e;
  if (o->contains("method")) {
    e["type"] = o->contains("id") ? "request" : "notification";
    if (o->contains("id")) e["id"] = o->at("id");
    e["method"] = o->at("method");
    if (const json::value* p = o->if_contains("params")) e["params"] = *p;
  } else if (o->contains("error")) {
    e["type"] = "error";
    e["id"] = o->contains("id") ? o->at("id") : json::value(nullptr);
    e["error"] = o->at("error");
  } else {
    e["type"] = "response";
    e["id"] = o->contains("id") ? o->at("id") : json::value(nullptr);
    e["result"] = o->contains("result") ? o->at("result") : json::value(json::object{});
  }
  e["protocol_version"] = kEnvelopeVersion;
  out.push_back(std::move(e));
  return out;
}

void EnvelopeSink::send(std::string text, const json::value& related_request) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return;  // the core only emits valid JSON; nothing sensible to forward otherwise
  for (const json::object& e : jsonrpc_to_envelopes(v)) {
    inner_->send(json::serialize(e), related_request);
  }
}

}  // namespace woolly::mcp

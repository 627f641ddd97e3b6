// Requests the server sends to the client on behalf of a tool call (sampling, elicitation,
// roots), and matching the client's responses to them.
#include <boost/json/serialize.hpp>

#include "mcp/server.h"

namespace woolly::mcp {

namespace {

// The client capability each server-to-client method needs (2025-x session revisions).
std::string_view required_capability(std::string_view method) {
  if (method == "sampling/createMessage") return "sampling";
  if (method == "elicitation/create") return "elicitation";
  if (method == "roots/list") return "roots";
  return {};
}

}  // namespace

void Server::fail_outgoing(std::vector<ClientReply> replies, const char* why) {
  for (ClientReply& done : replies) {
    if (done) done(make_error(Errc::kCancelled, why));
  }
}

void Server::request_client(const Call& call, std::string method, json::object params,
                            ClientReply done) {
  if (call.modern) {
    // 2026-07-28 replaced server-initiated requests with input_required results.
    return done(make_error(Errc::kUnsupported, method + " is not available in this revision"));
  }
  std::string_view capability = required_capability(method);
  json::value id;
  std::unique_lock lock(mutex_);
  auto it = sessions_.find(call.session);
  if (it == sessions_.end()) {
    lock.unlock();
    return done(make_error(Errc::kCancelled, "the session closed"));
  }
  Session& s = it->second;
  if (capability.empty() || !s.info.client_capabilities.contains(capability)) {
    lock.unlock();
    return done(make_error(Errc::kUnsupported,
                           "the client does not support " + std::string(method)));
  }
  id = "srv-" + std::to_string(next_outgoing_++);
  s.outgoing[id_key(id)] = Outgoing{id_key(call.id), std::move(done)};
  lock.unlock();
  send(call.session, make_request(id, method, std::move(params)), call.id);
}

void Server::take_response(SessionId session, const Message& m) {
  ClientReply done;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    auto out = it->second.outgoing.find(id_key(m.id));
    if (out == it->second.outgoing.end()) return;  // stale or unknown: nothing waits for it
    done = std::move(out->second.done);
    it->second.outgoing.erase(out);
  }
  if (m.kind == MessageKind::kResult && m.result.is_object()) {
    done(m.result.as_object());
  } else if (m.kind == MessageKind::kResult) {
    done(make_error(Errc::kUpstream, "the client sent a non-object result"));
  } else {
    done(make_error(Errc::kUpstream, "the client answered with an error: " + m.error.message));
  }
}

}  // namespace woolly::mcp

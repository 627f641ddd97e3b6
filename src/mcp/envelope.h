// The original Woolly WebSocket envelope, kept for existing clients:
//   request       {"type":"request","id":1,"method":"tools/list","params":{},"protocol_version":"0.1.0"}
//   notification  {"type":"notification","method":"...","params":{}}
//   response      {"type":"response","id":1,"result":{...},"protocol_version":"0.1.0"}
//   error         {"type":"error","id":1,"error":{"code":-32601,"message":"..."},"protocol_version":"0.1.0"}
// It maps one to one onto JSON-RPC, so the server core handles it unchanged: the adapter decodes
// incoming frames to JSON-RPC and wraps the session's sink in an EnvelopeSink.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "mcp/json_rpc.h"
#include "mcp/message_sink.h"

namespace woolly::mcp {

inline constexpr std::string_view kEnvelopeVersion = "0.1.0";

// Envelope frame -> JSON-RPC text for Server::handle. Fails (kInvalidArgument) on an unknown
// type, a missing method/id, or a protocol_version other than 0.1.0; answer that with
// envelope_error().
Result<std::string> envelope_to_jsonrpc(std::string_view frame);
// One JSON-RPC message -> envelope (a JSON-RPC batch array yields one envelope per element).
std::vector<json::object> jsonrpc_to_envelopes(const json::value& message);
json::object envelope_error(const json::value& id, const RpcError& error);

// Converts everything written to it into envelope frames for `inner`.
class EnvelopeSink : public MessageSink {
 public:
  explicit EnvelopeSink(std::shared_ptr<MessageSink> inner) : inner_(std::move(inner)) {}
  void send(std::string text, const json::value& related_request) override;

 private:
  std::shared_ptr<MessageSink> inner_;
};

}  // namespace woolly::mcp

// One Streamable HTTP session as the core sees it: a MessageSink that routes each outgoing message
// to the POST that carried its request (a plain JSON answer when the response is the only message,
// else an SSE stream), or to the session's GET stream, keeping a bounded replay buffer of SSE
// events for Last-Event-ID resumption.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mcp/json_rpc.h"
#include "mcp/message_sink.h"
#include "net/responder.h"

namespace woolly::mcp::transport::detail {

struct Counters {
  std::atomic<uint64_t> posts{0};
  std::atomic<uint64_t> sse_streams{0};
};

class HttpSession : public MessageSink {
 public:
  // `on_drained` runs (outside the lock) once every registered POST is answered; transient
  // (stateless) sessions close their core session there.
  HttpSession(std::string id, size_t replay_cap, std::shared_ptr<Counters> counters,
              std::function<void()> on_drained = {});

  const std::string& id() const { return id_; }
  uint64_t core_id = 0;  // set right after Server::open_session, before any frame is handled

  // Routes the answers to `request_ids` to `responder`. `force_stream`: answer as SSE even when
  // the response is the only message (batches). `modern`: JSON-RPC errors get 2026-07-28 status.
  // False (after answering 400) when one of the ids is already in flight on this session.
  bool add_post(const std::vector<json::value>& request_ids, net::Responder responder,
                net::Headers headers, bool force_stream, bool modern);
  // Makes `writer` the session's server-to-client stream; replays events after `last_event_id`
  // and everything that had no open stream to go to.
  void open_get(net::StreamWriter writer, std::string_view last_event_id);
  // Ends the session's GET stream (if open) and keeps the session: at shutdown, a stream that
  // would otherwise stay open holds the server's drain until its timeout.
  void end_get_stream();
  void close();

  void send(std::string text, const json::value& related_request) override;

 private:
  struct PostAnswer {
    std::optional<net::Responder> responder;
    net::StreamWriter writer;
    net::Headers headers;
    bool streaming = false;
    bool force_stream = false;
    bool modern = false;
    size_t pending = 0;
    std::string stream_id;
    uint64_t seq = 0;
  };
  struct Event {
    std::string stream_id;
    uint64_t seq = 0;
    std::string data;
  };

  // Both return false when the message could not be written to a live stream.
  bool deliver_post(PostAnswer& answer, const std::string& text, size_t finals, int error_code);
  bool write_get(const std::string& text);
  std::string record(const std::string& stream_id, uint64_t seq, const std::string& text);
  void keep_undelivered(std::string text);

  std::string id_;
  size_t replay_cap_;
  std::shared_ptr<Counters> counters_;
  std::function<void()> on_drained_;

  std::mutex mutex_;
  uint64_t next_stream_ = 1;
  std::map<std::string, std::shared_ptr<PostAnswer>> routes_;  // by id_key(request id)
  std::optional<net::StreamWriter> get_;
  std::string get_stream_id_;
  uint64_t get_seq_ = 0;
  std::deque<Event> replay_;
  std::deque<std::string> undelivered_;  // session messages sent while no GET stream was open
  bool closed_ = false;
};

}  // namespace woolly::mcp::transport::detail

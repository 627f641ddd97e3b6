// POST /api/v1/sessions/:id/messages: one chat turn inside a session.
//
// The request is parsed on the I/O thread. The store's pool then loads the session's history,
// fits it into the model's context (session_history.h) and hands the chat to the backend, whose
// callbacks stream tokens and deliver the answer. Only a complete answer is kept: the user message
// and the answer are appended together from the store's pool, then the client gets the stored
// answer (or, streaming, the "done" event). A failed or cancelled turn stores nothing, so the
// history never holds a question without its answer.
#include <boost/json/serialize.hpp>
#include <atomic>

#include "api/detail/request_parse.h"
#include "api/detail/session_common.h"
#include "api/detail/session_history.h"
#include "api/tool_chat.h"

namespace woolly::api::detail {
namespace {

namespace json = boost::json;

struct TurnInput {
  Owner owner;
  store::Id session_id = 0;
  std::string content;
  std::string model;
  backends::SamplingOptions sampling;
  std::optional<agent::ToolFilter> tools;  // "mcp_tools" (tool_chat.h) within the key's list
  bool stream = false;
};

Result<TurnInput> parse_turn(const ServingContext& ctx, const std::string& body) {
  TurnInput in;
  WOOLLY_ASSIGN_OR_RETURN(json::object o, parse_object(body));
  WOOLLY_ASSIGN_OR_RETURN(auto content, optional_string(o, "content"));
  if (!content || content->empty()) {
    return make_error(Errc::kInvalidArgument, "'content' must be a non-empty string");
  }
  in.content = std::move(*content);
  WOOLLY_ASSIGN_OR_RETURN(auto model, optional_string(o, "model"));
  if (!model) {
    WOOLLY_ASSIGN_OR_RETURN(model, optional_string(o, "model_id"));
  }
  in.model = model.value_or("");
  WOOLLY_ASSIGN_OR_RETURN(in.sampling, parse_sampling(o));
  apply_defaults(in.sampling, ctx.defaults);
  WOOLLY_ASSIGN_OR_RETURN(auto stream, optional_bool(o, "stream"));
  in.stream = stream.value_or(false);
  WOOLLY_ASSIGN_OR_RETURN(in.tools, parse_mcp_tools(o, false));
  return in;
}

// The part of a turn the I/O thread may touch when the client goes away: its cancel flag.
struct TurnCancel {
  backends::CancelToken cancel;
  std::atomic<bool> done{false};
  obs::Registry* metrics = nullptr;
  void client_gone() {
    if (done.exchange(true)) return;
    cancel.cancel();
    count_cancelled(metrics, "sessions");
  }
};

// One turn in flight and how it answers: a plain response, or an SSE stream opened at the first
// token. Its methods run one after another (store pool, then backend callbacks, then the store
// pool again), never at once; the I/O thread touches only the TurnCancel.
class Turn {
 public:
  Turn(net::Responder res, bool stream, obs::Registry* metrics)
      : flight_(std::make_shared<TurnCancel>()), stream_(stream) {
    flight_->metrics = metrics;
    res.on_cancel([f = flight_] { f->client_gone(); });
    if (stream_) {
      lazy_ = std::make_unique<LazyStream>(std::move(res));
    } else {
      res_ = std::make_unique<net::Responder>(std::move(res));
    }
  }
  const backends::CancelToken& cancel() const { return flight_->cancel; }

  void token(const backends::StreamEvent& ev) {
    if (!stream_ || ev.kind != backends::StreamEvent::Kind::kText || ev.text.empty()) return;
    lazy_->writer().write_event("token", json::serialize(json::object{{"text", ev.text}}));
  }
  // A turn that uses MCP tools: its tool events, and a keep-alive while calls run (a stream
  // notices a client that left only when a write fails). The stored answer is the final text.
  void tool_event(const agent::ToolEvent& e) {
    if (!stream_) return;
    lazy_->writer().write_event(agent::tool_event_name(e.kind), json::serialize(tool_event_json(e)));
  }
  void keep_alive() {
    if (stream_ && lazy_->started()) lazy_->writer().write_comment("tool call running");
  }
  void fail(const Error& e) {
    flight_->done = true;
    if (!stream_) return res_->send_error(e);
    if (!lazy_->started()) return lazy_->fail_unopened(e);
    lazy_->writer().write_event(
        "error", json::serialize(json::object{
                     {"error", {{"code", error_code(e.code)}, {"message", e.message}}}}));
    lazy_->writer().close();
  }
  void finish(const json::object& answer) {
    flight_->done = true;
    if (!stream_) return res_->send(net::Response::json(200, json::serialize(answer)));
    lazy_->writer().write_event("done", json::serialize(answer));
    lazy_->writer().close();
  }

 private:
  std::shared_ptr<TurnCancel> flight_;
  bool stream_;
  std::unique_ptr<net::Responder> res_;
  std::unique_ptr<LazyStream> lazy_;
};

// Every stored message of the session, in order.
Result<std::vector<backends::Message>> load_history(store::Store& s, const TurnInput& in) {
  std::vector<backends::Message> out;
  store::PageRequest page;
  page.limit = store::kMaxPageSize;
  for (;;) {
    WOOLLY_ASSIGN_OR_RETURN(auto rows, s.list_messages(in.owner.tenant_id, in.session_id, page));
    if (!rows.empty()) page.after_id = rows.back().seq;  // list_messages pages by seq
    for (auto& m : rows) out.push_back({std::move(m.role), std::move(m.content), {}, {}, {}});
    if (static_cast<int>(rows.size()) < page.limit) return out;
  }
}

// The chat to send: the history fitted to the context, with the new user message last.
Result<FittedHistory> prepare(store::Store& s, backends::Backend& backend, const TurnInput& in,
                              const SessionSettings& settings) {
  WOOLLY_TRY(owned_session(s, in.owner, in.session_id));
  WOOLLY_ASSIGN_OR_RETURN(auto messages, load_history(s, in));
  messages.push_back({"user", in.content, {}, {}, {}});
  int context = backend.context_length();
  TokenCounter count = [&backend](const std::vector<backends::Message>& m) -> Result<int> {
    backends::ChatRequest probe;
    probe.messages = m;
    auto n = backend.count_prompt_tokens(probe);
    if (!n.ok() && n.error().code == Errc::kUnsupported) return estimate_tokens(m);
    return n;
  };
  if (context <= 0) {
    context = settings.assumed_context;
    count = [](const std::vector<backends::Message>& m) -> Result<int> {
      return estimate_tokens(m);
    };
  }
  return fit_history(std::move(messages), prompt_budget(context, in.sampling.max_tokens), count);
}

json::object answer_json(const TurnInput& in, const backends::ChatResponse& r,
                         const store::ChatMessage& user, const store::ChatMessage& answer,
                         int sent, int dropped) {
  const auto& u = r.usage;
  const auto& t = r.timings;
  return {{"session_id", in.session_id},
          {"message", message_json(answer)},
          {"user_message", message_json(user)},
          {"model", r.model},
          {"finish_reason", backends::finish_reason_name(r.finish)},
          {"usage", {{"prompt_tokens", u.prompt_tokens},
                     {"completion_tokens", u.completion_tokens},
                     {"total_tokens", u.total_tokens()}}},
          {"timings", {{"queue_ms", t.queue_ms}, {"prompt_ms", t.prompt_ms},
                       {"generate_ms", t.generate_ms}, {"total_ms", t.total_ms}}},
          {"history", {{"sent_messages", sent}, {"dropped_messages", dropped}}}};
}

// On the store's pool once the answer is complete: both messages, then the reply.
void store_answer(store::Store& s, const std::shared_ptr<Turn>& turn, const TurnInput& in,
                  const backends::ChatResponse& r, int sent, int dropped) {
  auto user = s.append_message(in.owner.tenant_id, in.session_id, "user", in.content);
  if (!user.ok()) return turn->fail(user.error());
  auto answer =
      s.append_message(in.owner.tenant_id, in.session_id, "assistant", r.message.content);
  if (!answer.ok()) return turn->fail(answer.error());
  turn->finish(answer_json(in, r, *user, *answer, sent, dropped));
}

void run_turn(const ServingContext& ctx, store::Store& s,
              const std::shared_ptr<backends::Backend>& backend,
              const std::shared_ptr<Turn>& turn, std::shared_ptr<const TurnInput> in,
              const SessionSettings& settings) {
  auto fitted = prepare(s, *backend, *in, settings);
  if (!fitted.ok()) return turn->fail(fitted.error());
  backends::ChatRequest cr;
  cr.model = in->model;
  cr.messages = std::move(fitted->messages);
  cr.sampling = in->sampling;
  cr.cancel = turn->cancel();
  const int sent = static_cast<int>(cr.messages.size());
  const int dropped = fitted->dropped;
  store::Store* store = &s;
  start_chat(
      ctx, backend, std::move(cr), in->tools,
      {[turn](const backends::StreamEvent& ev) { turn->token(ev); },
       [turn](const agent::ToolEvent& e) { turn->tool_event(e); }, [turn] { turn->keep_alive(); },
       [store, turn, in, sent, dropped](Result<backends::ChatResponse> r) {
         if (!r.ok()) return turn->fail(r.error());
         auto answer = std::make_shared<backends::ChatResponse>(std::move(*r));
         Status posted = store->post([turn, in, answer, sent, dropped](store::Store& st) {
           store_answer(st, turn, *in, *answer, sent, dropped);
         });
         if (!posted.ok()) turn->fail(posted.error());
       }});
}

}  // namespace

void post_session_message(const std::shared_ptr<ServingContext>& ctx, store::Store& store,
                          const SessionSettings& settings, net::Request req, net::Responder res) {
  auto who = owner_of(req);
  if (!who.ok()) return res.send_error(who.error());
  auto id = session_id_param(req);
  if (!id.ok()) return res.send_error(id.error());
  auto in = parse_turn(*ctx, req.body);
  if (!in.ok()) return res.send_error(in.error());
  in->owner = *who;
  in->session_id = *id;
  in->tools = allowed_tools(req, std::move(in->tools));
  // Metered like every generation (credits, usage record, tokens per minute) when configured.
  auto backend = resolve_for(*ctx, req, in->model);
  if (!backend.ok()) return res.send_error(backend.error());

  auto turn = std::make_shared<Turn>(std::move(res), in->stream, ctx->metrics);
  auto input = std::make_shared<const TurnInput>(std::move(*in));
  Status posted = store.post([ctx, backend = *backend, turn, input, settings](store::Store& s) {
    run_turn(*ctx, s, backend, turn, input, settings);
  });
  if (!posted.ok()) turn->fail(posted.error());
}

}  // namespace woolly::api::detail

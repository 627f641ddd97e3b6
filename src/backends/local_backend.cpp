#include "backends/local_backend.h"

#include <algorithm>

#include "backends/detail/json_constraint.h"
#include "backends/detail/tool_call_stream.h"
#include "backends/tool_call_parser.h"
#include "engine/model/context.h"
#include "engine/model/kv_cache.h"
#include "engine/template/builtin_templates.h"
#include "engine/tensor/thread_pool.h"

namespace woolly::backends {

namespace {
FinishReason map_finish(engine::FinishReason f) {
  switch (f) {
    case engine::FinishReason::kStop: return FinishReason::kStop;
    case engine::FinishReason::kLength: return FinishReason::kLength;
    case engine::FinishReason::kCancelled: return FinishReason::kCancelled;
    case engine::FinishReason::kError: return FinishReason::kStop;
  }
  return FinishReason::kStop;
}
}  // namespace

Result<std::unique_ptr<LocalBackend>> LocalBackend::load(const std::string& path,
                                                         LocalBackendOptions options) {
  auto b = std::unique_ptr<LocalBackend>(new LocalBackend());
  b->options_ = std::move(options);
  WOOLLY_ASSIGN_OR_RETURN(b->model_, engine::LocalModel::load(path, b->options_.model));
  const auto& tok = b->model_->tokenizer();
  std::vector<std::string> specials;
  for (int32_t id = 0; id < tok.n_vocab(); ++id)
    if (tok.token_type(id) == engine::TokenType::kControl ||
        tok.token_type(id) == engine::TokenType::kUserDefined)
      specials.push_back(tok.token_text(id));
  auto source = b->model_->model().file().get_string("tokenizer.chat_template");
  std::string_view model_template = source.ok() ? *source : std::string_view{};
  WOOLLY_ASSIGN_OR_RETURN(auto chosen, engine::choose_chat_template(model_template, b->options_.chat_template, specials));
  b->template_ = std::make_unique<engine::ChatTemplate>(std::move(chosen.chat_template));
  b->template_name_ = chosen.name;
  engine::SchedulerOptions so;
  so.max_queue = b->options_.max_queue;
  so.max_active = b->model_->max_sequences();
  so.batch_tokens = b->options_.model.batch_tokens;
  b->scheduler_ = std::make_unique<engine::Scheduler>(*b->model_, &b->model_->text(), so);
  b->embed_thread_ = std::thread([raw = b.get()] { raw->embed_worker(); });
  return b;
}

LocalBackend::~LocalBackend() {
  {
    std::lock_guard lock(embed_mu_);
    embed_stop_ = true;
  }
  embed_cv_.notify_all();
  if (embed_thread_.joinable()) embed_thread_.join();
  if (scheduler_) scheduler_->shutdown();
}

Capabilities LocalBackend::capabilities() const {
  Capabilities c;
  c.tokenize = true;
  c.tools = true;  // through the chat template and tool_call_parser.h
  c.json_output = true;
  return c;
}

size_t LocalBackend::memory_bytes() const {
  return model_->model().mapped_bytes() +
         model_->model().kv_bytes_per_sequence() * static_cast<size_t>(model_->max_sequences());
}

Result<std::string> LocalBackend::render_chat(const ChatRequest& request) const {
  engine::ChatInput input;
  for (const auto& m : request.messages) {
    engine::ChatMessage cm;
    cm.role = m.role;
    if (!(m.content.empty() && !m.tool_calls.empty())) cm.content = m.content;
    for (const auto& c : m.tool_calls) cm.tool_calls.push_back({c.id, c.name, c.arguments});
    cm.tool_call_id = m.tool_call_id;
    cm.name = m.name;
    input.messages.push_back(std::move(cm));
  }
  if (!request.tools.empty()) {
    std::string tools = "[";
    for (size_t i = 0; i < request.tools.size(); ++i) {
      const auto& t = request.tools[i];
      if (i) tools += ",";
      // Name and description are JSON-escaped by hand: the engine side has no JSON library and
      // set_tools_json wants text.
      auto esc = [](const std::string& s) {
        std::string o;
        for (char ch : s) {
          if (ch == '"' || ch == '\\') { o += '\\'; o += ch; }
          else if (ch == '\n') o += "\\n";
          else if (static_cast<unsigned char>(ch) < 0x20) o += ' ';
          else o += ch;
        }
        return o;
      };
      tools += "{\"type\":\"function\",\"function\":{\"name\":\"" + esc(t.name) +
               "\",\"description\":\"" + esc(t.description) + "\",\"parameters\":" +
               (t.parameters_json.empty() ? "{}" : t.parameters_json) + "}}";
    }
    tools += "]";
    WOOLLY_TRY(input.set_tools_json(tools));
  }
  const auto& tok = model_->tokenizer();
  if (tok.bos() >= 0) input.bos_token = tok.token_text(tok.bos());
  if (tok.eos() >= 0) input.eos_token = tok.token_text(tok.eos());
  auto text = template_->render(input);
  if (!text.ok()) return make_error(Errc::kInvalidArgument, "chat template: " + text.error().message);
  return std::move(text).value();
}

std::vector<int32_t> LocalBackend::encode(const std::string& text) const {
  engine::EncodeOptions eo;
  eo.add_special = true;
  eo.parse_special = true;
  auto tokens = model_->tokenizer().encode(text, eo);
  // A template that writes the BOS text itself plus the vocabulary's add_bos would double it.
  const int32_t bos = model_->tokenizer().bos();
  if (tokens.size() >= 2 && bos >= 0 && tokens[0] == bos && tokens[1] == bos) tokens.erase(tokens.begin());
  return tokens;
}

void LocalBackend::generate(std::vector<int32_t> prompt, const SamplingOptions& s,
                            const ResponseFormat& format, const CancelToken& cancel,
                            StreamCallback on_event, std::function<void(Result<Outcome>)> finish) {
  engine::GenerationRequest g;
  g.prompt = std::move(prompt);
  g.sampling = options_.default_sampling;
  if (s.temperature) g.sampling.temperature = *s.temperature;
  if (s.top_p) g.sampling.top_p = *s.top_p;
  if (s.top_k) g.sampling.top_k = *s.top_k;
  if (s.min_p) g.sampling.min_p = *s.min_p;
  if (s.presence_penalty) g.sampling.presence_penalty = *s.presence_penalty;
  if (s.frequency_penalty) g.sampling.frequency_penalty = *s.frequency_penalty;
  if (s.repetition_penalty) g.sampling.repetition_penalty = *s.repetition_penalty;
  if (s.seed) g.sampling.seed = *s.seed;
  g.sampling.logprobs = s.logprobs || s.top_logprobs > 0;
  g.sampling.top_logprobs = s.top_logprobs;
  if (auto st = engine::validate(g.sampling); !st.ok()) return finish(st.take_error());
  g.stop.max_tokens = s.max_tokens.value_or(options_.default_max_tokens);
  g.stop.stop_strings = s.stop;
  g.cancel = cancel;
  if (format.type != ResponseFormatType::kText) {
    // The value must be complete when the generation stops: at max_tokens, or at the context's
    // end if that comes first.
    int64_t budget = static_cast<int64_t>(model_->n_ctx()) - static_cast<int64_t>(g.prompt.size());
    if (g.stop.max_tokens > 0) budget = std::min<int64_t>(budget, g.stop.max_tokens);
    auto c = detail::make_json_constraint(model_->tokenizer(), format,
                                          static_cast<int>(std::max<int64_t>(budget, 1)));
    if (!c.ok()) return finish(c.take_error());
    g.constraint = std::move(c).value();
  }
  auto out = std::make_shared<Outcome>();
  const engine::Tokenizer* tok = &model_->tokenizer();
  g.on_piece = [out, on_event, tok](const engine::GeneratedPiece& p) {
    std::vector<TokenLogprob> lps;
    if (p.logprobs) {
      TokenLogprob t{tok->token_to_piece(p.logprobs->chosen.token, true), p.logprobs->chosen.logprob, {}};
      for (const auto& x : p.logprobs->top) t.top.push_back({tok->token_to_piece(x.token, true), x.logprob});
      lps.push_back(t);
      out->logprobs.push_back(std::move(t));
    }
    if (p.text.empty() && lps.empty()) return;
    out->text.append(p.text);
    if (on_event) {
      StreamEvent ev;
      ev.text = std::string(p.text);
      ev.logprobs = std::move(lps);
      on_event(ev);
    }
  };
  g.on_done = [out, finish](const engine::GenerationResult& r) {
    if (r.finish == engine::FinishReason::kError) return finish(r.error);
    if (r.finish == engine::FinishReason::kCancelled) return finish(make_error(Errc::kCancelled, "generation cancelled"));
    out->finish = map_finish(r.finish);
    out->usage = {r.usage.prompt_tokens, r.usage.completion_tokens};
    out->timings = {r.timings.queue_ms, r.timings.prompt_ms, r.timings.generate_ms,
                    r.timings.queue_ms + r.timings.prompt_ms + r.timings.generate_ms};
    finish(std::move(*out));
  };
  // Copy what the error path needs: submit consumes the request.
  if (auto st = scheduler_->submit(std::move(g)); !st.ok()) finish(st.take_error());
}

void LocalBackend::chat_async(ChatRequest request, StreamCallback on_event,
                              DoneCallback<ChatResponse> on_done) {
  auto text = render_chat(request);
  if (!text.ok()) return on_done(text.take_error());
  std::string model = request.model;
  // Tool calls are recognised in the finished text (see tool_call_parser.h). A stream holds back
  // what may be a call and ends with the calls as tool-call deltas (tool_call_stream.h), so that
  // streamed and unstreamed answers agree.
  const bool tools = !request.tools.empty() && request.tool_choice.mode != ToolChoiceMode::kNone;
  // The bare-JSON Llama form counts as a call only when it names an offered tool.
  std::vector<std::string> names;
  for (const auto& t : request.tools) names.push_back(t.name);
  std::shared_ptr<detail::ToolCallStream> calls;
  if (tools && on_event) {
    calls = std::make_shared<detail::ToolCallStream>(std::move(on_event), names);
    on_event = [calls](const StreamEvent& ev) { calls->on_piece(ev); };
  }
  generate(encode(*text), request.sampling, request.response_format, request.cancel,
           std::move(on_event),
           [on_done = std::move(on_done), model, tools, calls, names](Result<Outcome> r) {
             if (!r.ok()) return on_done(r.take_error());
             if (calls) calls->finish();
             ChatResponse resp;
             resp.model = model;
             resp.message.role = "assistant";
             resp.message.content = std::move(r->text);
             resp.finish = r->finish;
             if (tools) {
               auto parsed = answer_tool_calls(resp.message.content, names);
               if (!parsed.calls.empty()) {
                 resp.message.content = std::move(parsed.content);
                 resp.message.tool_calls = std::move(parsed.calls);
                 resp.finish = FinishReason::kToolCalls;
               }
             }
             resp.usage = r->usage;
             resp.timings = r->timings;
             resp.logprobs = std::move(r->logprobs);
             on_done(std::move(resp));
           });
}

void LocalBackend::complete_async(CompletionRequest request, StreamCallback on_event,
                                  DoneCallback<CompletionResponse> on_done) {
  std::string model = request.model;
  generate(encode(request.prompt), request.sampling, request.response_format, request.cancel,
           std::move(on_event), [on_done = std::move(on_done), model](Result<Outcome> r) {
             if (!r.ok()) return on_done(r.take_error());
             CompletionResponse resp;
             resp.model = model;
             resp.text = std::move(r->text);
             resp.finish = r->finish;
             resp.usage = r->usage;
             resp.timings = r->timings;
             resp.logprobs = std::move(r->logprobs);
             on_done(std::move(resp));
           });
}

void LocalBackend::embed_async(EmbedRequest request, DoneCallback<EmbedResponse> on_done) {
  auto job = [this, request = std::move(request), on_done = std::move(on_done)]() mutable {
    // Built per job: an own pool and cache keep embeddings off the scheduler's Context.
    engine::ThreadPool pool(std::max(1, options_.model.threads > 0 ? options_.model.threads : 1));
    engine::Context ctx(model_->model(), pool);
    auto cache = model_->model().new_cache(model_->n_ctx());
    EmbedResponse resp;
    resp.model = request.model;
    for (const auto& input : request.inputs) {
      if (request.cancel.cancelled()) return on_done(make_error(Errc::kCancelled, "embedding cancelled"));
      auto tokens = encode(input);
      if (static_cast<int32_t>(tokens.size()) > model_->n_ctx())
        return on_done(make_error(Errc::kOutOfRange, "input of " + std::to_string(tokens.size()) +
                                                         " tokens exceeds the context of " +
                                                         std::to_string(model_->n_ctx())));
      auto v = ctx.embed(tokens, *cache);
      if (!v.ok()) return on_done(v.take_error());
      resp.vectors.push_back(std::move(v).value());
      resp.usage.prompt_tokens += static_cast<int32_t>(tokens.size());
    }
    on_done(std::move(resp));
  };
  {
    std::lock_guard lock(embed_mu_);
    if (embed_stop_) return on_done(make_error(Errc::kUnavailable, "model is unloading"));
    if (static_cast<int>(embed_jobs_.size()) >= options_.max_queue)
      return on_done(make_error(Errc::kUnavailable, "embedding queue is full"));
    embed_jobs_.push_back(std::move(job));
  }
  embed_cv_.notify_one();
}

void LocalBackend::embed_worker() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(embed_mu_);
      embed_cv_.wait(lock, [this] { return embed_stop_ || !embed_jobs_.empty(); });
      if (embed_jobs_.empty()) return;
      job = std::move(embed_jobs_.front());
      embed_jobs_.pop_front();
    }
    job();
  }
}

Result<TokenizeResponse> LocalBackend::tokenize(const std::string&, const std::string& text) {
  TokenizeResponse r;
  r.tokens = encode(text);
  for (int32_t t : r.tokens) r.pieces.push_back(model_->tokenizer().token_to_piece(t, true));
  return r;
}

int LocalBackend::context_length() const { return model_->n_ctx(); }

Result<int> LocalBackend::count_prompt_tokens(const ChatRequest& request) {
  WOOLLY_ASSIGN_OR_RETURN(std::string text, render_chat(request));
  return static_cast<int>(encode(text).size());
}

}  // namespace woolly::backends

#include "engine/runtime/scheduler.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "engine/runtime/generator.h"
#include "fake_model.h"

namespace woolly::engine {
namespace {

using testing::FakeModel;
using testing::LetterText;

struct Outcome {
  std::vector<int32_t> tokens;
  std::string text;
  GenerationResult result;
};

// Collects one request's output; wait() blocks until on_done.
struct Collector {
  Outcome out;
  std::promise<void> done;
  std::mutex mu;

  GenerationRequest attach(GenerationRequest r) {
    r.on_piece = [this](const GeneratedPiece& p) {
      std::lock_guard lock(mu);
      if (p.token >= 0) out.tokens.push_back(p.token);
      out.text += p.text;
    };
    r.on_done = [this](const GenerationResult& res) {
      {
        std::lock_guard lock(mu);
        out.result = res;
      }
      done.set_value();
    };
    return r;
  }
  Outcome wait() {
    done.get_future().wait();
    return out;
  }
};

GenerationRequest make_request(std::vector<int32_t> prompt, uint64_t seed, float temperature,
                               int max_tokens) {
  GenerationRequest r;
  r.prompt = std::move(prompt);
  r.sampling.seed = seed;
  r.sampling.temperature = temperature;
  r.sampling.top_k = 0;
  r.sampling.top_p = 1;
  r.sampling.min_p = 0;
  r.stop.max_tokens = max_tokens;
  r.stop.ignore_eos = true;
  return r;
}

std::vector<int32_t> prompt_of(int n, int salt) {
  std::vector<int32_t> p;
  for (int i = 0; i < n; ++i) p.push_back((i * 7 + salt * 13) % 50 + 1);
  return p;
}

Outcome run_alone(GenerationRequest r) {
  FakeModel model(64, 512, 1);
  Generator gen(model, nullptr, 16);
  Collector c;
  auto res = gen.run(c.attach(std::move(r)));
  EXPECT_TRUE(res.ok());
  return c.wait();
}

TEST(Scheduler, BatchingDoesNotChangeAnyResult) {
  FakeModel model(64, 512, 8);
  SchedulerOptions opt;
  opt.batch_tokens = 16;
  Scheduler sched(model, nullptr, opt);
  std::vector<GenerationRequest> reqs;
  for (int i = 0; i < 8; ++i) {
    reqs.push_back(make_request(prompt_of(5 + i * 9, i), 100 + i, i % 2 ? 0.0f : 1.0f, 20 + i));
  }
  std::vector<std::unique_ptr<Collector>> cs;
  for (auto& r : reqs) {
    cs.push_back(std::make_unique<Collector>());
    ASSERT_TRUE(sched.submit(cs.back()->attach(r)).ok());
  }
  for (size_t i = 0; i < reqs.size(); ++i) {
    Outcome together = cs[i]->wait();
    Outcome alone = run_alone(reqs[i]);
    EXPECT_EQ(together.tokens, alone.tokens) << "request " << i;
    EXPECT_EQ(together.result.finish, FinishReason::kLength);
    EXPECT_EQ(together.result.usage.completion_tokens, 20 + static_cast<int>(i));
    EXPECT_EQ(together.result.usage.prompt_tokens, 5 + static_cast<int>(i) * 9);
  }
  EXPECT_GT(model.max_batch.load(), 1);
  EXPECT_LE(model.max_batch.load(), 16);
}

TEST(Scheduler, LongPromptDoesNotStarveAShortOne) {
  FakeModel model(64, 1024, 4);
  SchedulerOptions opt;
  opt.batch_tokens = 32;
  Scheduler sched(model, nullptr, opt);
  model.step_delay_ms = 2;
  Collector long_c, short_c;
  std::atomic<int> order{0};
  int long_first = -1, short_done = -1;
  auto long_r = long_c.attach(make_request(prompt_of(600, 1), 1, 0, 1));
  auto long_piece = long_r.on_piece;
  long_r.on_piece = [&, long_piece](const GeneratedPiece& p) {
    if (long_first < 0) long_first = order++;
    long_piece(p);
  };
  auto short_r = short_c.attach(make_request(prompt_of(4, 2), 2, 0, 5));
  auto short_fin = short_r.on_done;
  short_r.on_done = [&, short_fin](const GenerationResult& res) {
    short_done = order++;
    short_fin(res);
  };
  ASSERT_TRUE(sched.submit(long_r).ok());
  ASSERT_TRUE(sched.submit(short_r).ok());
  short_c.wait();
  long_c.wait();
  EXPECT_LT(short_done, long_first);  // 5 tokens came out while the 600-token prompt was read
}

TEST(Scheduler, FullQueueIsRefusedAtOnce) {
  FakeModel model(64, 4096, 1);
  model.step_delay_ms = 5;
  SchedulerOptions opt;
  opt.max_queue = 2;
  Scheduler sched(model, nullptr, opt);
  std::vector<std::unique_ptr<Collector>> cs;
  CancelToken cancel;
  auto submit = [&] {
    cs.push_back(std::make_unique<Collector>());
    auto r = make_request(prompt_of(3, 0), 1, 1.0f, 3000);
    r.cancel = cancel;
    return sched.submit(cs.back()->attach(r));
  };
  ASSERT_TRUE(submit().ok());
  while (sched.stats().active == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(submit().ok());
  ASSERT_TRUE(submit().ok());
  auto st = submit();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::kUnavailable);
  cs.pop_back();
  cancel.cancel();
  for (auto& c : cs) EXPECT_EQ(c->wait().result.finish, FinishReason::kCancelled);
}

TEST(Scheduler, CancellationStopsWithinOneStep) {
  FakeModel model(64, 100000, 2);
  Scheduler sched(model, nullptr);
  Collector c;
  auto r = make_request(prompt_of(3, 0), 5, 1.0f, 50000);
  std::atomic<int> pieces{0};
  CancelToken token = r.cancel;
  r = c.attach(std::move(r));
  auto inner = r.on_piece;
  r.on_piece = [&, inner, token](const GeneratedPiece& p) {
    if (++pieces == 10) token.cancel();
    inner(p);
  };
  ASSERT_TRUE(sched.submit(std::move(r)).ok());
  Outcome out = c.wait();
  EXPECT_EQ(out.result.finish, FinishReason::kCancelled);
  EXPECT_EQ(pieces.load(), 10);  // cancelled during step 10, checked before step 11
}

TEST(Scheduler, PromptBeyondTheContextIsOutOfRange) {
  FakeModel model(64, 32, 1);
  Scheduler sched(model, nullptr);
  auto st = sched.submit(make_request(prompt_of(32, 0), 1, 0, 4));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::kOutOfRange);
  auto bad = make_request({1, 64}, 1, 0, 4);
  EXPECT_EQ(sched.submit(bad).error().code, Errc::kInvalidArgument);
}

TEST(Scheduler, FullContextEndsWithLength) {
  FakeModel model(64, 16, 1);
  Scheduler sched(model, nullptr);
  Collector c;
  ASSERT_TRUE(sched.submit(c.attach(make_request(prompt_of(10, 0), 1, 0, 100))).ok());
  Outcome out = c.wait();
  EXPECT_EQ(out.result.finish, FinishReason::kLength);
  EXPECT_EQ(out.result.usage.completion_tokens, 7);  // positions 10..15 fed, 7th sampled last
}

TEST(Scheduler, ShutdownCancelsWhatIsLeft) {
  FakeModel model(64, 100000, 1);
  model.step_delay_ms = 1;
  auto sched = std::make_unique<Scheduler>(model, nullptr);
  Collector a, b;
  ASSERT_TRUE(sched->submit(a.attach(make_request(prompt_of(3, 0), 1, 1, 100000))).ok());
  ASSERT_TRUE(sched->submit(b.attach(make_request(prompt_of(3, 1), 1, 1, 100000))).ok());
  sched.reset();
  EXPECT_EQ(a.wait().result.finish, FinishReason::kCancelled);
  EXPECT_EQ(b.wait().result.finish, FinishReason::kCancelled);
  EXPECT_EQ(sched, nullptr);
}

TEST(Generator, StopsAtEogStopTokenAndStopString) {
  FakeModel model(64, 512, 1);
  LetterText text;
  Generator gen(model, &text, 8);
  auto base = make_request(prompt_of(6, 3), 9, 1.0f, 40);
  base.stop.ignore_eos = true;
  Collector free_run;
  ASSERT_TRUE(gen.run(free_run.attach(base)).ok());
  Outcome all = free_run.wait();
  ASSERT_EQ(all.text.size(), 40u);

  // A stop string made of generated letters 5..7 cuts the text before it.
  auto with_stop = base;
  with_stop.stop.stop_strings = {all.text.substr(5, 3)};
  Collector stopped;
  ASSERT_TRUE(gen.run(stopped.attach(with_stop)).ok());
  Outcome s = stopped.wait();
  EXPECT_EQ(s.text, all.text.substr(0, all.text.find(all.text.substr(5, 3))));
  EXPECT_EQ(s.result.finish, FinishReason::kStop);
  EXPECT_EQ(s.result.stop_string, all.text.substr(5, 3));

  auto with_token = base;
  with_token.stop.stop_tokens = {all.tokens[3]};
  Collector by_token;
  ASSERT_TRUE(gen.run(by_token.attach(with_token)).ok());
  Outcome t = by_token.wait();
  EXPECT_EQ(t.result.stop_token, all.tokens[3]);
  EXPECT_LE(t.tokens.size(), 3u);
}

// Allows only even tokens, and nothing after five: a grammar that is then complete.
class EvenTokens : public TokenConstraint {
 public:
  void allowed_tokens(TokenMask& mask) override {
    if (accepted.size() >= 5) return;
    for (int32_t t = 0; t < mask.size(); t += 2) mask.allow(t);
  }
  void accept(int32_t token) override { accepted.push_back(token); }
  std::vector<int32_t> accepted;
};

TEST(Scheduler, ConstraintDecidesTheTokensAndTheEnd) {
  FakeModel model(64, 512, 2);
  Scheduler sched(model, nullptr);
  auto constraint = std::make_shared<EvenTokens>();
  auto r = make_request(prompt_of(5, 2), 4, 1.0f, 100);
  r.constraint = constraint;
  Collector c;
  ASSERT_TRUE(sched.submit(c.attach(std::move(r))).ok());
  Outcome out = c.wait();
  EXPECT_EQ(out.result.finish, FinishReason::kStop);
  ASSERT_EQ(out.tokens.size(), 5u);
  EXPECT_EQ(out.tokens, constraint->accepted);
  for (int32_t t : out.tokens) EXPECT_EQ(t % 2, 0);
}

TEST(Generator, ReportsLogprobsOfTheRawLogits) {
  FakeModel model(64, 512, 1);
  Generator gen(model, nullptr, 8);
  auto r = make_request(prompt_of(4, 1), 3, 0.0f, 3);
  r.sampling.top_logprobs = 2;
  std::vector<StepLogprobs> seen;
  r.on_piece = [&](const GeneratedPiece& p) {
    ASSERT_NE(p.logprobs, nullptr);
    seen.push_back(*p.logprobs);
  };
  ASSERT_TRUE(gen.run(std::move(r)).ok());
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& s : seen) {
    ASSERT_EQ(s.top.size(), 2u);
    EXPECT_EQ(s.chosen.token, s.top[0].token);  // greedy picks the most likely token
    EXPECT_FLOAT_EQ(s.chosen.logprob, s.top[0].logprob);
    EXPECT_LT(s.chosen.logprob, 0.0f);
  }
}

}  // namespace
}  // namespace woolly::engine

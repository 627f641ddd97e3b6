#include "api/detail/session_history.h"

#include <algorithm>

namespace woolly::api::detail {
namespace {

std::vector<backends::Message> without_turns(const std::vector<backends::Message>& all,
                                             size_t system_end, size_t keep_from) {
  std::vector<backends::Message> out(all.begin(), all.begin() + static_cast<ptrdiff_t>(system_end));
  out.insert(out.end(), all.begin() + static_cast<ptrdiff_t>(keep_from), all.end());
  return out;
}

}  // namespace

Result<FittedHistory> fit_history(std::vector<backends::Message> messages, int budget,
                                  const TokenCounter& count) {
  if (messages.empty() || messages.back().role != "user") {
    return make_error(Errc::kInternal, "a session turn must end with the new user message");
  }
  size_t system_end = 0;
  while (system_end < messages.size() && messages[system_end].role == "system") ++system_end;
  // Where each turn begins; anything before the first user message belongs to the first turn.
  std::vector<size_t> starts{system_end};
  for (size_t i = system_end + 1; i < messages.size(); ++i) {
    if (messages[i].role == "user") starts.push_back(i);
  }

  WOOLLY_ASSIGN_OR_RETURN(int all_tokens, count(messages));
  if (all_tokens <= budget) return FittedHistory{std::move(messages), 0, all_tokens};

  // Only the system messages and the last turn (the new message): the least that can be sent.
  const size_t last = starts.size() - 1;
  auto least = without_turns(messages, system_end, starts[last]);
  WOOLLY_ASSIGN_OR_RETURN(int least_tokens, count(least));
  if (least_tokens > budget) {
    return make_error(Errc::kOutOfRange,
                      "the system prompt and the new message take " + std::to_string(least_tokens) +
                          " tokens; the model's context leaves " + std::to_string(budget) +
                          " for the prompt");
  }
  // Invariant: dropping `bad` turns is too long, dropping `good` turns fits.
  size_t bad = 0, good = last;
  int good_tokens = least_tokens;
  while (good - bad > 1) {
    const size_t mid = bad + (good - bad) / 2;
    WOOLLY_ASSIGN_OR_RETURN(int n, count(without_turns(messages, system_end, starts[mid])));
    if (n <= budget) {
      good = mid;
      good_tokens = n;
    } else {
      bad = mid;
    }
  }
  FittedHistory out;
  out.dropped = static_cast<int>(starts[good] - system_end);
  out.messages = without_turns(messages, system_end, starts[good]);
  out.prompt_tokens = good_tokens;
  return out;
}

int prompt_budget(int context, std::optional<int> max_tokens) {
  const int answer = std::min(max_tokens.value_or(256), context / 2);
  return context - std::max(answer, 1);
}

int estimate_tokens(const std::vector<backends::Message>& messages) {
  size_t n = 0;
  for (const auto& m : messages) n += (m.content.size() + 2) / 3 + 8;
  return static_cast<int>(std::min<size_t>(n, 1u << 30));
}

}  // namespace woolly::api::detail

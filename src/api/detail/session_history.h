// Fitting a session's stored history into the model's context for the next turn: the oldest turns
// go first, the system prompt and the new user message always stay.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "common/result.h"

namespace woolly::api::detail {

// Counts the prompt tokens of a list of messages (the backend's own count, or an estimate).
using TokenCounter = std::function<Result<int>(const std::vector<backends::Message>&)>;

struct FittedHistory {
  std::vector<backends::Message> messages;  // what goes to the model
  int dropped = 0;                          // stored messages left out (oldest first)
  int prompt_tokens = 0;                    // the count of `messages`
};

// `messages` = leading system messages, the stored turns, and the new user message last. A turn
// is a user message and everything after it up to the next user message; turns are dropped
// whole, oldest first, until the count is at most `budget`. kOutOfRange when even the system
// messages and the new message alone exceed it. Counting is monotone in what is dropped, so the
// number of turns to drop is found by bisection: O(log turns) counts, not one per turn.
Result<FittedHistory> fit_history(std::vector<backends::Message> messages, int budget,
                                  const TokenCounter& count);

// The prompt budget for a context of `context` tokens: what is left after the answer's share
// (`max_tokens`, or 256 when unset), the answer never taking more than half the context.
int prompt_budget(int context, std::optional<int> max_tokens);

// A conservative estimate for models whose tokenizer is not known here (upstream providers): one
// token per 3 bytes of text plus 8 per message for the template's markup.
int estimate_tokens(const std::vector<backends::Message>& messages);

}  // namespace woolly::api::detail

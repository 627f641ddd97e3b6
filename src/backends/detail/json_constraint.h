// response_format json_object / json_schema for the local engine: compiles the schema (Boost.JSON
// on the backends side) into a plain grammar and returns the engine's TokenConstraint that runs
// it over each token's bytes.
#pragma once

#include <memory>
#include <string_view>

#include "backends/backend.h"
#include "backends/detail/json_grammar.h"
#include "engine/sampling/token_mask.h"
#include "engine/tokenizer/tokenizer.h"

namespace woolly::backends::detail {

// kInvalidArgument for schema text that is not JSON.
Result<std::unique_ptr<CompiledSchema>> compile_schema(std::string_view schema_json);

// Per step it tries every vocabulary token against a copy of the matcher: O(vocabulary * token
// length) byte steps, cheap next to a forward pass for vocabularies up to ~100k. `max_tokens` is
// the generation's budget: a token is allowed only if the shortest completion of the value after
// it still fits in the tokens left (one byte each at worst), so the value is complete by then;
// 0 = no budget.
Result<std::shared_ptr<engine::TokenConstraint>> make_json_constraint(const engine::Tokenizer& tok,
                                                                      const ResponseFormat& format,
                                                                      int max_tokens = 0);

}  // namespace woolly::backends::detail

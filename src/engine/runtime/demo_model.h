// The demo model: a small llama with random weights and a byte-level BPE tokenizer learned from
// a built-in text, with a ChatML chat template. It lets Woolly start and answer (nonsense, but
// through the whole real pipeline) when no model is configured. Deterministic: the same size
// always gives the same file.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "engine/runtime/random_llama.h"

namespace woolly::engine {

enum class DemoSize {
  kTiny,   // 2 layers, 64 wide, about 1 MB: created in milliseconds; tests and `make run`
  kSmall,  // 8 layers, 512 wide, Q8_0, about 30 MB: big enough for the batching to matter
};

// "tiny" | "small"; kInvalidArgument otherwise.
Result<DemoSize> parse_demo_size(std::string_view name);
const char* demo_size_name(DemoSize size);

// The complete description of the demo model (tokenizer learned here).
Result<RandomLlamaSpec> demo_model_spec(DemoSize size);

// Writes the demo model to `path`, creating missing parent directories.
Status create_demo_model(const std::string& path, DemoSize size);

}  // namespace woolly::engine

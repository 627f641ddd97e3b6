// The `tokenizer.ggml.*` metadata of a GGUF file <-> Vocab.
#pragma once

#include "common/result.h"
#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/vocab.h"

namespace woolly::engine {

// Reads tokenizer.ggml.{model, pre, tokens, scores, token_type, merges, *_token_id, add_bos_token,
// add_eos_token, add_space_prefix}. Absent ids and flags take llama.cpp's defaults for the model
// type (SentencePiece: unk 0, bos 1, eos 2, add_bos, add_space_prefix; byte-level BPE: none,
// except that Llama-3-style vocabularies add BOS). Errors: kNotFound for a file without a
// vocabulary, kUnsupported for a tokenizer model other than "llama" and "gpt2", kCorruptData
// for malformed arrays.
Result<Vocab> load_vocab(const GgufFile& file);

// Writes `vocab` as tokenizer.ggml.* keys (the inverse of load_vocab).
void write_vocab(GgufWriter& writer, const Vocab& vocab);

}  // namespace woolly::engine

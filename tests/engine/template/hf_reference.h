// Renders chat templates with Python's jinja2 set up as Hugging Face transformers does
// (hf_render.py beside this file), for byte-for-byte comparison with our engine.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "engine/template/chat_template.h"

namespace woolly::engine::testing {

struct ReferenceCase {
  std::string source;     // template text
  tmpl::Value context;    // template variables
};

struct ReferenceOutcome {
  bool ok = false;
  std::string text;   // when ok
  std::string error;  // when not
};

// The date both sides give strftime_now(): Thursday 2026-01-15 10:30:00.
std::tm fixed_now();

// True when /usr/bin/python3 can import jinja2.
bool reference_available();

// Runs all cases in one Python process; fails the calling test on a harness error.
std::vector<ReferenceOutcome> render_reference(const std::vector<ReferenceCase>& cases);

// Named conversations covering plain chat, system prompts, several turns, no generation
// prompt, tools with a call and its result, and non-ASCII text.
struct Conversation {
  std::string name;
  ChatInput input;
};
std::vector<Conversation> standard_conversations();

}  // namespace woolly::engine::testing

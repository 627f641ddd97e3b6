// The text the demo model's tokenizer is trained on (written for Woolly; plain English prose
// about the project's own subject, so common words and chat phrases get their own tokens).
#pragma once

#include <string_view>

namespace woolly::engine::detail {

inline constexpr std::string_view kDemoTrainingText = R"(Hello! How can I help you today?
I am a small demonstration model. My weights are random, so what I say does not mean much, but
every word you read has gone through the same path as the words of a real model: the prompt was
split into tokens, the tokens went through the layers of the network, and the next token was
chosen from the probabilities at the end.

A language model reads text as a sequence of tokens. A token can be a whole word, a part of a
word, a single letter or even a single byte. The tokenizer learns which pieces of text appear
together often and gives them their own token, so that common words such as "the", "and", "is",
"of", "to", "in", "that", "it", "for", "you", "with", "on", "as", "are", "this", "be", "was",
"have", "not", "what", "can", "will", "from", "they", "we", "at", "by", "or", "an", "but",
"all", "there", "when", "so", "one", "which", "their", "if", "do", "would", "about", "more",
"time", "some", "these", "other", "how", "then", "could", "into", "our", "than", "like", "just"
need only one token each, while rare words are built from several smaller ones.

The server answers questions over HTTP, streams tokens as they are generated, and speaks the
Model Context Protocol. It keeps a queue in front of the engine, so that when too many requests
arrive at the same time, the last ones are told to come back later instead of waiting forever.
Each request has its own random number generator, so the same seed always gives the same answer,
no matter how many other requests are being answered at the same time.

The weather today is mild, with a light wind from the west and a few clouds in the afternoon.
In the morning the market opens early; people buy bread, fruit, vegetables, cheese and fish.
Children walk to school, the baker sells the last loaf before noon, and the old clock in the
square strikes twelve. In the evening the streets are quiet again, and the lights come on one
by one in the windows of the houses along the river.

Question: What is the capital of France?
Answer: The capital of France is Paris.
Question: How many days are there in a week?
Answer: There are seven days in a week.
Question: What is two plus two?
Answer: Two plus two is four.
Question: Can you write a short poem?
Answer: The river runs, the mountains stand, the morning light is on the land.

def greet(name):
    return "Hello, " + name + "!"

for i in range(10):
    print(i, i * i)

Thank you for trying Woolly. Configure a real model in config.toml to get real answers.
)";

}  // namespace woolly::engine::detail

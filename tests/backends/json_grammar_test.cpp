#include "backends/detail/json_grammar.h"

#include <gtest/gtest.h>

#include "backends/detail/json_constraint.h"

namespace woolly::backends::detail {
namespace {

bool accepts(const SchemaNode* root, std::string_view text, bool* complete = nullptr) {
  JsonMatcher m(root);
  for (char c : text)
    if (!m.feed(static_cast<uint8_t>(c))) return false;
  if (complete) *complete = m.can_end();
  return true;
}

bool full(const SchemaNode* root, std::string_view text) {
  bool complete = false;
  return accepts(root, text, &complete) && complete;
}

TEST(JsonGrammar, AnyObjectAcceptsObjectsOnly) {
  CompiledSchema s;
  s.add(NodeKind::kAnyObject);
  EXPECT_TRUE(full(s.root(), R"({})"));
  EXPECT_TRUE(full(s.root(), R"({"a":1,"b":[true,null,"x"],"c":{"d":-1.5e3}})"));
  EXPECT_FALSE(accepts(s.root(), "[1]"));
  EXPECT_FALSE(accepts(s.root(), R"({"a":01})"));
  EXPECT_FALSE(accepts(s.root(), R"({"a":1}x)"));
  EXPECT_FALSE(full(s.root(), R"({"a":)"));
  EXPECT_FALSE(accepts(s.root(), R"({"a":tru3})"));
}

TEST(JsonGrammar, SchemaObjectEmitsEveryPropertyInOrder) {
  auto s = compile_schema(R"({"type":"object","properties":{
      "name":{"type":"string"},"age":{"type":"integer"},"ok":{"type":"boolean"},
      "tag":{"enum":["red","green",3]},"xs":{"type":"array","items":{"type":"number"}}},
      "required":["name"],"additionalProperties":false})");
  ASSERT_TRUE(s.ok());
  const SchemaNode* root = (*s)->root();
  EXPECT_TRUE(full(root, R"({"name":"Bo","age":-12,"ok":false,"tag":"green","xs":[1.5,2]})"));
  EXPECT_TRUE(full(root, R"({"name":"","age":0,"ok":true,"tag":3,"xs":[]})"));
  EXPECT_FALSE(accepts(root, R"({"age":1)"));                // wrong order / missing name
  EXPECT_FALSE(accepts(root, R"({"name":"a","age":1.5)"));   // integer
  EXPECT_FALSE(accepts(root, R"({"name":"a","age":1,"ok":false,"tag":"blue")"));
  EXPECT_FALSE(full(root, R"({"name":"a"})"));
}

TEST(JsonGrammar, TopLevelNumberEndsWhenComplete) {
  auto s = compile_schema(R"({"type":"number"})");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(full((*s)->root(), "12.5"));
  EXPECT_FALSE(full((*s)->root(), "12."));
  EXPECT_TRUE(full((*s)->root(), "-1.5e-99"));
  EXPECT_FALSE(accepts((*s)->root(), "1e999"));  // not a finite double
  EXPECT_TRUE(full((*s)->root(), "-" + std::string(kMaxNumber - 1, '9')));  // fits int64
  EXPECT_FALSE(accepts((*s)->root(), std::string(kMaxNumber + 1, '1')));
}

TEST(JsonGrammar, StringsAreBoundedAndTakeEscapes) {
  auto s = compile_schema(R"({"type":"string"})");
  ASSERT_TRUE(s.ok());
  const SchemaNode* root = (*s)->root();
  EXPECT_GE(kMaxString, 300);  // a real sentence or two fits
  EXPECT_TRUE(full(root, "\"" + std::string(kMaxString, 'a') + "\""));
  EXPECT_FALSE(accepts(root, "\"" + std::string(kMaxString + 1, 'a')));
  EXPECT_TRUE(full(root, R"("say \"hi\"\n\tC:\\dir \/ \u00e9\uD83D\uDE00 \b\f\r")"));
  EXPECT_FALSE(accepts(root, R"("\x")"));
  EXPECT_FALSE(accepts(root, R"("\u12G4")"));
  EXPECT_FALSE(full(root, R"("\u12")"));
  EXPECT_FALSE(accepts(root, "\"tab\tinside\""));  // control characters must be escaped
  // A backslash needs room for the longest escape: the string can always still be closed.
  std::string edge = "\"" + std::string(kMaxString - 3, 'a');
  EXPECT_FALSE(accepts(root, edge + "\\"));
  EXPECT_TRUE(full(root, edge + "abc\""));
}

TEST(JsonGrammar, ArraysAndFreeObjectsAreNotCappedAtAFewItems) {
  CompiledSchema s;
  s.add(NodeKind::kAnyObject);
  std::string many = "{\"xs\":[";
  for (int i = 0; i < 200; ++i) many += (i ? "," : "") + std::to_string(i);
  many += "],\"k\":\"v\"";
  for (int i = 0; i < 50; ++i) many += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  many += "}";
  EXPECT_TRUE(full(s.root(), many));
  EXPECT_TRUE(full(s.root(), R"({"a":[[[[{"b":[1]}]]]]})"));
  EXPECT_TRUE(accepts(s.root(), "{\"n\":" + std::string(kMaxNumber, '1')));
  EXPECT_FALSE(accepts(s.root(), "{\"n\":" + std::string(kMaxNumber + 1, '1')));
}

// Whatever prefix the model wrote, completion() finishes it into one valid value.
TEST(JsonGrammar, CompletionFinishesEveryPrefix) {
  auto s = compile_schema(R"({"type":"object","properties":{
      "name":{"type":"string"},"age":{"type":"integer"},"pet":{"enum":["cat","dog","hamster"]},
      "tags":{"type":"array","items":{"type":"string"}},"pos":{"type":"object","properties":{
        "x":{"type":"number"},"y":{"type":"number"}}},"extra":{},"ok":{"type":"boolean"}}})");
  ASSERT_TRUE(s.ok());
  const std::string doc =
      R"({"name":"Al \"x\" \u00e9","age":-42,"pet":"hamster","tags":["a","b\\c"],)"
      R"("pos":{"x":1.5e-3,"y":0},"extra":{"deep":[1,{"z":null}],"s":"t"},"ok":true})";
  ASSERT_TRUE(full((*s)->root(), doc));
  for (size_t n = 0; n <= doc.size(); ++n) {
    JsonMatcher m((*s)->root());
    for (size_t i = 0; i < n; ++i) ASSERT_TRUE(m.feed(static_cast<uint8_t>(doc[i])));
    const std::string rest = m.completion();
    EXPECT_TRUE(full((*s)->root(), doc.substr(0, n) + rest)) << doc.substr(0, n) << " + " << rest;
    if (n == doc.size()) {
      EXPECT_EQ(rest, "");
    }
  }
  JsonMatcher fresh((*s)->root());
  EXPECT_EQ(fresh.completion(),
            R"({"name":"","age":0,"pet":"cat","tags":[],"pos":{"x":0,"y":0},"extra":0,"ok":true})");
}

TEST(JsonGrammar, BadSchemaTextIsAnInvalidArgument) {
  auto s = compile_schema("{not json");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kInvalidArgument);
}

}  // namespace
}  // namespace woolly::backends::detail

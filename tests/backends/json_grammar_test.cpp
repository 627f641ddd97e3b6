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
  EXPECT_FALSE(accepts((*s)->root(), std::string(kMaxNumber + 1, '1')));
}

TEST(JsonGrammar, StringsAreBounded) {
  auto s = compile_schema(R"({"type":"string"})");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(full((*s)->root(), "\"" + std::string(kMaxString, 'a') + "\""));
  EXPECT_FALSE(accepts((*s)->root(), "\"" + std::string(kMaxString + 1, 'a')));
  EXPECT_FALSE(accepts((*s)->root(), "\"a\\n\""));
}

TEST(JsonGrammar, BadSchemaTextIsAnInvalidArgument) {
  auto s = compile_schema("{not json");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kInvalidArgument);
}

}  // namespace
}  // namespace woolly::backends::detail

// The Value type: JSON in and out with Python's json.dumps formatting, Python str()/repr().
#include <gtest/gtest.h>

#include "engine/template/value.h"

namespace woolly::engine::tmpl {
namespace {

TEST(ValueJsonTest, ParsesEveryKindAndKeepsKeyOrder) {
  auto v = Value::parse_json(R"( {"z": 1, "a": [true, false, null, -2.5e3, "s\u00e9\ud83d\ude00\n"], "m": {}} )");
  ASSERT_TRUE(v.ok()) << v.error().message;
  ASSERT_TRUE(v->is_object());
  const Object& o = v->as_object();
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o.begin()->first, "z");
  EXPECT_TRUE(o.find("z")->is_int());
  const Array& a = o.find("a")->as_array();
  EXPECT_TRUE(a[0].as_bool());
  EXPECT_TRUE(a[2].is_none());
  EXPECT_TRUE(a[3].is_float());
  EXPECT_EQ(a[3].as_double(), -2500.0);
  EXPECT_EQ(a[4].as_string(), "s\xc3\xa9\xf0\x9f\x98\x80\n");
}

TEST(ValueJsonTest, RejectsMalformedInputWithOffset) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "01x", "[1] 2", "\"\\q\""}) {
    auto v = Value::parse_json(bad);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.error().code, Errc::kInvalidArgument);
    EXPECT_NE(v.error().message.find("offset"), std::string::npos);
  }
}

TEST(ValueJsonTest, RefusesNestingBeyondLimit) {
  std::string deep(1000, '[');
  deep += std::string(1000, ']');
  EXPECT_FALSE(Value::parse_json(deep).ok());
}

TEST(ValueJsonTest, SerializesLikePythonJsonDumps) {
  auto v = Value::parse_json(R"({"b": [1, 2.0, "é\"<"], "a": null, "e": {}, "l": []})").value();
  EXPECT_EQ(v.to_json().value(), R"({"b": [1, 2.0, "é\"<"], "a": null, "e": {}, "l": []})");
  JsonOptions sorted;
  sorted.sort_keys = true;
  EXPECT_EQ(v.to_json(sorted).value(), R"({"a": null, "b": [1, 2.0, "é\"<"], "e": {}, "l": []})");
  JsonOptions ascii;
  ascii.ensure_ascii = true;
  EXPECT_EQ(Value("é😀").to_json(ascii).value(), R"("\u00e9\ud83d\ude00")");
  JsonOptions indented;
  indented.indent = 2;
  EXPECT_EQ(Value::parse_json(R"({"a": [1, {}], "b": 2})")->to_json(indented).value(),
            "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": 2\n}");
  JsonOptions compact;
  compact.item_separator = ",";
  compact.key_separator = ":";
  EXPECT_EQ(Value::parse_json(R"({"a": [1, 2]})")->to_json(compact).value(), R"({"a":[1,2]})");
  EXPECT_EQ(Value("\x01\t").to_json().value(), R"("\u0001\t")");
}

TEST(ValueJsonTest, UndefinedIsNotSerializable) {
  EXPECT_FALSE(Value().to_json().ok());
  EXPECT_FALSE(Value(Array{Value()}).to_json().ok());
}

TEST(ValueTest, FloatsPrintLikePythonRepr) {
  EXPECT_EQ(format_python_float(1.0), "1.0");
  EXPECT_EQ(format_python_float(2.5), "2.5");
  EXPECT_EQ(format_python_float(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_python_float(1e16), "1e+16");
  EXPECT_EQ(format_python_float(1.5e-5), "1.5e-05");
  EXPECT_EQ(format_python_float(0.0001), "0.0001");
  EXPECT_EQ(format_python_float(123456789012345.0), "123456789012345.0");
  EXPECT_EQ(format_python_float(-0.0), "-0.0");
  EXPECT_EQ(format_python_float(1.0 / 0.0), "inf");
}

TEST(ValueTest, StrAndReprFollowPython) {
  auto v = Value::parse_json(R"({"k": ["it's", "q\"", 1, 1.5, true, null]})").value();
  EXPECT_EQ(v.str(), R"({'k': ["it's", 'q"', 1, 1.5, True, None]})");
  EXPECT_EQ(Value("plain").str(), "plain");
  EXPECT_EQ(Value().str(), "");
  EXPECT_EQ(Value::tuple({Value(1)}).str(), "(1,)");
}

TEST(ValueTest, EqualityAndTruthinessFollowPython) {
  EXPECT_TRUE(Value(1) == Value(1.0));
  EXPECT_TRUE(Value(true) == Value(1));
  EXPECT_FALSE(Value("1") == Value(1));
  EXPECT_FALSE(Value() == Value::none());
  EXPECT_TRUE(Value() == Value());
  EXPECT_FALSE(Value::tuple({Value(1)}) == Value(Array{Value(1)}));
  EXPECT_FALSE(Value("").truthy());
  EXPECT_FALSE(Value(Array{}).truthy());
  EXPECT_FALSE(Value(Object{}).truthy());
  EXPECT_FALSE(Value(0.0).truthy());
  EXPECT_TRUE(Value::iterator({}).truthy());  // a Python generator is always true
}

}  // namespace
}  // namespace woolly::engine::tmpl

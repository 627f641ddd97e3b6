#include "mcp/param_headers.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

#include "mcp/protocol.h"

namespace woolly::mcp {

namespace {

constexpr std::string_view kAnnotation = "x-mcp-header";
constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

struct Annotated {
  std::vector<std::string> path;  // chain of `properties` keys
  std::string header;
  std::string type;
};

// Walks the schema; annotations reached only through `properties` are collected, any other
// occurrence (under items, anyOf, $defs, ...) makes the schema invalid.
Status walk(const json::value& node, bool reachable, std::vector<std::string>& path,
            std::vector<Annotated>& out) {
  const json::object* o = node.if_object();
  if (!o) {
    if (const json::array* a = node.if_array()) {
      for (const json::value& e : *a) WOOLLY_TRY(walk(e, false, path, out));
    }
    return {};
  }
  for (const auto& [key, value] : *o) {
    if (key == kAnnotation) {
      if (!reachable || path.empty()) {
        return make_error(Errc::kInvalidArgument,
                          "x-mcp-header is only allowed on properties reachable through "
                          "`properties` from the root");
      }
      if (!value.is_string() || value.as_string().empty() ||
          !std::all_of(value.as_string().begin(), value.as_string().end(), is_tchar)) {
        return make_error(Errc::kInvalidArgument, "x-mcp-header must be a non-empty token");
      }
      const json::value* type = o->if_contains("type");
      std::string t = type && type->is_string() ? std::string(type->as_string()) : "";
      if (t != "string" && t != "integer" && t != "boolean") {
        return make_error(Errc::kInvalidArgument,
                          "x-mcp-header needs a string, integer or boolean parameter");
      }
      out.push_back({path, std::string(value.as_string()), t});
    } else if (key == "properties" && value.is_object()) {
      for (const auto& [name, sub] : value.as_object()) {
        path.emplace_back(name);
        Status s = walk(sub, reachable, path, out);
        path.pop_back();
        WOOLLY_TRY(std::move(s));
      }
    } else {
      std::vector<std::string> none;
      WOOLLY_TRY(walk(value, false, none, out));
    }
  }
  return {};
}

Result<std::vector<Annotated>> collect(const json::object& schema) {
  std::vector<Annotated> out;
  std::vector<std::string> path;
  WOOLLY_TRY(walk(json::value(schema), true, path, out));
  std::set<std::string> seen;
  for (const Annotated& a : out) {
    std::string lower = a.header;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!seen.insert(lower).second) {
      return make_error(Errc::kInvalidArgument, "x-mcp-header '" + a.header + "' is not unique");
    }
  }
  return out;
}

}  // namespace

Status validate_param_header_annotations(const json::object& input_schema) {
  WOOLLY_TRY(collect(input_schema));
  return {};
}

Result<std::vector<ParamHeader>> param_headers(const json::object& input_schema,
                                               const json::object& arguments) {
  WOOLLY_ASSIGN_OR_RETURN(std::vector<Annotated> annotated, collect(input_schema));
  std::vector<ParamHeader> out;
  for (const Annotated& a : annotated) {
    const json::value* v = nullptr;
    const json::object* level = &arguments;
    for (size_t i = 0; i < a.path.size() && level; ++i) {
      v = level->if_contains(a.path[i]);
      level = (v && i + 1 < a.path.size()) ? v->if_object() : nullptr;
      if (!v) break;
    }
    if (!v) continue;
    std::string text;
    if (v->is_string()) {
      text = std::string(v->as_string());
    } else if (v->is_bool()) {
      text = v->as_bool() ? "true" : "false";
    } else if (v->is_int64() && std::abs(v->as_int64()) <= kMaxSafeInteger) {
      text = std::to_string(v->as_int64());
    } else if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(kMaxSafeInteger)) {
      text = std::to_string(v->as_uint64());
    } else {
      return make_error(Errc::kInvalidArgument,
                        "argument for header " + a.header + " is not a header-safe value");
    }
    out.push_back({"Mcp-Param-" + a.header, encode_header_value(text)});
  }
  return out;
}

}  // namespace woolly::mcp

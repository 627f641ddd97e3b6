// The short form: config.json with model, port, MCP servers (mcp.json schema), system prompt,
// sampling and logging. Every key is required so that a typo cannot silently fall back to a
// default; `servers` may be empty.
#include <boost/json.hpp>
#include <limits>

#include "config/detail/problems.h"
#include "config/detail/schema.h"

namespace woolly::config {
namespace detail {
namespace {

namespace json = boost::json;

constexpr std::string_view kRequiredKeys[] = {
    "model",       "port",    "servers", "system_prompt",
    "temperature", "top_p",   "min_p",   "min_tokens_to_keep",
    "log_level",   "log_file"};

std::string_view json_type_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return "a string";
    case json::kind::int64:
    case json::kind::uint64:
      return "an integer";
    case json::kind::double_:
      return "a number";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
    default:
      return "null";
  }
}

class JsonReader {
 public:
  JsonReader(const Variables& vars, Problems& problems) : vars_(vars), problems_(problems) {}

  void read_root(const json::object& root, Config& config) {
    std::vector<std::string> known(std::begin(kRequiredKeys), std::end(kRequiredKeys));
    known.emplace_back("mcpServers");
    for (const auto& [k, v] : root) {
      std::string_view key = k;
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        problems_.add(key, unknown_key_reason(key, known));
      }
    }
    for (std::string_view key : kRequiredKeys) {
      bool present = root.contains(key) || (key == "servers" && root.contains("mcpServers"));
      if (!present) problems_.add(key, "required key is missing");
    }
    string_key(root, "model", &config.models.default_model);
    if (const json::value* v = root.if_contains("port")) {
      int64_t port = 0;
      if (integer(*v, "port", &port)) {
        if (port < 1 || port > 65535) {
          problems_.add("port", std::to_string(port) + " is out of range (1..65535)");
        } else {
          config.server.bind = "127.0.0.1:" + std::to_string(port);
        }
      }
    }
    const json::value* servers = root.if_contains("servers");
    if (servers == nullptr) servers = root.if_contains("mcpServers");
    if (servers != nullptr) read_servers(*servers, config.mcp.servers);
    string_key(root, "system_prompt", &config.generation.system_prompt);
    number_key(root, "temperature", &config.generation.temperature);
    number_key(root, "top_p", &config.generation.top_p);
    number_key(root, "min_p", &config.generation.min_p);
    if (const json::value* v = root.if_contains("min_tokens_to_keep")) {
      int64_t n = 0;
      if (integer(*v, "min_tokens_to_keep", &n)) {
        if (n < 0 || n > std::numeric_limits<int>::max()) {
          problems_.add("min_tokens_to_keep", std::to_string(n) + " is out of range");
        } else {
          config.generation.min_tokens_to_keep = static_cast<int>(n);
        }
      }
    }
    string_key(root, "log_level", &config.log.level);
    if (string_key(root, "log_file", &config.log.file) && config.log.file.empty()) {
      problems_.add("log_file", "must name a file");
    }
  }

 private:
  void wrong_type(const json::value& v, std::string_view key, std::string_view expected) {
    problems_.add(key,
                  "expected " + std::string(expected) + ", got " + std::string(json_type_name(v)));
  }

  bool string_value(const json::value& v, std::string_view key, std::string* out) {
    if (!v.is_string()) {
      wrong_type(v, key, "a string");
      return false;
    }
    Result<std::string> value = substitute(std::string_view(v.get_string()), key, vars_);
    if (!value.ok()) {
      problems_.add(value.error());
      return false;
    }
    *out = std::move(value).value();
    return true;
  }

  bool string_key(const json::object& o, std::string_view key, std::string* out) {
    const json::value* v = o.if_contains(key);
    return v != nullptr && string_value(*v, key, out);
  }

  bool integer(const json::value& v, std::string_view key, int64_t* out) {
    if (v.is_int64()) {
      *out = v.get_int64();
    } else if (v.is_uint64() && v.get_uint64() <= uint64_t(std::numeric_limits<int64_t>::max())) {
      *out = static_cast<int64_t>(v.get_uint64());
    } else {
      wrong_type(v, key, "an integer");
      return false;
    }
    return true;
  }

  bool number(const json::value& v, std::string_view key, double* out) {
    if (v.is_double()) {
      *out = v.get_double();
    } else if (v.is_int64()) {
      *out = static_cast<double>(v.get_int64());
    } else if (v.is_uint64()) {
      *out = static_cast<double>(v.get_uint64());
    } else {
      wrong_type(v, key, "a number");
      return false;
    }
    return true;
  }

  void number_key(const json::object& o, std::string_view key, double* out) {
    if (const json::value* v = o.if_contains(key)) number(*v, key, out);
  }

  void read_servers(const json::value& v, std::map<std::string, McpServerEntry>& out) {
    if (!v.is_object()) return wrong_type(v, "servers", "an object of named servers");
    for (const auto& [name, entry_value] : v.get_object()) {
      std::string path = "servers." + std::string(name);
      if (!entry_value.is_object()) {
        wrong_type(entry_value, path, "an object");
        continue;
      }
      const json::object& entry_object = entry_value.get_object();
      McpServerEntry entry;
      // mcp.json files often leave `type` out; a `url` then means an HTTP server.
      if (!entry_object.contains("type") && entry_object.contains("url")) entry.type = "http";
      for (const auto& [k, field_value] : entry_object) {
        std::string key(k);
        std::string full = path + "." + key;
        const Field<McpServerEntry>* field = nullptr;
        for (const auto& f : mcp_server_fields()) {
          if (f.key == key) field = &f;
        }
        if (field == nullptr) {
          problems_.add(full, unknown_key_reason(key, known_keys(mcp_server_fields(), "")));
          continue;
        }
        set(field_value, field->ref(entry), full);
      }
      out[std::string(name)] = std::move(entry);
    }
  }

  void set(const json::value& v, const FieldRef& ref, const std::string& key) {
    if (auto* s = std::get_if<std::string*>(&ref)) {
      string_value(v, key, *s);
    } else if (auto* d = std::get_if<double*>(&ref)) {
      number(v, key, *d);
    } else if (auto* b = std::get_if<bool*>(&ref)) {
      if (!v.is_bool()) return wrong_type(v, key, "a boolean");
      **b = v.get_bool();
    } else if (auto* list = std::get_if<std::vector<std::string>*>(&ref)) {
      if (!v.is_array()) return wrong_type(v, key, "an array of strings");
      (*list)->clear();
      const json::array& array = v.get_array();
      for (size_t i = 0; i < array.size(); ++i) {
        std::string item;
        if (string_value(array[i], key + "[" + std::to_string(i) + "]", &item)) {
          (*list)->push_back(std::move(item));
        }
      }
    } else if (auto* map = std::get_if<StringMap*>(&ref)) {
      if (!v.is_object()) return wrong_type(v, key, "an object of strings");
      (*map)->clear();
      for (const auto& [name, item_value] : v.get_object()) {
        std::string item;
        if (string_value(item_value, key + "." + std::string(name), &item)) {
          (**map)[std::string(name)] = std::move(item);
        }
      }
    } else {
      problems_.add(key, "unsupported in config.json");  // no integer keys in an MCP entry
    }
  }

  const Variables& vars_;
  Problems& problems_;
};

// Line and column (1-based) of byte `offset` in `text`.
std::string text_position(std::string_view text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace
}  // namespace detail

Result<Config> parse_json(std::string_view text, const std::string& source_name,
                          const Variables& vars) {
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    return make_error(Errc::kInvalidArgument, source_name + ":" +
                                                  detail::text_position(text, consumed) +
                                                  ": parse error: " + ec.message());
  }
  boost::json::value root = parser.release();
  if (!root.is_object()) {
    return make_error(Errc::kInvalidArgument, source_name + ": expected a JSON object");
  }
  Config config;
  detail::Problems problems;
  detail::JsonReader(vars, problems).read_root(root.get_object(), config);
  if (!problems.empty()) return problems.to_error();
  config.source_path = source_name;
  return config;
}

}  // namespace woolly::config

// The full form: config.toml read with toml++ into Config, driven by the field tables.
#include <toml++/toml.h>

#include <limits>

#include "config/detail/problems.h"
#include "config/detail/schema.h"

namespace woolly::config {
namespace detail {
namespace {

std::string position(const toml::node& node) {
  const toml::source_region& src = node.source();
  return " (line " + std::to_string(src.begin.line) + ", column " +
         std::to_string(src.begin.column) + ")";
}

std::string_view toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}

class TomlReader {
 public:
  TomlReader(const Variables& vars, Problems& problems) : vars_(vars), problems_(problems) {}

  void read_config_table(const toml::table& table, const std::string& path, Config& config) {
    for (auto&& [k, node] : table) {
      std::string key(k.str());
      std::string full = path.empty() ? key : path + "." + key;
      if (const Field<Config>* f = find_field(config_fields(), path, key)) {
        set(node, f->ref(config), full);
      } else if (is_table_name(full)) {
        if (const toml::table* sub = node.as_table()) {
          read_config_table(*sub, full, config);
        } else {
          wrong_type(node, full, "a table");
        }
      } else if (path.empty() && key == "bind") {
        set(node, &config.server.bind, full);
      } else if (path.empty() && key == "backends") {
        read_backends(node, config);
      } else if (path.empty() && key == "pricing") {
        read_named_entries(node, full, config.pricing, pricing_fields());
      } else if (path == "mcp" && key == "servers") {
        read_named_entries(node, full, config.mcp.servers, mcp_server_fields());
      } else {
        problems_.add(full, unknown_key_reason(key, known_in(path)) + position(node));
      }
    }
  }

 private:
  template <typename Owner>
  static const Field<Owner>* find_field(std::span<const Field<Owner>> fields,
                                        std::string_view table, std::string_view key) {
    for (const Field<Owner>& f : fields) {
      if (f.table == table && f.key == key) return &f;
    }
    return nullptr;
  }

  static bool is_table_name(std::string_view name) {
    for (std::string_view t : config_tables()) {
      if (t == name) return true;
    }
    return false;
  }

  static std::vector<std::string> known_in(const std::string& path) {
    std::vector<std::string> extra;
    std::string prefix = path.empty() ? "" : path + ".";
    for (std::string_view t : config_tables()) {
      if (t.starts_with(prefix) && t.substr(prefix.size()).find('.') == std::string_view::npos) {
        extra.emplace_back(t.substr(prefix.size()));
      }
    }
    if (path.empty()) extra.insert(extra.end(), {"bind", "backends", "pricing"});
    if (path == "mcp") extra.emplace_back("servers");
    return known_keys(config_fields(), path, std::move(extra));
  }

  void read_backends(const toml::node& node, Config& config) {
    const toml::array* array = node.as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      wrong_type(node, "backends", "an array of tables ([[backends]])");
      return;
    }
    for (size_t i = 0; i < array->size(); ++i) {
      BackendEntry entry;
      read_entry(*array->get(i)->as_table(), "backends[" + std::to_string(i) + "]", entry,
                 backend_fields());
      config.backends.push_back(std::move(entry));
    }
  }

  template <typename Owner>
  void read_named_entries(const toml::node& node, const std::string& path,
                          std::map<std::string, Owner>& out, std::span<const Field<Owner>> fields) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      wrong_type(node, path, "a table");
      return;
    }
    for (auto&& [k, entry_node] : *table) {
      std::string name(k.str());
      std::string entry_path = path + "." + name;
      if (const toml::table* entry_table = entry_node.as_table()) {
        Owner entry;
        read_entry(*entry_table, entry_path, entry, fields);
        out[name] = std::move(entry);
      } else {
        wrong_type(entry_node, entry_path, "a table");
      }
    }
  }

  template <typename Owner>
  void read_entry(const toml::table& table, const std::string& path, Owner& entry,
                  std::span<const Field<Owner>> fields) {
    for (auto&& [k, node] : table) {
      std::string key(k.str());
      std::string full = path + "." + key;
      if (const Field<Owner>* f = find_field(fields, "", key)) {
        set(node, f->ref(entry), full);
      } else {
        problems_.add(full, unknown_key_reason(key, known_keys(fields, "")) + position(node));
      }
    }
  }

  void wrong_type(const toml::node& node, std::string_view key, std::string_view expected) {
    problems_.add(key, "expected " + std::string(expected) + ", got " +
                           std::string(toml_type_name(node)) + position(node));
  }

  bool read_string(const toml::node& node, std::string_view key, std::string* out) {
    const toml::value<std::string>* s = node.as_string();
    if (s == nullptr) {
      wrong_type(node, key, "a string");
      return false;
    }
    Result<std::string> value = substitute(s->get(), key, vars_);
    if (!value.ok()) {
      problems_.add_line(value.error().message + position(node));
      return false;
    }
    *out = std::move(value).value();
    return true;
  }

  void set(const toml::node& node, const FieldRef& ref, const std::string& key) {
    if (auto* s = std::get_if<std::string*>(&ref)) {
      read_string(node, key, *s);
    } else if (auto* i = std::get_if<int*>(&ref)) {
      const toml::value<int64_t>* v = node.as_integer();
      if (v == nullptr) return wrong_type(node, key, "an integer");
      if (v->get() < std::numeric_limits<int>::min() ||
          v->get() > std::numeric_limits<int>::max()) {
        problems_.add(key, std::to_string(v->get()) + " is out of range" + position(node));
        return;
      }
      **i = static_cast<int>(v->get());
    } else if (auto* i64 = std::get_if<int64_t*>(&ref)) {
      const toml::value<int64_t>* v = node.as_integer();
      if (v == nullptr) return wrong_type(node, key, "an integer");
      **i64 = v->get();
    } else if (auto* d = std::get_if<double*>(&ref)) {
      if (const toml::value<double>* v = node.as_floating_point()) {
        **d = v->get();
      } else if (const toml::value<int64_t>* v = node.as_integer()) {
        **d = static_cast<double>(v->get());
      } else {
        wrong_type(node, key, "a number");
      }
    } else if (auto* b = std::get_if<bool*>(&ref)) {
      const toml::value<bool>* v = node.as_boolean();
      if (v == nullptr) return wrong_type(node, key, "a boolean");
      **b = v->get();
    } else if (auto* list = std::get_if<std::vector<std::string>*>(&ref)) {
      const toml::array* array = node.as_array();
      if (array == nullptr) return wrong_type(node, key, "an array of strings");
      std::vector<std::string> values;
      for (size_t i = 0; i < array->size(); ++i) {
        std::string item;
        if (read_string(*array->get(i), key + "[" + std::to_string(i) + "]", &item)) {
          values.push_back(std::move(item));
        }
      }
      **list = std::move(values);
    } else {
      auto* map = std::get<StringMap*>(ref);
      const toml::table* table = node.as_table();
      if (table == nullptr) return wrong_type(node, key, "a table of strings");
      StringMap values;
      for (auto&& [k, v] : *table) {
        std::string item;
        if (read_string(v, key + "." + std::string(k.str()), &item)) {
          values[std::string(k.str())] = std::move(item);
        }
      }
      *map = std::move(values);
    }
  }

  const Variables& vars_;
  Problems& problems_;
};

}  // namespace
}  // namespace detail

Result<Config> parse_toml(std::string_view text, const std::string& source_name,
                          const Variables& vars) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const toml::source_position& at = e.source().begin;
    return make_error(Errc::kInvalidArgument, source_name + ":" + std::to_string(at.line) + ":" +
                                                  std::to_string(at.column) +
                                                  ": parse error: " + std::string(e.description()));
  }
  Config config;
  detail::Problems problems;
  detail::TomlReader(vars, problems).read_config_table(root, "", config);
  if (!problems.empty()) return problems.to_error();
  config.source_path = source_name;
  return config;
}

}  // namespace woolly::config

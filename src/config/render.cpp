#include "config/render.h"

#include <charconv>

#include "config/detail/schema.h"

namespace woolly::config {
namespace {

using detail::Field;
using detail::FieldRef;
using detail::StringMap;

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string toml_key(std::string_view key) {
  bool bare = !key.empty();
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    bare = bare && ok;
  }
  return bare ? std::string(key) : quote(key);
}

std::string number(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, r.ptr);
  // TOML tells floats from integers by a '.' or an exponent.
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

// Secrets that are URLs keep everything but the password, so the host stays visible.
std::string redact_secret(std::string_view value) {
  if (value.find("://") != std::string_view::npos) return redact_url_password(value);
  return redact(value);
}

std::string value_text(const FieldRef& ref, bool hide) {
  struct Visitor {
    bool hide;
    std::string operator()(std::string* s) const { return quote(hide ? redact_secret(*s) : *s); }
    std::string operator()(int* i) const { return std::to_string(*i); }
    std::string operator()(int64_t* i) const { return std::to_string(*i); }
    std::string operator()(double* d) const { return number(*d); }
    std::string operator()(bool* b) const { return *b ? "true" : "false"; }
    std::string operator()(std::vector<std::string>* list) const {
      std::string out = "[";
      for (size_t i = 0; i < list->size(); ++i) {
        if (i > 0) out += ", ";
        out += quote(hide ? redact((*list)[i]) : (*list)[i]);
      }
      return out + "]";
    }
    std::string operator()(StringMap* map) const {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, v] : *map) {
        out += first ? " " : ", ";
        first = false;
        out += toml_key(k) + " = " + quote(hide ? redact(v) : v);
      }
      return out + (map->empty() ? "}" : " }");
    }
  };
  return std::visit(Visitor{hide}, ref);
}

template <typename Owner>
void write_fields(std::string& out, std::span<const Field<Owner>> fields, std::string_view table,
                  Owner& owner, const RenderOptions& options, std::string_view prefix = "") {
  for (const Field<Owner>& f : fields) {
    if (f.table != table) continue;
    if (options.comments) out += std::string(prefix) + "# " + std::string(f.comment) + "\n";
    out += std::string(prefix) + std::string(f.key) + " = " +
           value_text(f.ref(owner), options.redact && f.secret) + "\n";
  }
}

}  // namespace

std::string redact(std::string_view secret) { return secret.empty() ? "" : "***"; }

std::string redact_url_password(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  size_t authority = scheme + 3;
  size_t at = url.find('@', authority);
  size_t slash = url.find('/', authority);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return std::string(url);
  }
  size_t colon = url.find(':', authority);
  if (colon == std::string_view::npos || colon > at) {
    // redis://secret@host puts the password where the user name would be.
    return url.starts_with("redis")
               ? std::string(url.substr(0, authority)) + "***" + std::string(url.substr(at))
               : std::string(url);
  }
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

std::string to_toml(const Config& config_in, const RenderOptions& options) {
  Config config = config_in;  // the field table hands out mutable references
  std::string out;
  for (std::string_view table : detail::config_tables()) {
    if (!out.empty()) out += "\n";
    out.append("[").append(table).append("]\n");
    write_fields(out, detail::config_fields(), table, config, options);
  }
  for (auto& [name, server] : config.mcp.servers) {
    out += "\n[mcp.servers." + toml_key(name) + "]\n";
    write_fields(out, detail::mcp_server_fields(), "", server, options);
  }
  for (BackendEntry& backend : config.backends) {
    out += "\n[[backends]]\n";
    write_fields(out, detail::backend_fields(), "", backend, options);
  }
  for (auto& [model, price] : config.pricing) {
    out += "\n[pricing." + toml_key(model) + "]\n";
    write_fields(out, detail::pricing_fields(), "", price, options);
  }
  return out;
}

std::string default_toml() {
  RenderOptions options;
  std::string out =
      "# woolly-server configuration: every key with its default. See docs/CONFIGURATION.md.\n"
      "# Strings may use ${NAME}, taken from the environment or from a .env file beside this\n"
      "# file. WOOLLY_<TABLE>_<KEY> environment variables and command-line flags override it.\n\n";
  out += to_toml(Config{}, options);

  // The repeated tables have no default entries; show one of each, commented out.
  McpServerEntry stdio_server;
  stdio_server.command = "npx";
  stdio_server.args = {"-y", "@modelcontextprotocol/server-filesystem", "/srv/files"};
  BackendEntry backend;
  backend.name = "openai";
  backend.type = "openai";
  backend.base_url = "https://api.openai.com/v1";
  backend.api_key = "${OPENAI_API_KEY}";
  backend.model_name = "gpt-4o-mini";
  PricingEntry price;
  price.prompt_per_1k = 0.5;
  price.completion_per_1k = 1.5;

  std::string examples = "\n[mcp.servers.files]\n";
  write_fields(examples, detail::mcp_server_fields(), "", stdio_server, options);
  examples += "\n[[backends]]\n";
  write_fields(examples, detail::backend_fields(), "", backend, options);
  examples += "\n[pricing.\"*\"]\n";
  write_fields(examples, detail::pricing_fields(), "", price, options);

  out += "\n# Examples of the repeated tables (none by default); remove the leading '#' to use.\n";
  size_t start = 0;
  while (start < examples.size()) {
    size_t end = examples.find('\n', start);
    std::string_view line(examples.data() + start, end - start);
    if (line.empty()) {
      out += "\n";
    } else if (line.starts_with("# ")) {
      out.append("#").append(line).append("\n");  // a comment of the example stays a comment
    } else {
      out.append("# ").append(line).append("\n");
    }
    start = end + 1;
  }
  return out;
}

std::string redacted_toml(const Config& config) {
  RenderOptions options;
  options.comments = false;
  options.redact = true;
  return to_toml(config, options);
}

}  // namespace woolly::config

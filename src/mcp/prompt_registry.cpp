#include "mcp/prompt_registry.h"

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace woolly::mcp {

Status PromptRegistry::add(PromptSpec spec) {
  if (spec.name.empty()) return make_error(Errc::kInvalidArgument, "prompt has no name");
  if (!spec.render) return make_error(Errc::kInvalidArgument, "prompt '" + spec.name + "' has no renderer");
  {
    std::lock_guard lock(mutex_);
    if (prompts_.count(spec.name)) {
      return make_error(Errc::kAlreadyExists, "prompt '" + spec.name + "' already exists");
    }
    std::string name = spec.name;
    prompts_[name] = std::make_shared<const PromptSpec>(std::move(spec));
  }
  changes_.notify();
  return {};
}

bool PromptRegistry::remove(std::string_view name) {
  {
    std::lock_guard lock(mutex_);
    auto it = prompts_.find(name);
    if (it == prompts_.end()) return false;
    prompts_.erase(it);
  }
  changes_.notify();
  return true;
}

std::vector<std::shared_ptr<const PromptSpec>> PromptRegistry::list() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const PromptSpec>> out;
  for (const auto& [name, p] : prompts_) out.push_back(p);
  return out;
}

std::shared_ptr<const PromptSpec> PromptRegistry::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = prompts_.find(name);
  return it == prompts_.end() ? nullptr : it->second;
}

Result<RenderedPrompt> PromptRegistry::get(std::string_view name, const PromptArgs& args) const {
  auto spec = find(name);
  if (!spec) return make_error(Errc::kNotFound, "Unknown prompt: " + std::string(name));
  for (const PromptArgument& a : spec->arguments) {
    if (a.required && !args.count(a.name)) {
      return make_error(Errc::kInvalidArgument, "Missing required argument: " + a.name);
    }
  }
  WOOLLY_ASSIGN_OR_RETURN(std::vector<PromptMessage> messages, spec->render(args));
  return RenderedPrompt{spec->description, std::move(messages)};
}

std::string substitute_arguments(std::string_view text, const PromptArgs& args) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    if (open == std::string_view::npos) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    std::string key(text.substr(open + 2, close - open - 2));
    while (!key.empty() && key.front() == ' ') key.erase(key.begin());
    while (!key.empty() && key.back() == ' ') key.pop_back();
    auto it = args.find(key);
    if (it != args.end()) out += it->second;  // an unset optional argument renders as nothing
    i = close + 2;
  }
  out.append(text.substr(i));
  return out;
}

namespace {

std::string str_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

Result<PromptSpec> parse_prompt_file(const json::value& doc, std::string default_name) {
  const json::object* o = doc.if_object();
  if (!o) return make_error(Errc::kCorruptData, "a prompt file must hold a JSON object");
  PromptSpec spec;
  spec.name = str_field(*o, "name");
  if (spec.name.empty()) spec.name = std::move(default_name);
  spec.title = str_field(*o, "title");
  spec.description = str_field(*o, "description");
  if (const json::value* args = o->if_contains("arguments")) {
    if (!args->is_array()) return make_error(Errc::kCorruptData, "arguments must be an array");
    for (const json::value& a : args->as_array()) {
      const json::object* ao = a.if_object();
      if (!ao || str_field(*ao, "name").empty()) {
        return make_error(Errc::kCorruptData, "each argument needs a name");
      }
      PromptArgument arg{str_field(*ao, "name"), str_field(*ao, "description"), false, {}};
      if (const json::value* r = ao->if_contains("required"); r && r->is_bool()) arg.required = r->as_bool();
      if (const json::value* s = ao->if_contains("suggestions"); s && s->is_array()) {
        for (const json::value& v : s->as_array()) {
          if (v.is_string()) arg.suggestions.emplace_back(v.as_string());
        }
      }
      spec.arguments.push_back(std::move(arg));
    }
  }
  const json::value* msgs = o->if_contains("messages");
  if (!msgs || !msgs->is_array() || msgs->as_array().empty()) {
    return make_error(Errc::kCorruptData, "messages must be a non-empty array");
  }
  std::vector<std::pair<std::string, std::string>> templates;
  for (const json::value& m : msgs->as_array()) {
    const json::object* mo = m.if_object();
    std::string role = mo ? str_field(*mo, "role") : "";
    if (role != "user" && role != "assistant") {
      return make_error(Errc::kCorruptData, "message role must be user or assistant");
    }
    if (!mo->if_contains("text") || !mo->at("text").is_string()) {
      return make_error(Errc::kCorruptData, "each message needs a text");
    }
    templates.emplace_back(role, str_field(*mo, "text"));
  }
  spec.render = [templates](const PromptArgs& args) -> Result<std::vector<PromptMessage>> {
    std::vector<PromptMessage> out;
    for (const auto& [role, text] : templates) {
      out.push_back({role, json::object{{"type", "text"}, {"text", substitute_arguments(text, args)}}});
    }
    return out;
  };
  return spec;
}

Result<size_t> PromptRegistry::load_directory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return make_error(Errc::kNotFound, "prompts directory does not exist: " + dir);
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json" && entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  size_t loaded = 0;
  for (const fs::path& file : files) {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    boost::system::error_code jec;
    json::value doc = json::parse(text, jec);
    if (jec) return make_error(Errc::kCorruptData, file.filename().string() + ": not valid JSON");
    auto spec = parse_prompt_file(doc, file.stem().string());
    if (!spec.ok()) {
      return make_error(Errc::kCorruptData, file.filename().string() + ": " + spec.error().message);
    }
    WOOLLY_TRY(add(std::move(spec).value()));
    ++loaded;
  }
  return loaded;
}

}  // namespace woolly::mcp

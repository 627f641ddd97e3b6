#include "backends/model_registry.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "backends/anthropic_backend.h"
#include "backends/fallback_backend.h"
#include "backends/ollama_backend.h"
#include "backends/openai_backend.h"

namespace woolly::backends {

namespace json = boost::json;
namespace fs = std::filesystem;

std::string derive_model_id(std::string_view backend_type, std::string_view name) {
  std::string id(backend_type);
  bool sep = true;
  id += '_';
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      sep = false;
    } else if (!sep) {
      id += '_';
      sep = true;
    }
  }
  while (!id.empty() && id.back() == '_') id.pop_back();
  return id;
}

std::string to_config_json(const BackendSpec& s) {
  json::object o{{"base_url", s.upstream.base_url}, {"model_name", s.upstream.model_name},
                 {"api_key", s.upstream.api_key}, {"path", s.path}, {"fallback", s.fallback},
                 {"connect_timeout_ms", s.upstream.connect_timeout.count()},
                 {"read_timeout_ms", s.upstream.read_timeout.count()},
                 {"max_retries", s.upstream.max_retries}};
  return json::serialize(o);
}

Result<BackendSpec> from_config_json(std::string_view name, std::string_view type, std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return make_error(Errc::kCorruptData, "stored model '" + std::string(name) + "' has a malformed config");
  const auto& o = v.as_object();
  auto s = [&](const char* k) -> std::string {
    const json::value* x = o.if_contains(k);
    return x && x->is_string() ? std::string(x->as_string()) : std::string();
  };
  auto i = [&](const char* k, int64_t d) -> int64_t {
    const json::value* x = o.if_contains(k);
    return x && x->is_int64() ? x->as_int64() : d;
  };
  BackendSpec spec;
  spec.name = std::string(name);
  spec.type = std::string(type);
  spec.upstream.base_url = s("base_url");
  spec.upstream.model_name = s("model_name");
  spec.upstream.api_key = s("api_key");
  spec.path = s("path");
  spec.fallback = s("fallback");
  spec.upstream.connect_timeout = std::chrono::milliseconds(i("connect_timeout_ms", 10'000));
  spec.upstream.read_timeout = std::chrono::milliseconds(i("read_timeout_ms", 300'000));
  spec.upstream.max_retries = static_cast<int>(i("max_retries", 2));
  spec.persistent = true;
  return spec;
}

ModelRegistry::ModelRegistry(RegistryOptions options, std::shared_ptr<net::client::HttpClient> client,
                             ModelPersistence* persistence)
    : options_(std::move(options)), client_(std::move(client)), persistence_(persistence) {}

ModelRegistry::~ModelRegistry() = default;

Result<std::shared_ptr<Backend>> ModelRegistry::make_upstream(const BackendSpec& spec) const {
  if (spec.upstream.base_url.empty())
    return make_error(Errc::kInvalidArgument, "model '" + spec.name + "' (" + spec.type + ") needs a base_url");
  WOOLLY_TRY(net::client::parse_url(spec.upstream.base_url));
  if (spec.type == "openai") return std::shared_ptr<Backend>(std::make_shared<OpenAiBackend>(client_, spec.upstream));
  if (spec.type == "ollama") return std::shared_ptr<Backend>(std::make_shared<OllamaBackend>(client_, spec.upstream));
  if (spec.type == "anthropic") return std::shared_ptr<Backend>(std::make_shared<AnthropicBackend>(client_, spec.upstream));
  return make_error(Errc::kInvalidArgument, "unknown backend type '" + spec.type + "' (local, openai, ollama, anthropic)");
}

Result<std::string> ModelRegistry::add(BackendSpec spec) {
  if (spec.name.empty()) return make_error(Errc::kInvalidArgument, "a model needs a name");
  std::string id = derive_model_id(spec.type, spec.name);
  Entry e;
  e.id = id;
  if (spec.type == "local") {
    if (spec.path.empty()) return make_error(Errc::kInvalidArgument, "local model '" + spec.name + "' needs a path");
  } else {
    WOOLLY_ASSIGN_OR_RETURN(e.backend, make_upstream(spec));
  }
  const bool local = spec.type == "local";
  const std::string name = spec.name;
  e.spec = std::move(spec);
  {
    std::lock_guard lock(mu_);
    if (entries_.count(id)) return make_error(Errc::kAlreadyExists, "a model with id '" + id + "' exists");
    for (const auto& [other_id, other] : entries_)
      if (other.spec.name == e.spec.name)
        return make_error(Errc::kAlreadyExists, "a model named '" + e.spec.name + "' exists (" + other_id + ")");
    entries_.emplace(id, std::move(e));
  }
  if (local && !options_.lazy_load) {
    if (Status s = load_entry(id); !s.ok()) {
      std::lock_guard lock(mu_);
      entries_.erase(id);
      return s.take_error();
    }
  }
  notify(ModelEvent::kAdded, name);
  return id;
}

Result<std::string> ModelRegistry::register_model(BackendSpec spec) {
  spec.persistent = persistence_ != nullptr;
  BackendSpec copy = spec;
  WOOLLY_ASSIGN_OR_RETURN(std::string id, add(std::move(spec)));
  if (persistence_) {
    if (Status s = persistence_->save(copy); !s.ok()) {
      (void)remove(id);
      return s.take_error();
    }
  }
  return id;
}

Result<int> ModelRegistry::scan_models_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return make_error(Errc::kNotFound, "models_dir '" + dir + "' is not a directory");
  std::vector<fs::path> files;
  for (const auto& f : fs::directory_iterator(dir, ec))
    if (f.is_regular_file() && f.path().extension() == ".gguf") files.push_back(f.path());
  std::sort(files.begin(), files.end());
  int added = 0;
  for (const auto& p : files) {
    BackendSpec spec;
    spec.name = p.stem().string();
    spec.type = "local";
    spec.path = p.string();
    auto r = add(std::move(spec));
    if (r.ok()) ++added;
    else if (r.error().code != Errc::kAlreadyExists) return r.take_error();
  }
  return added;
}

Status ModelRegistry::restore() {
  if (!persistence_) return {};
  WOOLLY_ASSIGN_OR_RETURN(auto specs, persistence_->load_all());
  for (auto& s : specs) {
    auto r = add(std::move(s));
    if (!r.ok() && r.error().code != Errc::kAlreadyExists) return r.take_error();
  }
  return {};
}

ModelRegistry::Entry* ModelRegistry::find_locked(std::string_view key) {
  if (key.empty()) key = default_;
  if (auto it = entries_.find(std::string(key)); it != entries_.end()) return &it->second;
  for (auto& [id, e] : entries_)
    if (e.spec.name == key) return &e;
  return nullptr;
}
const ModelRegistry::Entry* ModelRegistry::find_locked(std::string_view key) const {
  return const_cast<ModelRegistry*>(this)->find_locked(key);
}

ModelInfo ModelRegistry::info_of(const Entry& e) const {
  ModelInfo i;
  i.id = e.id;
  i.name = e.spec.name;
  i.type = e.spec.type;
  i.base_url = e.spec.upstream.base_url;
  i.path = e.spec.path;
  i.loaded = e.backend != nullptr;
  i.memory_bytes = e.memory_bytes;
  i.persistent = e.spec.persistent;
  i.capabilities = e.backend ? e.backend->capabilities() : e.spec.capabilities;
  return i;
}

std::vector<ModelInfo> ModelRegistry::list() const {
  std::lock_guard lock(mu_);
  std::vector<ModelInfo> out;
  for (const auto& [id, e] : entries_) out.push_back(info_of(e));
  return out;
}

Result<ModelInfo> ModelRegistry::info(std::string_view key) const {
  std::lock_guard lock(mu_);
  const Entry* e = find_locked(key);
  if (!e) return make_error(Errc::kNotFound, "no model '" + std::string(key) + "'");
  return info_of(*e);
}

Status ModelRegistry::load_entry(const std::string& id) {
  std::string path;
  {
    std::unique_lock lock(mu_);
    loaded_cv_.wait(lock, [&] { return !entries_.count(id) || !entries_.at(id).loading; });
    auto it = entries_.find(id);
    if (it == entries_.end()) return make_error(Errc::kNotFound, "no model '" + id + "'");
    if (it->second.backend) return {};
    if (it->second.spec.type != "local") return {};
    path = it->second.spec.path;
    std::error_code ec;
    const int64_t file_bytes = static_cast<int64_t>(fs::file_size(path, ec));
    if (ec) return make_error(Errc::kNotFound, "model file '" + path + "' cannot be read: " + ec.message());
    if (options_.memory_budget > 0 && loaded_bytes_ + file_bytes > options_.memory_budget)
      return make_error(Errc::kUnavailable, "loading '" + it->second.spec.name + "' needs at least " +
                                                std::to_string(file_bytes) + " bytes; " +
                                                std::to_string(loaded_bytes_) + " of the memory budget of " +
                                                std::to_string(options_.memory_budget) + " bytes are in use");
    it->second.loading = true;
  }
  auto loaded = LocalBackend::load(path, options_.local);
  std::string name;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    loaded_cv_.notify_all();
    if (it == entries_.end()) return make_error(Errc::kNotFound, "model '" + id + "' was removed while loading");
    it->second.loading = false;
    if (!loaded.ok()) return loaded.take_error();
    const int64_t bytes = static_cast<int64_t>((*loaded)->memory_bytes());
    // The file size was only a lower bound: the KV caches count as well.
    if (options_.memory_budget > 0 && loaded_bytes_ + bytes > options_.memory_budget)
      return make_error(Errc::kUnavailable, "model '" + it->second.spec.name + "' takes " + std::to_string(bytes) +
                                                " bytes with its KV caches; " + std::to_string(loaded_bytes_) +
                                                " of the memory budget of " + std::to_string(options_.memory_budget) +
                                                " bytes are in use");
    it->second.backend = std::shared_ptr<Backend>(std::move(loaded).value());
    it->second.memory_bytes = static_cast<size_t>(bytes);
    loaded_bytes_ += bytes;
    name = it->second.spec.name;
  }
  notify(ModelEvent::kLoaded, name);
  return {};
}

Result<std::shared_ptr<Backend>> ModelRegistry::get(std::string_view key) {
  std::string id, fallback;
  {
    std::lock_guard lock(mu_);
    Entry* e = find_locked(key);
    if (!e) return make_error(Errc::kNotFound, "no model '" + std::string(key.empty() ? "(default)" : key) + "'");
    id = e->id;
    fallback = e->spec.fallback;
  }
  WOOLLY_TRY(load_entry(id));
  std::shared_ptr<Backend> primary;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end() || !it->second.backend) return make_error(Errc::kUnavailable, "model '" + id + "' is not loaded");
    primary = it->second.backend;
  }
  if (fallback.empty() || fallback == id) return primary;
  auto next = get(fallback);  // chains of fallbacks resolve recursively
  if (!next.ok()) return primary;
  return std::shared_ptr<Backend>(std::make_shared<FallbackBackend>(primary, std::move(next).value()));
}

Status ModelRegistry::remove(std::string_view key) {
  std::shared_ptr<Backend> dropped;
  BackendSpec spec;
  {
    std::lock_guard lock(mu_);
    Entry* e = find_locked(key);
    if (!e) return make_error(Errc::kNotFound, "no model '" + std::string(key) + "'");
    dropped = std::move(e->backend);
    loaded_bytes_ -= static_cast<int64_t>(e->memory_bytes);
    spec = e->spec;
    entries_.erase(e->id);
  }
  notify(ModelEvent::kRemoved, spec.name);
  if (persistence_ && spec.persistent) WOOLLY_TRY(persistence_->erase(spec.name));
  return {};  // `dropped` unloads here, outside the lock, once in-flight users let go
}

Status ModelRegistry::load(std::string_view key) {
  std::string id;
  {
    std::lock_guard lock(mu_);
    Entry* e = find_locked(key);
    if (!e) return make_error(Errc::kNotFound, "no model '" + std::string(key) + "'");
    id = e->id;
  }
  return load_entry(id);
}

Status ModelRegistry::unload(std::string_view key) {
  std::shared_ptr<Backend> dropped;
  std::string name;
  {
    std::lock_guard lock(mu_);
    Entry* e = find_locked(key);
    if (!e) return make_error(Errc::kNotFound, "no model '" + std::string(key) + "'");
    if (e->spec.type != "local") return make_error(Errc::kConflict, "only local models can be unloaded");
    dropped = std::move(e->backend);
    loaded_bytes_ -= static_cast<int64_t>(e->memory_bytes);
    e->memory_bytes = 0;
    name = e->spec.name;
  }
  if (dropped) notify(ModelEvent::kUnloaded, name);
  return {};
}

Status ModelRegistry::health(std::string_view key) {
  std::shared_ptr<Backend> b;
  {
    std::lock_guard lock(mu_);
    Entry* e = find_locked(key);
    if (!e) return make_error(Errc::kNotFound, "no model '" + std::string(key) + "'");
    if (!e->backend) return make_error(Errc::kUnavailable, "model '" + e->id + "' is not loaded");
    b = e->backend;
  }
  return b->health();
}

void ModelRegistry::set_default_model(std::string key) {
  std::lock_guard lock(mu_);
  default_ = std::move(key);
}

int64_t ModelRegistry::loaded_bytes() const {
  std::lock_guard lock(mu_);
  return loaded_bytes_;
}

int ModelRegistry::add_observer(ModelObserver observer) {
  std::lock_guard lock(observers_mu_);
  observers_.emplace(next_observer_, std::move(observer));
  return next_observer_++;
}

void ModelRegistry::remove_observer(int id) {
  std::lock_guard lock(observers_mu_);
  observers_.erase(id);
}

void ModelRegistry::notify(ModelEvent event, const std::string& name) const {
  std::lock_guard lock(observers_mu_);
  for (const auto& [id, observer] : observers_) observer(event, name);
}

}  // namespace woolly::backends

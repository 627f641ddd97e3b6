// The model registry: every model Woolly can route to, by name or id, and the Backend serving it.
// Models come from the configuration ([[backends]] entries, converted by the app into
// BackendSpec), from GGUF files found in models_dir, and from runtime registration (persisted
// through an optional ModelPersistence, so that registrations survive a restart).
//
//   ModelRegistry reg(options, http_client);
//   reg.add(spec);                                   // config entries
//   reg.scan_models_dir("models");                   // one local model per *.gguf
//   auto id = reg.register_model({"Llama 3.2 3B", "ollama", caps, {base_url, "llama3.2:3b"}});
//   auto backend = reg.get("ollama_llama_3_2_3b");   // loads a lazy local model on first use
//
// Local models are loaded at add() unless lazy_load, with memory accounting: a load that would
// take the loaded total past memory_budget is refused (kUnavailable, naming the numbers).
//
// Threads: every method may be called from any thread; one mutex (mu_) guards the table. Loading
// a model happens outside that lock (a load of one model never blocks lookups of others); get()
// may block while it loads, so call it from a worker thread, not an I/O thread, when the model
// may be lazy.
#pragma once

#include <cstdint>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/local_backend.h"
#include "backends/upstream_config.h"
#include "net/client/http_client.h"

namespace woolly::backends {

// One model as configuration or registration describes it.
struct BackendSpec {
  std::string name;          // what clients ask for; the id is derived from type and name
  std::string type;          // local | openai | ollama | anthropic
  UpstreamConfig upstream;   // upstream types
  std::string path;          // local: the GGUF file
  std::string fallback;      // name or id of the model to try when this one is unavailable
  Capabilities capabilities;
  bool persistent = false;   // registered at run time: saved through ModelPersistence
};

struct ModelInfo {
  std::string id;
  std::string name;
  std::string type;
  Capabilities capabilities;
  std::string base_url;  // upstream
  std::string path;      // local
  bool loaded = false;   // local: in memory; upstream: always true
  size_t memory_bytes = 0;
  bool persistent = false;
};

// Where runtime registrations are kept. The app adapts the store's registered-models table to it
// (name, backend_type, capabilities, and `config` = to_config_json(spec)).
class ModelPersistence {
 public:
  virtual ~ModelPersistence() = default;
  virtual Status save(const BackendSpec& spec) = 0;
  virtual Status erase(const std::string& name) = 0;
  virtual Result<std::vector<BackendSpec>> load_all() = 0;
};

struct RegistryOptions {
  int64_t memory_budget = 0;  // bytes for loaded local models; 0 = unlimited
  bool lazy_load = false;     // local models load on first use instead of at add()
  LocalBackendOptions local;  // engine settings for every local model
};

// "ollama" + "Llama 3.2 3B" -> "ollama_llama_3_2_3b": lower case, runs of other characters -> '_'.
std::string derive_model_id(std::string_view backend_type, std::string_view name);

// The spec's upstream settings as JSON text (for ModelPersistence) and back.
std::string to_config_json(const BackendSpec& spec);
Result<BackendSpec> from_config_json(std::string_view name, std::string_view type,
                                     std::string_view json);

// A change of the registry, for observers (the MCP server tells its clients).
enum class ModelEvent { kAdded, kRemoved, kLoaded, kUnloaded };
using ModelObserver = std::function<void(ModelEvent event, const std::string& name)>;

class ModelRegistry {
 public:
  ModelRegistry(RegistryOptions options, std::shared_ptr<net::client::HttpClient> client,
                ModelPersistence* persistence = nullptr);
  ~ModelRegistry();

  // Adds a model; returns its id. kAlreadyExists for a taken id, kInvalidArgument for an unknown
  // type or a missing base_url/path; a local model that cannot load (unless lazy) fails here.
  Result<std::string> add(BackendSpec spec);
  // Runtime registration: add() plus persistence when a ModelPersistence was given.
  Result<std::string> register_model(BackendSpec spec);
  // Adds every *.gguf under `dir` as a local model named after the file (without extension).
  // Returns how many were added; files whose id is taken are skipped.
  Result<int> scan_models_dir(const std::string& dir);
  // Re-adds what the persistence layer holds (at start-up).
  Status restore();

  std::vector<ModelInfo> list() const;
  Result<ModelInfo> info(std::string_view name_or_id) const;
  // The backend for a model (by id or name; empty = the default model), loading a lazy local
  // model first; with a fallback configured, a FallbackBackend over both.
  Result<std::shared_ptr<Backend>> get(std::string_view name_or_id);
  Status remove(std::string_view name_or_id);

  Status load(std::string_view name_or_id);
  Status unload(std::string_view name_or_id);
  // Checks one backend now (upstream: its model list; local: loaded).
  Status health(std::string_view name_or_id);

  void set_default_model(std::string name_or_id);
  int64_t loaded_bytes() const;

  // Calls `observer` with the model's name after each change, on the thread that made it,
  // outside the registry's lock but under the observers' lock: observers must not add or remove
  // observers, and once remove_observer returns, that observer is not running and never runs
  // again. Returns the id for remove_observer.
  int add_observer(ModelObserver observer);
  void remove_observer(int id);

 private:
  struct Entry {
    BackendSpec spec;
    std::string id;
    std::shared_ptr<Backend> backend;  // null: a local model not loaded
    size_t memory_bytes = 0;
    bool loading = false;
  };
  Entry* find_locked(std::string_view name_or_id);
  const Entry* find_locked(std::string_view name_or_id) const;
  Result<std::shared_ptr<Backend>> make_upstream(const BackendSpec& spec) const;
  Status load_entry(const std::string& id);
  ModelInfo info_of(const Entry& e) const;
  void notify(ModelEvent event, const std::string& name) const;

  RegistryOptions options_;
  std::shared_ptr<net::client::HttpClient> client_;
  ModelPersistence* persistence_;

  mutable std::mutex mu_;  // guards entries_, default_, loaded_bytes_
  std::condition_variable loaded_cv_;
  std::map<std::string, Entry> entries_;  // by id
  std::string default_;
  int64_t loaded_bytes_ = 0;

  mutable std::mutex observers_mu_;  // guards observers_ and next_observer_; held while they run
  std::map<int, ModelObserver> observers_;
  int next_observer_ = 1;
};

}  // namespace woolly::backends

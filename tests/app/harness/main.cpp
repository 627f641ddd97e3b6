// serve_harness: app::serve behind the subset of woolly-server's command line that the lifecycle
// tests and bench/http use (`serve --bind ADDR --log-level LEVEL --set KEY=VALUE`), so that those
// run even before the full CLI is built. Not installed; tests only.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <string>

#include "app/serve.h"

int main(int argc, char** argv) {
  woolly::config::Config c;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
    if (a == "serve") continue;
    if (a == "--bind") {
      c.server.bind = next();
    } else if (a == "--log-level") {
      std::string l = next();
      spdlog::set_level(spdlog::level::from_str(l == "warning" ? "warn" : l));
    } else if (a == "--set") {
      std::string kv = next();
      auto eq = kv.find('=');
      std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
      if (k == "server.drain_timeout") c.server.drain_timeout = std::stod(v);
      else if (k == "server.threads") c.server.threads = std::stoi(v);
      else if (k == "server.data_dir") c.server.data_dir = v;
      else if (k == "tls.enabled") c.tls.enabled = v == "true";
      else if (k == "tls.cert_file") c.tls.cert_file = v;
      else if (k == "tls.key_file") c.tls.key_file = v;
      else {
        std::fprintf(stderr, "serve_harness: unsupported --set %s\n", k.c_str());
        return 2;
      }
    } else {
      std::fprintf(stderr, "serve_harness: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  return woolly::app::serve(c);
}

// TLS: a self-signed certificate made for the test, a real OpenSSL client on loopback.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "test_client.h"
#include "test_server.h"

namespace woolly::net {
namespace {

namespace fs = std::filesystem;

struct TlsFiles {
  fs::path dir, cert, key;
  bool ok = false;
  TlsFiles() {
    dir = fs::temp_directory_path() / ("woolly-tls-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    cert = dir / "cert.pem";
    key = dir / "key.pem";
    std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " +
                      key.string() + " -out " + cert.string() + " >/dev/null 2>&1";
    ok = std::system(cmd.c_str()) == 0;
  }
  ~TlsFiles() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// One HTTPS request on a raw OpenSSL connection; returns the raw response text.
std::string https_get(uint16_t port, const std::string& path) {
  testing::Connection c(port);
  if (!c.connected()) return {};
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, c.fd());
  std::string out;
  if (SSL_connect(ssl) == 1) {
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    SSL_write(ssl, req.data(), static_cast<int>(req.size()));
    char buf[4096];
    int n;
    while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return out;
}

TEST(Tls, ServesHttpsWithHsts) {
  TlsFiles files;
  if (!files.ok) GTEST_SKIP() << "openssl command not available";
  Router r;
  ASSERT_TRUE(r.get("/hello", [](const Request& req) {
                 return Response::text(200, req.tls ? "secure" : "plain");
               }).ok());
  ServerOptions o;
  o.tls = true;
  o.tls_cert_file = files.cert.string();
  o.tls_key_file = files.key.string();
  testing::RunningServer s(o, std::move(r));
  ASSERT_TRUE(s.server);
  std::string res = https_get(s.port(), "/hello");
  EXPECT_EQ(res.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << res;
  EXPECT_NE(res.find("Strict-Transport-Security: max-age="), std::string::npos) << res;
  EXPECT_NE(res.find("\r\n\r\nsecure"), std::string::npos) << res;
  // Plain HTTP on the TLS port gets nowhere.
  EXPECT_EQ(testing::http_request(s.port(), "GET", "/hello").status, 0);
}

TEST(Tls, KeyThatDoesNotParseIsAnError) {
  TlsFiles files;
  if (!files.ok) GTEST_SKIP() << "openssl command not available";
  fs::path bad = files.dir / "bad-key.pem";
  std::FILE* f = std::fopen(bad.c_str(), "w");
  std::fputs("not a key\n", f);
  std::fclose(f);
  ServerOptions o;
  o.bind = "127.0.0.1:0";
  o.tls = true;
  o.tls_cert_file = files.cert.string();
  o.tls_key_file = bad.string();
  auto s = Server::create(o, Router());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("bad-key.pem"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace woolly::net

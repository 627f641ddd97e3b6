// HttpClient over https: a certificate trusted through ca_file is accepted; the same server is
// refused when only the system's CA store is trusted.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "fake_upstream.h"
#include "net/client/http_client.h"

namespace woolly::net::client {
namespace {

namespace fs = std::filesystem;

struct SelfSigned {
  fs::path dir, cert, key;
  bool ok = false;
  SelfSigned() {
    dir = fs::temp_directory_path() / ("woolly-client-tls-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    cert = dir / "cert.pem";
    key = dir / "key.pem";
    std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                      "-addext subjectAltName=IP:127.0.0.1 -keyout " + key.string() + " -out " +
                      cert.string() + " >/dev/null 2>&1";
    ok = std::system(cmd.c_str()) == 0;
  }
  ~SelfSigned() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

TEST(HttpClientTls, TrustsACaFileAndRefusesAnUnknownCertificate) {
  SelfSigned files;
  if (!files.ok) GTEST_SKIP() << "openssl command not available";
  Router r;
  ASSERT_TRUE(r.get("/v1/models", [](const Request&) { return Response::json(200, "{\"data\":[]}"); }).ok());
  ServerOptions o;
  o.tls = true;
  o.tls_cert_file = files.cert.string();
  o.tls_key_file = files.key.string();
  net::testing::RunningServer s{o, std::move(r)};
  HttpRequest req;
  req.url = "https://127.0.0.1:" + std::to_string(s.port()) + "/v1/models";
  req.max_retries = 0;

  ClientOptions trusting;
  trusting.ca_file = files.cert.string();
  HttpClient good(trusting);
  auto ok = good.fetch(req);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "{\"data\":[]}");

  HttpClient strict;  // system CAs only
  auto refused = strict.fetch(req);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::kUnavailable);
  EXPECT_NE(refused.error().message.find("TLS"), std::string::npos) << refused.error().message;
}

}  // namespace
}  // namespace woolly::net::client

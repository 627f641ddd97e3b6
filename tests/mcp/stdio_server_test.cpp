// run_stdio_server over a pipe pair, in process: answers, the size limit, and draining at EOF.
#include "mcp/stdio_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <thread>

#include "mcp/service.h"

namespace woolly::mcp {
namespace {

std::vector<json::value> run(Service& service, const std::string& input, StdioServerOptions o = {}) {
  int in[2], out[2];
  EXPECT_EQ(::pipe(in), 0);
  EXPECT_EQ(::pipe(out), 0);
  std::thread writer([&] {
    size_t done = 0;
    while (done < input.size()) {
      ssize_t n = ::write(in[1], input.data() + done, input.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(in[1]);
  });
  std::string output;
  std::thread reader([&] {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(out[0], buf, sizeof(buf))) > 0) output.append(buf, static_cast<size_t>(n));
  });
  int rc = run_stdio_server(service.server(), in[0], out[1], o);
  EXPECT_EQ(rc, 0);
  writer.join();
  ::close(out[1]);
  reader.join();
  ::close(in[0]);
  ::close(out[0]);
  std::vector<json::value> messages;
  size_t start = 0;
  for (size_t nl; (nl = output.find('\n', start)) != std::string::npos; start = nl + 1) {
    messages.push_back(json::parse(output.substr(start, nl - start)));
  }
  EXPECT_EQ(start, output.size()) << "every message ends with a newline";
  return messages;
}

TEST(StdioServer, AnswersEveryLineAndDrainsAtEof) {
  auto service = Service::create({.enable_test_fixtures = true});
  ASSERT_TRUE(service.ok());
  std::string input =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})"
      "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
      "\r\n\n"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"test_tool_with_logging"}})"
      "\n"
      "not json\n";
  auto messages = run(**service, input);
  int answered = 0, parse_errors = 0, logs = 0;
  for (const json::value& m : messages) {
    const json::object& o = m.as_object();
    if (o.contains("id") && o.at("id") == json::value(2) && o.contains("result")) ++answered;
    if (o.contains("error") && o.at("error").at("code") == json::value(-32700)) ++parse_errors;
    if (o.contains("method") && o.at("method") == json::value("notifications/message")) ++logs;
  }
  EXPECT_EQ(answered, 1);  // the tool call finished although stdin closed while it ran
  EXPECT_EQ(parse_errors, 1);
  EXPECT_EQ(logs, 3);
}

TEST(StdioServer, OversizedLineIsRefusedAndTheNextOneServed) {
  auto service = Service::create({});
  ASSERT_TRUE(service.ok());
  std::string input = std::string(200, 'x') + "\n" +
                      R"({"jsonrpc":"2.0","id":"p","method":"ping"})" + "\n";
  auto messages = run(**service, input, {.max_line_bytes = 100});
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("error").at("code"), json::value(rpc_code::kInvalidRequest));
  EXPECT_EQ(messages[1].at("id"), json::value("p"));
}

TEST(Service, BadConfigurationStopsStartUp) {
  EXPECT_FALSE(Service::create({.resource_roots = {"/nonexistent/woolly"}}).ok());
  EXPECT_FALSE(Service::create({.prompts_dir = "/nonexistent/woolly"}).ok());
}

}  // namespace
}  // namespace woolly::mcp

// Resources (files under roots, with every traversal trick refused), prompts and completion.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "mcp/file_resources.h"
#include "server_fixture.h"

namespace woolly::mcp::testing {
namespace {

namespace fs = std::filesystem;

class ResourcesTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    base_ = fs::temp_directory_path() / ("woolly_mcp_res_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_ / "root" / "sub");
    fs::create_directories(base_ / "outside");
    write(base_ / "root" / "hello.txt", "hello world");
    write(base_ / "root" / "sub" / "data.json", "{\"a\":1}");
    write(base_ / "root" / "bin.dat", std::string("\x00\x01\xff", 3));
    write(base_ / "root" / "with space.txt", "spaced");
    write(base_ / "outside" / "secret.txt", "top secret");
    fs::create_symlink(base_ / "outside" / "secret.txt", base_ / "root" / "escape.txt");
    fs::create_directory_symlink(base_ / "outside", base_ / "root" / "escape_dir");
    fs::create_symlink(base_ / "root" / "hello.txt", base_ / "root" / "inside_link.txt");
    provider_ = std::make_shared<FileResourceProvider>(
        FileResourceOptions{.roots = {(base_ / "root").string()}});
    resources_->add_provider(provider_);
  }
  void TearDown() override { fs::remove_all(base_); }

  static void write(const fs::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
  }
  std::string root_uri() const { return file_uri(fs::canonical(base_ / "root")); }

  fs::path base_;
  std::shared_ptr<FileResourceProvider> provider_;
};

TEST_F(ResourcesTest, ListsAndReadsFilesUnderTheRoot) {
  initialize();
  json::value r = request(1, "resources/list");
  std::set<std::string> names;
  for (const auto& res : result(r).at("resources").as_array()) names.emplace(res.at("name").as_string());
  EXPECT_TRUE(names.count("hello.txt"));
  EXPECT_TRUE(names.count("sub/data.json"));
  EXPECT_FALSE(names.count("escape.txt"));  // symlinks are not listed

  r = request(2, "resources/read", {{"uri", root_uri() + "/hello.txt"}});
  ASSERT_EQ(code(r), 0);
  EXPECT_EQ(result(r).at("contents").at(0).at("text"), json::value("hello world"));
  EXPECT_EQ(result(r).at("contents").at(0).at("mimeType"), json::value("text/plain"));

  r = request(3, "resources/read", {{"uri", root_uri() + "/bin.dat"}});
  EXPECT_EQ(result(r).at("contents").at(0).at("blob"), json::value(base64_encode(std::string("\x00\x01\xff", 3))));

  r = request(4, "resources/read", {{"uri", root_uri() + "/with%20space.txt"}});
  EXPECT_EQ(result(r).at("contents").at(0).at("text"), json::value("spaced"));
  // A symlink that stays inside the root is fine.
  r = request(5, "resources/read", {{"uri", root_uri() + "/inside_link.txt"}});
  EXPECT_EQ(code(r), 0);
}

TEST_F(ResourcesTest, TraversalAttemptsAreNotFound) {
  initialize();
  std::string outside = file_uri(fs::canonical(base_ / "outside" / "secret.txt"));
  const std::string attempts[] = {
      root_uri() + "/../outside/secret.txt",
      root_uri() + "/sub/../../outside/secret.txt",
      root_uri() + "/%2e%2e/outside/secret.txt",
      root_uri() + "/%2E%2E%2Foutside%2Fsecret.txt",
      root_uri() + "/..%2foutside/secret.txt",
      root_uri() + "/escape.txt",
      root_uri() + "/escape_dir/secret.txt",
      outside,
      "file:///etc/passwd",
      "file://evil.example.com" + fs::canonical(base_ / "root" / "hello.txt").string(),
      root_uri() + "/hello.txt%00.png",
      root_uri() + "/%252e%252e/outside/secret.txt",
      root_uri(),  // a directory, not a file
      "hello.txt",
  };
  int id = 10;
  for (const std::string& uri : attempts) {
    json::value r = request(++id, "resources/read", {{"uri", uri}});
    EXPECT_EQ(code(r), rpc_code::kResourceNotFound) << uri;
    EXPECT_EQ(json::serialize(r).find("top secret"), std::string::npos) << uri;
  }
}

TEST_F(ResourcesTest, NotFoundCodeFollowsTheRevision) {
  json::object meta = modern_meta();
  json::value r = request(1, "resources/read", {{"uri", "file:///nope"}, {"_meta", meta}});
  EXPECT_EQ(code(r), rpc_code::kInvalidParams);
}

TEST_F(ResourcesTest, TemplatesSubscriptionsAndCompletion) {
  auto fixed = std::make_shared<StaticResources>();
  fixed->add_template({.uri_template = "woolly://models/{name}", .name = "model"},
                      [](std::string_view uri, const std::map<std::string, std::string>& vars)
                          -> Result<std::vector<ResourceContents>> {
                        return std::vector<ResourceContents>{
                            {std::string(uri), "application/json", "{\"name\":\"" + vars.at("name") + "\"}", {}}};
                      },
                      [](std::string_view, std::string_view prefix) {
                        std::vector<std::string> out;
                        for (std::string m : {"llama", "lamini", "qwen"}) {
                          if (m.starts_with(prefix)) out.push_back(m);
                        }
                        return out;
                      });
  resources_->add_provider(fixed);
  initialize();
  json::value r = request(1, "resources/templates/list");
  EXPECT_EQ(result(r).at("resourceTemplates").at(0).at("uriTemplate"), json::value("woolly://models/{name}"));
  r = request(2, "resources/read", {{"uri", "woolly://models/qwen"}});
  EXPECT_EQ(result(r).at("contents").at(0).at("text"), json::value("{\"name\":\"qwen\"}"));
  EXPECT_EQ(code(request(3, "resources/read", {{"uri", "woolly://models/a/b"}})), rpc_code::kResourceNotFound);

  r = request(4, "completion/complete",
              {{"ref", {{"type", "ref/resource"}, {"uri", "woolly://models/{name}"}}},
               {"argument", {{"name", "name"}, {"value", "l"}}}});
  EXPECT_EQ(result(r).at("completion").at("values").as_array().size(), 2u);

  EXPECT_EQ(code(request(5, "resources/subscribe", {{"uri", "woolly://models/qwen"}})), 0);
  server_->notify_resource_updated("woolly://models/qwen");
  auto n = sink_->notification("notifications/resources/updated");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->at("params").at("uri"), json::value("woolly://models/qwen"));
  EXPECT_EQ(code(request(6, "resources/unsubscribe", {{"uri", "woolly://models/qwen"}})), 0);
  server_->notify_resource_updated("woolly://models/qwen");
  EXPECT_FALSE(sink_->notification("notifications/resources/updated", std::chrono::milliseconds(50)));
}

class PromptsTest : public ServerTest {};

TEST_F(PromptsTest, LoadsADirectoryAndRendersArguments) {
  fs::path dir = fs::temp_directory_path() / ("woolly_mcp_prompts_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "review.json") << R"({
    "description": "Review code",
    "arguments": [{"name": "language", "required": true, "suggestions": ["c++", "c", "python"]},
                  {"name": "focus"}],
    "messages": [{"role": "user", "text": "Review this {{language}} code.{{ focus }}"},
                 {"role": "assistant", "text": "Sure."}]})";
  std::ofstream(dir / "notes.txt") << "ignored";
  auto loaded = prompts_->load_directory(dir.string());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(*loaded, 1u);

  initialize();
  json::value r = request(1, "prompts/list");
  const json::value& p = result(r).at("prompts").at(0);
  EXPECT_EQ(p.at("name"), json::value("review"));
  EXPECT_EQ(p.at("arguments").at(0).at("required"), json::value(true));

  r = request(2, "prompts/get", {{"name", "review"}, {"arguments", {{"language", "c++"}}}});
  ASSERT_EQ(code(r), 0);
  EXPECT_EQ(result(r).at("messages").at(0).at("content").at("text"), json::value("Review this c++ code."));
  EXPECT_EQ(result(r).at("messages").at(1).at("role"), json::value("assistant"));

  EXPECT_EQ(code(request(3, "prompts/get", {{"name", "review"}})), rpc_code::kInvalidParams);
  EXPECT_EQ(code(request(4, "prompts/get", {{"name", "nope"}})), rpc_code::kInvalidParams);

  r = request(5, "completion/complete",
              {{"ref", {{"type", "ref/prompt"}, {"name", "review"}}},
               {"argument", {{"name", "language"}, {"value", "c"}}}});
  const json::object& c = result(r).at("completion").as_object();
  EXPECT_EQ(c.at("values").as_array().size(), 2u);
  EXPECT_EQ(c.at("hasMore"), json::value(false));

  std::ofstream(dir / "broken.json") << R"({"messages": []})";
  PromptRegistry other;
  auto bad = other.load_directory(dir.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("broken.json"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace woolly::mcp::testing

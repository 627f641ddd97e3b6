// The gateway's resource provider: the resources and resource templates of the host's servers on
// Woolly's own MCP server. URIs stay as the servers gave them (a client may know what a file://
// or a custom scheme means); names get the server prefix ("files__report.txt"). A read goes to
// the server that listed the URI, else to the first server with a matching template; two servers
// listing the same URI: the first by server name serves it.
#pragma once

#include "agent/mcp_host.h"
#include "mcp/resource_registry.h"

namespace woolly::agent::detail {

class HostResources : public mcp::ResourceProvider {
 public:
  explicit HostResources(McpHost& host) : host_(host) {}

  std::vector<mcp::ResourceInfo> list() const override;
  std::vector<mcp::ResourceTemplateInfo> templates() const override;
  // Blocks until the server answers (the MCP server runs reads on its workers).
  Result<std::vector<mcp::ResourceContents>> read(std::string_view uri) const override;

 private:
  McpHost& host_;
};

// The contents array of a resources/read result, blobs decoded to bytes.
Result<std::vector<mcp::ResourceContents>> contents_of(const boost::json::object& result);

}  // namespace woolly::agent::detail

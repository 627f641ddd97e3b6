// What the host's servers offer besides tools: resources, resource templates and prompts, listed
// when a server connects (if it declares the capability), so the gateway can re-export them.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "mcp/client.h"

namespace woolly::agent {

// A resource (definition has "uri") or a resource template ("uriTemplate") and its server.
struct HostResource {
  std::string server;
  boost::json::object definition;  // as listed: uri/uriTemplate, name, description, mimeType, ...
};

struct HostPrompt {
  std::string qualified;  // <server>__<prompt>
  std::string server;
  std::string name;                // the prompt's own name on its server
  boost::json::object definition;  // description, arguments, ...
};

struct ServerCatalog {
  std::vector<HostResource> resources;
  std::vector<HostResource> templates;
  std::vector<HostPrompt> prompts;
};

// Lists what `server` declared in its capabilities. A list that fails is reported in `problems`
// and left empty: the server still serves its tools.
ServerCatalog list_catalog(mcp::Client& client, const mcp::ServerDescription& description,
                           const std::string& server, std::vector<std::string>& problems);

}  // namespace woolly::agent

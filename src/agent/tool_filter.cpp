// ToolFilter: which of the host's tools (and re-exported prompts) a request or an API key may use.
#include <algorithm>

#include "agent/mcp_host.h"

namespace woolly::agent {

namespace {

bool listed(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

bool tool_allowed(const ToolFilter& filter, const std::string& qualified) {
  if (!filter) return true;
  size_t sep = qualified.find(kToolSeparator);
  std::string server = qualified.substr(0, sep);
  for (const auto& f : *filter) {
    if (f == qualified || f == server || f == server + std::string(kToolSeparator) + "*" ||
        f == "*")
      return true;
  }
  return false;
}

ToolFilter intersect(const ToolFilter& a, const ToolFilter& b) {
  if (!a) return b;
  if (!b) return a;
  std::vector<std::string> out;
  // A name survives when the other list allows it; wildcards stay as narrow as the narrower side.
  for (const auto& x : *a)
    if (tool_allowed(b, x)) out.push_back(x);
  for (const auto& y : *b)
    if (tool_allowed(a, y) && !listed(out, y)) out.push_back(y);
  return out;
}

}  // namespace woolly::agent

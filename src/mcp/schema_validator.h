// JSON-Schema validation of tool arguments and structured tool output, on valijson (draft 7
// keywords; MCP's default 2020-12 dialect shares every keyword tool schemas use in practice:
// type, properties, required, items, enum, const, bounds, patterns, combinators). A schema is
// compiled once, when a tool is registered, and validated against on every call.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "mcp/json_rpc.h"

namespace woolly::mcp {

// The first problem found, with the JSON Pointer of the offending argument ("" = the root).
struct SchemaViolation {
  std::string path;
  std::string reason;
};

class SchemaValidator {
 public:
  // Fails with kInvalidArgument when the schema itself is malformed, uses an unsupported
  // `$schema` dialect, or a `$ref` that is not local (remote references are never fetched).
  static Result<SchemaValidator> compile(const json::object& schema);

  SchemaValidator(SchemaValidator&&) noexcept;
  SchemaValidator& operator=(SchemaValidator&&) noexcept;
  ~SchemaValidator();

  // nullopt when `value` conforms.
  std::optional<SchemaViolation> validate(const json::value& value) const;

 private:
  struct Impl;
  explicit SchemaValidator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace woolly::mcp

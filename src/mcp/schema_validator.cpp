#include "mcp/schema_validator.h"

#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace woolly::mcp {

struct SchemaValidator::Impl {
  valijson::Schema schema;
};

SchemaValidator::SchemaValidator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SchemaValidator::SchemaValidator(SchemaValidator&&) noexcept = default;
SchemaValidator& SchemaValidator::operator=(SchemaValidator&&) noexcept = default;
SchemaValidator::~SchemaValidator() = default;

namespace {

// Draft 7 and the dialects whose keywords valijson's draft-7 parser reads the same way for tool
// schemas; anything else is refused rather than half-validated.
bool dialect_supported(std::string_view uri) {
  return uri.find("draft-07") != std::string_view::npos ||
         uri.find("draft/2020-12") != std::string_view::npos ||
         uri.find("draft/2019-09") != std::string_view::npos ||
         uri.find("draft-04") != std::string_view::npos;
}

bool has_remote_ref(const json::value& v) {
  if (const json::object* o = v.if_object()) {
    for (const auto& [key, member] : *o) {
      if (key == "$ref" && member.is_string() && !member.as_string().starts_with("#")) return true;
      if (has_remote_ref(member)) return true;
    }
  } else if (const json::array* a = v.if_array()) {
    for (const json::value& e : *a) {
      if (has_remote_ref(e)) return true;
    }
  }
  return false;
}

std::string pointer_escape(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

}  // namespace

Result<SchemaValidator> SchemaValidator::compile(const json::object& schema) {
  if (const json::value* dialect = schema.if_contains("$schema")) {
    if (!dialect->is_string() || !dialect_supported(dialect->as_string())) {
      return make_error(Errc::kInvalidArgument, "unsupported JSON Schema dialect");
    }
  }
  json::value root = schema;
  if (has_remote_ref(root)) {
    return make_error(Errc::kInvalidArgument, "schema uses a non-local $ref");
  }
  auto impl = std::make_unique<Impl>();
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::BoostJsonAdapter adapter(root);
    parser.populateSchema(adapter, impl->schema);
  } catch (const std::exception& e) {
    return make_error(Errc::kInvalidArgument, std::string("invalid JSON Schema: ") + e.what());
  }
  return SchemaValidator(std::move(impl));
}

std::optional<SchemaViolation> SchemaValidator::validate(const json::value& value) const {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::BoostJsonAdapter target(value);
  if (validator.validate(impl_->schema, target, &results)) return std::nullopt;
  // valijson reports from the outside in; the deepest entry names the argument at fault.
  valijson::ValidationResults::Error deepest;
  for (const auto& e : results) {
    if (deepest.context.empty() || e.context.size() > deepest.context.size()) deepest = e;
  }
  SchemaViolation v;
  for (size_t i = 1; i < deepest.context.size(); ++i) {
    std::string_view c = deepest.context[i];
    if (c.size() >= 2 && c.front() == '[' && c.back() == ']') c = c.substr(1, c.size() - 2);
    v.path += "/" + pointer_escape(c);
  }
  // A missing required property is reported at its parent; point at the property itself.
  constexpr std::string_view kMissing = "Missing required property '";
  if (deepest.description.starts_with(kMissing)) {
    std::string_view rest = std::string_view(deepest.description).substr(kMissing.size());
    if (size_t q = rest.find('\''); q != std::string_view::npos) {
      v.path += "/" + pointer_escape(rest.substr(0, q));
    }
  }
  v.reason = deepest.description;
  return v;
}

}  // namespace woolly::mcp

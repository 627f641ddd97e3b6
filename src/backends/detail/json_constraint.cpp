#include "backends/detail/json_constraint.h"

#include <boost/json.hpp>

#include <array>

namespace woolly::backends::detail {

namespace json = boost::json;

namespace {

SchemaNode* compile_node(CompiledSchema& out, const json::value& v) {
  if (!v.is_object()) return out.add(NodeKind::kAny);
  const auto& o = v.as_object();
  if (const auto* e = o.if_contains("enum"); e && e->is_array()) {
    SchemaNode* n = out.add(NodeKind::kLiterals);
    for (const auto& x : e->as_array()) n->literals.push_back(json::serialize(x));
    return n;
  }
  if (const auto* c = o.if_contains("const")) {
    SchemaNode* n = out.add(NodeKind::kLiterals);
    n->literals.push_back(json::serialize(*c));
    return n;
  }
  std::string type;
  if (const auto* t = o.if_contains("type")) {
    if (t->is_string()) type = std::string(t->as_string());
    else if (t->is_array())  // ["string", "null"]: the first non-null type
      for (const auto& x : t->as_array())
        if (x.is_string() && x.as_string() != "null") { type = std::string(x.as_string()); break; }
  }
  if (type == "string") return out.add(NodeKind::kString);
  if (type == "number") return out.add(NodeKind::kNumber);
  if (type == "integer") return out.add(NodeKind::kInteger);
  if (type == "boolean") {
    SchemaNode* n = out.add(NodeKind::kLiterals);
    n->literals = {"true", "false"};
    return n;
  }
  if (type == "null") {
    SchemaNode* n = out.add(NodeKind::kLiterals);
    n->literals = {"null"};
    return n;
  }
  if (type == "array") {
    SchemaNode* n = out.add(NodeKind::kArray);
    const json::value* items = o.if_contains("items");
    n->items = items ? compile_node(out, *items) : out.add(NodeKind::kAny);
    return n;
  }
  if (type == "object" || o.contains("properties")) {
    const auto* props = o.if_contains("properties");
    if (!props || !props->is_object()) return out.add(NodeKind::kAny);
    SchemaNode* n = out.add(NodeKind::kObject);
    for (const auto& kv : props->as_object()) {
      n->keys.push_back(json::serialize(json::value(kv.key())) + ":");
      n->values.push_back(compile_node(out, kv.value()));
    }
    return n;
  }
  return out.add(NodeKind::kAny);
}

class JsonConstraint : public engine::TokenConstraint {
 public:
  JsonConstraint(const engine::Tokenizer& tok, std::unique_ptr<CompiledSchema> schema,
                 int max_tokens)
      : schema_(std::move(schema)), matcher_(schema_->root()), budget_(max_tokens) {
    pieces_.resize(tok.n_vocab());
    plain_.assign(tok.n_vocab(), false);
    for (int32_t id = 0; id < tok.n_vocab(); ++id) {
      if (tok.is_eog(id)) {
        eog_.push_back(id);
        continue;
      }
      pieces_[id] = tok.token_to_piece(id, false);
      const std::string& p = pieces_[id];
      if (p.empty()) continue;
      by_first_[static_cast<uint8_t>(p[0])].push_back(id);
      bool plain = true;
      for (char c : p) {
        const auto u = static_cast<uint8_t>(c);
        if (u < 0x20 || u > 0x7e || c == '"' || c == '\\') plain = false;
      }
      plain_[id] = plain;
    }
  }

  // Tokens are grouped by first byte: a rejected first byte rules out its whole group with one
  // step, and inside a string, plain-text tokens that fit are accepted without stepping at all.
  // Measured per step (one core, schema object): 128k Llama 3 vocabulary 13.5 -> 1.5 ms,
  // 32k Llama 2 vocabulary 3.4 -> 0.08 ms.
  // With a budget, a token must also leave room to finish: the shortest completion after it has
  // to fit in the tokens left then. Plain text inside a string does not change the completion,
  // so those tokens share one check.
  void allowed_tokens(engine::TokenMask& mask) override {
    if (matcher_.can_end())
      for (int32_t id : eog_) mask.allow(id);
    if (matcher_.finished()) return;
    // Tokens left after this one, less one kept for the end-of-generation token, so that a
    // value finished at the budget's edge still ends as "stop", not "length".
    const int left_after = budget_ - used_ - 2;
    auto fits = [&](const JsonMatcher& m) {
      return budget_ <= 0 || static_cast<int>(m.completion().size()) <= left_after;
    };
    const bool plain_fits = fits(matcher_);
    for (int b = 0; b < 256; ++b) {
      const auto& group = by_first_[b];
      if (group.empty()) continue;
      JsonMatcher first = matcher_;
      if (!first.feed(static_cast<uint8_t>(b))) continue;
      const int room = matcher_.string_room();
      for (int32_t id : group) {
        if (id >= mask.size()) continue;
        const std::string& p = pieces_[id];
        if (room >= 0 && plain_[id] && static_cast<int>(p.size()) <= room) {
          if (plain_fits) mask.allow(id);
          continue;
        }
        JsonMatcher m = first;
        bool ok = true;
        for (size_t i = 1; i < p.size() && ok; ++i) ok = m.feed(static_cast<uint8_t>(p[i]));
        if (ok && fits(m)) mask.allow(id);
      }
    }
  }

  void accept(int32_t token) override {
    ++used_;
    if (token < 0 || token >= static_cast<int32_t>(pieces_.size())) return;  // EOG: empty piece
    for (char c : pieces_[token]) matcher_.feed(static_cast<uint8_t>(c));
  }

 private:
  std::unique_ptr<CompiledSchema> schema_;
  JsonMatcher matcher_;
  std::vector<std::string> pieces_;               // empty for EOG and control tokens
  std::vector<bool> plain_;                       // printable ASCII without '"' or '\\'
  std::array<std::vector<int32_t>, 256> by_first_;  // token ids by first byte
  std::vector<int32_t> eog_;
  int budget_ = 0;  // tokens the generation may take; 0 = unbounded
  int used_ = 0;    // tokens accepted so far
};

}  // namespace

Result<std::unique_ptr<CompiledSchema>> compile_schema(std::string_view schema_json) {
  boost::system::error_code ec;
  json::value v = json::parse(schema_json, ec);
  if (ec) return make_error(Errc::kInvalidArgument, "response_format json_schema is not valid JSON: " + ec.message());
  auto out = std::make_unique<CompiledSchema>();
  out->nodes.reserve(16);
  // The root must be nodes.front(): add a placeholder and fill it from the compiled root.
  out->add(NodeKind::kAny);
  SchemaNode* root = compile_node(*out, v);
  *out->nodes.front() = *root;
  return out;
}

Result<std::shared_ptr<engine::TokenConstraint>> make_json_constraint(const engine::Tokenizer& tok,
                                                                      const ResponseFormat& format,
                                                                      int max_tokens) {
  std::unique_ptr<CompiledSchema> schema;
  if (format.type == ResponseFormatType::kJsonSchema) {
    WOOLLY_ASSIGN_OR_RETURN(schema, compile_schema(format.schema_json));
  } else {
    // json_object: an object at the top, anything inside.
    schema = std::make_unique<CompiledSchema>();
    schema->add(NodeKind::kAnyObject);
  }
  std::shared_ptr<engine::TokenConstraint> c = std::make_shared<JsonConstraint>(tok, std::move(schema), max_tokens);
  return c;
}

}  // namespace woolly::backends::detail

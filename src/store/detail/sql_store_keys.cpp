// API keys. A key is "wk_<prefix>_<secret>": the prefix (public, unique) finds the row, and the
// row holds only SHA-256(salt ":" key) with a per-key random salt. A stolen database therefore
// yields no usable key, and each guess must be hashed per key.
#include "store/detail/sha256.h"
#include "store/detail/sql_store.h"

namespace woolly::store::detail {
namespace {

constexpr size_t kPrefixBytes = 8;   // 16 hex digits: collisions are practically impossible
constexpr size_t kSecretBytes = 32;  // 256 bits of entropy
constexpr size_t kSaltBytes = 16;
constexpr const char* kKeyCols =
    "id, tenant_id, user_id, prefix, name, scopes, rpm, tpm, budget, allowed_models, "
    "allowed_tools, created_at, revoked_at, spent, held";

ApiKey key_from(const Row& r) {
  ApiKey k;
  k.id = r.integer(0);
  k.spec.tenant_id = r.integer(1);
  k.spec.user_id = r.opt_integer(2);
  k.prefix = r.text(3);
  k.spec.name = r.text(4);
  k.spec.scopes = split_lines(r.text(5));
  k.spec.rpm = r.opt_integer(6);
  k.spec.tpm = r.opt_integer(7);
  k.spec.budget = r.opt_integer(8);
  k.spec.allowed_models = split_lines(r.text(9));
  k.spec.allowed_tools = split_lines(r.text(10));
  k.created_at = r.integer(11);
  k.revoked_at = r.opt_integer(12);
  k.spent = r.integer(13);
  k.held = r.integer(14);
  return k;
}

Status check_list(const std::vector<std::string>& items, std::string_view what) {
  for (const auto& s : items) {
    if (s.empty() || s.find('\n') != std::string::npos) {
      return Error(Errc::kInvalidArgument,
                   std::string(what) + " entries must be non-empty, one line");
    }
  }
  return {};
}

std::string key_hash(std::string_view salt, std::string_view secret) {
  std::string material;
  material.reserve(salt.size() + 1 + secret.size());
  material.append(salt).append(":").append(secret);
  return sha256_hex(material);
}

Error bad_key() { return Error(Errc::kUnauthenticated, "invalid API key"); }

}  // namespace

Result<CreatedApiKey> SqlStore::create_api_key(const ApiKeySpec& spec) {
  WOOLLY_TRY(check_list(spec.scopes, "scope"));
  WOOLLY_TRY(check_list(spec.allowed_models, "allowed model"));
  WOOLLY_TRY(check_list(spec.allowed_tools, "allowed tool"));
  const std::string prefix = random_hex(kPrefixBytes);
  const std::string secret = "wk_" + prefix + "_" + random_hex(kSecretBytes);
  const std::string salt = random_hex(kSaltBytes);
  return write([&](Connection& c) -> Result<CreatedApiKey> {
    if (spec.user_id) {
      // The user must belong to the key's tenant; the foreign key alone would accept any user.
      WOOLLY_ASSIGN_OR_RETURN(auto u,
                              query(c, "SELECT id FROM users WHERE tenant_id = ? AND id = ?",
                                    {spec.tenant_id, *spec.user_id}));
      if (u.rows.empty()) return not_found("user");
    }
    WOOLLY_ASSIGN_OR_RETURN(
        auto r,
        query(c,
              std::string(
                  "INSERT INTO api_keys (tenant_id, user_id, prefix, salt, hash, name, scopes, "
                  "rpm, tpm, budget, allowed_models, allowed_tools, created_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ") +
                  kKeyCols,
              {spec.tenant_id, spec.user_id, prefix, salt, key_hash(salt, secret), spec.name,
               join_lines(spec.scopes), spec.rpm, spec.tpm, spec.budget,
               join_lines(spec.allowed_models), join_lines(spec.allowed_tools), now_ms()}));
    return CreatedApiKey{key_from(r.rows.at(0)), secret};
  });
}

Result<ApiKey> SqlStore::verify_api_key(std::string_view secret) {
  if (secret.size() > 256 || secret.substr(0, 3) != "wk_") return bad_key();
  const size_t sep = secret.find('_', 3);
  if (sep == std::string_view::npos) return bad_key();
  const std::string_view prefix = secret.substr(3, sep - 3);
  return read([&](Connection& c) -> Result<ApiKey> {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r,
        query(c, std::string("SELECT ") + kKeyCols + ", salt, hash FROM api_keys WHERE prefix = ?",
              {prefix}));
    // Hash even for an unknown prefix so both failures take the same time.
    const std::string salt = r.rows.empty() ? std::string(2 * kSaltBytes, '0') : r.rows[0].text(15);
    const std::string presented = key_hash(salt, secret);
    if (r.rows.empty()) return bad_key();
    if (!constant_time_equal(presented, r.rows[0].text(16))) return bad_key();
    ApiKey key = key_from(r.rows[0]);
    if (key.revoked_at) return bad_key();
    return key;
  });
}

Result<ApiKey> SqlStore::get_api_key(Id tenant_id, Id key_id) {
  return read([&](Connection& c) -> Result<ApiKey> {
    WOOLLY_ASSIGN_OR_RETURN(auto r, query(c,
                                          std::string("SELECT ") + kKeyCols +
                                              " FROM api_keys WHERE tenant_id = ? AND id = ?",
                                          {tenant_id, key_id}));
    if (r.rows.empty()) return not_found("API key");
    return key_from(r.rows[0]);
  });
}

Result<std::vector<ApiKey>> SqlStore::list_api_keys(Id tenant_id, PageRequest page) {
  return read([&](Connection& c) -> Result<std::vector<ApiKey>> {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r, query(c,
                      std::string("SELECT ") + kKeyCols +
                          " FROM api_keys WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
                      {tenant_id, page.after_id, clamp_limit(page.limit)}));
    std::vector<ApiKey> out;
    for (const Row& row : r.rows) out.push_back(key_from(row));
    return out;
  });
}

Status SqlStore::revoke_api_key(Id tenant_id, Id key_id) {
  return write([&](Connection& c) -> Status {
    WOOLLY_ASSIGN_OR_RETURN(auto r, query(c,
                                          "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, "
                                          "?) WHERE tenant_id = ? AND id = ?",
                                          {now_ms(), tenant_id, key_id}));
    if (r.affected == 0) return not_found("API key");
    return {};
  });
}

}  // namespace woolly::store::detail

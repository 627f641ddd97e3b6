// Who a request acts for, as the auth part establishes it: the richer record behind
// net::Principal::detail. Scopes: inference, models:read, models:admin, sessions, mcp, admin.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/types.h"

namespace woolly::auth {

inline constexpr std::string_view kScopeInference = "inference";
inline constexpr std::string_view kScopeModelsRead = "models:read";
inline constexpr std::string_view kScopeModelsAdmin = "models:admin";
inline constexpr std::string_view kScopeSessions = "sessions";
inline constexpr std::string_view kScopeMcp = "mcp";
inline constexpr std::string_view kScopeAdmin = "admin";

// Every scope, in a fixed order (what config keys and "admin" imply).
const std::vector<std::string>& all_scopes();
// What an unauthenticated caller may do when auth.allow_anonymous is on: run inference and list
// models. Nothing that reads or writes stored per-user state.
const std::vector<std::string>& anonymous_scopes();
bool is_known_scope(std::string_view scope);

enum class CredentialKind { kNone, kConfigKey, kStoreKey, kJwt };

struct Identity {
  CredentialKind kind = CredentialKind::kNone;
  std::string subject;  // "key:7", "user:3", "config-key:1", "anonymous"
  store::Id tenant_id = 0;
  std::optional<store::Id> user_id;
  std::optional<store::Id> key_id;
  std::string role = "user";
  std::vector<std::string> scopes;
  bool authenticated = false;
  // Per-key overrides (store keys); none = the configured defaults.
  std::optional<int64_t> rpm;
  std::optional<int64_t> tpm;
  std::optional<store::Micros> budget;
  std::vector<std::string> allowed_models;  // empty = all
  std::vector<std::string> allowed_tools;   // empty = all

  // "admin" implies every scope.
  bool has_scope(std::string_view scope) const;
  bool may_use_model(std::string_view model) const;
  // The credits principal that pays: the key, else the user, else the tenant.
  store::Principal payer() const;
  // The rate-limit bucket name: tenant and subject, so equal ids of two tenants never share.
  std::string bucket_key() const;
};

}  // namespace woolly::auth

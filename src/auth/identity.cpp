#include "auth/identity.h"

#include <algorithm>

namespace woolly::auth {

const std::vector<std::string>& all_scopes() {
  static const std::vector<std::string> kAll = {
      std::string(kScopeInference), std::string(kScopeModelsRead), std::string(kScopeModelsAdmin),
      std::string(kScopeSessions),  std::string(kScopeMcp),        std::string(kScopeAdmin)};
  return kAll;
}

const std::vector<std::string>& anonymous_scopes() {
  static const std::vector<std::string> kAnon = {std::string(kScopeInference),
                                                 std::string(kScopeModelsRead)};
  return kAnon;
}

bool is_known_scope(std::string_view scope) {
  const auto& all = all_scopes();
  return std::find(all.begin(), all.end(), scope) != all.end();
}

bool Identity::has_scope(std::string_view scope) const {
  if (scope.empty()) return true;
  for (const auto& s : scopes) {
    if (s == scope || s == kScopeAdmin) return true;
  }
  return false;
}

bool Identity::may_use_model(std::string_view model) const {
  return allowed_models.empty() ||
         std::find(allowed_models.begin(), allowed_models.end(), model) != allowed_models.end();
}

store::Principal Identity::payer() const {
  if (key_id) return {tenant_id, "key:" + std::to_string(*key_id)};
  if (user_id) return {tenant_id, "user:" + std::to_string(*user_id)};
  return {tenant_id, "tenant"};
}

std::string Identity::bucket_key() const {
  return std::to_string(tenant_id) + "/" + subject;
}

}  // namespace woolly::auth

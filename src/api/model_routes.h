// Model management routes over the ModelRegistry:
//   POST /api/v1/models/register {name, backend_type, capabilities, config:{base_url, model_name,
//        api_key?}} -> 201 {"id": "ollama_llama_3_2_3b", "model": {...}}
//   GET /api/v1/models, GET|DELETE /api/v1/models/:id, GET /api/v1/health/models/:id,
//   POST /api/v1/models/:id/load and /unload (a load past the memory budget is 503 naming it).
#pragma once

#include <memory>

#include "api/serving.h"

namespace woolly::api {

Status install_model_routes(net::Router& router, std::shared_ptr<backends::ModelRegistry> registry);

}  // namespace woolly::api

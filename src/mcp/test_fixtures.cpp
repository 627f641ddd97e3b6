#include "mcp/test_fixtures.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <thread>

namespace woolly::mcp {

namespace {

// A 1x1 PNG and a tiny silent WAV, generated for these fixtures.
constexpr std::string_view kPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==";
constexpr std::string_view kWavBase64 =
    "UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YRAAAAAAAAAAAAAAAAAAAAAAAAAA";

json::object text_block(std::string_view text) { return {{"type", "text"}, {"text", text}}; }
json::object image_block() {
  return {{"type", "image"}, {"data", kPngBase64}, {"mimeType", "image/png"}};
}
json::object resource_block(std::string_view uri, std::string_view mime, std::string_view text) {
  return {{"type", "resource"},
          {"resource", json::object{{"uri", uri}, {"mimeType", mime}, {"text", text}}}};
}

ToolHandler fixed(json::array content) {
  return sync_tool([content](ToolContext&) -> Result<ToolResult> {
    ToolResult r;
    r.content = content;
    return r;
  });
}

void pause_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Blocks this worker until the client answers (or the call/session ends, which answers too).
Result<json::object> ask_client(ToolContext& ctx, std::string method, json::object params) {
  auto promise = std::make_shared<std::promise<Result<json::object>>>();
  auto future = promise->get_future();
  ctx.request_client(std::move(method), std::move(params),
                     [promise](Result<json::object> r) { promise->set_value(std::move(r)); });
  if (future.wait_for(std::chrono::minutes(5)) != std::future_status::ready) {
    return make_error(Errc::kTimeout, "the client did not answer");
  }
  return future.get();
}

ToolSpec elicit_tool(std::string name, std::string description, std::string message,
                     std::string_view requested_schema) {
  ToolSpec t;
  t.name = std::move(name);
  t.description = std::move(description);
  json::value schema = json::parse(requested_schema);
  t.handler = sync_tool([message, schema](ToolContext& ctx) -> Result<ToolResult> {
    auto r = ask_client(ctx, "elicitation/create",
                        json::object{{"message", message}, {"requestedSchema", schema}});
    if (!r.ok()) return ToolResult::text("Elicitation not supported or error: " + r.error().message);
    const json::value* action = r->if_contains("action");
    const json::value* content = r->if_contains("content");
    return ToolResult::text(
        "Elicitation completed: action=" +
        (action && action->is_string() ? std::string(action->as_string()) : std::string("?")) +
        ", content=" + json::serialize(content ? *content : json::value(json::object{})));
  });
  return t;
}

// A tool that first returns an InputRequiredResult asking `key`, then answers from the response.
ToolSpec round_trip_tool(std::string name, std::string key, json::object input_request,
                         std::function<std::string(const json::value&)> answer) {
  ToolSpec t;
  t.name = std::move(name);
  t.description = "Multi round-trip: asks the client for input, then uses it";
  t.handler = sync_tool([key, input_request, answer](ToolContext& ctx) -> Result<ToolResult> {
    if (const json::value* a = ctx.input_responses().if_contains(key)) {
      return ToolResult::text(answer(*a));
    }
    return ToolResult::input_required(json::object{{key, input_request}});
  });
  return t;
}

Status add_tools(ToolRegistry& tools) {
  WOOLLY_TRY(tools.add({.name = "test_simple_text",
                        .description = "Tests simple text content response",
                        .handler = fixed({text_block("This is a simple text response for testing.")})}));
  WOOLLY_TRY(tools.add({.name = "test_image_content",
                        .description = "Tests image content response",
                        .handler = fixed({image_block()})}));
  WOOLLY_TRY(tools.add(
      {.name = "test_audio_content",
       .description = "Tests audio content response",
       .handler = fixed({json::object{{"type", "audio"}, {"data", kWavBase64}, {"mimeType", "audio/wav"}}})}));
  WOOLLY_TRY(tools.add({.name = "test_embedded_resource",
                        .description = "Tests embedded resource content response",
                        .handler = fixed({resource_block("test://embedded-resource", "text/plain",
                                                         "This is an embedded resource content.")})}));
  WOOLLY_TRY(tools.add(
      {.name = "test_multiple_content_types",
       .description = "Tests response with multiple content types (text, image, resource)",
       .handler = fixed({text_block("Multiple content types test:"), image_block(),
                         resource_block("test://mixed-content-resource", "application/json",
                                        R"({"test":"data","value":123})")})}));
  // Both run on a server worker; the short pauses let a client observe notifications arriving
  // before the result, as the scenarios expect.
  WOOLLY_TRY(tools.add({.name = "test_tool_with_logging",
                        .description = "Tests tool that emits log messages during execution",
                        .handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
                          ctx.log(LogLevel::kInfo, "Tool execution started");
                          pause_ms(50);
                          ctx.log(LogLevel::kInfo, "Tool processing data");
                          pause_ms(50);
                          ctx.log(LogLevel::kInfo, "Tool execution completed");
                          return ToolResult::text("Tool with logging executed successfully");
                        })}));
  WOOLLY_TRY(tools.add({.name = "test_tool_with_progress",
                        .description = "Tests tool that reports progress notifications",
                        .handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
                          for (int step : {0, 50, 100}) {
                            ctx.progress(step, 100,
                                         "Completed step " + std::to_string(step) + " of 100");
                            if (step < 100) pause_ms(50);
                          }
                          return ToolResult::text("Progress reported for 3 steps");
                        })}));
  WOOLLY_TRY(tools.add({.name = "test_error_handling",
                        .description = "Tests error response handling",
                        .handler = sync_tool([](ToolContext&) -> Result<ToolResult> {
                          return make_error(Errc::kInternal,
                                            "This tool intentionally returns an error for testing");
                        })}));
  WOOLLY_TRY(tools.add(
      {.name = "test_sampling",
       .description = "Tests server-initiated sampling (LLM completion request)",
       .input_schema = json::parse(R"({"type":"object","properties":{"prompt":{"type":"string",
           "description":"The prompt to send to the LLM"}},"required":["prompt"]})").as_object(),
       .handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
         json::object params{
             {"messages", json::array{json::object{
                              {"role", "user"},
                              {"content", text_block(ctx.arguments().at("prompt").as_string())}}}},
             {"maxTokens", 100}};
         auto r = ask_client(ctx, "sampling/createMessage", std::move(params));
         if (!r.ok()) return ToolResult::text("Sampling not supported or error: " + r.error().message);
         const json::value* text = nullptr;
         if (const json::value* c = r->if_contains("content"); c && c->is_object()) {
           text = c->as_object().if_contains("text");
         }
         return ToolResult::text("LLM response: " + (text && text->is_string()
                                                         ? std::string(text->as_string())
                                                         : std::string("No response")));
       })}));
  WOOLLY_TRY(tools.add(
      {.name = "test_elicitation",
       .description = "Tests server-initiated elicitation (user input request)",
       .input_schema = json::parse(R"({"type":"object","properties":{"message":{"type":"string",
           "description":"The message to show the user"}},"required":["message"]})").as_object(),
       .handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
         json::object params{
             {"message", ctx.arguments().at("message")},
             {"requestedSchema", json::parse(R"({"type":"object","properties":{"response":
                 {"type":"string","description":"User's response"}},"required":["response"]})")}};
         auto r = ask_client(ctx, "elicitation/create", std::move(params));
         if (!r.ok()) return ToolResult::text("Elicitation not supported or error: " + r.error().message);
         const json::value* action = r->if_contains("action");
         const json::value* content = r->if_contains("content");
         return ToolResult::text(
             "User response: action=" +
             (action && action->is_string() ? std::string(action->as_string()) : std::string("?")) +
             ", content=" + json::serialize(content ? *content : json::value(json::object{})));
       })}));
  // Elicitation with every primitive default (SEP-1034) and every enum form (SEP-1330); the
  // scenarios inspect the requested schema the client receives.
  WOOLLY_TRY(tools.add(elicit_tool("test_elicitation_sep1034_defaults",
                                   "Tests elicitation with default values per SEP-1034",
                                   "Please review and update the form fields with defaults", R"j({
      "type": "object", "required": [],
      "properties": {
        "name": {"type": "string", "description": "User name", "default": "John Doe"},
        "age": {"type": "integer", "description": "User age", "default": 30},
        "score": {"type": "number", "description": "User score", "default": 95.5},
        "status": {"type": "string", "description": "User status",
                   "enum": ["active", "inactive", "pending"], "default": "active"},
        "verified": {"type": "boolean", "description": "Verification status", "default": true}}})j")));
  WOOLLY_TRY(tools.add(elicit_tool("test_elicitation_sep1330_enums",
                                   "Tests elicitation with enum schema improvements per SEP-1330",
                                   "Please select options from the enum fields", R"j({
      "type": "object", "required": [],
      "properties": {
        "untitledSingle": {"type": "string", "description": "Pick one",
                           "enum": ["option1", "option2", "option3"]},
        "titledSingle": {"type": "string", "description": "Pick one (titled)",
                         "oneOf": [{"const": "value1", "title": "First Option"},
                                   {"const": "value2", "title": "Second Option"},
                                   {"const": "value3", "title": "Third Option"}]},
        "legacyEnum": {"type": "string", "description": "Pick one (enumNames)",
                       "enum": ["opt1", "opt2", "opt3"],
                       "enumNames": ["Option One", "Option Two", "Option Three"]},
        "untitledMulti": {"type": "array", "description": "Pick several", "minItems": 1,
                          "maxItems": 3,
                          "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
        "titledMulti": {"type": "array", "description": "Pick several (titled)", "minItems": 1,
                        "maxItems": 3,
                        "items": {"anyOf": [{"const": "value1", "title": "First Choice"},
                                            {"const": "value2", "title": "Second Choice"},
                                            {"const": "value3", "title": "Third Choice"}]}}}})j")));
  // Fixtures of the stateless (2026-07-28) scenarios.
  WOOLLY_TRY(tools.add({.name = "test_missing_capability",
                        .description = "Test tool requiring sampling",
                        .required_client_capabilities = {"sampling"},
                        .handler = fixed({text_block("Success")})}));
  WOOLLY_TRY(tools.add({.name = "test_logging_tool",
                        .description = "Logs only when the request asked for a log level",
                        .handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
                          ctx.log(LogLevel::kInfo, "Diagnostic trace logging activated");
                          return ToolResult::text("Logging evaluated");
                        })}));
  WOOLLY_TRY(tools.add({.name = "test_streaming_elicitation",
                        .description = "Streams progress before its result",
                        .handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
                          ctx.progress(50, 100, "halfway");
                          return ToolResult::text("Streaming complete");
                        })}));
  // Multi round-trip (2026-07-28): ask for input first, use the answer on the retry.
  WOOLLY_TRY(tools.add(round_trip_tool(
      "test_input_required_result_elicitation", "user_name",
      {{"method", "elicitation/create"},
       {"params", json::parse(R"({"message":"What is your name?","requestedSchema":{"type":"object",
           "properties":{"name":{"type":"string"}},"required":["name"]}})")}},
      [](const json::value& answer) {
        const json::value* content = answer.is_object() ? answer.as_object().if_contains("content") : nullptr;
        const json::value* name = content && content->is_object() ? content->as_object().if_contains("name") : nullptr;
        return "Hello, " + (name && name->is_string() ? std::string(name->as_string()) : std::string("?")) + "!";
      })));
  WOOLLY_TRY(tools.add(round_trip_tool(
      "test_input_required_result_sampling", "sample_request",
      {{"method", "sampling/createMessage"},
       {"params", json::parse(R"({"messages":[{"role":"user","content":{"type":"text",
           "text":"What is the capital of France?"}}],"maxTokens":100})")}},
      [](const json::value& answer) {
        const json::value* content = answer.is_object() ? answer.as_object().if_contains("content") : nullptr;
        const json::value* text = content && content->is_object() ? content->as_object().if_contains("text") : nullptr;
        return "Sampling result: " + (text && text->is_string() ? std::string(text->as_string()) : std::string("no response"));
      })));
  WOOLLY_TRY(tools.add(round_trip_tool(
      "test_input_required_result_list_roots", "roots_request",
      {{"method", "roots/list"}, {"params", json::object{}}}, [](const json::value& answer) {
        const json::value* roots = answer.is_object() ? answer.as_object().if_contains("roots") : nullptr;
        size_t n = roots && roots->is_array() ? roots->as_array().size() : 0;
        return "Found " + std::to_string(n) + " root(s)";
      })));
  ToolSpec schema_tool;
  schema_tool.name = "json_schema_2020_12_tool";
  schema_tool.description = "Tool whose inputSchema uses JSON Schema 2020-12 keywords";
  schema_tool.input_schema = json::parse(R"({
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {"address": {"type": "object",
                         "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
                         "additionalProperties": false}},
    "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"}},
    "additionalProperties": false})").as_object();
  schema_tool.handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
    return ToolResult::text("JSON Schema 2020-12 tool called with: " +
                            json::serialize(ctx.arguments()));
  });
  WOOLLY_TRY(tools.add(std::move(schema_tool)));
  return {};
}

std::shared_ptr<StaticResources> make_resources() {
  auto r = std::make_shared<StaticResources>();
  r->add_text({.uri = "test://static-text",
               .name = "static-text",
               .title = "Static Text Resource",
               .description = "A static text resource for testing",
               .mime_type = "text/plain"},
              "This is the content of the static text resource.");
  r->add({.uri = "test://static-binary",
          .name = "static-binary",
          .title = "Static Binary Resource",
          .description = "A static binary resource (image) for testing",
          .mime_type = "image/png"},
         [](std::string_view uri) -> Result<std::vector<ResourceContents>> {
           WOOLLY_ASSIGN_OR_RETURN(std::string bytes, base64_decode(kPngBase64));
           return std::vector<ResourceContents>{{std::string(uri), "image/png", std::nullopt, bytes}};
         });
  r->add_template({.uri_template = "test://template/{id}/data",
                   .name = "template",
                   .title = "Resource Template",
                   .description = "A resource template with parameter substitution",
                   .mime_type = "application/json"},
                  [](std::string_view uri, const std::map<std::string, std::string>& vars)
                      -> Result<std::vector<ResourceContents>> {
                    const std::string& id = vars.at("id");
                    json::object body{{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}};
                    return std::vector<ResourceContents>{
                        {std::string(uri), "application/json", json::serialize(body), std::nullopt}};
                  });
  r->add_text({.uri = "test://watched-resource",
               .name = "watched-resource",
               .title = "Watched Resource",
               .description = "A resource clients can subscribe to",
               .mime_type = "text/plain"},
              "Watched resource content");
  return r;
}

PromptRenderer fixed_messages(std::vector<PromptMessage> messages) {
  return [messages](const PromptArgs&) -> Result<std::vector<PromptMessage>> { return messages; };
}

Status add_prompts(PromptRegistry& prompts) {
  WOOLLY_TRY(prompts.add({.name = "test_simple_prompt",
                          .title = "Simple Test Prompt",
                          .description = "A simple prompt without arguments",
                          .render = fixed_messages({{"user", text_block("This is a simple prompt for testing.")}})}));
  WOOLLY_TRY(prompts.add(
      {.name = "test_prompt_with_arguments",
       .title = "Prompt With Arguments",
       .description = "A prompt with required arguments",
       .arguments = {{"arg1", "First test argument", true, {}}, {"arg2", "Second test argument", true, {}}},
       .render = [](const PromptArgs& a) -> Result<std::vector<PromptMessage>> {
         return std::vector<PromptMessage>{{"user", text_block("Prompt with arguments: arg1='" + a.at("arg1") +
                                                              "', arg2='" + a.at("arg2") + "'")}};
       }}));
  WOOLLY_TRY(prompts.add(
      {.name = "test_prompt_with_embedded_resource",
       .title = "Prompt With Embedded Resource",
       .description = "A prompt that includes an embedded resource",
       .arguments = {{"resourceUri", "URI of the resource to embed", true, {}}},
       .render = [](const PromptArgs& a) -> Result<std::vector<PromptMessage>> {
         return std::vector<PromptMessage>{
             {"user", resource_block(a.at("resourceUri"), "text/plain", "Embedded resource content for testing.")},
             {"user", text_block("Please process the embedded resource above.")}};
       }}));
  WOOLLY_TRY(prompts.add({.name = "test_prompt_with_image",
                          .title = "Prompt With Image",
                          .description = "A prompt that includes image content",
                          .render = fixed_messages({{"user", image_block()},
                                                    {"user", text_block("Please analyze the image above.")}})}));
  return {};
}

}  // namespace

Status register_conformance_fixtures(ToolRegistry& tools, ResourceRegistry& resources,
                                     PromptRegistry& prompts) {
  WOOLLY_TRY(add_tools(tools));
  resources.add_provider(make_resources());
  WOOLLY_TRY(add_prompts(prompts));
  return {};
}

}  // namespace woolly::mcp

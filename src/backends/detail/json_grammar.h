// A byte-level JSON recognizer for constrained decoding, driven by a compiled schema. Plain C++
// (no JSON library) so a step of the engine's sampling loop can copy and advance it cheaply.
//
// The language: no whitespace; strings of printable ASCII with the escapes \" \\ \/ \b \f \n
// \r \t and \uXXXX (other characters travel as \uXXXX), at most kMaxString bytes as written;
// numbers of at most kMaxNumber characters (exponents of two digits); free-form values nested at most kMaxDepth deep.
// Schema objects emit every property, in schema order (so "required" and
// additionalProperties:false both hold). Arrays and free objects have no small bound of their
// own (kMaxItems only guards the counters): what ends them is the token budget. `completion()`
// is the shortest text that finishes the value from where the matcher stands; the constraint
// (json_constraint.h) allows only tokens after which that text still fits in the tokens left, so
// that even a random-weight model ends with a complete value within max_tokens.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace woolly::backends::detail {

inline constexpr int kMaxString = 512;
// 18 characters: every integer fits a signed 64-bit integer, which clients parse exactly.
inline constexpr int kMaxNumber = 18;
inline constexpr int kMaxItems = 65535;
inline constexpr int kMaxDepth = 8;
inline constexpr int kMaxStack = 40;

enum class NodeKind : uint8_t { kAny, kAnyObject, kObject, kArray, kString, kNumber, kInteger, kLiterals };

// kAnyObject: any object (json_object); kAny: any value.
struct SchemaNode {
  NodeKind kind = NodeKind::kAny;
  std::vector<std::string> literals;  // kLiterals: serialized JSON texts (enum, const, bool, null)
  std::vector<std::string> keys;      // kObject: "\"name\":" per property, in order
  std::vector<const SchemaNode*> values;  // kObject: the property schemas
  const SchemaNode* items = nullptr;      // kArray
};

// Owns every node; root is nodes.front().
struct CompiledSchema {
  std::vector<std::unique_ptr<SchemaNode>> nodes;
  SchemaNode* add(NodeKind kind) {
    nodes.push_back(std::make_unique<SchemaNode>());
    nodes.back()->kind = kind;
    return nodes.back().get();
  }
  const SchemaNode* root() const { return nodes.front().get(); }
};

class JsonMatcher {
 public:
  explicit JsonMatcher(const SchemaNode* root);
  // Advances by one byte; false (state unspecified) if the byte cannot continue a valid value.
  bool feed(uint8_t c);
  // The bytes so far form one complete value that nothing needs to follow.
  bool can_end() const;
  bool finished() const { return depth_ == 0; }
  // The shortest bytes after which the value is complete ("" when can_end()).
  std::string completion() const;
  // Inside a string: how many more plain characters it may take; -1 elsewhere. Lets the
  // constraint accept plain-text tokens without stepping through their bytes.
  int string_room() const {
    if (depth_ == 0) return -1;
    const Frame& f = stack_[depth_ - 1];
    return f.kind == FrameKind::kString && f.phase == 1 ? kMaxString - f.pos : -1;
  }

 private:
  enum class FrameKind : uint8_t { kValue, kObject, kFreeObject, kArray, kString, kNumber, kLiteral };
  struct Frame {
    FrameKind kind;
    uint8_t phase = 0;
    uint8_t nest = 0;  // free-form nesting depth of this value
    uint16_t count = 0;
    uint16_t pos = 0;
    uint64_t candidates = 0;  // kLiteral: which literals still match
    const SchemaNode* node = nullptr;
    const std::vector<std::string>* literals = nullptr;
  };
  static Frame opened_string();
  // The byte completion() takes next: the cheapest way forward from the top frame.
  uint8_t closing_byte() const;
  bool push(Frame f);
  void pop_done();  // pops the top frame and tells its parent the child value is complete
  bool start_value(Frame& f, uint8_t c);
  bool literal_complete(const Frame& f) const;
  bool number_accepting(const Frame& f) const;

  std::array<Frame, kMaxStack> stack_;
  int depth_ = 0;
};

}  // namespace woolly::backends::detail

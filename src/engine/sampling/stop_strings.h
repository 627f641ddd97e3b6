// Stop strings across token boundaries. Generated text goes in piece by piece; what comes out
// is the text safe to show: never any part of a stop string, and nothing held back longer than
// needed (only a tail that could still become a stop string waits for the next piece).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace woolly::engine {

class StopStrings {
 public:
  StopStrings() = default;
  explicit StopStrings(std::vector<std::string> stops);

  // Adds `piece`; appends the text now safe to emit to `out`. Returns true once a stop string
  // has matched: the text before it has been emitted, the stop and anything after it dropped.
  bool feed(std::string_view piece, std::string& out);
  // End of generation without a stop: appends what was held back.
  void flush(std::string& out);

  bool stopped() const { return stopped_; }
  const std::string& matched() const { return matched_; }  // the stop string that matched

 private:
  std::vector<std::string> stops_;
  std::string pending_;  // held back: a suffix that is a proper prefix of some stop string
  std::string matched_;
  bool stopped_ = false;
};

}  // namespace woolly::engine

// A small streaming JSON writer for the hot output path: compact, keys in the order written, the
// same bytes nlohmann::json::dump() would give (strings escaped the same way), without building
// a tree first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bylaw::io {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  // The key of the next value inside an object.
  void key(std::string_view name) {
    separate();
    quoted(name);
    out_ += ':';
    after_key_ = true;
  }
  void string(std::string_view text) {
    separate();
    quoted(text);
  }
  void number(std::uint64_t value) {
    separate();
    out_ += std::to_string(value);
  }
  void boolean(bool value) {
    separate();
    out_ += value ? "true" : "false";
  }
  void null() {
    separate();
    out_ += "null";
  }
  void field(std::string_view name, std::string_view text) {
    key(name);
    string(text);
  }

 private:
  void open(char c) {
    separate();
    out_ += c;
    first_ |= 1ull << ++depth_;
  }
  void close(char c) {
    first_ &= ~(1ull << depth_--);
    out_ += c;
  }
  // A comma before every value but the first of its container (and none right after a key).
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    std::uint64_t bit = 1ull << depth_;
    if (depth_ > 0 && !(first_ & bit)) out_ += ',';
    first_ &= ~bit;
  }
  void quoted(std::string_view text);

  std::string& out_;
  std::uint64_t first_ = 0;  // per depth: nothing written in this container yet
  int depth_ = 0;            // containers nest at most 63 deep
  bool after_key_ = false;
};

}  // namespace bylaw::io

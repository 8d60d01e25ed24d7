// A small streaming JSON writer for the hot output path: compact, keys in the order written, the
// same bytes nlohmann::json::dump() would give (strings escaped the same way), without building
// a tree first.
//
// What makes it fast (bylaw-microbench's EncodeDecision): it writes through a pointer into room
// made ahead in the output string, not a character at a time through std::string (whose
// push_back is not inlined); keys given as literals are copied without looking for characters to
// escape; strings are scanned eight bytes at a time; numbers and times are written in place.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "bylaw/core/time.hpp"

namespace bylaw::io {

class JsonWriter {
 public:
  // Appends to `out`. Until finish() (or the writer's end), `out` also holds room not written
  // yet.
  explicit JsonWriter(std::string& out) : out_(out), start_(out.size()), at_(start_) {}
  ~JsonWriter() { finish(); }
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;
  // Trims `out` to what was written, so it can be read; writing may go on after.
  void finish() { out_.resize(at_); }

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  // The key of the next value inside an object: text from data (a field's name), escaped.
  void key(std::string_view name) {
    separate();
    quoted(name);
    put(':');
    after_key_ = true;
  }
  // A key written in the code: plain ASCII with nothing to escape, so copied as it is.
  template <std::size_t N>
  void key(const char (&name)[N]) {
    separate();
    char* p = room(N + 2);
    *p = '"';
    std::memcpy(p + 1, name, N - 1);
    p[N] = '"';
    p[N + 1] = ':';
    after_key_ = true;
  }
  void string(std::string_view text) {
    separate();
    quoted(text);
  }
  void number(std::uint64_t value) {
    separate();
    char digits[20];
    auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    put(std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }
  void boolean(bool value) {
    separate();
    put(value ? std::string_view("true") : std::string_view("false"));
  }
  void null() {
    separate();
    put("null");
  }
  // A time as an RFC 3339 string (core/time.hpp): digits and punctuation, nothing to escape.
  void time(Time value) {
    separate();
    char* p = room(kRfc3339MaxLength + 2);
    *p = '"';
    char* end = write_rfc3339(p + 1, value);
    *end++ = '"';
    at_ -= kRfc3339MaxLength + 2 - static_cast<std::size_t>(end - p);  // give back what is unused
  }
  template <class Name>
  void field(const Name& name, std::string_view text) {
    key(name);
    string(text);
  }
  template <class Name>
  void time_field(const Name& name, Time value) {
    key(name);
    time(value);
  }

 private:
  // `n` bytes at the end of what is written, for the caller to fill.
  char* room(std::size_t n) {
    if (out_.size() - at_ < n) grow(n);
    char* p = out_.data() + at_;
    at_ += n;
    return p;
  }
  void grow(std::size_t n);
  void put(char c) { *room(1) = c; }
  void put(std::string_view text) { std::memcpy(room(text.size()), text.data(), text.size()); }

  void open(char c) {
    separate();
    put(c);
    first_ |= 1ull << ++depth_;
  }
  void close(char c) {
    first_ &= ~(1ull << depth_--);
    put(c);
  }
  // A comma before every value but the first of its container (and none right after a key).
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    std::uint64_t bit = 1ull << depth_;
    if (depth_ > 0 && !(first_ & bit)) put(',');
    first_ &= ~bit;
  }
  void quoted(std::string_view text);

  std::string& out_;
  std::size_t start_;        // where this writer began
  std::size_t at_;           // the end of what is written; out_ may be longer (room made ahead)
  std::uint64_t first_ = 0;  // per depth: nothing written in this container yet
  int depth_ = 0;            // containers nest at most 63 deep
  bool after_key_ = false;
};

}  // namespace bylaw::io

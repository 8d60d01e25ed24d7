// A compact byte form for values that stay inside bylaw: packed events in `latest` indexes and
// the engine state in checkpoints. Integers are LEB128 varints (zigzag when signed), strings
// carry their length, a Value carries the index of its alternative.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bylaw/core/value.hpp"

namespace bylaw {

void put_varint(std::string& out, std::uint64_t v);
void put_signed(std::string& out, std::int64_t v);  // zigzag: small negatives stay short
void put_text(std::string& out, std::string_view text);
void put_value(std::string& out, const Value& value);

// Thrown when bytes end early or hold what no writer wrote.
class BadBytes : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads what the writers above wrote, front to back. Every read checks its bounds: a checkpoint
// read back from disk may be cut short or damaged, and that must be an error, never a crash.
class ByteReader {
 public:
  // `what` names the bytes in errors ("packed event", "checkpoint state").
  ByteReader(std::string_view bytes, const char* what) : bytes_(bytes), what_(what) {}

  std::uint64_t varint();
  std::int64_t signed_varint();
  bool boolean();
  std::string_view text();
  std::string_view take(std::size_t n);
  // Into `slot`, reusing what it holds; strings of a shrinking set wait in `spare`.
  void value(Value& slot, std::vector<std::string>& spare);
  // A count of items that each take at least one byte: more than the bytes left is damage.
  std::size_t count();
  bool done() const { return bytes_.empty(); }
  std::size_t remaining() const { return bytes_.size(); }
  [[noreturn]] void fail(const char* problem) const;

 private:
  std::string_view bytes_;
  const char* what_;
};

}  // namespace bylaw

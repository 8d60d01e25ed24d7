#include "partition_messages.hpp"

#include <fmt/format.h>

#include "bylaw/core/bytes.hpp"

namespace bylaw::service {

std::string encode_message(const PartitionMessage& m) {
  std::string out;
  out += static_cast<char>('a' + static_cast<int>(m.kind));
  put_varint(out, m.n);
  switch (m.kind) {
    case PartitionMessage::Kind::event:
      put_text(out, runtime::encode_event(*m.event));
      break;
    case PartitionMessage::Kind::hop:
      put_varint(out, m.rule);
      put_varint(out, m.step);
      out += m.hop.ended ? '1' : '0';
      put_text(out, m.hop.reads);
      break;
    case PartitionMessage::Kind::tick:
      put_signed(out, m.time.micros);
      break;
  }
  return out;
}

PartitionMessage decode_message(std::string_view bytes) {
  ByteReader in(bytes, "partition message");
  PartitionMessage m;
  int kind = in.take(1)[0] - 'a';
  if (kind < 0 || kind > static_cast<int>(PartitionMessage::Kind::tick)) in.fail("unknown kind");
  m.kind = static_cast<PartitionMessage::Kind>(kind);
  m.n = in.varint();
  switch (m.kind) {
    case PartitionMessage::Kind::event:
      m.event = runtime::decode_event(in.text());
      break;
    case PartitionMessage::Kind::hop:
      m.rule = static_cast<std::uint32_t>(in.varint());
      m.step = static_cast<std::uint32_t>(in.varint());
      m.hop.ended = in.take(1)[0] == '1';
      m.hop.reads.assign(in.text());
      break;
    case PartitionMessage::Kind::tick:
      m.time = Time{in.signed_varint()};
      break;
  }
  if (!in.done()) in.fail("trailing bytes");
  return m;
}

std::string partition_subject(const std::string& prefix, std::uint32_t partition) {
  return fmt::format("{}.p.{}", prefix, partition);
}

std::string message_id(const PartitionMessage& m, std::uint32_t partition) {
  switch (m.kind) {
    case PartitionMessage::Kind::event:
      return fmt::format("e{}.{}", m.n, partition);
    case PartitionMessage::Kind::hop:
      return fmt::format("h{}.{}.{}", m.n, m.rule, m.step);
    case PartitionMessage::Kind::tick:
      return fmt::format("t{}.{}", m.n, partition);
  }
  return {};
}

}  // namespace bylaw::service

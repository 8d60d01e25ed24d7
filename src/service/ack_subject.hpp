// Reading a JetStream message's place from the subject its ack goes to.
#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>

namespace bylaw::service {

// A stream message's sequence and the messages after it, from its ack subject:
// $JS.ACK.<stream>.<consumer>.<delivered>.<sequence>.<consumer seq>.<time>.<pending>, or with
// a domain and an account hash before the stream, and a token after. natsMsg_GetMetaData says
// the same, but allocates its answer for every message.
struct AckPlace {
  std::uint64_t sequence = 0;  // in the stream
  std::uint64_t delivery = 0;  // the consumer's count of deliveries: 1, 2, 3... without a gap
  std::uint64_t pending = 0;   // messages after this one
};

inline bool parse_ack_subject(std::string_view reply, AckPlace& place) {
  std::string_view tokens[12];
  std::size_t count = 0;
  while (count < 12) {
    std::size_t dot = reply.find('.');
    tokens[count++] = reply.substr(0, dot);
    if (dot == std::string_view::npos) break;
    reply.remove_prefix(dot + 1);
  }
  if (count < 9 || tokens[0] != "$JS" || tokens[1] != "ACK") return false;
  std::size_t first = count == 9 ? 5 : 7;  // where the sequence is
  if (first + 3 >= count) return false;
  auto number = [](std::string_view text, std::uint64_t& out) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size();
  };
  return number(tokens[first], place.sequence) && number(tokens[first + 1], place.delivery) &&
         number(tokens[first + 3], place.pending);
}

}  // namespace bylaw::service

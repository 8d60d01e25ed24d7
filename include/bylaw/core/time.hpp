// Event time and durations. Time is UTC microseconds since the Unix epoch; a Duration keeps
// calendar months apart from exact microseconds, because "6mo" is not a fixed length.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bylaw {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr std::int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr std::int64_t kMicrosPerDay = 24 * kMicrosPerHour;
constexpr std::int64_t kMicrosPerWeek = 7 * kMicrosPerDay;
// Used only to order durations that mix months with exact time (e.g. 1mo vs 30d).
constexpr std::int64_t kMicrosPerAverageMonth = 2'629'746 * kMicrosPerSecond;

struct Duration {
  std::int32_t months = 0;
  std::int64_t micros = 0;

  friend bool operator==(const Duration&, const Duration&) = default;
  Duration operator-() const { return {-months, -micros}; }
  Duration operator+(Duration o) const { return {months + o.months, micros + o.micros}; }
  Duration operator-(Duration o) const { return {months - o.months, micros - o.micros}; }
  // Exact when neither side has months; otherwise a month counts as its Gregorian average.
  std::int64_t approximate_micros() const { return months * kMicrosPerAverageMonth + micros; }
};

std::strong_ordering compare(Duration a, Duration b);

struct Time {
  std::int64_t micros = 0;
  friend auto operator<=>(const Time&, const Time&) = default;
};

// "30d", "24h", "6mo", "1d12h": one or more <digits><unit>, unit one of s m h d w mo.
std::optional<Duration> parse_duration(std::string_view text);
// A canonical spelling: 30d, 6mo, 24h (whole hours under two days), 2d12h, 0s.
std::string format_duration(Duration duration);

// Calendar arithmetic in UTC: months first (day clamped to the month's end), then the exact part.
// 2026-08-31T00:00:00Z + 6mo = 2027-02-28T00:00:00Z.
Time add(Time time, Duration duration);
Time subtract(Time time, Duration duration);
Duration between(Time later, Time earlier);  // exact, no months

// RFC 3339 with a required offset (Z or +hh:mm); fractions of a second down to microseconds.
std::optional<Time> parse_rfc3339(std::string_view text);
// What people type for a bound of a search: RFC 3339, or a bare date (2026-04-22) for its
// midnight UTC.
std::optional<Time> parse_time_or_date(std::string_view text);
// Always UTC with Z; fraction only when non-zero (.fff or .ffffff).
std::string format_rfc3339(Time time);
// The same, written at `out`, which has room for kRfc3339MaxLength bytes; returns the end. For
// the hot output path, which writes several per decision.
constexpr std::size_t kRfc3339MaxLength = 48;
char* write_rfc3339(char* out, Time time);

// For people: "365 days", "6 months", "1 day 12 hours", "30 minutes".
std::string format_duration_words(Duration duration);
// For people: "22 April 2026, 15:45 UTC" (seconds only when not zero).
std::string format_time_words(Time time);

struct CivilDate {
  std::int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};
std::int64_t days_from_civil(CivilDate date);
CivilDate civil_from_days(std::int64_t days);
unsigned days_in_month(std::int64_t year, unsigned month);

}  // namespace bylaw

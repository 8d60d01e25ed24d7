#include "bylaw/core/time.hpp"

#include <cctype>
#include <cstring>
#include <limits>
#include <vector>

#include <fmt/format.h>

namespace bylaw {

std::strong_ordering compare(Duration a, Duration b) {
  if (a.months == b.months) return a.micros <=> b.micros;
  return a.approximate_micros() <=> b.approximate_micros();
}

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Parses exactly `count` digits at `pos`; advances `pos`.
std::optional<int> digits(std::string_view text, std::size_t& pos, int count) {
  if (pos + static_cast<std::size_t>(count) > text.size()) return std::nullopt;
  int value = 0;
  for (int i = 0; i < count; ++i) {
    char c = text[pos + static_cast<std::size_t>(i)];
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(count);
  return value;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  Duration total;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (!is_digit(text[pos])) return std::nullopt;
    std::int64_t amount = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      amount = amount * 10 + (text[pos] - '0');
      if (amount > 1'000'000'000) return std::nullopt;  // far beyond any meaningful window
      ++pos;
    }
    std::size_t unit_begin = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
    std::string_view unit = text.substr(unit_begin, pos - unit_begin);
    if (unit == "s") {
      total.micros += amount * kMicrosPerSecond;
    } else if (unit == "m") {
      total.micros += amount * kMicrosPerMinute;
    } else if (unit == "h") {
      total.micros += amount * kMicrosPerHour;
    } else if (unit == "d") {
      total.micros += amount * kMicrosPerDay;
    } else if (unit == "w") {
      total.micros += amount * kMicrosPerWeek;
    } else if (unit == "mo") {
      total.months += static_cast<std::int32_t>(amount);
    } else {
      return std::nullopt;
    }
  }
  return total;
}

std::string format_duration(Duration duration) {
  if (duration.months == 0 && duration.micros == 0) return "0s";
  std::string out;
  if (duration.months < 0 || duration.micros < 0) {
    out += '-';
    duration = -duration;
  }
  if (duration.months != 0) out += fmt::format("{}mo", duration.months);
  std::int64_t rest = duration.micros;
  // Under two days, whole hours read better than days: 24h, not 1d.
  if (rest < 2 * kMicrosPerDay && rest % kMicrosPerHour == 0 && rest > 0) {
    return out + fmt::format("{}h", rest / kMicrosPerHour);
  }
  const std::pair<std::int64_t, const char*> units[] = {{kMicrosPerDay, "d"},
                                                        {kMicrosPerHour, "h"},
                                                        {kMicrosPerMinute, "m"},
                                                        {kMicrosPerSecond, "s"}};
  for (auto [size, name] : units) {
    if (rest >= size) {
      out += fmt::format("{}{}", rest / size, name);
      rest %= size;
    }
  }
  if (rest != 0) out += fmt::format("{}us", rest);
  return out;
}

// Howard Hinnant's days-from-civil algorithm (proleptic Gregorian calendar).
std::int64_t days_from_civil(CivilDate date) {
  std::int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  auto yoe = static_cast<unsigned>(y - era * 400);
  unsigned mp = date.month > 2 ? date.month - 3 : date.month + 9;
  unsigned doy = (153 * mp + 2) / 5 + date.day - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t days) {
  days += 719468;
  std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  auto doe = static_cast<unsigned>(days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

Time add_months(Time time, std::int32_t months) {
  if (months == 0) return time;
  std::int64_t days = floor_div(time.micros, kMicrosPerDay);
  std::int64_t time_of_day = time.micros - days * kMicrosPerDay;
  CivilDate date = civil_from_days(days);
  std::int64_t month_index = date.year * 12 + (date.month - 1) + months;
  std::int64_t year = floor_div(month_index, 12);
  auto month = static_cast<unsigned>(month_index - year * 12 + 1);
  unsigned day = std::min(date.day, days_in_month(year, month));
  return Time{days_from_civil({year, month, day}) * kMicrosPerDay + time_of_day};
}

}  // namespace

Time add(Time time, Duration duration) {
  Time moved = add_months(time, duration.months);
  return Time{moved.micros + duration.micros};
}

Time subtract(Time time, Duration duration) {
  return add(time, -duration);
}

Duration between(Time later, Time earlier) {
  return Duration{0, later.micros - earlier.micros};
}

std::optional<Time> parse_rfc3339(std::string_view text) {
  std::size_t pos = 0;
  auto year = digits(text, pos, 4);
  if (!year || pos >= text.size() || text[pos++] != '-') return std::nullopt;
  auto month = digits(text, pos, 2);
  if (!month || pos >= text.size() || text[pos++] != '-') return std::nullopt;
  auto day = digits(text, pos, 2);
  if (!day || pos >= text.size()) return std::nullopt;
  char sep = text[pos++];
  if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
  auto hour = digits(text, pos, 2);
  if (!hour || pos >= text.size() || text[pos++] != ':') return std::nullopt;
  auto minute = digits(text, pos, 2);
  if (!minute || pos >= text.size() || text[pos++] != ':') return std::nullopt;
  auto second = digits(text, pos, 2);
  if (!second) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 ||
      static_cast<unsigned>(*day) > days_in_month(*year, static_cast<unsigned>(*month)) ||
      *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  std::int64_t fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int count = 0;
    std::int64_t scale = 100'000;
    while (pos < text.size() && is_digit(text[pos])) {
      if (count < 6) fraction += (text[pos] - '0') * scale;
      scale /= 10;
      ++count;
      ++pos;
    }
    if (count == 0) return std::nullopt;
  }
  if (pos >= text.size()) return std::nullopt;  // the offset is required
  std::int64_t offset_minutes = 0;
  char zone = text[pos++];
  if (zone == 'Z' || zone == 'z') {
    // UTC
  } else if (zone == '+' || zone == '-') {
    auto oh = digits(text, pos, 2);
    if (!oh || pos >= text.size() || text[pos++] != ':') return std::nullopt;
    auto om = digits(text, pos, 2);
    if (!om || *oh > 23 || *om > 59) return std::nullopt;
    offset_minutes = (*oh * 60 + *om) * (zone == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  // A leap second (:60) is folded onto the next second.
  std::int64_t days =
      days_from_civil({*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)});
  std::int64_t seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second - offset_minutes * 60;
  return Time{seconds * kMicrosPerSecond + fraction};
}

namespace {

// Writes `value` as exactly `width` digits ending at `end` (value fits in width).
char* put_digits(char* end, std::int64_t value, int width) {
  for (int i = 0; i < width; ++i) {
    *--end = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return end;
}

}  // namespace

char* write_rfc3339(char* out, Time time) {
  std::int64_t days = floor_div(time.micros, kMicrosPerDay);
  std::int64_t rest = time.micros - days * kMicrosPerDay;
  CivilDate date = civil_from_days(days);
  std::int64_t seconds = rest / kMicrosPerSecond;
  std::int64_t micros = rest % kMicrosPerSecond;
  if (date.year < 0 || date.year > 9999) {  // outside RFC 3339's four digits: rare, so fmt
    out = fmt::format_to(out, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", date.year, date.month,
                         date.day, seconds / 3600, seconds / 60 % 60, seconds % 60);
    if (micros != 0) {
      out = micros % 1000 == 0 ? fmt::format_to(out, ".{:03}", micros / 1000)
                               : fmt::format_to(out, ".{:06}", micros);
    }
    *out++ = 'Z';
    return out;
  }
  // Every decision carries several times: digits by hand, not through a format string.
  std::memcpy(out, "0000-00-00T00:00:00", 19);
  put_digits(out + 4, date.year, 4);
  put_digits(out + 7, date.month, 2);
  put_digits(out + 10, date.day, 2);
  put_digits(out + 13, seconds / 3600, 2);
  put_digits(out + 16, seconds / 60 % 60, 2);
  put_digits(out + 19, seconds % 60, 2);
  out += 19;
  if (micros != 0) {
    bool millis = micros % 1000 == 0;
    int width = millis ? 3 : 6;
    *out++ = '.';
    out += width;
    put_digits(out, millis ? micros / 1000 : micros, width);
  }
  *out++ = 'Z';
  return out;
}

std::string format_rfc3339(Time time) {
  char text[kRfc3339MaxLength];
  return std::string(text, write_rfc3339(text, time));
}

std::optional<Time> parse_time_or_date(std::string_view text) {
  if (text.size() == 10) return parse_rfc3339(std::string(text) + "T00:00:00Z");
  return parse_rfc3339(text);
}

namespace {

std::string counted_unit(std::int64_t n, const char* unit) {
  return fmt::format("{} {}{}", n, unit, n == 1 ? "" : "s");
}

}  // namespace

std::string format_duration_words(Duration d) {
  std::vector<std::string> parts;
  std::int64_t months = d.months < 0 ? -std::int64_t{d.months} : d.months;
  std::int64_t micros = d.micros < 0 ? -d.micros : d.micros;
  if (months % 12 == 0 && months > 0) {
    parts.push_back(counted_unit(months / 12, "year"));
  } else if (months > 0) {
    parts.push_back(counted_unit(months, "month"));
  }
  const std::pair<std::int64_t, const char*> units[] = {{kMicrosPerDay, "day"},
                                                        {kMicrosPerHour, "hour"},
                                                        {kMicrosPerMinute, "minute"},
                                                        {kMicrosPerSecond, "second"}};
  for (const auto& [size, unit] : units) {
    if (micros >= size) parts.push_back(counted_unit(micros / size, unit));
    micros %= size;
  }
  if (parts.empty()) return "0 seconds";
  std::string out = (d.months < 0 || d.micros < 0) ? "minus " : "";
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? " " : "") + parts[i];
  return out;
}

std::string format_time_words(Time time) {
  static constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
  std::int64_t days = time.micros >= 0 ? time.micros / kMicrosPerDay
                                       : -((-time.micros + kMicrosPerDay - 1) / kMicrosPerDay);
  std::int64_t of_day = time.micros - days * kMicrosPerDay;
  CivilDate date = civil_from_days(days);
  std::int64_t seconds = of_day / kMicrosPerSecond;
  std::string clock = fmt::format("{:02}:{:02}", seconds / 3600, seconds / 60 % 60);
  if (seconds % 60 != 0) clock += fmt::format(":{:02}", seconds % 60);
  return fmt::format("{} {} {}, {} UTC", date.day, kMonths[date.month - 1], date.year, clock);
}

}  // namespace bylaw

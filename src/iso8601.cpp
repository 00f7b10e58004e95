#include "eudiplo_sse/iso8601.hpp"

#include <cstdint>

namespace eudiplo_sse {
namespace {

using Millis = std::chrono::duration<std::int64_t, std::milli>;

// Civil-from-days and days-from-civil on the proleptic Gregorian calendar
// (H. Hinnant's algorithms): exact for every day, no time zone database needed.
struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

Civil civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr std::int64_t ms_per_day = 86400000;
// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z in ms since the epoch.
const std::int64_t min_ms = days_from_civil(0, 1, 1) * ms_per_day;
const std::int64_t max_ms = days_from_civil(10000, 1, 1) * ms_per_day - 1;

void put(char* out, unsigned value, int width) noexcept {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

bool digits(std::string_view s, std::size_t pos, int width, unsigned& value) noexcept {
  value = 0;
  for (int i = 0; i < width; ++i) {
    const char c = s[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

bool is_leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

}  // namespace

void format_iso8601(TimePoint t, char* out) noexcept {
  // Floor, not truncation: 1 us before the epoch is in 1969, not at 1970-01-01.
  std::int64_t ms = std::chrono::floor<Millis>(t.time_since_epoch()).count();
  if (ms < min_ms) ms = min_ms;
  if (ms > max_ms) ms = max_ms;
  std::int64_t days = ms / ms_per_day;
  std::int64_t rem = ms % ms_per_day;
  if (rem < 0) {
    rem += ms_per_day;
    --days;
  }
  const Civil c = civil_from_days(days);
  const auto r = static_cast<unsigned>(rem);
  put(out, static_cast<unsigned>(c.year), 4);
  out[4] = '-';
  put(out + 5, c.month, 2);
  out[7] = '-';
  put(out + 8, c.day, 2);
  out[10] = 'T';
  put(out + 11, r / 3600000, 2);
  out[13] = ':';
  put(out + 14, r / 60000 % 60, 2);
  out[16] = ':';
  put(out + 17, r / 1000 % 60, 2);
  out[19] = '.';
  put(out + 20, r % 1000, 3);
  out[23] = 'Z';
}

std::string to_iso8601(TimePoint t) {
  std::string s(iso8601_length, '\0');
  format_iso8601(t, s.data());
  return s;
}

std::optional<TimePoint> parse_iso8601(std::string_view s) noexcept {
  if (s.size() != iso8601_length || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != '.' || s[23] != 'Z') {
    return std::nullopt;
  }
  unsigned y, mo, d, h, mi, sec, ms;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) || !digits(s, 11, 2, h) ||
      !digits(s, 14, 2, mi) || !digits(s, 17, 2, sec) || !digits(s, 20, 3, ms)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59) {
    return std::nullopt;
  }
  const std::int64_t total =
      days_from_civil(y, mo, d) * ms_per_day + ((h * 60 + mi) * 60 + sec) * std::int64_t{1000} + ms;
  // Valid text can name an instant the clock's duration cannot hold (nanoseconds
  // span 1677..2262): refuse it rather than wrap around.
  const std::int64_t lo = std::chrono::ceil<Millis>(TimePoint::min().time_since_epoch()).count();
  const std::int64_t hi = std::chrono::floor<Millis>(TimePoint::max().time_since_epoch()).count();
  if (total < lo || total > hi) return std::nullopt;
  return TimePoint(std::chrono::duration_cast<Clock::duration>(Millis(total)));
}

}  // namespace eudiplo_sse

#include <catch2/catch.hpp>

#include "infuse/common/civil_time.hpp"

using namespace infuse;

namespace {

// 2024-03-14T03:04:33+01:00: 19796 days after the epoch (2024-03-14), plus 02:04:33 UTC.
constexpr std::int64_t kThursday = 1710381873;

}  // namespace

TEST_CASE("days from civil and civil fields agree on known dates", "[civil_time]") {
    CHECK(days_from_civil(1970, 1, 1) == 0);
    CHECK(days_from_civil(1969, 12, 31) == -1);
    CHECK(days_from_civil(2000, 3, 1) == 11017);
    CHECK(days_from_civil(2024, 1, 1) == 19723);
    CHECK(days_from_civil(2024, 2, 29) == 19782);
    CHECK(days_from_civil(2024, 3, 14) == 19796);

    const auto f = civil_fields(LocalTime{kThursday, 60});
    CHECK(f.year == 2024);
    CHECK(f.month == 3u);
    CHECK(f.day == 14u);
    CHECK(f.hour == 3u);
    CHECK(f.minute == 4u);
    CHECK(f.second == 33u);
    CHECK(f.weekday == 4u);  // Thursday
    CHECK(weekday_abbreviation(f.weekday) == "Thu");

    // The same moment read in UTC is still the 14th, two o'clock.
    const auto utc = civil_fields(LocalTime{kThursday, 0});
    CHECK(utc.hour == 2u);
    CHECK(utc.day == 14u);

    // One second before the epoch: Wednesday 1969-12-31 23:59:59.
    const auto before = civil_fields(LocalTime{-1, 0});
    CHECK(before.year == 1969);
    CHECK(before.month == 12u);
    CHECK(before.day == 31u);
    CHECK(before.hour == 23u);
    CHECK(before.second == 59u);
    CHECK(before.weekday == 3u);
}

TEST_CASE("weekdays are right around the leap day and the year boundary", "[civil_time]") {
    // 2024-02-29 was a Thursday, 2024-03-01 a Friday, 2023-12-31 a Sunday, 2024-01-01 a Monday.
    CHECK(civil_fields(LocalTime{19782LL * 86400, 0}).weekday == 4u);
    CHECK(civil_fields(LocalTime{19783LL * 86400, 0}).weekday == 5u);
    CHECK(civil_fields(LocalTime{19723LL * 86400 - 1, 0}).weekday == 0u);
    CHECK(civil_fields(LocalTime{19723LL * 86400, 0}).weekday == 1u);
    CHECK(month_abbreviation(1) == "Jan");
    CHECK(month_abbreviation(12) == "Dec");
    CHECK(month_from_abbreviation("Feb") == 2u);
    CHECK_FALSE(month_from_abbreviation("feb"));
    CHECK_FALSE(month_from_abbreviation("Fev"));
}

TEST_CASE("offsets are written with and without a colon", "[civil_time]") {
    CHECK(format_offset(60, false) == "+0100");
    CHECK(format_offset(60, true) == "+01:00");
    CHECK(format_offset(0, true) == "+00:00");
    CHECK(format_offset(-300, false) == "-0500");
    CHECK(format_offset(330, true) == "+05:30");
    CHECK(format_offset(-210, true) == "-03:30");
    CHECK(format_offset(-30, false) == "-0030");
}

TEST_CASE("ISO 8601 round trips, with negative and half-hour offsets", "[civil_time]") {
    CHECK(format_iso8601(LocalTime{kThursday, 60}) == "2024-03-14T03:04:33+01:00");
    CHECK(format_iso8601(LocalTime{kThursday, 0}) == "2024-03-14T02:04:33+00:00");
    CHECK(format_iso8601(LocalTime{kThursday, -210}) == "2024-03-13T22:34:33-03:30");

    auto parsed = parse_iso8601("2024-03-14T03:04:33+01:00");
    REQUIRE(parsed);
    CHECK(parsed->epoch == kThursday);
    CHECK(parsed->offset_minutes == 60);

    // New Year's Eve in New York is 04:30 UTC on New Year's Day.
    auto eve = parse_iso8601("2024-12-31T23:30:00-05:00");
    REQUIRE(eve);
    CHECK(eve->epoch == 1735705800);
    CHECK(eve->offset_minutes == -300);
    CHECK(format_iso8601(*eve) == "2024-12-31T23:30:00-05:00");
    CHECK(format_iso8601(LocalTime{eve->epoch, 0}) == "2025-01-01T04:30:00+00:00");

    // Half an hour ahead of UTC, the first second of 2024 locally is still 2023 in UTC.
    auto india = parse_iso8601("2024-01-01T05:29:59+0530");
    REQUIRE(india);
    CHECK(india->epoch == 19723LL * 86400 - 1);
    CHECK(india->offset_minutes == 330);
    CHECK(format_iso8601(*india) == "2024-01-01T05:29:59+05:30");
    CHECK(civil_fields(LocalTime{india->epoch, 0}).year == 2023);

    auto leap = parse_iso8601("2024-02-29T12:00:00Z");
    REQUIRE(leap);
    CHECK(leap->epoch == 19782LL * 86400 + 12 * 3600);
    CHECK(leap->offset_minutes == 0);
    CHECK(format_iso8601(*leap) == "2024-02-29T12:00:00+00:00");

    // A fraction is read and dropped; a space may stand for the T.
    auto fraction = parse_iso8601("2024-03-14T02:04:33.987654Z");
    REQUIRE(fraction);
    CHECK(fraction->epoch == kThursday);
    auto spaced = parse_iso8601("2024-03-14 03:04:33+01:00");
    REQUIRE(spaced);
    CHECK(spaced->epoch == kThursday);
    auto century = parse_iso8601("2000-02-29T00:00:00Z");
    REQUIRE(century);
    CHECK(century->epoch == (11017LL - 1) * 86400);
}

TEST_CASE("ISO 8601 rejects what is not a full time with an offset", "[civil_time]") {
    CHECK_FALSE(parse_iso8601(""));
    CHECK_FALSE(parse_iso8601("2024-03-14"));
    CHECK_FALSE(parse_iso8601("2024-03-14T03:04"));
    CHECK_FALSE(parse_iso8601("2024-03-14T03:04:33"));        // no offset
    CHECK_FALSE(parse_iso8601("2024-03-14T03:04:33+01:00x"));  // trailing text
    CHECK_FALSE(parse_iso8601("2024/03/14T03:04:33Z"));
    CHECK_FALSE(parse_iso8601("2024-03-14T03-04-33Z"));
    CHECK_FALSE(parse_iso8601("2024-13-01T00:00:00Z"));
    CHECK_FALSE(parse_iso8601("2024-02-30T00:00:00Z"));
    CHECK_FALSE(parse_iso8601("2023-02-29T00:00:00Z"));  // 2023 is not a leap year
    CHECK_FALSE(parse_iso8601("1900-02-29T00:00:00Z"));  // nor is 1900
    CHECK_FALSE(parse_iso8601("2024-03-14T24:00:00Z"));
    CHECK_FALSE(parse_iso8601("2024-03-14T03:60:00Z"));
    CHECK_FALSE(parse_iso8601("2024-03-14T03:04:33+24:00"));
    CHECK_FALSE(parse_iso8601("2024-03-14T03:04:33+01:60"));
    CHECK_FALSE(parse_iso8601("2024-03-14T03:04:33+1"));
    CHECK_FALSE(parse_iso8601("2024-03-14T03:04:33 01:00"));
}

TEST_CASE("CLF round trips across the year boundary", "[civil_time]") {
    CHECK(format_clf(LocalTime{kThursday, 60}) == "14/Mar/2024:03:04:33 +0100");
    auto parsed = parse_clf("14/Mar/2024:03:04:33 +0100");
    REQUIRE(parsed);
    CHECK(parsed->epoch == kThursday);
    CHECK(parsed->offset_minutes == 60);

    const std::int64_t new_year = 19723LL * 86400;  // 2024-01-01T00:00:00Z
    CHECK(format_clf(LocalTime{new_year - 1, 0}) == "31/Dec/2023:23:59:59 +0000");
    CHECK(format_clf(LocalTime{new_year, 0}) == "01/Jan/2024:00:00:00 +0000");
    CHECK(format_clf(LocalTime{new_year, -60}) == "31/Dec/2023:23:00:00 -0100");
    CHECK(format_clf(LocalTime{new_year, 330}) == "01/Jan/2024:05:30:00 +0530");

    auto west = parse_clf("31/Dec/2023:23:00:00 -0100");
    REQUIRE(west);
    CHECK(west->epoch == new_year);
    CHECK(west->offset_minutes == -60);
    auto half = parse_clf("01/Jan/2024:05:30:00 +0530");
    REQUIRE(half);
    CHECK(half->epoch == new_year);
    CHECK(format_clf(*half) == "01/Jan/2024:05:30:00 +0530");

    auto leap = parse_clf("29/Feb/2024:23:59:59 -0330");
    REQUIRE(leap);
    CHECK(leap->epoch == 19782LL * 86400 + 86399 + 210 * 60);
    CHECK(format_clf(*leap) == "29/Feb/2024:23:59:59 -0330");
}

TEST_CASE("CLF rejects malformed times", "[civil_time]") {
    CHECK_FALSE(parse_clf("14/Foo/2024:03:04:33 +0100"));
    CHECK_FALSE(parse_clf("32/Mar/2024:03:04:33 +0100"));
    CHECK_FALSE(parse_clf("29/Feb/2023:03:04:33 +0100"));
    CHECK_FALSE(parse_clf("14/Mar/2024:03:04:33 0100"));
    CHECK_FALSE(parse_clf("14/Mar/2024:03:04:33 +01:00"));
    CHECK_FALSE(parse_clf("14/Mar/2024 03:04:33 +0100"));
    CHECK_FALSE(parse_clf("4/Mar/2024:03:04:33 +0100"));
    CHECK_FALSE(parse_clf("[14/Mar/2024:03:04:33 +0100]"));
}

TEST_CASE("syslog times take the year and zone from their context", "[civil_time]") {
    CHECK(format_syslog(LocalTime{kThursday, 60}) == "Mar 14 03:04:33");
    // Days below ten are padded with a space, as syslog does.
    const std::int64_t march_4 = (19796LL - 10) * 86400 + 5 * 3600 + 6 * 60 + 7;
    CHECK(format_syslog(LocalTime{march_4, 0}) == "Mar  4 05:06:07");

    auto padded = parse_syslog("Mar  4 05:06:07", 2024, 0);
    REQUIRE(padded);
    CHECK(padded->epoch == march_4);
    auto zoned = parse_syslog("Mar 14 03:04:33", 2024, 60);
    REQUIRE(zoned);
    CHECK(zoned->epoch == kThursday);
    CHECK(zoned->offset_minutes == 60);
    auto earlier_year = parse_syslog("Mar 14 03:04:33", 2023, 60);
    REQUIRE(earlier_year);
    CHECK(kThursday - earlier_year->epoch == 366LL * 86400);  // 2023-03-14 to 2024-03-14 spans the leap day

    auto leap = parse_syslog("Feb 29 00:00:00", 2024, 0);
    REQUIRE(leap);
    CHECK(leap->epoch == 19782LL * 86400);
    CHECK_FALSE(parse_syslog("Feb 29 00:00:00", 2023, 0));
    CHECK_FALSE(parse_syslog("Mar 14 3:04:33", 2024, 0));
    CHECK_FALSE(parse_syslog("Mar 14 03:04:33 ", 2024, 0));
    CHECK_FALSE(parse_syslog("Mrz 14 03:04:33", 2024, 0));
    CHECK_FALSE(parse_syslog("Mar 32 03:04:33", 2024, 0));
    CHECK_FALSE(parse_syslog("Mar 14 25:04:33", 2024, 0));
}

TEST_CASE("Apache error log times round trip with their microseconds", "[civil_time]") {
    CHECK(format_apache_error(LocalTime{kThursday, 60}, 512204) == "Thu Mar 14 03:04:33.512204 2024");
    CHECK(format_apache_error(LocalTime{kThursday, 60}, 7) == "Thu Mar 14 03:04:33.000007 2024");
    CHECK(format_apache_error(LocalTime{19782LL * 86400, 0}, 0) == "Thu Feb 29 00:00:00.000000 2024");
    CHECK(format_apache_error(LocalTime{19723LL * 86400 - 1, 0}, 999999) == "Sun Dec 31 23:59:59.999999 2023");

    auto parsed = parse_apache_error("Thu Mar 14 03:04:33.512204 2024", 60);
    REQUIRE(parsed);
    CHECK(parsed->epoch == kThursday);
    CHECK(parsed->offset_minutes == 60);
    auto west = parse_apache_error("Sun Dec 31 23:59:59.999999 2023", -300);
    REQUIRE(west);
    CHECK(west->epoch == 19723LL * 86400 - 1 + 300 * 60);

    CHECK_FALSE(parse_apache_error("Thu Mar 14 03:04:33 2024", 0));          // no microseconds
    CHECK_FALSE(parse_apache_error("Thu Mar 14 03:04:33.512204 24", 0));
    CHECK_FALSE(parse_apache_error("Thu Mar 14 03:04:33,512204 2024", 0));
    CHECK_FALSE(parse_apache_error("Thu Mar 34 03:04:33.512204 2024", 0));
    CHECK_FALSE(parse_apache_error("Thu Xyz 14 03:04:33.512204 2024", 0));
}

TEST_CASE("RFC 5322 dates round trip, with or without weekday and seconds", "[civil_time]") {
    CHECK(format_rfc5322(LocalTime{kThursday + 6 * 3600 + 8 * 60 + 7, 60}) == "Thu, 14 Mar 2024 09:12:40 +0100");
    CHECK(format_rfc5322(LocalTime{1735705800, -300}) == "Tue, 31 Dec 2024 23:30:00 -0500");
    CHECK(format_rfc5322(LocalTime{1735705800, 0}) == "Wed, 1 Jan 2025 04:30:00 +0000");
    CHECK(format_rfc5322(LocalTime{1735705800, 330}) == "Wed, 1 Jan 2025 10:00:00 +0530");
    CHECK(format_rfc5322(LocalTime{19782LL * 86400, 0}) == "Thu, 29 Feb 2024 00:00:00 +0000");

    auto parsed = parse_rfc5322("Thu, 14 Mar 2024 09:12:40 +0100");
    REQUIRE(parsed);
    CHECK(parsed->epoch == kThursday + 6 * 3600 + 8 * 60 + 7);
    CHECK(parsed->offset_minutes == 60);

    auto eve = parse_rfc5322("Tue, 31 Dec 2024 23:30:00 -0500");
    REQUIRE(eve);
    CHECK(eve->epoch == 1735705800);
    CHECK(eve->offset_minutes == -300);
    CHECK(format_rfc5322(*eve) == "Tue, 31 Dec 2024 23:30:00 -0500");

    auto short_form = parse_rfc5322("1 Jan 2025 10:00 +0530");
    REQUIRE(short_form);
    CHECK(short_form->epoch == 1735705800);
    CHECK(short_form->offset_minutes == 330);

    auto commented = parse_rfc5322("Thu, 29 Feb 2024 00:00:00 +0000 (UTC)");
    REQUIRE(commented);
    CHECK(commented->epoch == 19782LL * 86400);
}

TEST_CASE("RFC 5322 rejects malformed dates", "[civil_time]") {
    CHECK_FALSE(parse_rfc5322(""));
    CHECK_FALSE(parse_rfc5322("Thu, 14 Mar 2024 09:12:40"));  // no zone
    CHECK_FALSE(parse_rfc5322("Thu, 14 Mrz 2024 09:12:40 +0100"));
    CHECK_FALSE(parse_rfc5322("Thu, 114 Mar 2024 09:12:40 +0100"));
    CHECK_FALSE(parse_rfc5322("Thu, 30 Feb 2024 09:12:40 +0100"));
    CHECK_FALSE(parse_rfc5322("Thu, 14 Mar 24 09:12:40 +0100"));
    CHECK_FALSE(parse_rfc5322("Thu, 14 Mar 2024 9:12:40 +0100"));
    CHECK_FALSE(parse_rfc5322("Thu, 14 Mar 2024 09.12.40 +0100"));
    CHECK_FALSE(parse_rfc5322("Thu, 14 Mar 2024 09:12:40 +2500"));
    CHECK_FALSE(parse_rfc5322("Thu, Mar 14 2024 09:12:40 +0100"));
}

TEST_CASE("calendar dates: validity and month lengths on std::chrono", "[civil_time]") {
    CHECK(is_valid_date(2024, 2, 29));
    CHECK_FALSE(is_valid_date(2023, 2, 29));
    CHECK_FALSE(is_valid_date(1900, 2, 29));
    CHECK(is_valid_date(2000, 2, 29));
    CHECK_FALSE(is_valid_date(2024, 13, 1));
    CHECK_FALSE(is_valid_date(2024, 4, 31));
    CHECK_FALSE(is_valid_date(2024, 1, 0));
    CHECK(days_in_month(2024, 2) == 29u);
    CHECK(days_in_month(2023, 2) == 28u);
    CHECK(days_in_month(2024, 12) == 31u);
    const auto before = civil_fields(LocalTime{-1, 0});  // 1969-12-31T23:59:59Z, a Wednesday
    CHECK(before.year == 1969);
    CHECK(before.day == 31u);
    CHECK(before.second == 59u);
    CHECK(before.weekday == 3u);
}

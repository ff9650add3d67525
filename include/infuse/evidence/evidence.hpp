// Reading evidence the way a learner's tools do: log lines split into named fields, emails into
// decoded headers (docs/evidence.md#derived-values). Used by derived answers and by tests that
// prove the generators write what they claim.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "infuse/common/civil_time.hpp"
#include "infuse/evidence/charset.hpp"

namespace infuse {

// One log format: its field names and a parser that splits a line into them.
class LogFormat {
public:
    virtual ~LogFormat() = default;
    virtual std::string_view name() const = 0;
    virtual std::span<const std::string_view> fields() const = 0;
    // Fills `values` (one per field, views into `line` or static text); false if the line does
    // not parse in this format.
    virtual bool parse(std::string_view line, std::vector<std::string_view>& values) const = 0;
    // The line's time, from the parsed values.
    virtual std::optional<LocalTime> time(const std::vector<std::string_view>& values) const = 0;
    // Whether a line that does not parse continues the entry above (a PHP stack trace), rather
    // than being a line of another format.
    virtual bool continues(std::string_view) const { return false; }
    // The index of a field; json-lines takes any JSON pointer or key, and adds it to fields().
    virtual std::optional<std::size_t> field_index(std::string_view field) const;
};

// "combined" (common, combined, vhost_combined, with a request time), "error" (Apache and nginx),
// "nginx-error" (nginx only), "php-error" (PHP's error_log), "syslog" / "auth" (RFC 3164 and 5424, sshd read further),
// "json-lines" (docs/evidence.md#log-formats). Syslog and error logs may write no year or zone:
// they come from `year` and `offset_minutes`.
std::unique_ptr<LogFormat> make_log_format(std::string_view name, int year = 2024, int offset_minutes = 0);
// Those names, in the order format detection tries them.
std::span<const std::string_view> log_format_names();

// An email's header section, unfolded (broken folds recovered: mail.hpp, read_header_block).
struct EmailHeader {
    std::string name;   // as written
    std::string value;  // unfolded, raw (encoded words kept)
};
std::vector<EmailHeader> parse_email_headers(std::string_view message);
// RFC 2047: decodes =?charset?B|Q?...?= words, in any charset iconv knows (charset.hpp); always
// valid UTF-8. decode_header_text also says what could not be decoded (an unknown charset, bytes
// invalid in theirs), which decode_encoded_words shows as U+FFFD only.
std::string decode_encoded_words(std::string_view text);
DecodedText decode_header_text(std::string_view text);

// A Received header as Postfix, Exim, Exchange, Microsoft 365, Gmail, qmail and Sendmail write it:
// from_host is the name after `from`, ip the address the receiving server saw (bracketed or not,
// IPv4 or IPv6), helo the name the client gave (the `from` name when no HELO/helo= says otherwise),
// with the protocol words, recipient the `for` address without <>.
struct ReceivedHop {
    std::string from_host, ip, by;
    std::optional<LocalTime> time;
    std::string helo, with, id, recipient;
};
ReceivedHop parse_received(std::string_view value);

// The result word of `method` ("spf", "dkim", "dmarc") in an Authentication-Results value.
std::optional<std::string> auth_result(std::string_view value, std::string_view method);
std::string auth_server(std::string_view value);

// The address in a mailbox header value ("Name <a@b>" or "a@b"), lower-cased; and the display name.
std::string mailbox_address(std::string_view value);
std::string mailbox_display_name(std::string_view value);

}  // namespace infuse

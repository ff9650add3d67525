// Email read as mail servers and forensic tools read it (docs/evidence.md, "Email"): the header
// block with broken folds recovered, Received hops of every common server, Authentication-Results
// (RFC 8601), Received-SPF, DKIM and ARC tag lists, and the MIME body (GMime 3): text and HTML
// parts decoded, links and images read from the HTML (gumbo), attachments hashed. Evidence is
// untrusted: every reader takes any bytes and is bounded (kMail*).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "infuse/common/civil_time.hpp"
#include "infuse/evidence/evidence.hpp"

namespace infuse {

inline constexpr std::size_t kMailMimeDepth = 16;        // nested multiparts and attached messages
inline constexpr std::size_t kMailParts = 256;           // MIME parts read in one message
inline constexpr std::size_t kMailHtmlBytes = 2u << 20;  // HTML given to the HTML parser
inline constexpr std::size_t kMailHtmlDepth = 1000;      // estimated element nesting of that HTML
inline constexpr std::size_t kMailDefects = 50;          // defects listed (then "N more")

// The header section. A line that is not `Name:` (a name of letters, digits, '-', '_', '.')
// and not the blank line ending the section continues the previous header, as tolerant parsers
// read it: a fold that lost its leading white space. Each such line is a defect.
struct HeaderBlock {
    std::vector<EmailHeader> headers;
    std::vector<std::string> defects;
    std::size_t body_offset = 0;  // where the body starts; the message's size when there is none
};
HeaderBlock read_header_block(std::string_view message);

// A date as mail software reads it: RFC 5322 with its obsolete forms (no weekday, two-digit
// years, zone names like PDT or GMT, one-digit hours, comments, missing seconds).
std::optional<LocalTime> parse_mail_date(std::string_view text);

// RFC 8601 Authentication-Results (and ARC-Authentication-Results, which starts with i=N).
struct AuthMethodResult {
    std::string method;   // lower case: spf, dkim, dmarc, arc, iprev, auth ...
    std::string result;   // lower case: pass, fail, softfail, none ...
    std::string reason;   // reason=
    std::string comment;  // the first comment in the entry, without its parentheses
    std::vector<std::pair<std::string, std::string>> properties;  // smtp.mailfrom, header.d ... (names lower case)
    const std::string* property(std::string_view name) const;
};
struct AuthResults {
    std::string authserv_id;
    std::optional<int> instance;  // ARC: i=
    std::vector<AuthMethodResult> results;
};
AuthResults parse_authentication_results(std::string_view value);

// Received-SPF: the result word, its comment and its key=value pairs (client-ip, envelope-from,
// helo, receiver, identity, mechanism ...).
struct ReceivedSpf {
    std::string result, comment;
    std::vector<std::pair<std::string, std::string>> fields;  // names lower case
};
ReceivedSpf parse_received_spf(std::string_view value);

// A tag=value list (DKIM-Signature, ARC-Seal, ARC-Message-Signature; RFC 6376 3.2): names as
// written, values with their folding white space removed.
std::vector<std::pair<std::string, std::string>> parse_tag_list(std::string_view value);

// The body.
struct MailLink {
    std::string href, text, host, element;  // element: a, area, form
};
struct MailImage {
    std::string src, host;
    bool pixel = false;  // 0 or 1 pixel wide or high, or hidden: a tracking pixel
};
struct MailAttachment {
    std::string name, type, sha256;
    std::size_t size = 0;  // decoded bytes
};
struct HtmlFindings {
    std::vector<MailLink> links;
    std::vector<MailImage> images;
    std::vector<std::string> defects;
};
// Links (<a href>, <area href>, <form action>) and images of an HTML document.
HtmlFindings read_html(std::string_view html);
// The host of a URL ("https://User@Host.example:8443/x" -> "host.example"), "" when it has none.
std::string url_host(std::string_view url);

struct MailBody {
    std::string text, html;  // the first text/plain and text/html parts that are not attachments, UTF-8
    std::vector<MailLink> links;
    std::vector<MailImage> images;
    std::vector<MailAttachment> attachments;
    std::size_t parts = 0;  // leaf parts read
    std::vector<std::string> defects;
};
MailBody read_mail_body(std::string_view message);

}  // namespace infuse

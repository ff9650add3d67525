// email: one RFC 5322 message with its Received chain (docs/evidence.md#email).
#include <cctype>

#include <fmt/format.h>

#include "generate/generators.hpp"
#include "generate/support.hpp"

namespace infuse::gen {

namespace {

struct Mailbox {
    std::string name, address;
};

Mailbox parse_mailbox(const Options& o, std::string_view key, const std::string& text) {
    const auto open = text.rfind('<');
    const auto close = text.rfind('>');
    Mailbox box;
    if (open != std::string::npos && close != std::string::npos && close > open) {
        box.address = text.substr(open + 1, close - open - 1);
        box.name = text.substr(0, open);
        while (!box.name.empty() && box.name.back() == ' ') box.name.pop_back();
        if (box.name.size() >= 2 && box.name.front() == '"' && box.name.back() == '"') box.name = box.name.substr(1, box.name.size() - 2);
    } else {
        box.address = text;
    }
    if (box.address.find('@') == std::string::npos) {
        throw OptionError(fmt::format("{}: '{}' has no address (write \"Name <user@domain>\")", o.field(key), text));
    }
    return box;
}

std::string domain_of(const std::string& address) { return address.substr(address.find('@') + 1); }

std::string base64(std::string_view bytes) {
    static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (i + 1 == bytes.size()) {
        const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == bytes.size()) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

// RFC 2047 encoded words of at most 75 characters, split on UTF-8 character boundaries and
// folded onto continuation lines.
std::string encoded_words(std::string_view text, char encoding) {
    std::vector<std::string> chunks;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = std::min(text.size(), start + (encoding == 'B' ? 36 : 20));
        while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
        chunks.emplace_back(text.substr(start, end - start));
        start = end;
    }
    std::string out;
    for (const auto& chunk : chunks) {
        std::string word;
        if (encoding == 'B') {
            word = "=?UTF-8?B?" + base64(chunk) + "?=";
        } else {
            word = "=?UTF-8?Q?";
            for (unsigned char c : chunk) {
                if (c == ' ') word += '_';
                else if (c < 0x80 && (std::isalnum(c) || c == '.' || c == ',' || c == '-' || c == '!')) word += static_cast<char>(c);
                else word += fmt::format("={:02X}", c);
            }
            word += "?=";
        }
        out += (out.empty() ? "" : "\n ") + word;
    }
    return out;
}

std::string encoding_of(const Options& o, std::string_view header) {
    if (!o.has("encode")) return "";
    Options encode(o.raw("encode"), "encode", {"subject", "from"});
    const std::string value = encode.text(header, "");
    if (!value.empty() && value != "b" && value != "q") {
        throw OptionError(fmt::format("encode.{}: '{}' is neither b nor q", header, value));
    }
    return value;
}

std::string random_token(Rng& rng, std::size_t length, std::string_view alphabet) {
    std::string token;
    for (std::size_t i = 0; i < length; ++i) token += alphabet[rng.below(alphabet.size())];
    return token;
}

std::string html_escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '&') out += "&amp;";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '"') out += "&quot;";
        else out += c;
    }
    return out;
}

// Quoted-printable (RFC 2045 6.7): lines of at most 76 characters with soft breaks ("=" at the end).
std::string quoted_printable(std::string_view text) {
    std::string out, line;
    auto flush_soft = [&] {
        out += line + "=\n";
        line.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            if (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
                const char last = line.back();
                line.pop_back();
                line += fmt::format("={:02X}", static_cast<unsigned char>(last));
            }
            out += line + "\n";
            line.clear();
            continue;
        }
        const std::string piece = (c == '=' || c >= 0x7F || (c < 0x20 && c != '\t')) ? fmt::format("={:02X}", c) : std::string(1, static_cast<char>(c));
        if (line.size() + piece.size() > 75) flush_soft();
        line += piece;
    }
    out += line;
    return out;
}

std::string base64_lines(std::string_view bytes) {
    const std::string encoded = base64(bytes);
    std::string out;
    for (std::size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\n";
    return out;
}

// The HTML alternative of the body: its paragraphs, then the links, the images and the pixel.
struct RichBody {
    std::string text, html;
};
RichBody rich_body(const Options& o, const std::string& body) {
    RichBody rich;
    rich.text = body;
    if (!rich.text.empty() && rich.text.back() != '\n') rich.text += '\n';
    rich.html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n<body style=\"font-family:Arial,sans-serif\">\n";
    if (o.has("images")) {
        const auto& images = o.raw("images");
        if (!images.is_array()) throw OptionError("images: a list of image addresses");
        for (std::size_t i = 0; i < images.size(); ++i) {
            if (!images[i].is_string()) throw OptionError(fmt::format("images[{}]: an image address", i));
            rich.html += fmt::format("<p><img src=\"{}\" alt=\"\" width=\"180\" height=\"60\"></p>\n", html_escape(images[i].get<std::string>()));
        }
    }
    std::size_t start = 0;
    while (start < body.size()) {
        auto end = body.find("\n\n", start);
        if (end == std::string::npos) end = body.size();
        std::string paragraph = html_escape(body.substr(start, end - start));
        for (std::size_t at = paragraph.find('\n'); at != std::string::npos; at = paragraph.find('\n', at + 5)) paragraph.replace(at, 1, "<br>\n");
        if (!paragraph.empty()) rich.html += "<p>" + paragraph + "</p>\n";
        start = end + 2;
    }
    if (o.has("links")) {
        const auto& links = o.raw("links");
        if (!links.is_array()) throw OptionError("links: a list of {text, href}");
        for (std::size_t i = 0; i < links.size(); ++i) {
            Options link(links[i], fmt::format("links[{}]", i), {"text", "href"});
            const std::string href = link.required_text("href");
            const std::string text = link.text("text", href);
            rich.html += fmt::format("<p style=\"text-align:center\"><a href=\"{}\" style=\"color:#ffffff;background:#1a73e8;padding:10px 18px\">{}</a></p>\n",
                                     html_escape(href), html_escape(text));
            rich.text += fmt::format("\n{} <{}>\n", text, href);
        }
    }
    if (o.has("pixel")) {
        rich.html += fmt::format("<img src=\"{}\" width=\"1\" height=\"1\" alt=\"\" style=\"border:0\">\n", html_escape(o.text("pixel", "")));
    }
    rich.html += "</body></html>\n";
    return rich;
}

}  // namespace

GenerateStats generate_email(const nlohmann::json& with, std::string_view seed_text, std::ostream& out) {
    const nlohmann::json empty = nlohmann::json::object();
    Options o(with.is_null() ? empty : with, "",
              {"from", "to", "reply_to", "return_path", "subject", "encode", "date", "hops", "auth", "body", "links", "images", "pixel",
               "attachment", "html_encoding"});
    Rng rng(fmt::format("{}/email", seed_text));
    const Mailbox from = parse_mailbox(o, "from", o.required_text("from"));
    const Mailbox to = parse_mailbox(o, "to", o.required_text("to"));
    const std::string subject = o.required_text("subject");
    const std::string return_path = o.has("return_path") ? parse_mailbox(o, "return_path", o.text("return_path", "")).address : from.address;
    const std::string date_text = o.text("date", "2024-03-14T09:12:40+01:00");
    auto date = parse_iso8601(date_text);
    if (!date) throw OptionError(fmt::format("date: '{}' is not an ISO 8601 time with an offset", date_text));

    // The hops, sender first; each Received: header is written by the hop's `by` server.
    if (!o.has("hops") || !o.raw("hops").is_array() || o.raw("hops").empty()) {
        throw OptionError("hops: required, a list of {from, ip, by, delay, zone}, sender first");
    }
    std::vector<std::string> received;
    std::int64_t clock = date->epoch;
    const auto& hops = o.raw("hops");
    for (std::size_t i = 0; i < hops.size(); ++i) {
        Options hop(hops[i], fmt::format("hops[{}]", i), {"from", "ip", "by", "delay", "zone", "with"});
        clock += hop.integer("delay", 1, 0, 7 * 86400);
        const std::string zone = hop.text("zone", "+0000");
        auto zoned = parse_iso8601("2000-01-01T00:00:00" + zone);
        if (!zoned) throw OptionError(fmt::format("hops[{}].zone: '{}' is not an offset like +0100", i, zone));
        const std::string from_host = hop.required_text("from");
        const std::string queue_id = random_token(rng, 12, "0123456789ABCDEFGHJKLMNPQRSTVWXYZ");
        received.push_back(fmt::format("Received: from {} ({} [{}])\n\tby {} with {} id {}\n\tfor <{}>; {}", from_host,
                                       from_host, hop.required_text("ip"), hop.required_text("by"),
                                       hop.text("with", i == 0 ? "ESMTPSA" : "ESMTPS"), queue_id, to.address,
                                       format_rfc5322(LocalTime{clock, zoned->offset_minutes})));
    }

    std::string message;
    message += fmt::format("Return-Path: <{}>\n", return_path);
    message += fmt::format("Delivered-To: {}\n", to.address);
    if (o.has("auth")) {
        Options auth(o.raw("auth"), "auth", {"server", "spf", "dkim", "dmarc", "mailfrom", "dkim_domain"});
        const std::string server = auth.text("server", "mx.example.org");
        std::string results = fmt::format("Authentication-Results: {};", server);
        if (auth.has("spf")) {
            results += fmt::format("\n\tspf={} smtp.mailfrom={};", auth.text("spf", ""), auth.text("mailfrom", domain_of(return_path)));
        }
        if (auth.has("dkim")) {
            results += fmt::format("\n\tdkim={} header.d={} header.s=s1 header.b={};", auth.text("dkim", ""),
                                   auth.text("dkim_domain", domain_of(from.address)),
                                   random_token(rng, 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"));
        }
        if (auth.has("dmarc")) {
            const std::string dmarc = auth.text("dmarc", "");
            results += fmt::format("\n\tdmarc={} ({}) header.from={}", dmarc, dmarc == "pass" ? "p=NONE" : "p=REJECT sp=REJECT dis=QUARANTINE",
                                   domain_of(from.address));
        }
        if (results.back() == ';') results.pop_back();
        message += results + "\n";
    }
    for (auto it = received.rbegin(); it != received.rend(); ++it) message += *it + "\n";

    const std::string from_encoding = encoding_of(o, "from");
    const std::string subject_encoding = encoding_of(o, "subject");
    const std::string from_name = from.name.empty()        ? std::string()
                                  : from_encoding.empty() ? fmt::format("\"{}\" ", from.name)
                                                          : encoded_words(from.name, from_encoding == "b" ? 'B' : 'Q') + " ";
    message += fmt::format("From: {}<{}>\n", from_name, from.address);
    if (o.has("reply_to")) {
        const Mailbox reply = parse_mailbox(o, "reply_to", o.text("reply_to", ""));
        message += reply.name.empty() ? fmt::format("Reply-To: <{}>\n", reply.address)
                                      : fmt::format("Reply-To: \"{}\" <{}>\n", reply.name, reply.address);
    }
    message += to.name.empty() ? fmt::format("To: <{}>\n", to.address) : fmt::format("To: \"{}\" <{}>\n", to.name, to.address);
    message += fmt::format("Subject: {}\n", subject_encoding.empty() ? subject
                                                                      : encoded_words(subject, subject_encoding == "b" ? 'B' : 'Q'));
    message += fmt::format("Date: {}\n", format_rfc5322(*date));
    message += fmt::format("Message-ID: <{}.{}@{}>\n", random_token(rng, 14, "0123456789abcdef"),
                           random_token(rng, 6, "0123456789"), domain_of(from.address));
    static const std::vector<std::string> mailers{"Microsoft Outlook 16.0", "Foxmail 7.2", "PHPMailer 6.8.1", "Thunderbird 115.8.0"};
    message += fmt::format("X-Mailer: {}\n", rng.pick(mailers));
    const std::string body = o.text("body", "Hello,\n\nPlease find the document attached and confirm before the end of the day.\n\nRegards");
    const bool rich = o.has("links") || o.has("images") || o.has("pixel") || o.has("attachment");
    if (!rich) {
        message += "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n";
        message += body;
        if (message.back() != '\n') message += '\n';
    } else {
        // multipart/mixed (with an attachment) around multipart/alternative: text, then HTML.
        const std::string html_encoding = o.text("html_encoding", "quoted-printable");
        if (html_encoding != "quoted-printable" && html_encoding != "base64") {
            throw OptionError(fmt::format("html_encoding: '{}' is neither quoted-printable nor base64", html_encoding));
        }
        const auto parts = rich_body(o, body);
        const std::string alternative = "alt_" + random_token(rng, 24, "0123456789abcdef");
        std::string inner = fmt::format("Content-Type: multipart/alternative; boundary=\"{}\"\n\n", alternative);
        inner += fmt::format("--{}\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n{}\n", alternative,
                             quoted_printable(parts.text));
        inner += fmt::format("--{}\nContent-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: {}\n\n{}\n", alternative, html_encoding,
                             html_encoding == "base64" ? base64_lines(parts.html) : quoted_printable(parts.html));
        inner += fmt::format("--{}--\n", alternative);
        message += "MIME-Version: 1.0\n";
        if (!o.has("attachment")) {
            message += inner;
        } else {
            Options attachment(o.raw("attachment"), "attachment", {"name", "type", "content"});
            const std::string name = attachment.required_text("name");
            const std::string mixed = "mix_" + random_token(rng, 24, "0123456789abcdef");
            message += fmt::format("Content-Type: multipart/mixed; boundary=\"{}\"\n\nThis is a multi-part message in MIME format.\n\n", mixed);
            message += fmt::format("--{}\n{}\n", mixed, inner);
            message += fmt::format("--{}\nContent-Type: {}; name=\"{}\"\nContent-Disposition: attachment; filename=\"{}\"\n"
                                   "Content-Transfer-Encoding: base64\n\n{}\n--{}--\n",
                                   mixed, attachment.text("type", "application/octet-stream"), name, name,
                                   base64_lines(attachment.required_text("content")), mixed);
        }
    }
    out.write(message.data(), static_cast<std::streamsize>(message.size()));
    GenerateStats stats;
    stats.bytes = message.size();
    for (char c : message) stats.lines += c == '\n';
    return stats;
}

}  // namespace infuse::gen

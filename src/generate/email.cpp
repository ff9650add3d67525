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

}  // namespace

GenerateStats generate_email(const nlohmann::json& with, std::string_view seed_text, std::ostream& out) {
    const nlohmann::json empty = nlohmann::json::object();
    Options o(with.is_null() ? empty : with, "",
              {"from", "to", "reply_to", "return_path", "subject", "encode", "date", "hops", "auth", "body"});
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
    message += "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n";
    message += o.text("body", "Hello,\n\nPlease find the document attached and confirm before the end of the day.\n\nRegards");
    if (message.back() != '\n') message += '\n';
    out.write(message.data(), static_cast<std::streamsize>(message.size()));
    GenerateStats stats;
    stats.bytes = message.size();
    for (char c : message) stats.lines += c == '\n';
    return stats;
}

}  // namespace infuse::gen

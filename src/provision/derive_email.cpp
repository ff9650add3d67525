// Derived values from email (docs/evidence.md, "Email"): headers, Received hops,
// Authentication-Results, Received-SPF, DKIM and ARC tags, and the body (evidence/mail.hpp).
#include "provision/derive_email.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "infuse/common/ascii.hpp"
#include "infuse/common/civil_time.hpp"
#include "infuse/evidence/mail.hpp"
#include "provision/derive_formats.hpp"

namespace infuse::derive_detail {

namespace {

using Expected = tl::expected<std::string, std::string>;

const EmailHeader* find_header(const std::vector<EmailHeader>& headers, std::string_view name, std::size_t occurrence) {
    const std::string wanted = ascii_lower(name);
    for (const auto& header : headers) {
        if (ascii_lower(header.name) == wanted && --occurrence == 0) return &header;
    }
    return nullptr;
}

std::vector<const EmailHeader*> all_headers(const std::vector<EmailHeader>& headers, std::string_view name) {
    std::vector<const EmailHeader*> found;
    const std::string wanted = ascii_lower(name);
    for (const auto& header : headers) {
        if (ascii_lower(header.name) == wanted) found.push_back(&header);
    }
    return found;
}

// Position N of `size` items: 1 the first, -1 the last.
template <typename T>
tl::expected<const T*, std::string> pick(const std::vector<T>& items, std::string_view key, std::string_view what, const std::string& text) {
    const int n = std::atoi(text.c_str());
    const int size = static_cast<int>(items.size());
    if (n == 0 || n > size || -n > size) return tl::unexpected(fmt::format("{}: {}: the message has {} {}", key, n, size, what));
    return &items[static_cast<std::size_t>(n > 0 ? n - 1 : size + n)];
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::string joined;
    for (const auto& line : lines) joined += (joined.empty() ? "" : "\n") + line;
    return joined;
}

Expected nonempty(std::string value, std::string_view what) {
    if (value.empty()) return tl::unexpected(fmt::format("{} is empty", what));
    return value;
}

Expected tag_value(const std::vector<std::pair<std::string, std::string>>& tags, std::string_view tag, std::string_view header) {
    for (const auto& [name, value] : tags) {
        if (ascii_lower(name) == ascii_lower(tag)) return value;
    }
    return tl::unexpected(fmt::format("no {}= tag in the {} header", tag, header));
}

Expected auth_value(const DeriveSpec& spec, const std::vector<EmailHeader>& headers, std::size_t occurrence) {
    const std::string method = ascii_lower(text_of(spec, "auth"));
    const std::string server = text_of(spec, "authserv");
    const bool arc = has(spec, "arc");
    const std::string header_name = arc ? "ARC-Authentication-Results" : "Authentication-Results";
    for (const auto* header : all_headers(headers, header_name)) {
        const auto results = parse_authentication_results(header->value);
        if (arc && results.instance != std::atoi(text_of(spec, "arc").c_str())) continue;
        if (!server.empty() && ascii_lower(results.authserv_id) != ascii_lower(server)) continue;
        std::size_t seen = 0;
        for (const auto& result : results.results) {
            if (result.method != method || ++seen != occurrence) continue;
            if (!has(spec, "property")) return result.result;
            const std::string property = ascii_lower(text_of(spec, "property"));
            if (property == "reason") return nonempty(result.reason, fmt::format("the reason of {}", method));
            if (property == "comment") return nonempty(result.comment, fmt::format("the comment of {}", method));
            if (const auto* value = result.property(property)) return *value;
            return tl::unexpected(fmt::format("the {} result in {} has no {} property", method, header_name, property));
        }
        return tl::unexpected(fmt::format("no {} result{} in the {} header{}", method, occurrence > 1 ? fmt::format(" number {}", occurrence) : "",
                                          header_name, arc ? " i=" + text_of(spec, "arc") : ""));
    }
    return tl::unexpected(fmt::format("no {} header{}{}", header_name, arc ? " with i=" + text_of(spec, "arc") : "",
                                      server.empty() ? "" : " by " + server));
}

Expected body_value(const DeriveSpec& spec, std::string_view message) {
    const auto body = read_mail_body(message);
    const std::string part = text_of(spec, "part");
    if (has(spec, "body")) {
        const bool html = text_of(spec, "body") == "html";
        return nonempty(html ? body.html : body.text, html ? "the HTML part" : "the text part");
    }
    if (has(spec, "link")) {
        auto link = pick(body.links, "link", "links", text_of(spec, "link"));
        if (!link) return tl::unexpected(link.error());
        if (part.empty() || part == "href") return (*link)->href;
        if (part == "text") return nonempty((*link)->text, "that link's text");
        if (part == "host") return nonempty((*link)->host, "that link's host");
        if (part == "element") return (*link)->element;
        return tl::unexpected(fmt::format("part: '{}' is not one of href, text, host, element", part));
    }
    if (has(spec, "image") || has(spec, "pixel")) {
        std::vector<MailImage> images;
        for (const auto& image : body.images) {
            if (has(spec, "image") || image.pixel) images.push_back(image);
        }
        const bool pixel = has(spec, "pixel");
        auto image = pick(images, pixel ? "pixel" : "image", pixel ? "tracking pixels" : "images", text_of(spec, pixel ? "pixel" : "image"));
        if (!image) return tl::unexpected(image.error());
        if (part.empty() || part == "src") return (*image)->src;
        if (part == "host") return nonempty((*image)->host, "that image's host");
        return tl::unexpected(fmt::format("part: '{}' is not one of src, host", part));
    }
    if (has(spec, "attachment")) {
        auto attachment = pick(body.attachments, "attachment", "attachments", text_of(spec, "attachment"));
        if (!attachment) return tl::unexpected(attachment.error());
        if (part.empty() || part == "name") return nonempty((*attachment)->name, "that attachment's name");
        if (part == "type") return (*attachment)->type;
        if (part == "sha256") return (*attachment)->sha256;
        if (part == "size") return std::to_string((*attachment)->size);
        return tl::unexpected(fmt::format("part: '{}' is not one of name, type, sha256, size", part));
    }
    return tl::unexpected(std::string("no body key"));
}

}  // namespace

Expected email_value(const DeriveSpec& spec, std::string_view message) {
    const auto block = read_header_block(message);
    const auto& headers = block.headers;
    std::size_t occurrence = 1;
    if (has(spec, "occurrence")) occurrence = static_cast<std::size_t>(std::max(1, std::atoi(text_of(spec, "occurrence").c_str())));
    if (has(spec, "header")) {
        const auto* header = find_header(headers, text_of(spec, "header"), occurrence);
        if (!header) return tl::unexpected(fmt::format("no {} header", text_of(spec, "header")));
        return decode_encoded_words(header->value);
    }
    if (has(spec, "address") || has(spec, "display-name")) {
        const std::string name = has(spec, "address") ? text_of(spec, "address") : text_of(spec, "display-name");
        const auto* header = find_header(headers, name, occurrence);
        if (!header) return tl::unexpected(fmt::format("no {} header", name));
        return has(spec, "address") ? mailbox_address(header->value) : mailbox_display_name(header->value);
    }
    if (has(spec, "received")) {
        const auto chain = all_headers(headers, "Received");
        auto picked = pick(chain, "received", "Received headers", text_of(spec, "received"));
        if (!picked) return tl::unexpected(picked.error());
        const auto hop = parse_received((**picked)->value);
        const std::string part = text_of(spec, "part", "ip");
        auto some = [&](const std::string& value) -> Expected {
            if (value.empty()) return tl::unexpected(fmt::format("that Received header has no {}", part));
            return value;
        };
        if (part == "ip") return some(hop.ip);
        if (part == "from-host") return some(hop.from_host);
        if (part == "helo") return some(hop.helo);
        if (part == "by") return some(hop.by);
        if (part == "with") return some(hop.with);
        if (part == "id") return some(hop.id);
        if (part == "for") return some(hop.recipient);
        if (part == "time") {
            if (!hop.time) return tl::unexpected(std::string("that Received header has no readable date"));
            return format_iso8601(*hop.time);
        }
        return tl::unexpected(fmt::format("part: '{}' is not one of ip, from-host, helo, by, with, id, for, time", part));
    }
    if (has(spec, "auth")) return auth_value(spec, headers, occurrence);
    if (has(spec, "spf-field")) {
        const auto* header = find_header(headers, "Received-SPF", occurrence);
        if (!header) return tl::unexpected(std::string("no Received-SPF header"));
        const auto spf = parse_received_spf(header->value);
        const std::string field = ascii_lower(text_of(spec, "spf-field"));
        if (field == "result") return nonempty(spf.result, "the Received-SPF result");
        if (field == "comment") return nonempty(spf.comment, "the Received-SPF comment");
        for (const auto& [key, value] : spf.fields) {
            if (key == field) return value;
        }
        return tl::unexpected(fmt::format("no {}= in the Received-SPF header", field));
    }
    if (has(spec, "dkim-tag")) {
        const auto* header = find_header(headers, "DKIM-Signature", occurrence);
        if (!header) return tl::unexpected(fmt::format("no DKIM-Signature header{}", occurrence > 1 ? fmt::format(" number {}", occurrence) : ""));
        return tag_value(parse_tag_list(header->value), text_of(spec, "dkim-tag"), "DKIM-Signature");
    }
    if (has(spec, "arc")) {
        const std::string which = text_of(spec, "arc-header", "seal");
        const std::string name = which == "seal" ? "ARC-Seal" : which == "message-signature" ? "ARC-Message-Signature" : "ARC-Authentication-Results";
        const std::string instance = text_of(spec, "arc");
        for (const auto* header : all_headers(headers, name)) {
            if (which == "authentication-results") {
                const auto results = parse_authentication_results(header->value);
                if (results.instance && std::to_string(*results.instance) == instance) return nonempty(results.authserv_id, "its authserv-id");
                continue;
            }
            const auto tags = parse_tag_list(header->value);
            auto i = tag_value(tags, "i", name);
            if (!i || *i != instance) continue;
            if (!has(spec, "tag")) return tl::unexpected(fmt::format("arc: {} needs tag: (a tag of {}, such as d, s, cv)", instance, name));
            return tag_value(tags, text_of(spec, "tag"), name);
        }
        return tl::unexpected(fmt::format("no {} header with i={}", name, instance));
    }
    if (has(spec, "count") || has(spec, "list")) {
        const std::string what = has(spec, "count") ? text_of(spec, "count") : text_of(spec, "list");
        if (what == "received") return std::to_string(all_headers(headers, "Received").size());
        std::vector<std::string> defects = block.defects;
        const auto body = read_mail_body(message);
        for (const auto& defect : body.defects) defects.push_back(defect);
        std::vector<std::string> items;
        if (what == "defects") items = defects;
        for (const auto& link : body.links) {
            if (what == "links") items.push_back(link.href);
            if (what == "hosts" && !link.host.empty() && std::find(items.begin(), items.end(), link.host) == items.end()) items.push_back(link.host);
        }
        for (const auto& image : body.images) {
            if (what == "images" || (what == "pixels" && image.pixel)) items.push_back(image.src);
        }
        for (const auto& attachment : body.attachments) {
            if (what == "attachments") items.push_back(attachment.name);
        }
        if (has(spec, "count")) return what == "parts" ? std::to_string(body.parts) : std::to_string(items.size());
        if (items.empty()) return tl::unexpected(fmt::format("list: {}: the message has none", what));
        return join_lines(items);
    }
    if (has(spec, "body") || has(spec, "link") || has(spec, "image") || has(spec, "pixel") || has(spec, "attachment")) {
        return body_value(spec, message);
    }
    return tl::unexpected(std::string("an eml derivation needs one of header, address, display-name, received, auth, spf-field, dkim-tag, arc, "
                                      "body, link, image, pixel, attachment, count, list"));
}

}  // namespace infuse::derive_detail

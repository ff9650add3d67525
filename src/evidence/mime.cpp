// The body of an email as a mail client shows it: MIME structure and transfer encodings by GMime 3,
// charsets by iconv (charset.hpp, the same as headers), HTML by gumbo (an HTML5 parser, never
// patterns over HTML), attachments hashed with SHA-256. Bounded: kMailMimeDepth, kMailParts,
// kMailHtmlBytes, kMailHtmlDepth (mail.hpp); any bytes give a result, never a crash.
#include <algorithm>
#include <cctype>
#include <mutex>

#include <fmt/format.h>
#include <gmime/gmime.h>
#include <gumbo.h>

#include "infuse/common/ascii.hpp"
#include "infuse/common/sha256.hpp"
#include "infuse/common/utf8.hpp"
#include "infuse/evidence/charset.hpp"
#include "infuse/evidence/mail.hpp"

namespace infuse {

namespace {

void init_gmime() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

template <typename T>
struct GObjectRef {
    T* object = nullptr;
    explicit GObjectRef(T* o) : object(o) {}
    ~GObjectRef() {
        if (object) g_object_unref(object);
    }
    GObjectRef(const GObjectRef&) = delete;
    GObjectRef& operator=(const GObjectRef&) = delete;
};

std::string collapse_spaces(std::string_view text) {
    std::string out;
    bool space = false;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// Nesting of the HTML estimated from its tags, an upper bound in practice: gumbo frees its tree
// recursively, so a document nested a million deep would overflow the stack.
std::size_t estimated_depth(std::string_view html) {
    static constexpr std::string_view kVoid[] = {"area", "base", "br", "col", "embed", "hr", "img", "input",
                                                 "link", "meta", "param", "source", "track", "wbr"};
    std::size_t depth = 0, deepest = 0;
    for (std::size_t at = html.find('<'); at != std::string_view::npos; at = html.find('<', at + 1)) {
        if (at + 1 >= html.size()) break;
        if (html[at + 1] == '/') {
            if (depth > 0) --depth;
            continue;
        }
        if (!std::isalpha(static_cast<unsigned char>(html[at + 1]))) continue;
        std::size_t end = at + 1;
        while (end < html.size() && std::isalnum(static_cast<unsigned char>(html[end]))) ++end;
        const std::string name = ascii_lower(html.substr(at + 1, end - at - 1));
        if (std::find(std::begin(kVoid), std::end(kVoid), name) != std::end(kVoid)) continue;
        const auto close = html.find('>', end);
        if (close != std::string_view::npos && close > 0 && html[close - 1] == '/') continue;
        deepest = std::max(deepest, ++depth);
    }
    return deepest;
}

const char* attribute(const GumboElement& element, const char* name) {
    const GumboAttribute* found = gumbo_get_attribute(&element.attributes, name);
    return found ? found->value : nullptr;
}

// "1", "1px", "0" -> the number; nullopt when it is not a small whole number of pixels.
std::optional<long> pixels(std::string_view text) {
    text = trim(text);
    if (text.ends_with("px")) text.remove_suffix(2);
    if (text.empty() || text.size() > 6 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    return std::stol(std::string(text));
}

std::optional<long> style_pixels(const std::string& style, std::string_view property) {
    for (std::size_t at = style.find(property); at != std::string::npos; at = style.find(property, at + 1)) {
        if (at > 0 && (std::isalnum(static_cast<unsigned char>(style[at - 1])) || style[at - 1] == '-')) continue;
        std::size_t colon = at + property.size();
        while (colon < style.size() && style[colon] == ' ') ++colon;
        if (colon >= style.size() || style[colon] != ':') continue;
        std::string_view rest = std::string_view(style).substr(colon + 1);
        return pixels(rest.substr(0, rest.find(';')));
    }
    return std::nullopt;
}

bool is_pixel(const GumboElement& element) {
    const std::string style = [&] {
        const char* s = attribute(element, "style");
        std::string compact;
        for (char c : ascii_lower(s ? s : "")) {
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') compact += c;
        }
        return compact;
    }();
    if (attribute(element, "hidden") || style.find("display:none") != std::string::npos ||
        style.find("visibility:hidden") != std::string::npos) {
        return true;
    }
    auto size = [&](const char* name) -> std::optional<long> {
        if (const char* value = attribute(element, name)) {
            if (auto n = pixels(value)) return n;
        }
        return style_pixels(style, name);
    };
    const auto width = size("width"), height = size("height");
    if ((width && *width == 0) || (height && *height == 0)) return true;
    return width && height && *width <= 1 && *height <= 1;
}

}  // namespace

std::string url_host(std::string_view url) {
    url = trim(url);
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) {
        if (url.size() > 2 && url.starts_with("//")) url.remove_prefix(2);
        else return {};
    } else {
        url.remove_prefix(scheme + 3);
    }
    url = url.substr(0, url.find_first_of("/?#\\"));
    if (auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
    if (url.starts_with('[')) {
        const auto close = url.find(']');
        return ascii_lower(url.substr(1, close == std::string_view::npos ? url.size() - 1 : close - 1));
    }
    url = url.substr(0, url.find(':'));
    while (url.ends_with('.')) url.remove_suffix(1);
    return ascii_lower(url);
}

HtmlFindings read_html(std::string_view html) {
    HtmlFindings found;
    if (html.size() > kMailHtmlBytes) {
        found.defects.push_back(fmt::format("the HTML is {} bytes: only the first {} are read", html.size(), kMailHtmlBytes));
        html = html.substr(0, kMailHtmlBytes);
    }
    if (const auto depth = estimated_depth(html); depth > kMailHtmlDepth) {
        found.defects.push_back(fmt::format("the HTML nests about {} elements deep (more than {}): its links and images are not read",
                                            depth, kMailHtmlDepth));
        return found;
    }
    GumboOptions options = kGumboDefaultOptions;
    options.max_errors = 100;
    GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
    if (!output) return found;
    // Walked with an explicit stack: the tree is bounded by kMailHtmlDepth but the walk need not be.
    std::vector<const GumboNode*> stack{output->root};
    auto text_of = [](const GumboNode* node) {
        std::string text;
        std::vector<const GumboNode*> pending{node};
        while (!pending.empty()) {
            const GumboNode* current = pending.back();
            pending.pop_back();
            if (current->type == GUMBO_NODE_TEXT || current->type == GUMBO_NODE_WHITESPACE || current->type == GUMBO_NODE_CDATA) {
                text += current->v.text.text;
                text += ' ';
            } else if (current->type == GUMBO_NODE_ELEMENT) {
                const auto& children = current->v.element.children;
                for (unsigned i = children.length; i > 0; --i) pending.push_back(static_cast<const GumboNode*>(children.data[i - 1]));
            }
        }
        return collapse_spaces(text);
    };
    while (!stack.empty()) {
        const GumboNode* node = stack.back();
        stack.pop_back();
        if (node->type != GUMBO_NODE_ELEMENT) continue;
        const GumboElement& element = node->v.element;
        const char* link = nullptr;
        std::string kind;
        if (element.tag == GUMBO_TAG_A || element.tag == GUMBO_TAG_AREA) {
            link = attribute(element, "href");
            kind = element.tag == GUMBO_TAG_A ? "a" : "area";
        } else if (element.tag == GUMBO_TAG_FORM) {
            link = attribute(element, "action");
            kind = "form";
        }
        if (link) {
            std::string href(trim(std::string_view(link)));
            found.links.push_back({href, element.tag == GUMBO_TAG_A ? text_of(node) : "", url_host(href), kind});
        }
        if (element.tag == GUMBO_TAG_IMG) {
            const char* src = attribute(element, "src");
            std::string source(trim(std::string_view(src ? src : "")));
            found.images.push_back({source, url_host(source), is_pixel(element)});
        }
        for (unsigned i = element.children.length; i > 0; --i) stack.push_back(static_cast<const GumboNode*>(element.children.data[i - 1]));
    }
    gumbo_destroy_output(&options, output);
    return found;
}

namespace {

struct Walk {
    MailBody& body;
    bool parts_overflow = false;
    bool depth_overflow = false;

    std::string decoded(GMimePart* part) {
        GMimeDataWrapper* content = g_mime_part_get_content(part);
        if (!content) return {};
        GObjectRef<GMimeStream> memory(g_mime_stream_mem_new());
        g_mime_data_wrapper_write_to_stream(content, memory.object);
        GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(memory.object));
        if (!bytes || bytes->len == 0) return {};
        return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
    }

    void leaf(GMimePart* part) {
        if (body.parts >= kMailParts) {
            parts_overflow = true;
            return;
        }
        ++body.parts;
        GMimeContentType* type = g_mime_object_get_content_type(GMIME_OBJECT(part));
        std::string mime_type = "text/plain";
        std::string charset;
        if (type) {
            if (char* text = g_mime_content_type_get_mime_type(type)) {
                mime_type = ascii_lower(text);
                g_free(text);
            }
            if (const char* value = g_mime_content_type_get_parameter(type, "charset")) charset = value;
        }
        const char* filename = g_mime_part_get_filename(part);
        const bool attachment = g_mime_part_is_attachment(part) || filename != nullptr;
        const std::string bytes = decoded(part);
        if (attachment) {
            // The name as a client shows it: GMime decodes RFC 2231 and encoded words; never raw bytes.
            std::string name = filename ? repair_utf8(filename) : "";
            body.attachments.push_back({std::move(name), mime_type, sha256_hex(bytes), bytes.size()});
            return;
        }
        const bool plain = mime_type == "text/plain", html = mime_type == "text/html";
        if (!plain && !html) return;
        std::string& slot = plain ? body.text : body.html;
        if (!slot.empty()) return;
        // No charset: UTF-8 when the bytes are UTF-8, else Windows-1252, as clients guess.
        if (charset.empty()) charset = is_valid_utf8(bytes) ? "utf-8" : "windows-1252";
        auto text = decode_charset(bytes, ascii_lower(charset));
        for (auto& defect : text.defects) body.defects.push_back(fmt::format("{} part: {}", mime_type, defect));
        // Text is CRLF on the wire; shown with LF, as a client saves it.
        slot.reserve(text.utf8.size());
        for (std::size_t i = 0; i < text.utf8.size(); ++i) {
            if (text.utf8[i] == '\r' && i + 1 < text.utf8.size() && text.utf8[i + 1] == '\n') continue;
            slot += text.utf8[i];
        }
    }

    void object(GMimeObject* node, std::size_t depth) {
        if (!node) return;
        if (depth > kMailMimeDepth) {
            depth_overflow = true;
            return;
        }
        if (GMIME_IS_MULTIPART(node)) {
            GMimeMultipart* multipart = GMIME_MULTIPART(node);
            const int count = g_mime_multipart_get_count(multipart);
            for (int i = 0; i < count && !parts_overflow; ++i) object(g_mime_multipart_get_part(multipart, i), depth + 1);
        } else if (GMIME_IS_MESSAGE_PART(node)) {
            GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(node));
            if (inner) object(g_mime_message_get_mime_part(inner), depth + 1);
        } else if (GMIME_IS_PART(node)) {
            leaf(GMIME_PART(node));
        }
    }
};

void on_warning(gint64 offset, GMimeParserWarning code, const gchar* item, gpointer data) {
    auto* defects = static_cast<std::vector<std::string>*>(data);
    if (defects->size() >= kMailDefects) return;
    std::string_view what;
    switch (code) {
        case GMIME_WARN_MALFORMED_MULTIPART: what = "a malformed multipart"; break;
        case GMIME_WARN_TRUNCATED_MESSAGE: what = "the message is truncated"; break;
        case GMIME_WARN_MALFORMED_MESSAGE: what = "a malformed message"; break;
        case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: what = "a multipart without its boundary"; break;
        case GMIME_CRIT_NESTING_OVERFLOW: what = "MIME parts nested too deeply"; break;
        case GMIME_WARN_INVALID_CONTENT_TYPE: what = "an invalid Content-Type"; break;
        case GMIME_WARN_PART_WITHOUT_CONTENT: what = "a part without content"; break;
        case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT: what = "a part without headers or content"; break;
        default: return;  // header-level remarks are read_header_block's
    }
    std::string shown = item ? repair_utf8(item) : std::string();
    defects->push_back(fmt::format("MIME at byte {}: {}{}", offset, what, shown.empty() ? "" : " (" + shown + ")"));
}

}  // namespace

MailBody read_mail_body(std::string_view message) {
    MailBody body;
    // GMime parses nested parts recursively: more Content-Type lines than parts could nest is
    // refused before it starts.
    std::size_t content_types = 0;
    for (std::size_t at = 0; at < message.size();) {
        const auto end = message.find('\n', at);
        const std::string_view line = message.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
        if (line.size() >= 13 && ascii_lower(line.substr(0, 13)) == "content-type:") ++content_types;
        if (end == std::string_view::npos) break;
        at = end + 1;
    }
    if (content_types > 4 * kMailParts) {
        body.defects.push_back(fmt::format("{} Content-Type headers: the body is not read (at most {})", content_types, 4 * kMailParts));
        return body;
    }
    init_gmime();
    GObjectRef<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(message.data(), message.size()));
    GObjectRef<GMimeParser> parser(g_mime_parser_new_with_stream(stream.object));
    g_mime_parser_set_format(parser.object, GMIME_FORMAT_MESSAGE);
    GMimeParserOptions* options = g_mime_parser_options_new();
    g_mime_parser_options_set_warning_callback(options, on_warning, &body.defects);
    GObjectRef<GMimeMessage> parsed(g_mime_parser_construct_message(parser.object, options));
    g_mime_parser_options_free(options);
    if (!parsed.object) {
        body.defects.push_back("GMime could not read the message");
        return body;
    }
    Walk walk{body};
    walk.object(g_mime_message_get_mime_part(parsed.object), 0);
    if (walk.depth_overflow) body.defects.push_back(fmt::format("MIME parts nested deeper than {} are not read", kMailMimeDepth));
    if (walk.parts_overflow) body.defects.push_back(fmt::format("only the first {} MIME parts are read", kMailParts));
    if (!body.html.empty()) {
        auto html = read_html(body.html);
        body.links = std::move(html.links);
        body.images = std::move(html.images);
        for (auto& defect : html.defects) body.defects.push_back(std::move(defect));
    }
    return body;
}

}  // namespace infuse

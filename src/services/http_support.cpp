#include "services/http_support.hpp"

#include <fmt/format.h>

#include "infuse/common/ascii.hpp"

namespace infuse::services {

std::optional<std::string> Target::param(std::string_view name) const {
    for (const auto& [key, value] : query) {
        if (key == name) return value;
    }
    return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            const int high = hex(text[i + 1]), low = hex(text[i + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            c = static_cast<char>(high * 16 + low);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0') return std::nullopt;
        decoded += c;
    }
    return decoded;
}

std::optional<Target> parse_target(std::string_view target) {
    if (target.empty() || target.front() != '/') return std::nullopt;
    target = target.substr(0, target.find('#'));
    const auto question = target.find('?');
    auto path = percent_decode(target.substr(0, question), false);
    if (!path) return std::nullopt;
    Target parsed{std::move(*path), {}};
    if (question == std::string_view::npos) return parsed;
    std::string_view rest = target.substr(question + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        if (pair.empty()) continue;
        const auto equals = pair.find('=');
        auto name = percent_decode(pair.substr(0, equals), true);
        auto value =
            percent_decode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1), true);
        if (!name || !value) return std::nullopt;
        parsed.query.emplace_back(std::move(*name), std::move(*value));
    }
    return parsed;
}

HttpResponse body_response(int status, std::string body, std::string content_type) {
    HttpResponse response;
    response.status = status;
    response.headers.emplace_back("Content-Type", std::move(content_type));
    response.body = std::move(body);
    return response;
}

HttpResponse text_response(int status, std::string body) {
    return body_response(status, std::move(body), "text/plain; charset=utf-8");
}

std::string html_escape(std::string_view text) {
    std::string escaped;
    escaped.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                escaped += "&amp;";
                break;
            case '<':
                escaped += "&lt;";
                break;
            case '>':
                escaped += "&gt;";
                break;
            case '"':
                escaped += "&quot;";
                break;
            case '\'':
                escaped += "&#39;";
                break;
            default:
                escaped += c;
        }
    }
    return escaped;
}

HttpHandler serve_get_and_head(GetHandler get, std::function<HttpResponse(std::string_view)> bad_target) {
    return [get = std::move(get), bad_target = std::move(bad_target)](const HttpRequest& request) {
        HttpResponse response;
        try {
            if (request.method != "GET" && request.method != "HEAD") {
                response = text_response(
                    405, fmt::format("Method {} is not allowed here: use GET or HEAD.\n", request.method));
                response.headers.emplace_back("Allow", "GET, HEAD");
            } else if (auto target = parse_target(request.target)) {
                response = get(request, *target);
            } else {
                response = bad_target("the request target is not a path with valid percent-encoding");
            }
        } catch (const std::exception&) {
            response = text_response(500, "Internal Server Error\n");
        }
        if (request.method == "HEAD") {
            std::erase_if(response.headers,
                          [](const auto& header) { return ascii_lower(header.first) == "content-length"; });
            response.headers.emplace_back("Content-Length", std::to_string(response.body.size()));
            response.body.clear();
        }
        return response;
    };
}

}  // namespace infuse::services

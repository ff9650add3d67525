// The web hosting service: lab sites by Host header, each a table of exact paths to frozen responses.
#include <map>

#include <fmt/format.h>

#include "services/handler_support.hpp"

namespace infuse::services {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxBodyFile = 32 * 1024 * 1024;

struct Site {
    std::map<std::string, HttpResponse> routes;  // decoded path -> response
    HttpResponse fallback;                       // for any other path
};

bool is_token_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool has_header(const HttpResponse& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
        if (ascii_lower(key) == ascii_lower(name)) return true;
    }
    return false;
}

std::string content_type_for(std::string_view path) {
    static const std::map<std::string, std::string, std::less<>> types = {{"html", "text/html; charset=utf-8"},
                                                                          {"htm", "text/html; charset=utf-8"},
                                                                          {"txt", "text/plain; charset=utf-8"},
                                                                          {"css", "text/css"},
                                                                          {"js", "application/javascript"},
                                                                          {"json", "application/json"},
                                                                          {"xml", "application/xml"},
                                                                          {"png", "image/png"},
                                                                          {"jpg", "image/jpeg"},
                                                                          {"jpeg", "image/jpeg"},
                                                                          {"gif", "image/gif"},
                                                                          {"ico", "image/x-icon"},
                                                                          {"svg", "image/svg+xml"},
                                                                          {"pdf", "application/pdf"},
                                                                          {"zip", "application/zip"},
                                                                          {"gz", "application/gzip"},
                                                                          {"exe", "application/octet-stream"},
                                                                          {"bin", "application/octet-stream"},
                                                                          {"ps1", "text/plain; charset=utf-8"},
                                                                          {"sh", "text/plain; charset=utf-8"},
                                                                          {"php", "text/html; charset=utf-8"}};
    const auto slash = path.rfind('/');
    const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return "text/html; charset=utf-8";
    auto found = types.find(ascii_lower(name.substr(dot + 1)));
    return found == types.end() ? "application/octet-stream" : found->second;
}

void read_headers(const DataSource& source, const json& value, const std::string& field, HttpResponse& response) {
    for (const auto& [name, values] : source.map(value, field).items()) {
        const std::string name_field = field_path(field, name);
        if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
            source.fail(name_field, "is not a valid header name");
        }
        const std::string lower = ascii_lower(name);
        if (lower == "content-length" || lower == "transfer-encoding" || lower == "connection") {
            source.fail(name_field, "is set by the server and cannot be given");
        }
        const json single = json::array({values});
        const json& list = values.is_array() ? values : single;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string item_field = values.is_array() ? field_path(name_field, i) : name_field;
            std::string header_value = source.text(list[i], item_field);
            if (header_value.find_first_of("\r\n") != std::string::npos ||
                header_value.find('\0') != std::string::npos) {
                source.fail(item_field, "a header value cannot hold line breaks");
            }
            response.headers.emplace_back(name, std::move(header_value));
        }
    }
}

// One `routes` entry or a `default`: `path` picks the Content-Type when the author gives none.
HttpResponse read_response(const DataSource& source, const json& value, const std::string& field, int default_status,
                           std::string_view path) {
    const json& spec = source.object(value, field, {"status", "headers", "body", "body_file", "redirect"});
    HttpResponse response;
    response.status = default_status;
    if (const json* headers = member(spec, "headers"))
        read_headers(source, *headers, field_path(field, "headers"), response);
    const json* body = member(spec, "body");
    const json* body_file = member(spec, "body_file");
    if (body && body_file) source.fail(field, "give either body or body_file, not both");
    std::string type_source(path);
    if (body) response.body = source.text(*body, field_path(field, "body"));
    if (body_file) {
        response.body = source.lab_file(*body_file, field_path(field, "body_file"), kMaxBodyFile);
        type_source = source.text(*body_file, field_path(field, "body_file"));
    }
    if (const json* redirect = member(spec, "redirect")) {
        const std::string location = source.text(*redirect, field_path(field, "redirect"));
        if (location.empty() || location.find_first_of("\r\n") != std::string::npos) {
            source.fail(field_path(field, "redirect"), "must be a URL on one line");
        }
        if (has_header(response, "Location")) source.fail(field, "give either redirect or a Location header, not both");
        response.headers.emplace_back("Location", location);
        response.status = 302;
    }
    if (const json* status = member(spec, "status")) {
        response.status = static_cast<int>(source.integer(*status, field_path(field, "status"), 200, 599));
    }
    if ((body || body_file) && !has_header(response, "Content-Type")) {
        response.headers.emplace_back("Content-Type", content_type_for(type_source));
    }
    return response;
}

std::string read_route_path(const DataSource& source, const std::string& key, const std::string& field) {
    if (key.empty() || key.front() != '/') source.fail(field, "a route is a path starting with '/'");
    if (key.find_first_of("?#") != std::string::npos) {
        source.fail(field, "a route is a path only: the query string is ignored when matching");
    }
    auto decoded = percent_decode(key, false);
    if (!decoded) source.fail(field, "has a '%' that is not followed by two hex digits (write a literal % as %25)");
    return *decoded;
}

Site read_site(const DataSource& source, const json& value, const std::string& field) {
    const json& spec = source.object(value, field, {"routes", "default"});
    Site site;
    if (const json* routes = member(spec, "routes")) {
        const std::string routes_field = field_path(field, "routes");
        for (const auto& [key, route] : source.map(*routes, routes_field).items()) {
            const std::string route_field = field_path(routes_field, key);
            std::string path = read_route_path(source, key, route_field);
            if (site.routes.contains(path)) source.fail(route_field, "the same path is given twice");
            site.routes.emplace(path, read_response(source, route, route_field, 200, path));
        }
    }
    if (const json* fallback = member(spec, "default")) {
        site.fallback = read_response(source, *fallback, field_path(field, "default"), 404, "");
    } else {
        site.fallback = text_response(404, "404 Not Found\n");
    }
    return site;
}

std::string host_key(std::string_view host, const DataSource& source, const std::string& field) {
    std::string key = domain_key(host);
    if (parse_ip(key)) return key;
    if (!is_domain_name(key)) source.fail(field, "is not a host name (give it without scheme, port or path)");
    return key;
}

}  // namespace

tl::expected<HttpHandler, std::string> make_web_handler(const json& data, const std::filesystem::path& base,
                                                        const std::string& file) {
    const DataSource source{base, file};
    auto sites = std::make_shared<std::map<std::string, Site>>();
    try {
        const json& top = source.object(data, "", {"sites"});
        if (const json* listed = member(top, "sites")) {
            for (const auto& [host, site] : source.map(*listed, "sites").items()) {
                const std::string field = field_path("sites", host);
                std::string key = host_key(host, source, field);
                if (sites->contains(key)) source.fail(field, fmt::format("the host '{}' is given twice", key));
                sites->emplace(std::move(key), read_site(source, site, field));
            }
        }
    } catch (const DataError& error) {
        return tl::unexpected(std::string(error.what()));
    }
    auto get = [sites](const HttpRequest& request, const Target& target) {
        std::string host = domain_key(request.host);
        if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
        auto site = sites->find(host);
        if (site == sites->end() && host.empty()) {
            return text_response(404,
                                 "The request names no site: send a Host header (curl -H 'Host: evil.example' ...).\n");
        }
        if (site == sites->end()) {
            return text_response(404, fmt::format("No site is served for the host \"{}\" here.\n", request.host));
        }
        auto route = site->second.routes.find(target.path);
        return route == site->second.routes.end() ? site->second.fallback : route->second;
    };
    return serve_get_and_head(
        get, [](std::string_view why) { return text_response(400, fmt::format("Bad Request: {}\n", why)); });
}

}  // namespace infuse::services

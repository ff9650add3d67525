#include "infuse/services/lookup.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "check/http_probe.hpp"

// Last: ldns/common.h defines `bool` for C, which breaks C++ headers included after it.
#include <ldns/ldns.h>
#undef bool
#undef true
#undef false

namespace infuse {

namespace {

using Clock = std::chrono::steady_clock;

struct Socket {
    int fd = -1;
    explicit Socket(int type) : fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0)) {}
    ~Socket() {
        if (fd >= 0) ::close(fd);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
};

sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

bool wait_readable(int fd, Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd watch{fd, POLLIN, 0};
    return ::poll(&watch, 1, static_cast<int>(left)) > 0;
}

// Reads until the peer closes, `limit` bytes or the deadline.
tl::expected<std::string, std::string> read_all(int fd, std::size_t limit, Clock::time_point deadline) {
    std::string data;
    char buffer[8192];
    while (data.size() < limit) {
        if (!wait_readable(fd, deadline)) return tl::unexpected(std::string("no answer within 5 s"));
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got < 0) return tl::unexpected(std::string("the connection failed"));
        if (got == 0) break;
        data.append(buffer, static_cast<std::size_t>(got));
    }
    return data;
}

tl::expected<std::vector<std::uint8_t>, std::string> dns_exchange(int port, const std::vector<std::uint8_t>& query, bool tcp) {
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    Socket socket(tcp ? SOCK_STREAM : SOCK_DGRAM);
    const sockaddr_in address = loopback(port);
    if (::connect(socket.fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        return tl::unexpected(fmt::format("nothing listens on 127.0.0.1:{}", port));
    }
    if (!tcp) {
        if (::send(socket.fd, query.data(), query.size(), 0) < 0 || !wait_readable(socket.fd, deadline)) {
            return tl::unexpected(std::string("no answer within 5 s"));
        }
        std::vector<std::uint8_t> answer(65535);
        const ssize_t got = ::recv(socket.fd, answer.data(), answer.size(), 0);
        if (got <= 0) return tl::unexpected(std::string("no answer (the port refused the query)"));
        answer.resize(static_cast<std::size_t>(got));
        return answer;
    }
    std::vector<std::uint8_t> framed{static_cast<std::uint8_t>(query.size() >> 8), static_cast<std::uint8_t>(query.size() & 0xff)};
    framed.insert(framed.end(), query.begin(), query.end());
    if (::send(socket.fd, framed.data(), framed.size(), MSG_NOSIGNAL) < 0) return tl::unexpected(std::string("the connection failed"));
    auto data = read_all(socket.fd, 65537, deadline);
    if (!data) return tl::unexpected(data.error());
    if (data->size() < 2) return tl::unexpected(std::string("no answer over TCP"));
    const std::size_t length = (static_cast<std::uint8_t>((*data)[0]) << 8) | static_cast<std::uint8_t>((*data)[1]);
    if (data->size() < 2 + length) return tl::unexpected(std::string("a truncated answer over TCP"));
    return std::vector<std::uint8_t>(data->begin() + 2, data->begin() + 2 + static_cast<std::ptrdiff_t>(length));
}

std::string section_text(const ldns_rr_list* list) {
    std::string text;
    for (std::size_t i = 0; list && i < ldns_rr_list_rr_count(list); ++i) {
        char* line = ldns_rr2str(ldns_rr_list_rr(list, i));
        if (line) {
            text += line;
            LDNS_FREE(line);
        }
    }
    return text;
}

bool looks_like_ip(const std::string& text) {
    unsigned char buffer[16];
    return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

std::string percent_encode(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '~') out += static_cast<char>(c);
        else out += fmt::format("%{:02X}", c);
    }
    return out;
}

}  // namespace

tl::expected<LookupResult, std::string> lookup_dns(int port, const std::string& name, const std::string& type) {
    const ldns_rr_type rr_type = ldns_get_rr_type_by_name(type.c_str());
    if (rr_type == 0) return tl::unexpected(fmt::format("'{}' is not a DNS record type (A, AAAA, MX, NS, TXT, CNAME, SOA, PTR, CAA ...)", type));
    std::string qname = name;
    if (looks_like_ip(name) && type == "PTR") {
        ldns_rdf* address = ldns_rdf_new_frm_str(name.find(':') == std::string::npos ? LDNS_RDF_TYPE_A : LDNS_RDF_TYPE_AAAA, name.c_str());
        if (address) {
            ldns_rdf* reverse = ldns_rdf_address_reverse(address);
            char* text = reverse ? ldns_rdf2str(reverse) : nullptr;
            if (text) qname = text;
            LDNS_FREE(text);
            if (reverse) ldns_rdf_deep_free(reverse);
            ldns_rdf_deep_free(address);
        }
    }
    ldns_rdf* owner = nullptr;
    if (ldns_str2rdf_dname(&owner, qname.c_str()) != LDNS_STATUS_OK) return tl::unexpected(fmt::format("'{}' is not a domain name", name));
    std::unique_ptr<ldns_pkt, decltype(&ldns_pkt_free)> query(ldns_pkt_query_new(owner, rr_type, LDNS_RR_CLASS_IN, LDNS_RD), ldns_pkt_free);
    ldns_pkt_set_random_id(query.get());
    std::uint8_t* wire = nullptr;
    std::size_t wire_size = 0;
    if (ldns_pkt2wire(&wire, query.get(), &wire_size) != LDNS_STATUS_OK) return tl::unexpected(std::string("cannot build the query"));
    const std::vector<std::uint8_t> bytes(wire, wire + wire_size);
    LDNS_FREE(wire);
    auto answer = dns_exchange(port, bytes, false);
    if (!answer) return tl::unexpected(answer.error());
    ldns_pkt* parsed = nullptr;
    if (ldns_wire2pkt(&parsed, answer->data(), answer->size()) != LDNS_STATUS_OK) return tl::unexpected(std::string("a malformed answer"));
    if (ldns_pkt_tc(parsed)) {  // too big for UDP: ask again over TCP, as dig does
        ldns_pkt_free(parsed);
        parsed = nullptr;
        answer = dns_exchange(port, bytes, true);
        if (!answer) return tl::unexpected(answer.error());
        if (ldns_wire2pkt(&parsed, answer->data(), answer->size()) != LDNS_STATUS_OK) return tl::unexpected(std::string("a malformed answer"));
    }
    std::unique_ptr<ldns_pkt, decltype(&ldns_pkt_free)> response(parsed, ldns_pkt_free);
    const ldns_lookup_table* rcode = ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(response.get()));
    LookupResult result;
    result.status = rcode ? rcode->name : "?";
    result.text = fmt::format(";; {} {} -> {}\n", qname, type, result.status);
    const std::string answers = section_text(ldns_pkt_answer(response.get()));
    const std::string authority = section_text(ldns_pkt_authority(response.get()));
    if (!answers.empty()) result.text += answers;
    else if (result.status == "NOERROR") result.text += ";; no record of this type (NODATA)\n";
    if (answers.empty() && !authority.empty()) result.text += ";; authority:\n" + authority;
    result.found = !answers.empty();
    return result;
}

tl::expected<LookupResult, std::string> lookup_whois(int port, const std::string& query) {
    if (query.find_first_of("\r\n") != std::string::npos || query.size() > 256) return tl::unexpected(std::string("a WHOIS query is one short line"));
    Socket socket(SOCK_STREAM);
    const sockaddr_in address = loopback(port);
    if (::connect(socket.fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        return tl::unexpected(fmt::format("nothing listens on 127.0.0.1:{}", port));
    }
    const std::string line = query + "\r\n";
    if (::send(socket.fd, line.data(), line.size(), MSG_NOSIGNAL) < 0) return tl::unexpected(std::string("the connection failed"));
    auto text = read_all(socket.fd, 1 << 20, Clock::now() + std::chrono::seconds(5));
    if (!text) return tl::unexpected(text.error());
    LookupResult result;
    result.text = *text;
    result.found = text->find("No match for") == std::string::npos;
    result.status = result.found ? "found" : "no match";
    return result;
}

tl::expected<LookupResult, std::string> lookup_http(const std::string& kind, int port, const std::string& query) {
    std::string path;
    if (kind == "rdap") {
        std::string q = query;
        if (looks_like_ip(q) || q.find('/') != std::string::npos) path = "/ip/" + q;
        else if ((q.size() > 2 && (q.starts_with("AS") || q.starts_with("as")) && q.find_first_not_of("0123456789", 2) == std::string::npos) ||
                 (!q.empty() && q.find_first_not_of("0123456789") == std::string::npos)) {
            path = "/autnum/" + (q.starts_with("AS") || q.starts_with("as") ? q.substr(2) : q);
        } else if (q.find('.') != std::string::npos) path = "/domain/" + percent_encode(q);
        else path = "/entity/" + percent_encode(q);
    } else if (kind == "ct") {
        path = "/?q=" + percent_encode(query) + "&output=json";
    } else if (kind == "pdns") {
        path = looks_like_ip(query) ? "/pdns/ip/" + query : "/pdns/name/" + percent_encode(query);
    } else if (kind == "asn") {
        path = "/asn/" + percent_encode(query);
    } else if (kind == "web") {
        path = "/";
    } else {
        return tl::unexpected(fmt::format("'{}' is not an HTTP service", kind));
    }
    auto response = http_probe(fmt::format("http://127.0.0.1:{}{}", port, path), "GET", std::chrono::seconds(5));
    if (!response) return tl::unexpected(response.error());
    LookupResult result;
    result.status = std::to_string(response->status);
    result.found = response->status == 200;
    try {
        auto json = nlohmann::json::parse(response->body);
        if (kind == "ct" && json.is_array() && json.empty()) result.found = false;
        result.text = json.dump(2) + "\n";
    } catch (const nlohmann::json::exception&) {
        result.text = response->body;  // newline-delimited JSON (passive DNS) or text
        if (!result.text.empty() && result.text.back() != '\n') result.text += "\n";
    }
    result.text = fmt::format(";; GET {} -> {}\n", path, response->status) + result.text;
    return result;
}

}  // namespace infuse

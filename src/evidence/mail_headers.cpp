// Email headers as mail servers and forensic tools read them: the header block with broken folds
// recovered, Received hops, dates with their obsolete forms, Authentication-Results (RFC 8601),
// Received-SPF and DKIM / ARC tag lists (include/infuse/evidence/mail.hpp).
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "infuse/common/ascii.hpp"
#include "infuse/common/ip_address.hpp"
#include "infuse/evidence/evidence.hpp"
#include "infuse/evidence/mail.hpp"

namespace infuse {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

// "Name:" or "Name :" (obsolete syntax) at the start of the line: the name's length, else 0.
std::size_t header_name_length(std::string_view line) {
    std::size_t n = 0;
    while (n < line.size() && is_name_char(line[n])) ++n;
    if (n == 0 || !std::isalnum(static_cast<unsigned char>(line[0]))) return 0;
    std::size_t colon = n;
    while (colon < line.size() && (line[colon] == ' ' || line[colon] == '\t')) ++colon;
    return colon < line.size() && line[colon] == ':' ? n : 0;
}

void add_defect(std::vector<std::string>& defects, std::size_t& dropped, std::string text) {
    if (defects.size() < kMailDefects) defects.push_back(std::move(text));
    else ++dropped;
}

// Text with its comments (parentheses, nested, with \ quoting) taken out and replaced by one
// space, outside quoted strings; the comments are returned in `comments` when given.
std::string strip_comments(std::string_view text, std::vector<std::string>* comments = nullptr) {
    std::string out;
    std::string comment;
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (depth == 0) {
            if (c == '"') quoted = !quoted;
            if (quoted && c == '\\' && i + 1 < text.size()) {
                out += c;
                out += text[++i];
                continue;
            }
            if (!quoted && c == '(') {
                depth = 1;
                comment.clear();
                continue;
            }
            out += c;
            continue;
        }
        if (c == '\\' && i + 1 < text.size()) {
            comment += text[++i];
            continue;
        }
        if (c == '(') ++depth;
        if (c == ')' && --depth == 0) {
            if (comments) comments->push_back(std::string(trim(comment)));
            out += ' ';
            continue;
        }
        comment += c;
    }
    if (depth > 0) {
        if (comments) comments->push_back(std::string(trim(comment)));
        out += ' ';
    }
    return out;
}

std::vector<std::string_view> split_words(std::string_view text, std::string_view separators = " \t\r\n") {
    std::vector<std::string_view> words;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto start = text.find_first_not_of(separators, pos);
        if (start == std::string_view::npos) break;
        auto end = text.find_first_of(separators, start);
        if (end == std::string_view::npos) end = text.size();
        words.push_back(text.substr(start, end - start));
        pos = end;
    }
    return words;
}

}  // namespace

HeaderBlock read_header_block(std::string_view message) {
    HeaderBlock block;
    std::size_t dropped = 0;
    std::size_t pos = 0;
    std::size_t line_number = 0;
    bool saw_crlf = false, saw_lf = false;
    block.body_offset = message.size();
    while (pos < message.size()) {
        std::size_t end = message.find('\n', pos);
        const bool last = end == std::string_view::npos;
        if (last) end = message.size();
        std::string_view line = message.substr(pos, end - pos);
        ++line_number;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
            saw_crlf = true;
        } else if (!last) {
            saw_lf = true;
        }
        pos = last ? message.size() : end + 1;
        if (line.empty()) {
            block.body_offset = pos;
            break;
        }
        if (line.front() == ' ' || line.front() == '\t') {
            if (block.headers.empty()) {
                add_defect(block.defects, dropped, fmt::format("line {}: folded white space before the first header", line_number));
                continue;
            }
            auto& value = block.headers.back().value;
            if (!value.empty()) value += ' ';
            value += trim(line);
            continue;
        }
        if (const auto name = header_name_length(line); name > 0) {
            const auto colon = line.find(':', name);
            block.headers.push_back({std::string(line.substr(0, name)), std::string(trim(line.substr(colon + 1)))});
            continue;
        }
        if (line_number == 1 && line.starts_with("From ")) continue;  // an mbox separator
        if (block.headers.empty()) {
            add_defect(block.defects, dropped, fmt::format("line {}: not a header, skipped", line_number));
            continue;
        }
        // A fold without its leading white space: tolerant readers continue the previous header.
        auto& header = block.headers.back();
        add_defect(block.defects, dropped,
                   fmt::format("line {}: continues the {} header without leading white space (a broken fold)", line_number, header.name));
        if (!header.value.empty()) header.value += ' ';
        header.value += trim(line);
    }
    if (saw_crlf && saw_lf) add_defect(block.defects, dropped, "the header lines end in CRLF and in LF alone (mixed)");
    if (block.body_offset == message.size() && pos >= message.size() && !message.empty() && !message.ends_with("\n\n") &&
        !message.ends_with("\r\n\r\n")) {
        add_defect(block.defects, dropped, "no blank line ends the headers: the message has no body (truncated?)");
    }
    if (dropped > 0) block.defects.push_back(fmt::format("and {} more", dropped));
    return block;
}

std::vector<EmailHeader> parse_email_headers(std::string_view message) {
    return read_header_block(message).headers;
}

std::optional<LocalTime> parse_mail_date(std::string_view text) {
    const std::string plain = strip_comments(text);
    const auto words = split_words(plain, " \t\r\n,");
    std::size_t i = 0;
    auto is_digits = [](std::string_view word) {
        return !word.empty() && word.size() <= 4 && std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (i < words.size() && !words[i].empty() && std::isalpha(static_cast<unsigned char>(words[i][0]))) ++i;  // weekday
    if (i + 3 > words.size()) return std::nullopt;
    std::string_view day = words[i], month = words[i + 1], year = words[i + 2];
    // "Mar 5 2024" (some old mailers) is read too.
    if (!is_digits(day) && is_digits(month)) std::swap(day, month);
    if (!is_digits(day) || day.size() > 2 || month.size() < 3 || !is_digits(year)) return std::nullopt;
    std::string month_name{static_cast<char>(std::toupper(static_cast<unsigned char>(month[0]))),
                           static_cast<char>(std::tolower(static_cast<unsigned char>(month[1]))),
                           static_cast<char>(std::tolower(static_cast<unsigned char>(month[2])))};
    int year_number = std::stoi(std::string(year));
    if (year.size() == 2) year_number += year_number < 50 ? 2000 : 1900;
    else if (year.size() == 3) year_number += 1900;
    i += 3;
    if (i >= words.size()) return std::nullopt;
    // HH:MM[:SS]
    const auto clock = words[i++];
    unsigned parts[3] = {0, 0, 0};
    std::size_t count = 0;
    for (auto piece : split_words(clock, ":")) {
        if (count == 3 || !is_digits(piece) || piece.size() > 2) return std::nullopt;
        parts[count++] = static_cast<unsigned>(std::stoi(std::string(piece)));
    }
    if (count < 2) return std::nullopt;
    std::string zone = "+0000";
    if (i < words.size()) {
        std::string_view z = words[i];
        if ((z[0] == '+' || z[0] == '-') && z.size() == 5 && is_digits(z.substr(1))) {
            zone = std::string(z);
        } else {
            static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kZones{{
                {"UT", "+0000"}, {"GMT", "+0000"}, {"Z", "+0000"}, {"EST", "-0500"}, {"EDT", "-0400"}, {"CST", "-0600"},
                {"CDT", "-0500"}, {"MST", "-0700"}, {"MDT", "-0600"}, {"PST", "-0800"}, {"PDT", "-0700"}}};
            const std::string upper = ascii_upper(z);
            for (const auto& [name, offset] : kZones) {
                if (upper == name) zone = std::string(offset);
            }
        }
    }
    return parse_rfc5322(fmt::format("{} {} {:04} {:02}:{:02}:{:02} {}", day, month_name, year_number, parts[0], parts[1], parts[2], zone));
}

ReceivedHop parse_received(std::string_view value) {
    ReceivedHop hop;
    // The date follows the last ';' outside comments.
    std::size_t date_at = std::string_view::npos;
    {
        int depth = 0;
        for (std::size_t i = 0; i < value.size(); ++i) {
            if (value[i] == '\\') ++i;
            else if (value[i] == '(') ++depth;
            else if (value[i] == ')' && depth > 0) --depth;
            else if (value[i] == ';' && depth == 0) date_at = i;
        }
    }
    std::string_view clauses = value.substr(0, date_at);
    if (date_at != std::string_view::npos) hop.time = parse_mail_date(value.substr(date_at + 1));

    // Words and comments at the top level; a keyword word starts a clause.
    struct Token {
        std::string text;
        bool comment = false;
    };
    std::vector<Token> tokens;
    for (std::size_t i = 0; i < clauses.size();) {
        const char c = clauses[i];
        if (is_space(c)) {
            ++i;
            continue;
        }
        if (c == '(') {
            int depth = 0;
            std::size_t j = i;
            for (; j < clauses.size(); ++j) {
                if (clauses[j] == '\\') ++j;
                else if (clauses[j] == '(') ++depth;
                else if (clauses[j] == ')' && --depth == 0) break;
            }
            const std::size_t stop = std::min(j, clauses.size());
            tokens.push_back({std::string(clauses.substr(i + 1, stop - i - 1)), true});
            i = stop + 1;
            continue;
        }
        std::size_t j = i;
        while (j < clauses.size() && !is_space(clauses[j]) && clauses[j] != '(') ++j;
        tokens.push_back({std::string(clauses.substr(i, j - i)), false});
        i = j;
    }
    auto keyword = [](const Token& token) -> std::string {
        if (token.comment) return {};
        const std::string word = ascii_lower(token.text);
        for (std::string_view k : {"from", "by", "via", "with", "id", "for"}) {
            if (word == k) return word;
        }
        return {};
    };
    std::string clause;
    std::vector<const Token*> from_clause;
    bool with_done = false;
    for (const auto& token : tokens) {
        if (auto k = keyword(token); !k.empty()) {
            clause = k;
            with_done = false;
            continue;
        }
        if (clause == "from") {
            from_clause.push_back(&token);
        } else if (clause == "by" && hop.by.empty() && !token.comment) {
            hop.by = token.text;
        } else if (clause == "with" && !with_done) {
            if (token.comment) with_done = true;
            else hop.with += (hop.with.empty() ? "" : " ") + token.text;
        } else if (clause == "id" && hop.id.empty() && !token.comment) {
            hop.id = token.text;
        } else if (clause == "for" && hop.recipient.empty() && !token.comment) {
            std::string_view address = token.text;
            if (address.starts_with('<')) address.remove_prefix(1);
            if (address.ends_with('>')) address.remove_suffix(1);
            hop.recipient = std::string(address);
        }
    }
    auto as_ip = [](std::string_view text) -> std::string {
        if (text.starts_with('[') && text.ends_with(']')) text = text.substr(1, text.size() - 2);
        if (text.size() > 5 && ascii_lower(text.substr(0, 5)) == "ipv6:") text.remove_prefix(5);
        if (auto ip = parse_ip(text)) return to_string(*ip);
        return {};
    };
    auto ip_in = [&](std::string_view comment) -> std::string {
        // The helo a client gave is not the address the server saw: "helo=..." and "HELO x".
        const std::string lower = ascii_lower(comment);
        if (lower.starts_with("helo ") || lower.starts_with("ehlo ")) return {};
        if (auto helo = lower.find("helo="); helo != std::string::npos) comment = comment.substr(0, helo);
        for (auto open = comment.find('['); open != std::string_view::npos; open = comment.find('[', open + 1)) {
            const auto close = comment.find(']', open);
            if (close == std::string_view::npos) break;
            if (auto ip = as_ip(comment.substr(open, close - open + 1)); !ip.empty()) return ip;
        }
        for (auto word : split_words(comment, " \t()[],;")) {
            if (word.ends_with('.')) continue;
            if (auto ip = as_ip(word); !ip.empty()) return ip;
        }
        return {};
    };
    for (const auto* token : from_clause) {
        if (!token->comment) {
            if (hop.from_host.empty()) hop.from_host = token->text.starts_with('[') && !as_ip(token->text).empty() ? as_ip(token->text) : token->text;
            continue;
        }
        const std::string lower = ascii_lower(token->text);
        if (hop.helo.empty() && (lower.starts_with("helo ") || lower.starts_with("ehlo "))) hop.helo = std::string(trim(std::string_view(token->text).substr(5)));
        if (auto at = lower.find("helo="); at != std::string::npos && hop.helo.empty()) {
            std::string_view rest = std::string_view(token->text).substr(at + 5);
            hop.helo = std::string(rest.substr(0, rest.find_first_of(" \t)")));
        }
        if (hop.ip.empty()) hop.ip = ip_in(token->text);
    }
    if (hop.ip.empty() && !from_clause.empty() && !from_clause.front()->comment) hop.ip = as_ip(from_clause.front()->text);
    if (hop.helo.empty()) hop.helo = hop.from_host;
    return hop;
}

const std::string* AuthMethodResult::property(std::string_view name) const {
    const std::string wanted = ascii_lower(name);
    for (const auto& [key, value] : properties) {
        if (key == wanted) return &value;
    }
    return nullptr;
}

namespace {

// Splits on ';' outside quoted strings and comments ("(2048-bit key; unprotected)").
std::vector<std::string> split_statements(std::string_view text) {
    std::vector<std::string> out(1);
    bool quoted = false;
    int depth = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' && (quoted || depth > 0) && i + 1 < text.size()) {
            out.back() += c;
            out.back() += text[++i];
            continue;
        }
        if (c == '"' && depth == 0) quoted = !quoted;
        if (!quoted && c == '(') ++depth;
        if (!quoted && c == ')' && depth > 0) --depth;
        if (c == ';' && !quoted && depth == 0) out.emplace_back();
        else out.back() += c;
    }
    return out;
}

// key=value pairs of one statement; CFWS allowed around '=', values may be quoted strings.
std::vector<std::pair<std::string, std::string>> key_values(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> pairs;
    std::size_t i = 0;
    auto skip = [&] {
        while (i < text.size() && is_space(text[i])) ++i;
    };
    while (true) {
        skip();
        if (i >= text.size()) break;
        std::size_t start = i;
        while (i < text.size() && !is_space(text[i]) && text[i] != '=') ++i;
        std::string key(text.substr(start, i - start));
        skip();
        if (i >= text.size() || text[i] != '=') {
            pairs.emplace_back(std::move(key), "");
            continue;
        }
        ++i;
        skip();
        std::string value;
        if (i < text.size() && text[i] == '"') {
            for (++i; i < text.size() && text[i] != '"'; ++i) {
                if (text[i] == '\\' && i + 1 < text.size()) ++i;
                value += text[i];
            }
            ++i;
        } else {
            start = i;
            while (i < text.size() && !is_space(text[i])) ++i;
            value = std::string(text.substr(start, i - start));
        }
        pairs.emplace_back(std::move(key), std::move(value));
    }
    return pairs;
}

}  // namespace

AuthResults parse_authentication_results(std::string_view value) {
    AuthResults parsed;
    // Comments are kept per statement: the first one of each is the result's comment.
    const auto statements = split_statements(value);
    std::size_t results_from = 1;  // the first statement holding a result
    if (!statements.empty()) {
        std::string head = strip_comments(statements[0]);
        auto words = split_words(head);
        if (!words.empty() && ascii_lower(words[0]).starts_with("i=")) {
            try {
                parsed.instance = std::stoi(std::string(words[0].substr(2)));
            } catch (...) {
            }
            if (statements.size() > 1) {
                head = strip_comments(statements[1]);
                words = split_words(head);
                results_from = 2;
            } else {
                words.clear();
            }
        }
        // Microsoft 365 writes no authserv-id: the header starts with a result ("spf=pass ...").
        if (!words.empty() && words[0].find('=') != std::string_view::npos) {
            --results_from;
        } else if (!words.empty()) {
            parsed.authserv_id = std::string(words[0]);
        }
    }
    for (std::size_t s = results_from; s < statements.size(); ++s) {
        std::vector<std::string> comments;
        const std::string plain = strip_comments(statements[s], &comments);
        const auto pairs = key_values(plain);
        if (pairs.empty()) continue;
        AuthMethodResult result;
        result.method = ascii_lower(pairs[0].first);
        if (auto slash = result.method.find('/'); slash != std::string::npos) result.method.resize(slash);  // method/version
        result.result = ascii_lower(pairs[0].second);
        if (result.method == "none" || result.result.empty()) continue;
        if (!comments.empty()) result.comment = comments.front();
        for (std::size_t p = 1; p < pairs.size(); ++p) {
            const std::string key = ascii_lower(pairs[p].first);
            if (key == "reason") result.reason = pairs[p].second;
            else if (!key.empty()) result.properties.emplace_back(key, pairs[p].second);
        }
        parsed.results.push_back(std::move(result));
    }
    return parsed;
}

std::string auth_server(std::string_view value) {
    return parse_authentication_results(value).authserv_id;
}

std::optional<std::string> auth_result(std::string_view value, std::string_view method) {
    const std::string wanted = ascii_lower(method);
    for (const auto& result : parse_authentication_results(value).results) {
        if (result.method == wanted) return result.result;
    }
    return std::nullopt;
}

ReceivedSpf parse_received_spf(std::string_view value) {
    ReceivedSpf spf;
    std::vector<std::string> comments;
    const std::string plain = strip_comments(value, &comments);
    if (!comments.empty()) spf.comment = comments.front();
    const auto words = split_words(plain);
    if (!words.empty()) spf.result = ascii_lower(words[0]);
    const auto rest = std::string_view(plain).substr(words.empty() ? plain.size() : static_cast<std::size_t>(words[0].data() + words[0].size() - plain.data()));
    for (const auto& statement : split_statements(rest)) {
        for (auto& [key, field] : key_values(statement)) {
            if (!key.empty() && !field.empty()) spf.fields.emplace_back(ascii_lower(key), field);
        }
    }
    return spf;
}

std::vector<std::pair<std::string, std::string>> parse_tag_list(std::string_view value) {
    std::vector<std::pair<std::string, std::string>> tags;
    for (std::string_view rest = value; !rest.empty();) {
        const auto semicolon = rest.find(';');
        std::string_view spec = rest.substr(0, semicolon);
        rest = semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
        const auto equals = spec.find('=');
        if (equals == std::string_view::npos) continue;
        std::string name(trim(spec.substr(0, equals)));
        std::string tag_value;
        for (char c : spec.substr(equals + 1)) {
            if (!is_space(c)) tag_value += c;
        }
        if (!name.empty()) tags.emplace_back(std::move(name), std::move(tag_value));
    }
    return tags;
}

}  // namespace infuse

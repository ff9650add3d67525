// Fuzz target: log lines through every log format of derived values (access, Apache and nginx
// error, PHP error_log, syslog 3164/5424, auth, JSON lines), and the civil-time readers.
//
// Logs come from generators and from lab authors' data/ folders (real logs, possibly hostile: a
// web server writes whatever a client sends in its request line and User-Agent).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "infuse/common/civil_time.hpp"
#include "infuse/evidence/evidence.hpp"

namespace {

struct Formats {
    std::vector<std::unique_ptr<infuse::LogFormat>> all;
};

const Formats& formats() {
    static const Formats made = [] {
        Formats out;
        for (std::string_view name : infuse::log_format_names()) {
            for (int offset : {0, 60, -300}) {
                auto format = infuse::make_log_format(name, 2024, offset);
                if (!format) {
                    std::fprintf(stderr, "fuzz harness: no log format %.*s\n", static_cast<int>(name.size()),
                                 name.data());
                    std::abort();
                }
                // json-lines reads the fields it is asked for: pointers into objects and arrays, keys.
                for (std::string_view field : {"/src/ip", "status", "/a/0/b", "/", "/~1x~0", "time"}) (void)format->field_index(field);
                out.all.push_back(std::move(format));
            }
        }
        return out;
    }();
    return made;
}

void civil_time(std::string_view text) {
    (void)infuse::parse_iso8601(text);
    (void)infuse::parse_clf(text);
    for (int offset : {0, 60, -300, 840}) {
        (void)infuse::parse_syslog(text, 2024, offset);
        (void)infuse::parse_apache_error(text, offset);
    }
    (void)infuse::parse_syslog(text, 1970, 0);
    (void)infuse::parse_rfc5322(text);
    (void)infuse::month_from_abbreviation(text);
    // What parses must format back without trouble.
    for (auto time : {infuse::parse_iso8601(text), infuse::parse_clf(text), infuse::parse_rfc5322(text)}) {
        if (!time) continue;
        (void)infuse::civil_fields(*time);
        (void)infuse::format_iso8601(*time);
        (void)infuse::format_clf(*time);
        (void)infuse::format_syslog(*time);
        (void)infuse::format_rfc5322(*time);
        (void)infuse::format_apache_error(*time, 0);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const Formats& all = formats();
    std::vector<std::string_view> values;
    std::size_t start = 0;
    while (start <= input.size()) {
        std::size_t end = input.find('\n', start);
        if (end == std::string_view::npos) end = input.size();
        const std::string_view line = input.substr(start, end - start);
        for (const auto& format : all.all) {
            if (!format->parse(line, values)) {
                (void)format->continues(line);
                continue;
            }
            if (values.size() != format->fields().size()) {
                std::fprintf(stderr, "%.*s: %zu values for %zu fields\n", static_cast<int>(format->name().size()),
                             format->name().data(), values.size(), format->fields().size());
                std::abort();
            }
            if (auto time = format->time(values)) {
                (void)infuse::civil_fields(*time);
                (void)infuse::format_iso8601(*time);
            }
            for (std::string_view field : format->fields())
                (void)format->field_index(field);
        }
        civil_time(line);
        start = end + 1;
    }
    return 0;
}

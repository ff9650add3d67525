// Fuzz target: any bytes as an email message through the mail readers of derived values
// (evidence/mail.hpp): the header block, each header through every header reader, and the body
// through GMime and gumbo. Evidence is untrusted; the readers must be bounded and never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "infuse/evidence/mail.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto block = infuse::read_header_block(input);
    for (const auto& header : block.headers) {
        (void)infuse::parse_received(header.value);
        const auto results = infuse::parse_authentication_results(header.value);
        for (const auto& result : results.results) (void)result.property("smtp.mailfrom");
        (void)infuse::parse_received_spf(header.value);
        (void)infuse::parse_tag_list(header.value);
        (void)infuse::parse_mail_date(header.value);
    }
    (void)infuse::parse_mail_date(input);
    const auto body = infuse::read_mail_body(input);
    for (const auto& link : body.links) (void)infuse::url_host(link.href);
    return 0;
}

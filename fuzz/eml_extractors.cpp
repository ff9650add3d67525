// Fuzz target: an email message (headers and body) through the evidence readers of derived values.
//
// Emails come from generators and from lab authors' data/ folders; a learner's own .eml may be fed
// to `infuse-lab` by a lab that derives answers from it. Every reader must cope with any bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "infuse/evidence/evidence.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    // The whole input as a message, then each header value through the reader that fits its name
    // (and through all of them: a derived value may name any header).
    for (const auto& header : infuse::parse_email_headers(input)) {
        (void)infuse::decode_encoded_words(header.name);
        (void)infuse::decode_encoded_words(header.value);
        (void)infuse::parse_received(header.value);
        for (std::string_view method : {"spf", "dkim", "dmarc", "arc", ""})
            (void)infuse::auth_result(header.value, method);
        (void)infuse::auth_server(header.value);
        (void)infuse::mailbox_address(header.value);
        (void)infuse::mailbox_display_name(header.value);
        const std::string decoded = infuse::decode_encoded_words(header.value);
        (void)infuse::mailbox_display_name(decoded);
    }

    // The whole input as one header value.
    (void)infuse::decode_encoded_words(input);
    (void)infuse::parse_received(input);
    for (std::string_view method : {"spf", "dkim", "dmarc"})
        (void)infuse::auth_result(input, method);
    (void)infuse::auth_server(input);
    (void)infuse::mailbox_address(input);
    (void)infuse::mailbox_display_name(input);
    return 0;
}

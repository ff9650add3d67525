// Fuzz target: any bytes as the HTML of an email body through read_html (gumbo): links, images,
// tracking pixels and their hosts. Bounded by kMailHtmlBytes and kMailHtmlDepth.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "infuse/evidence/mail.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto found = infuse::read_html(input);
    for (const auto& link : found.links) (void)infuse::url_host(link.href);
    for (const auto& image : found.images) (void)infuse::url_host(image.src);
    (void)infuse::url_host(input);
    return 0;
}

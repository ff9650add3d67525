// Derived values from one email message (docs/evidence.md, "Email"): the rendered derive entry
// and the message's bytes, as read by derive_documents.cpp.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "infuse/spec/lab.hpp"

namespace infuse::derive_detail {

tl::expected<std::string, std::string> email_value(const DeriveSpec& spec, std::string_view message);

}  // namespace infuse::derive_detail

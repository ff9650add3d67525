#include "infuse/common/diagnostics.hpp"

#include <algorithm>

namespace infuse {

std::string Diagnostic::to_string() const {
    std::string out = where.to_string();
    if (!out.empty()) out += ": ";
    out += severity == Severity::error ? "error: " : "warning: ";
    if (!field.empty()) out += field + ": ";
    out += message;
    return out;
}

void Diagnostics::error(SourceLocation where, std::string field, std::string message) {
    items_.push_back({Diagnostic::Severity::error, std::move(where), std::move(field), std::move(message)});
}

void Diagnostics::warning(SourceLocation where, std::string field, std::string message) {
    items_.push_back({Diagnostic::Severity::warning, std::move(where), std::move(field), std::move(message)});
}

std::size_t Diagnostics::error_count() const {
    return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
        return d.severity == Diagnostic::Severity::error;
    }));
}

}  // namespace infuse

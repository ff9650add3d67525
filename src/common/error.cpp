#include "infuse/common/error.hpp"

#include <utility>

namespace infuse {

std::string SourceLocation::to_string() const {
    if (file.empty()) return {};
    std::string out = file;
    if (line > 0) {
        out += ":" + std::to_string(line);
        if (column > 0) out += ":" + std::to_string(column);
    }
    return out;
}

std::string Error::located() const {
    const std::string place = where.to_string();
    return place.empty() ? message : place + ": " + message;
}

UserError::UserError(Error error) : std::runtime_error(error.message), error_(std::move(error)) {}

UserError::UserError(Fault fault, std::string message, std::string next_step, SourceLocation where)
    : UserError(Error{fault, std::move(message), std::move(where), std::move(next_step), {}}) {}

}  // namespace infuse

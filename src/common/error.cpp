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

UserError::UserError(ExitCode code, std::string message, std::string next_step,
                     SourceLocation where)
    : std::runtime_error(std::move(message)),
      code_(code),
      next_step_(std::move(next_step)),
      where_(std::move(where)) {}

}  // namespace infuse

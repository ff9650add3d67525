// Problems found in a lab definition, each at file:line:column with the field it concerns.
//
// Loading and validating never stop at the first problem: a mentor fixes a lab faster when every
// problem is reported at once.
#pragma once

#include <string>
#include <vector>

#include "infuse/common/error.hpp"

namespace infuse {

struct Diagnostic {
    enum class Severity { error, warning };
    Severity severity = Severity::error;
    SourceLocation where;
    std::string field;    // "questions[2].hints[0].cost"; "" when about the whole file
    std::string message;  // what is wrong, and the nearest valid key or value when there is one

    // "file:line:col: error: field: message"
    std::string to_string() const;
};

class Diagnostics {
public:
    void error(SourceLocation where, std::string field, std::string message);
    void warning(SourceLocation where, std::string field, std::string message);

    const std::vector<Diagnostic>& all() const { return items_; }
    std::size_t error_count() const;
    std::size_t warning_count() const { return items_.size() - error_count(); }
    bool has_errors() const { return error_count() > 0; }

private:
    std::vector<Diagnostic> items_;
};

}  // namespace infuse

// The readers behind derive_one() (derive.hpp), one per kind of evidence: logs (derive_log.cpp),
// and email, JSON, XML and zone files (derive_documents.cpp). Each takes the rendered derive entry
// and the file, and returns the value or an error naming the file as the learner knows it (its
// name in the workspace).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include <memory>
#include <optional>

#include <re2/re2.h>

#include "infuse/evidence/compressed.hpp"
#include "infuse/evidence/evidence.hpp"
#include "infuse/spec/lab.hpp"

namespace infuse::derive_detail {

// Whether the (rendered) derive entry has `key`, and its text or `fallback`.
bool has(const DeriveSpec& spec, std::string_view key);
std::string text_of(const DeriveSpec& spec, std::string_view key, std::string fallback = {});

// Reads a file line by line through a large buffer (derivations run over millions of lines),
// decompressing it when it is compressed (evidence/compressed.hpp). What it reads counts against
// evidence-bytes, and a line may not be longer than kMaxLine: memory stays bounded whatever the
// file holds. After next() returns false, error() says whether the file was read to its end.
class LineReader {
public:
    static constexpr std::size_t kMaxLine = 64u << 20;
    explicit LineReader(const std::filesystem::path& file);
    bool ok() const { return reader_ != nullptr; }
    bool next(std::string_view& line);
    const std::string& error() const { return error_; }
    Compression compression() const { return reader_ ? reader_->compression() : Compression::none; }

private:
    std::unique_ptr<EvidenceReader> reader_;
    std::string shown_, error_;
    std::vector<char> buffer_;
    std::size_t start_ = 0, end_ = 0;
    bool eof_ = false;
};

// The whole content of a document (decompressed), at most evidence-bytes; errors name the file.
tl::expected<std::string, std::string> read_document(const std::filesystem::path& file);

// capture: the named group (or the first group) of `pattern` in `value`; nullopt if it does not match.
std::optional<std::string> capture_of(const RE2& pattern, std::string_view value);

tl::expected<std::string, std::string> aggregate_log(const DeriveSpec& spec, const std::filesystem::path& file,
                                                     const LogFormat& format);
tl::expected<std::string, std::string> from_email(const DeriveSpec& spec, const std::filesystem::path& file);
tl::expected<std::string, std::string> from_json(const DeriveSpec& spec, const std::filesystem::path& file);
tl::expected<std::string, std::string> from_xml(const DeriveSpec& spec, const std::filesystem::path& file);
tl::expected<std::string, std::string> from_zone(const DeriveSpec& spec, const std::filesystem::path& file);

}  // namespace infuse::derive_detail

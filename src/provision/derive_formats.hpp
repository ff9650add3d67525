// The readers behind derive_one() (derive.hpp), one per kind of evidence: logs (derive_log.cpp),
// and email, JSON, XML and zone files (derive_documents.cpp). Each takes the rendered derive entry
// and the file, and returns the value or an error naming the file as the learner knows it (its
// name in the workspace).
#pragma once

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "infuse/evidence/evidence.hpp"
#include "infuse/spec/lab.hpp"

namespace infuse::derive_detail {

// Whether the (rendered) derive entry has `key`, and its text or `fallback`.
bool has(const DeriveSpec& spec, std::string_view key);
std::string text_of(const DeriveSpec& spec, std::string_view key, std::string fallback = {});

// Reads a file line by line through a large buffer (derivations run over millions of lines).
class LineReader {
public:
    explicit LineReader(const std::filesystem::path& file) : in_(file, std::ios::binary) { buffer_.resize(1 << 20); }
    bool ok() const { return static_cast<bool>(in_) || in_.eof(); }
    bool next(std::string_view& line);

private:
    std::ifstream in_;
    std::vector<char> buffer_;
    std::size_t start_ = 0, end_ = 0;
    bool eof_ = false;
};

tl::expected<std::string, std::string> aggregate_log(const DeriveSpec& spec, const std::filesystem::path& file,
                                                     const LogFormat& format);
tl::expected<std::string, std::string> from_email(const DeriveSpec& spec, const std::filesystem::path& file);
tl::expected<std::string, std::string> from_json(const DeriveSpec& spec, const std::filesystem::path& file);
tl::expected<std::string, std::string> from_xml(const DeriveSpec& spec, const std::filesystem::path& file);
tl::expected<std::string, std::string> from_zone(const DeriveSpec& spec, const std::filesystem::path& file);

}  // namespace infuse::derive_detail

// Compressed evidence, read as zcat, zstdcat and bzcat read it (docs/evidence.md#compressed-evidence):
// the compression is told by the file's first bytes, never by its name, and what comes out is
// bounded: past `limit` decompressed bytes a read is an error naming the limit (a decompression
// bomb costs one buffer, never memory growth). Corrupt and truncated streams are errors naming the
// file. Writing compressed is for provisioning (`compress:` on a generated file).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace infuse {

enum class Compression { none, gzip, zstd, bzip2 };

// "gzip", "zstd", "bzip2", "none".
std::string_view compression_name(Compression compression);
std::optional<Compression> compression_from_name(std::string_view name);
// The compression whose magic bytes start `head` (gzip 1f 8b, zstd 28 b5 2f fd, bzip2 "BZh1".."BZh9").
Compression detect_compression(std::string_view head);

// A file read through its decompressor, if it has one: read() gives the decompressed bytes.
class EvidenceReader {
public:
    // `shown` names the file in errors (its name in the workspace); `limit` caps the bytes read out
    // (decompressed), `limit_name` says which limit that is ("evidence-bytes (1 GiB)").
    static tl::expected<std::unique_ptr<EvidenceReader>, std::string> open(const std::filesystem::path& file,
                                                                           std::uint64_t limit, std::string limit_name,
                                                                           std::string shown);
    // The same from an open descriptor at its start (a file of the lab opened through its
    // ConfinedFolder); the reader owns it and closes it.
    static tl::expected<std::unique_ptr<EvidenceReader>, std::string> open_descriptor(int fd, std::uint64_t limit,
                                                                                      std::string limit_name, std::string shown);
    virtual ~EvidenceReader() = default;
    // Up to `size` bytes into `out`; 0 at the end of the data; an error for a corrupt or truncated
    // stream, or past the limit.
    virtual tl::expected<std::size_t, std::string> read(char* out, std::size_t size) = 0;
    Compression compression() const { return compression_; }

protected:
    Compression compression_ = Compression::none;
};

// The whole (decompressed) content of `file`, at most `limit` bytes.
tl::expected<std::string, std::string> read_evidence(const std::filesystem::path& file, std::uint64_t limit,
                                                     std::string limit_name, std::string shown);

// A stream buffer that compresses what is written to it into `target` (gzip, zstd or bzip2).
// finish() writes the end of the stream; without it the output is truncated.
class CompressingBuffer : public std::streambuf {
public:
    CompressingBuffer(std::ostream& target, Compression compression);
    ~CompressingBuffer() override;
    CompressingBuffer(const CompressingBuffer&) = delete;
    CompressingBuffer& operator=(const CompressingBuffer&) = delete;
    tl::expected<void, std::string> finish();

protected:
    int_type overflow(int_type ch) override;
    std::streamsize xsputn(const char* data, std::streamsize size) override;
    int sync() override;

private:
    struct State;
    bool push(const char* data, std::size_t size, bool end);
    std::ostream& target_;
    std::unique_ptr<State> state_;
    std::string pending_;
    std::string error_;
    bool finished_ = false;
};

}  // namespace infuse

// Compressed evidence: gzip (zlib), zstd, bzip2, detected by magic bytes (docs/evidence.md#compressed-evidence).
#include "infuse/evidence/compressed.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <bzlib.h>
#include <zlib.h>
#include <zstd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace infuse {

namespace fs = std::filesystem;

std::string_view compression_name(Compression compression) {
    switch (compression) {
    case Compression::gzip: return "gzip";
    case Compression::zstd: return "zstd";
    case Compression::bzip2: return "bzip2";
    case Compression::none: break;
    }
    return "none";
}

std::optional<Compression> compression_from_name(std::string_view name) {
    for (auto compression : {Compression::none, Compression::gzip, Compression::zstd, Compression::bzip2}) {
        if (compression_name(compression) == name) return compression;
    }
    return std::nullopt;
}

Compression detect_compression(std::string_view head) {
    if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f && static_cast<unsigned char>(head[1]) == 0x8b) {
        return Compression::gzip;
    }
    if (head.size() >= 4 && head.substr(0, 4) == std::string_view("\x28\xb5\x2f\xfd", 4)) return Compression::zstd;
    if (head.size() >= 4 && head.substr(0, 3) == "BZh" && head[3] >= '1' && head[3] <= '9') return Compression::bzip2;
    return Compression::none;
}

namespace {

constexpr std::size_t kChunk = 1 << 16;

// An open descriptor, closed with the reader.
class Descriptor {
public:
    explicit Descriptor(int fd) : fd_(fd) {}
    ~Descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    // Reads up to `size` bytes; -1 on an error.
    long read(char* out, std::size_t size) {
        for (;;) {
            const ssize_t got = ::read(fd_, out, size);
            if (got < 0 && errno == EINTR) continue;
            return static_cast<long>(got);
        }
    }

private:
    int fd_;
};

// Reads the file in chunks and counts what is handed out against the limit.
class FileReader : public EvidenceReader {
public:
    FileReader(int fd, std::uint64_t limit, std::string limit_name, std::string shown)
        : in_(fd), limit_(limit), limit_name_(std::move(limit_name)), shown_(std::move(shown)) {}

    tl::expected<std::size_t, std::string> read(char* out, std::size_t size) override {
        const long got = in_.read(out, size);
        if (got < 0) return tl::unexpected(fmt::format("{}: cannot read ({})", shown_, std::strerror(errno)));
        return counted(static_cast<std::size_t>(got));
    }

protected:
    tl::expected<std::size_t, std::string> counted(std::size_t got) {
        produced_ += got;
        if (produced_ > limit_) {
            return tl::unexpected(fmt::format("{}: more than {} of {}data: the limit is {}", shown_, format_size(limit_),
                                              compression_ == Compression::none ? "" : "decompressed ", limit_name_));
        }
        return got;
    }
    static std::string format_size(std::uint64_t bytes) {
        if (bytes >= (1ULL << 30) && bytes % (1ULL << 30) == 0) return fmt::format("{} GiB", bytes >> 30);
        if (bytes >= (1ULL << 20) && bytes % (1ULL << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
        return fmt::format("{} bytes", bytes);
    }

    Descriptor in_;
    std::uint64_t limit_, produced_ = 0;
    std::string limit_name_, shown_;
};

// The loop every decompressor shares: input in chunks, members one after the other (`cat a.gz
// b.gz` is one gzip file to zcat), trailing bytes that are not a member ignored, and a stream that
// stops inside a member reported as truncated.
class Decompressor : public FileReader {
public:
    Decompressor(int fd, Compression compression, std::uint64_t limit, std::string limit_name, std::string shown)
        : FileReader(fd, limit, std::move(limit_name), std::move(shown)), input_(kChunk) {
        compression_ = compression;
    }

    tl::expected<std::size_t, std::string> read(char* out, std::size_t size) override {
        while (!finished_ && size > 0) {
            if (end_ - start_ < 4 && !eof_) fill();
            if (read_error_) return tl::unexpected(fmt::format("{}: cannot read", shown_));
            if (start_ == end_) {
                if (in_member_) {
                    return tl::unexpected(fmt::format("{}: truncated {} data: the file ends inside the compressed stream",
                                                      shown_, compression_name(compression_)));
                }
                finished_ = true;
                break;
            }
            if (!in_member_) {
                if (detect_compression(std::string_view(input_.data() + start_, end_ - start_)) != compression_) {
                    finished_ = true;  // trailing bytes: zcat warns and ignores them
                    break;
                }
                if (auto problem = restart()) return tl::unexpected(fmt::format("{}: {}", shown_, *problem));
                in_member_ = true;
            }
            std::size_t consumed = 0, produced = 0;
            bool member_end = false;
            auto problem = step(input_.data() + start_, end_ - start_, out, size, consumed, produced, member_end);
            if (problem) {
                return tl::unexpected(fmt::format("{}: corrupt {} data ({})", shown_, compression_name(compression_), *problem));
            }
            start_ += consumed;
            if (member_end) in_member_ = false;
            if (produced > 0) return counted(produced);
            if (consumed == 0 && !member_end) {
                if (eof_) {
                    return tl::unexpected(fmt::format("{}: truncated {} data: the file ends inside the compressed stream",
                                                      shown_, compression_name(compression_)));
                }
                fill();
            }
        }
        return std::size_t{0};
    }

protected:
    // Decompresses from `in` into `out`; says how much of each was used and whether a member ended.
    virtual std::optional<std::string> step(const char* in, std::size_t in_size, char* out, std::size_t out_size,
                                            std::size_t& consumed, std::size_t& produced, bool& member_end) = 0;
    // Ready for the next member.
    virtual std::optional<std::string> restart() = 0;

private:
    void fill() {
        std::memmove(input_.data(), input_.data() + start_, end_ - start_);
        end_ -= start_;
        start_ = 0;
        const long got = in_.read(input_.data() + end_, input_.size() - end_);
        if (got < 0) {
            read_error_ = true;
            eof_ = true;
            return;
        }
        end_ += static_cast<std::size_t>(got);
        if (got == 0) eof_ = true;
    }

    std::vector<char> input_;
    std::size_t start_ = 0, end_ = 0;
    bool eof_ = false, finished_ = false, in_member_ = false;

protected:
    bool read_error_ = false;
};

class Gunzip : public Decompressor {
public:
    using Decompressor::Decompressor;
    ~Gunzip() override {
        if (ready_) inflateEnd(&z_);
    }

protected:
    std::optional<std::string> restart() override {
        if (ready_) return inflateReset(&z_) == Z_OK ? std::nullopt : std::optional<std::string>("cannot restart zlib");
        std::memset(&z_, 0, sizeof z_);
        if (inflateInit2(&z_, 15 + 16) != Z_OK) return std::string("cannot start zlib");
        ready_ = true;
        return std::nullopt;
    }
    std::optional<std::string> step(const char* in, std::size_t in_size, char* out, std::size_t out_size, std::size_t& consumed,
                                    std::size_t& produced, bool& member_end) override {
        z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in));
        z_.avail_in = static_cast<uInt>(std::min<std::size_t>(in_size, kChunk));
        z_.next_out = reinterpret_cast<Bytef*>(out);
        z_.avail_out = static_cast<uInt>(std::min<std::size_t>(out_size, 1u << 30));
        const uInt in_before = z_.avail_in, out_before = z_.avail_out;
        const int result = inflate(&z_, Z_NO_FLUSH);
        consumed = in_before - z_.avail_in;
        produced = out_before - z_.avail_out;
        if (result == Z_STREAM_END) member_end = true;
        else if (result == Z_BUF_ERROR) return std::nullopt;  // needs more input
        else if (result != Z_OK) return std::string(z_.msg ? z_.msg : "zlib error");
        return std::nullopt;
    }

private:
    z_stream z_{};
    bool ready_ = false;
};

class Unzstd : public Decompressor {
public:
    using Decompressor::Decompressor;
    ~Unzstd() override { ZSTD_freeDCtx(context_); }

protected:
    std::optional<std::string> restart() override {
        if (!context_) context_ = ZSTD_createDCtx();
        if (!context_) return std::string("cannot start zstd");
        ZSTD_DCtx_reset(context_, ZSTD_reset_session_only);
        return std::nullopt;
    }
    std::optional<std::string> step(const char* in, std::size_t in_size, char* out, std::size_t out_size, std::size_t& consumed,
                                    std::size_t& produced, bool& member_end) override {
        ZSTD_inBuffer input{in, in_size, 0};
        ZSTD_outBuffer output{out, out_size, 0};
        const std::size_t result = ZSTD_decompressStream(context_, &output, &input);
        if (ZSTD_isError(result)) return std::string(ZSTD_getErrorName(result));
        consumed = input.pos;
        produced = output.pos;
        member_end = result == 0;
        return std::nullopt;
    }

private:
    ZSTD_DCtx* context_ = nullptr;
};

class Bunzip2 : public Decompressor {
public:
    using Decompressor::Decompressor;
    ~Bunzip2() override {
        if (ready_) BZ2_bzDecompressEnd(&bz_);
    }

protected:
    std::optional<std::string> restart() override {
        if (ready_) BZ2_bzDecompressEnd(&bz_);
        std::memset(&bz_, 0, sizeof bz_);
        ready_ = BZ2_bzDecompressInit(&bz_, 0, 0) == BZ_OK;
        return ready_ ? std::nullopt : std::optional<std::string>("cannot start bzip2");
    }
    std::optional<std::string> step(const char* in, std::size_t in_size, char* out, std::size_t out_size, std::size_t& consumed,
                                    std::size_t& produced, bool& member_end) override {
        bz_.next_in = const_cast<char*>(in);
        bz_.avail_in = static_cast<unsigned>(std::min<std::size_t>(in_size, kChunk));
        bz_.next_out = out;
        bz_.avail_out = static_cast<unsigned>(std::min<std::size_t>(out_size, 1u << 30));
        const unsigned in_before = bz_.avail_in, out_before = bz_.avail_out;
        const int result = BZ2_bzDecompress(&bz_);
        consumed = in_before - bz_.avail_in;
        produced = out_before - bz_.avail_out;
        if (result == BZ_STREAM_END) member_end = true;
        else if (result != BZ_OK) return fmt::format("bzip2 error {}", result);
        return std::nullopt;
    }

private:
    bz_stream bz_{};
    bool ready_ = false;
};

}  // namespace

tl::expected<std::unique_ptr<EvidenceReader>, std::string> EvidenceReader::open(const fs::path& file, std::uint64_t limit,
                                                                                std::string limit_name, std::string shown) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return tl::unexpected(fmt::format("{}: cannot read ({})", shown, std::strerror(errno)));
    return open_descriptor(fd, limit, std::move(limit_name), std::move(shown));
}

tl::expected<std::unique_ptr<EvidenceReader>, std::string> EvidenceReader::open_descriptor(int fd, std::uint64_t limit,
                                                                                          std::string limit_name,
                                                                                          std::string shown) {
    std::array<char, 4> head{};
    const ssize_t got = ::pread(fd, head.data(), head.size(), 0);
    if (got < 0) {
        ::close(fd);
        return tl::unexpected(fmt::format("{}: cannot read ({})", shown, std::strerror(errno)));
    }
    const Compression compression = detect_compression(std::string_view(head.data(), static_cast<std::size_t>(got)));
    std::unique_ptr<EvidenceReader> reader;
    switch (compression) {
    case Compression::none: reader = std::make_unique<FileReader>(fd, limit, std::move(limit_name), std::move(shown)); break;
    case Compression::gzip: reader = std::make_unique<Gunzip>(fd, compression, limit, std::move(limit_name), std::move(shown)); break;
    case Compression::zstd: reader = std::make_unique<Unzstd>(fd, compression, limit, std::move(limit_name), std::move(shown)); break;
    case Compression::bzip2: reader = std::make_unique<Bunzip2>(fd, compression, limit, std::move(limit_name), std::move(shown)); break;
    }
    return reader;
}

tl::expected<std::string, std::string> read_evidence(const fs::path& file, std::uint64_t limit, std::string limit_name,
                                                     std::string shown) {
    auto reader = EvidenceReader::open(file, limit, std::move(limit_name), std::move(shown));
    if (!reader) return tl::unexpected(reader.error());
    std::string text;
    std::vector<char> buffer(kChunk);
    for (;;) {
        auto got = (*reader)->read(buffer.data(), buffer.size());
        if (!got) return tl::unexpected(got.error());
        if (*got == 0) return text;
        text.append(buffer.data(), *got);
    }
}

// Writing.

struct CompressingBuffer::State {
    Compression compression;
    z_stream z{};
    ZSTD_CCtx* zstd = nullptr;
    bz_stream bz{};
    bool ready = false;
    std::vector<char> out = std::vector<char>(kChunk);
};

CompressingBuffer::CompressingBuffer(std::ostream& target, Compression compression) : target_(target), state_(std::make_unique<State>()) {
    state_->compression = compression;
    switch (compression) {
    case Compression::gzip:
        // Level 6, as gzip; windowBits 15 + 16: a gzip header with no name and no time, so the
        // same evidence compresses to the same bytes.
        state_->ready = deflateInit2(&state_->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
        break;
    case Compression::zstd:
        state_->zstd = ZSTD_createCCtx();
        state_->ready = state_->zstd != nullptr;
        if (state_->ready) {
            ZSTD_CCtx_setParameter(state_->zstd, ZSTD_c_compressionLevel, 3);
            ZSTD_CCtx_setParameter(state_->zstd, ZSTD_c_checksumFlag, 1);
        }
        break;
    case Compression::bzip2: state_->ready = BZ2_bzCompressInit(&state_->bz, 9, 0, 0) == BZ_OK; break;
    case Compression::none: state_->ready = true; break;
    }
    if (!state_->ready) error_ = fmt::format("cannot start the {} compressor", compression_name(compression));
}

CompressingBuffer::~CompressingBuffer() {
    if (!state_->ready) return;
    switch (state_->compression) {
    case Compression::gzip: deflateEnd(&state_->z); break;
    case Compression::zstd: ZSTD_freeCCtx(state_->zstd); break;
    case Compression::bzip2: BZ2_bzCompressEnd(&state_->bz); break;
    case Compression::none: break;
    }
}

bool CompressingBuffer::push(const char* data, std::size_t size, bool end) {
    if (!error_.empty() || finished_) return false;
    auto& s = *state_;
    auto emit = [&](std::size_t bytes) {
        target_.write(s.out.data(), static_cast<std::streamsize>(bytes));
        if (!target_) error_ = "cannot write the compressed file";
        return static_cast<bool>(target_);
    };
    switch (s.compression) {
    case Compression::none:
        target_.write(data, static_cast<std::streamsize>(size));
        return static_cast<bool>(target_);
    case Compression::gzip: {
        s.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
        s.z.avail_in = static_cast<uInt>(size);
        for (;;) {
            s.z.next_out = reinterpret_cast<Bytef*>(s.out.data());
            s.z.avail_out = static_cast<uInt>(s.out.size());
            const int result = deflate(&s.z, end ? Z_FINISH : Z_NO_FLUSH);
            if (result == Z_STREAM_ERROR) return error_ = "zlib error", false;
            if (!emit(s.out.size() - s.z.avail_out)) return false;
            if (end ? result == Z_STREAM_END : s.z.avail_in == 0 && s.z.avail_out != 0) return true;
        }
    }
    case Compression::zstd: {
        ZSTD_inBuffer input{data, size, 0};
        for (;;) {
            ZSTD_outBuffer output{s.out.data(), s.out.size(), 0};
            const std::size_t left = ZSTD_compressStream2(s.zstd, &output, &input, end ? ZSTD_e_end : ZSTD_e_continue);
            if (ZSTD_isError(left)) return error_ = ZSTD_getErrorName(left), false;
            if (!emit(output.pos)) return false;
            if (end ? left == 0 : input.pos == input.size) return true;
        }
    }
    case Compression::bzip2: {
        s.bz.next_in = const_cast<char*>(data);
        s.bz.avail_in = static_cast<unsigned>(size);
        for (;;) {
            s.bz.next_out = s.out.data();
            s.bz.avail_out = static_cast<unsigned>(s.out.size());
            const int result = BZ2_bzCompress(&s.bz, end ? BZ_FINISH : BZ_RUN);
            if (result < 0) return error_ = fmt::format("bzip2 error {}", result), false;
            if (!emit(s.out.size() - s.bz.avail_out)) return false;
            if (end ? result == BZ_STREAM_END : s.bz.avail_in == 0) return true;
        }
    }
    }
    return false;
}

CompressingBuffer::int_type CompressingBuffer::overflow(int_type ch) {
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    pending_.push_back(traits_type::to_char_type(ch));
    if (pending_.size() >= kChunk) {
        if (!push(pending_.data(), pending_.size(), false)) return traits_type::eof();
        pending_.clear();
    }
    return ch;
}

std::streamsize CompressingBuffer::xsputn(const char* data, std::streamsize size) {
    pending_.append(data, static_cast<std::size_t>(size));
    if (pending_.size() >= kChunk) {
        if (!push(pending_.data(), pending_.size(), false)) return 0;
        pending_.clear();
    }
    return size;
}

int CompressingBuffer::sync() { return error_.empty() ? 0 : -1; }

tl::expected<void, std::string> CompressingBuffer::finish() {
    if (!finished_) {
        push(pending_.data(), pending_.size(), true);
        pending_.clear();
        finished_ = true;
        target_.flush();
    }
    if (!error_.empty()) return tl::unexpected(error_);
    return {};
}

}  // namespace infuse

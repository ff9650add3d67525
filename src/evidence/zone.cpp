// Reading zone files with ldns into the index (zone_index.hpp); see zone.hpp for the rules.
#include "infuse/evidence/zone.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "infuse/common/file_io.hpp"
#include "evidence/zone_index.hpp"

namespace infuse::services {

namespace {

constexpr std::uint64_t kMaxZoneFileBytes = 64u << 20;
constexpr std::size_t kMaxRecords = 1'000'000;  // over every file: bounds memory

// ---- reading zone files -------------------------------------------------------------------------

struct ParsedRecord {
    Owned<ldns_rr> rr;
    int line;
};

// Reads a zone file's records with ldns, one entry at a time, and knows the line each entry starts
// on (ldns's own line counter lands on the line after an entry's trailing blank lines).
class ZoneFileReader {
public:
    ZoneFileReader(const std::string& text, const ldns_rdf* origin) : text_(text) {
        if (origin != nullptr) {
            origin_ = ldns_rdf_clone(origin);
            prev_ = ldns_rdf_clone(origin);
        }
        if (!text_.empty()) file_.reset(fmemopen(const_cast<char*>(text_.data()), text_.size(), "r"));
    }
    ~ZoneFileReader() {
        if (origin_ != nullptr) ldns_rdf_deep_free(origin_);
        if (prev_ != nullptr) ldns_rdf_deep_free(prev_);
    }
    ZoneFileReader(const ZoneFileReader&) = delete;
    ZoneFileReader& operator=(const ZoneFileReader&) = delete;

    // The next record; false at the end or on an error (then `error` is "line: message").
    bool next(ParsedRecord& out, std::string& error) {
        while (file_ && !std::feof(file_.get())) {
            const long before = std::ftell(file_.get());
            ldns_rr* rr = nullptr;
            const ldns_status status = ldns_rr_new_frm_fp_l(&rr, file_.get(), &ttl_, &origin_, &prev_, &ldns_line_);
            const long after = std::ftell(file_.get());
            const int line = line_of_entry(before);
            if (status == LDNS_STATUS_OK && rr != nullptr) {
                out = {Owned<ldns_rr>(rr), line};
                return true;
            }
            if (status == LDNS_STATUS_SYNTAX_EMPTY || status == LDNS_STATUS_SYNTAX_TTL ||
                status == LDNS_STATUS_SYNTAX_ORIGIN) {
                if (after <= before && !std::feof(file_.get())) break;  // no progress: never loop
                continue;
            }
            if (status == LDNS_STATUS_SYNTAX_INCLUDE) {
                error = fmt::format("{}: $INCLUDE is not supported: put the records in this file", line);
            } else {
                error = fmt::format("{}: {} in \"{}\"", line, ldns_get_errorstr_by_id(status), line_text(line));
            }
            return false;
        }
        return false;
    }

private:
    // The line of the first character of an entry that starts at byte `from`, skipping blanks
    // and comments. Offsets only grow, so counting is linear over the whole file.
    int line_of_entry(long from) {
        std::size_t pos = from < 0 ? text_.size() : std::min(static_cast<std::size_t>(from), text_.size());
        while (pos < text_.size()) {
            const char c = text_[pos];
            if (c == ';') {
                while (pos < text_.size() && text_[pos] != '\n')
                    ++pos;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++pos;
            } else {
                break;
            }
        }
        if (pos < counted_pos_) return counted_line_;
        counted_line_ += static_cast<int>(std::count(text_.begin() + static_cast<std::ptrdiff_t>(counted_pos_),
                                                     text_.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
        counted_pos_ = pos;
        return counted_line_;
    }

    std::string line_text(int line) const {
        std::size_t start = 0;
        for (int i = 1; i < line && start != std::string::npos; ++i) {
            start = text_.find('\n', start);
            if (start != std::string::npos) ++start;
        }
        if (start == std::string::npos) return {};
        const std::size_t end = text_.find('\n', start);
        std::string result = text_.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (!result.empty() && result.back() == '\r') result.pop_back();
        if (result.size() > 80) result = result.substr(0, 77) + "...";
        return result;
    }

    const std::string& text_;
    Owned<std::FILE> file_;
    std::uint32_t ttl_ = 3600;
    ldns_rdf* origin_ = nullptr;
    ldns_rdf* prev_ = nullptr;
    int ldns_line_ = 0;
    std::size_t counted_pos_ = 0;
    int counted_line_ = 1;
};

// The apex: the owner of the file's first SOA (names before any $ORIGIN read as absolute).
tl::expected<Owned<ldns_rdf>, std::string> find_apex(const std::string& text, const std::string& file) {
    ZoneFileReader reader(text, nullptr);
    ParsedRecord record;
    std::string error;
    while (reader.next(record, error)) {
        if (ldns_rr_get_type(record.rr.get()) == LDNS_RR_TYPE_SOA) {
            return Owned<ldns_rdf>(ldns_rdf_clone(ldns_rr_owner(record.rr.get())));
        }
    }
    if (!error.empty()) return tl::unexpected(fmt::format("{}:{}", file, error));
    return tl::unexpected(
        fmt::format("{}:1: no SOA record: a zone file needs one, at its apex "
                    "(e.g. \"$ORIGIN evil.example.\" then \"@ SOA ns1 hostmaster 1 3600 900 604800 300\")",
                    file));
}

// Adds one record to `zone`; an error names the line.
tl::expected<void, std::string> index_record(Zone& zone, ldns_rr* rr, int line, const std::string& file) {
    auto fail = [&](const std::string& what) { return tl::unexpected(fmt::format("{}:{}: {}", file, line, what)); };
    NameKey key;
    if (!make_key(ldns_rr_owner(rr), key)) return fail("the owner name is not a valid domain name");
    const std::string owner = dname_text(ldns_rr_owner(rr));
    if (!is_at_or_below(key.view(), zone.origin)) {
        return fail(
            fmt::format("{} is outside the zone's origin (the zone is the SOA owner; "
                        "write relative names, or absolute names ending with the origin)",
                        owner));
    }
    if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) return fail(fmt::format("{}: only class IN is served", owner));
    const ldns_rr_type type = ldns_rr_get_type(rr);
    if (type == LDNS_RR_TYPE_SOA && key.view() != zone.origin) {
        return fail(
            fmt::format("SOA record for {}, which is not the zone's apex (write the SOA owner as an "
                        "absolute name ending with a dot, or put $ORIGIN before it)",
                        owner));
    }
    Node& node = zone.nodes[std::string(key.view())];
    const bool node_has_cname = node.find(LDNS_RR_TYPE_CNAME) != nullptr;
    const bool coexists = type == LDNS_RR_TYPE_RRSIG || type == LDNS_RR_TYPE_NSEC;
    if (type == LDNS_RR_TYPE_CNAME && node_has_cname) return fail(fmt::format("a second CNAME for {}", owner));
    const bool other_data = std::any_of(node.rrsets.begin(), node.rrsets.end(), [](const RRset& s) {
        return s.type != LDNS_RR_TYPE_RRSIG && s.type != LDNS_RR_TYPE_NSEC;
    });
    if ((type == LDNS_RR_TYPE_CNAME && other_data) || (node_has_cname && !coexists)) {
        return fail(
            fmt::format("{} has a CNAME and other data: a CNAME must be alone at its name (RFC 1034 3.6.2)", owner));
    }
    auto it = std::find_if(node.rrsets.begin(), node.rrsets.end(), [&](const RRset& s) { return s.type == type; });
    if (it == node.rrsets.end()) it = node.rrsets.insert(node.rrsets.end(), RRset{type, {}});
    it->records.push_back(rr);
    if (key.size >= 2 && key.bytes[0] == 1 && key.bytes[1] == '*') zone.has_wildcards = true;
    // Empty non-terminals: every name between the owner and the apex exists.
    for (std::string_view n = parent_of(key.view()); n.size() > zone.origin.size(); n = parent_of(n)) {
        zone.nodes.try_emplace(std::string(n));
    }
    return {};
}

tl::expected<void, std::string> load_zone_text(const std::string& zone_text, const std::string& file, DnsZones& zones) {
    const std::string* text = &zone_text;
    auto apex = find_apex(*text, file);
    if (!apex) return tl::unexpected(apex.error());
    Zone zone;
    NameKey apex_key;
    if (!make_key(apex->get(), apex_key) || apex_key.size <= 1) {
        return tl::unexpected(
            fmt::format("{}: the SOA's owner is the root: write the zone's name (\"$ORIGIN "
                        "evil.example.\" at the top, or an absolute SOA owner)",
                        file));
    }
    zone.origin = std::string(apex_key.view());
    zone.file = file;
    if (zones.zone_by_origin_.count(zone.origin) != 0) {
        const Zone& other = zones.zones_[zones.zone_by_origin_.at(zone.origin)];
        return tl::unexpected(fmt::format("{}: zone {} is already loaded from {}: one file per zone", file,
                                          dname_text(apex->get()), other.file));
    }

    ZoneFileReader reader(*text, apex->get());
    ParsedRecord record;
    std::string error;
    ldns_rr* soa = nullptr;
    while (reader.next(record, error)) {
        if (zones.records_.size() >= kMaxRecords) {
            return tl::unexpected(
                fmt::format("{}:{}: more than {} records in the lab's zones", file, record.line, kMaxRecords));
        }
        ldns_rr* rr = record.rr.get();
        if (auto indexed = index_record(zone, rr, record.line, file); !indexed) return indexed;
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
            if (soa != nullptr) return tl::unexpected(fmt::format("{}:{}: a second SOA record", file, record.line));
            soa = rr;
        }
        zones.records_.push_back(std::move(record.rr));
    }
    if (!error.empty()) return tl::unexpected(fmt::format("{}:{}", file, error));
    if (soa == nullptr) {
        return tl::unexpected(
            fmt::format("{}: the SOA owner must be written as an absolute name (ending with "
                        "a dot) when the file has no $ORIGIN before it",
                        file));
    }
    Owned<ldns_rr> negative(ldns_rr_clone(soa));
    const ldns_rdf* minimum = ldns_rr_rdf(soa, 6);
    if (minimum != nullptr) {
        ldns_rr_set_ttl(negative.get(), std::min(ldns_rr_ttl(soa), ldns_rdf2native_int32(minimum)));
    }
    zone.negative_soa = negative.get();
    zones.records_.push_back(std::move(negative));
    zones.zone_by_origin_.emplace(zone.origin, zones.zones_.size());
    zones.zones_.push_back(std::move(zone));
    return {};
}

// A record's data as a learner reads it: each TXT (and SPF) character-string's bytes, unquoted and
// unescaped, joined (RFC 7208 3.3, RFC 7489 6.4: one long value split in strings is one value);
// any other type in ldns's presentation form, fields separated by one space.
std::string record_value(const ldns_rr* rr) {
    const ldns_rr_type type = ldns_rr_get_type(rr);
    std::string value;
    for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
        const ldns_rdf* field = ldns_rr_rdf(rr, i);
        if ((type == LDNS_RR_TYPE_TXT || type == LDNS_RR_TYPE_SPF) && ldns_rdf_get_type(field) == LDNS_RDF_TYPE_STR &&
            ldns_rdf_size(field) >= 1) {
            const auto* data = reinterpret_cast<const char*>(ldns_rdf_data(field));
            const std::size_t length = std::min<std::size_t>(static_cast<std::uint8_t>(data[0]), ldns_rdf_size(field) - 1);
            value.append(data + 1, length);
            continue;
        }
        char* text = ldns_rdf2str(field);
        if (!value.empty()) value += ' ';
        value += text != nullptr ? text : "?";
        std::free(text);
    }
    return value;
}

}  // namespace

tl::expected<void, std::string> load_zone_file(const std::filesystem::path& path, const std::string& file, DnsZones& zones) {
    const auto text = read_whole_file(path, kMaxZoneFileBytes, file);
    if (!text) return tl::unexpected(text.error());
    return load_zone_text(*text, file, zones);
}

tl::expected<std::shared_ptr<const DnsZones>, std::string> load_zones(const std::vector<std::filesystem::path>& files) {
    auto zones = std::make_shared<DnsZones>();
    for (const auto& file : files) {
        if (auto loaded = load_zone_file(file, file.string(), *zones); !loaded) return tl::unexpected(loaded.error());
    }
    return std::shared_ptr<const DnsZones>(std::move(zones));
}

tl::expected<std::shared_ptr<const DnsZones>, std::string> load_zone(const std::filesystem::path& file,
                                                                   const std::string& shown_as) {
    auto zones = std::make_shared<DnsZones>();
    if (auto loaded = load_zone_file(file, shown_as, *zones); !loaded) return tl::unexpected(loaded.error());
    return std::shared_ptr<const DnsZones>(std::move(zones));
}

tl::expected<std::shared_ptr<const DnsZones>, std::string> load_zone_from_text(const std::string& text,
                                                                             const std::string& shown_as) {
    if (text.size() > kMaxZoneFileBytes) return tl::unexpected(fmt::format("{}: larger than a zone file may be", shown_as));
    auto zones = std::make_shared<DnsZones>();
    if (auto loaded = load_zone_text(text, shown_as, *zones); !loaded) return tl::unexpected(loaded.error());
    return std::shared_ptr<const DnsZones>(std::move(zones));
}

tl::expected<std::vector<std::string>, std::string> zone_record_values(const DnsZones& zones, std::string_view name,
                                                                       std::string_view type) {
    const std::string type_text(type);
    const ldns_rr_type wanted = ldns_get_rr_type_by_name(type_text.c_str());
    if (wanted == 0) return tl::unexpected(fmt::format("type: '{}' is not a DNS record type (A, AAAA, MX, TXT ...)", type));
    std::string absolute(name);
    if (absolute.empty() || absolute.back() != '.') absolute += '.';
    ldns_rdf* parsed = nullptr;
    if (ldns_str2rdf_dname(&parsed, absolute.c_str()) != LDNS_STATUS_OK || parsed == nullptr) {
        return tl::unexpected(fmt::format("record: '{}' is not a domain name", name));
    }
    const Owned<ldns_rdf> owner(parsed);
    NameKey key;
    if (!make_key(owner.get(), key)) return tl::unexpected(fmt::format("record: '{}' is not a domain name", name));
    std::vector<std::string> values;
    const Zone* zone = zones.zone_for(key.view());
    const Node* node = zone != nullptr ? zone->find(key.view()) : nullptr;
    const RRset* rrset = node != nullptr ? node->find(wanted) : nullptr;
    if (rrset != nullptr) {
        for (const ldns_rr* rr : rrset->records) values.push_back(record_value(rr));
    }
    return values;
}

}  // namespace infuse::services

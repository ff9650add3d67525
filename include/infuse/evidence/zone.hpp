// Zone files (RFC 1035 master files), read by ldns: the one reader behind the DNS service and
// behind `derive:`'s `zone` format, so that an expected answer derived from a zone file and what
// the DNS service serves from that same file can never disagree (docs/evidence.md#zone-files).
//
// Choices a lab author may notice:
// - One file is one zone. Its apex is its SOA owner; names before any $ORIGIN are relative to the
//   apex (as with BIND's zone statement); $ORIGIN changes that as usual. $INCLUDE is refused: a
//   lab's zone file never makes the runner read another file. A file without an SOA is refused.
// - Owner names, TTLs and classes are read as RFC 1035 says: "www 1h IN A", "mail in a", a blank
//   owner repeating the previous one, parentheses spanning lines, quoted strings holding ';'.
// - A zone file is at most 64 MiB; all the lab's zones together hold at most 1,000,000 records.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace infuse::services {

// The lab's zones, parsed once. Immutable after loading; shared by every connection.
class DnsZones;

// Parses master files; each file's origin is its $ORIGIN, else its SOA owner. Errors name the file
// and line ("data/zones/evil.example.zone:12: ..."). Two files with the same origin are an error.
tl::expected<std::shared_ptr<const DnsZones>, std::string> load_zones(const std::vector<std::filesystem::path>& files);

// One file, named `shown_as` in errors ("example.test.zone:3: ...").
tl::expected<std::shared_ptr<const DnsZones>, std::string> load_zone(const std::filesystem::path& file,
                                                                   const std::string& shown_as);
// The same, from the file's text (a zone file that was compressed, read by derive:).
tl::expected<std::shared_ptr<const DnsZones>, std::string> load_zone_from_text(const std::string& text,
                                                                             const std::string& shown_as);

// The data of the records of `type` ("A", "mx": any case) owned by `name` (relative to the root,
// trailing dot optional, any case), in file order; empty when there are none. TXT data is its
// character-strings joined, without quotes ("v=DMARC1; p=reject"); other types are written as in a
// zone file ("10 mail.example.test."). Errors: a `type` ldns does not know, a `name` that is not
// a domain name.
tl::expected<std::vector<std::string>, std::string> zone_record_values(const DnsZones& zones, std::string_view name,
                                                                       std::string_view type);

}  // namespace infuse::services

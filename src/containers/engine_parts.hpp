// The pure pieces of the container engine driver (src/containers/engine.cpp), apart so that unit
// tests reach them without a container engine: names, paths and the parsing of CLI output.
#pragma once

#include <filesystem>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "infuse/common/ascii.hpp"
#include "infuse/containers/containers.hpp"

namespace infuse::containers_detail {

// The non-empty, trimmed lines of `text`.
std::vector<std::string> lines_of(std::string_view text);

// A lab's name for a container or a port: [a-z0-9-]+, starting with a letter or digit, at most 63.
bool valid_name(std::string_view name);

// Something usable in a container or image name: lower case, [a-z0-9-] only (anything else becomes
// '-'), runs of '-' collapsed, no '-' at either end, at most `max_length` characters; "lab" if
// nothing is left. "web/Security_Headers" -> "web-security-headers".
std::string sanitize(std::string_view text, std::size_t max_length = 40);

// The image a container spec builds: "infuse-lab/<lab id, '/' -> '-'>-<name>:latest".
std::string image_name(std::string_view lab_id, std::string_view container_name);

// The engine's name for one container: "infuse-lab-<sanitised lab id>-<name>-<suffix>".
std::string container_name(std::string_view lab_id, std::string_view name, std::string_view suffix);

// The host port in the output of `docker port <id> <port>/tcp` ("127.0.0.1:49153", one line per
// binding, IPv6 as "[::1]:49153"); a 127.0.0.1 binding is preferred. nullopt when there is none.
std::optional<int> parse_port_output(std::string_view output);

// A relative path given by a lab or a workspace, checked before it is joined to its base folder:
// not empty, not absolute, no ".." component, no NUL. Returns the error, or nullopt when fine.
std::optional<std::string> check_relative_path(std::string_view path, std::string_view what);

// `base / relative`, resolved (symbolic links followed) and verified to stay inside `base`.
tl::expected<std::filesystem::path, std::string> resolve_inside(const std::filesystem::path& base,
                                                                std::string_view relative, std::string_view what);

// A path inside the container for a mount target: absolute, no ".." component, and none of the
// characters that the engine's `-v src:dst:ro` syntax would misread (':' and ',').
std::optional<std::string> check_container_path(std::string_view path);

// Everything wrong with the specs of one lab, before anything is built (empty when fine): names,
// unique names, port names and numbers, build folders and mount paths (syntax only).
std::vector<std::string> check_specs(const std::vector<ContainerSpec>& specs);

// The argument list of `run` (after the program name) for one container: no network at all
// (`--network none`: its ports are reached through the runner's forwarder, port_forward.hpp),
// read-only root with small tmpfs for /tmp, /run and any VOLUME of the image, no capabilities,
// no-new-privileges, memory and pids limits, a bounded log. Only the workspace is mounted, read-only.
struct RunArguments {
    EngineKind kind = EngineKind::docker;
    std::string lab_id;
    std::string run_key;
    std::string name;  // the engine's container name
    std::string image;
    std::vector<int> ports;                                   // the container's ports (none are published)
    std::vector<std::pair<std::string, std::string>> mounts;  // absolute host path -> container path
    std::vector<std::string> volumes;                         // the image's VOLUME paths: each gets a tmpfs
    std::uint64_t memory_bytes = 256ull * 1024 * 1024;
    std::uint64_t pids = 128;
};
std::vector<std::string> run_arguments(const RunArguments& args);

// The ports listening in a container's network namespace, from `cat /proc/net/tcp /proc/net/tcp6`
// (state 0A, any local address).
std::set<int> listening_ports(std::string_view proc_net_tcp);

// The VOLUME paths of an image, from `image inspect --format '{{json .Config.Volumes}}'` ("null"
// or {"/data":{}}); an error when the output cannot be read or a path is not a plain absolute one.
tl::expected<std::vector<std::string>, std::string> parse_image_volumes(std::string_view json_text);

// The engine's error output made readable: trimmed, the noise lines dropped (deprecation notices
// of the legacy builder, swap-limit warnings), at most `max_lines` last lines.
std::string clean_stderr(std::string_view text, std::size_t max_lines = 15);

}  // namespace infuse::containers_detail

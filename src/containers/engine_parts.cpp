// The pure pieces of the container engine driver; see engine_parts.hpp.
#include "containers/engine_parts.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace infuse::containers_detail {

namespace fs = std::filesystem;

std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string line(trim(text.substr(0, end)));
        if (!line.empty()) lines.push_back(std::move(line));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > 63) return false;
    if (name.front() == '-') return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

std::string sanitize(std::string_view text, std::size_t max_length) {
    std::string out;
    for (char c : text) {
        c = ascii_lower(c);
        const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (keep) {
            out.push_back(c);
        } else if (!out.empty() && out.back() != '-') {
            out.push_back('-');
        }
    }
    if (out.size() > max_length) out.resize(max_length);
    while (!out.empty() && out.back() == '-')
        out.pop_back();
    return out.empty() ? "lab" : out;
}

std::string image_name(std::string_view lab_id, std::string_view container_name) {
    return fmt::format("infuse-lab/{}-{}:latest", sanitize(lab_id, 80), sanitize(container_name, 63));
}

std::string container_name(std::string_view lab_id, std::string_view name, std::string_view suffix) {
    return fmt::format("infuse-lab-{}-{}-{}", sanitize(lab_id), sanitize(name, 30), sanitize(suffix, 12));
}

std::optional<int> parse_port_output(std::string_view output) {
    std::optional<int> first, loopback;
    for (const auto& line : lines_of(output)) {
        // "0.0.0.0:49153", "[::]:49153", "127.0.0.1:49153"; older podman: "8080/tcp -> 127.0.0.1:49153".
        std::string_view binding = line;
        if (const auto arrow = binding.find("->"); arrow != std::string_view::npos) {
            binding.remove_prefix(arrow + 2);
            while (!binding.empty() && binding.front() == ' ')
                binding.remove_prefix(1);
        }
        const auto colon = binding.rfind(':');
        if (colon == std::string_view::npos) continue;
        const std::string_view host = binding.substr(0, colon);
        const std::string_view digits = binding.substr(colon + 1);
        int port = 0;
        const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (ec != std::errc() || ptr != digits.data() + digits.size() || port < 1 || port > 65535) continue;
        if (!first) first = port;
        if (!loopback && host == "127.0.0.1") loopback = port;
    }
    return loopback ? loopback : first;
}

std::optional<std::string> check_relative_path(std::string_view path, std::string_view what) {
    if (path.empty()) return fmt::format("{} is empty", what);
    if (path.find('\0') != std::string_view::npos) return fmt::format("{} contains a NUL character", what);
    const fs::path p{std::string(path)};
    if (p.is_absolute() || path.front() == '/') {
        return fmt::format("{} '{}' must be relative, not an absolute path", what, path);
    }
    for (const auto& part : p) {
        if (part == "..") return fmt::format("{} '{}' must not contain '..'", what, path);
    }
    return std::nullopt;
}

namespace {

// Whether `inner` is `outer` or below it; both normalised absolute paths.
bool is_within(const fs::path& outer, const fs::path& inner) {
    auto o = outer.begin();
    auto i = inner.begin();
    for (; o != outer.end(); ++o, ++i) {
        if (o->empty() && std::next(o) == outer.end()) break;  // trailing "/" of outer
        if (i == inner.end() || *o != *i) return false;
    }
    return true;
}

}  // namespace

tl::expected<fs::path, std::string> resolve_inside(const fs::path& base, std::string_view relative,
                                                   std::string_view what) {
    if (auto error = check_relative_path(relative, what)) return tl::unexpected(*error);
    std::error_code ec;
    const fs::path root = fs::weakly_canonical(fs::absolute(base, ec), ec);
    if (ec) return tl::unexpected(fmt::format("cannot resolve {}: {}", base.string(), ec.message()));
    const fs::path target = fs::weakly_canonical(root / fs::path(std::string(relative)), ec);
    if (ec) return tl::unexpected(fmt::format("cannot resolve {} '{}': {}", what, relative, ec.message()));
    if (!is_within(root, target)) {
        return tl::unexpected(
            fmt::format("{} '{}' leads outside {} (to {})", what, relative, root.string(), target.string()));
    }
    return target;
}

std::optional<std::string> check_container_path(std::string_view path) {
    if (path.empty() || path.front() != '/') {
        return fmt::format("container path '{}' must be absolute (start with '/')", path);
    }
    const bool control = std::any_of(path.begin(), path.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
    if (path.find_first_of(":,") != std::string_view::npos || control) {
        return fmt::format("container path '{}' must not contain ':', ',' or control characters", path);
    }
    for (const auto& part : fs::path(std::string(path))) {
        if (part == "..") return fmt::format("container path '{}' must not contain '..'", path);
    }
    if (path == "/") return std::string("container path '/' would hide the whole image");
    return std::nullopt;
}

std::vector<std::string> check_specs(const std::vector<ContainerSpec>& specs) {
    std::vector<std::string> errors;
    std::set<std::string> names;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const auto& spec = specs[i];
        const std::string where = fmt::format("containers[{}]", i);
        if (!valid_name(spec.name)) {
            errors.push_back(
                fmt::format("{}: name '{}' must be lower-case letters, digits and '-' (at most 63)", where, spec.name));
        } else if (!names.insert(spec.name).second) {
            errors.push_back(fmt::format("{}: name '{}' is used twice", where, spec.name));
        }
        if (auto error = check_relative_path(spec.build, where + ": build folder")) errors.push_back(*error);
        for (const auto& [port_name, port] : spec.ports) {
            if (!valid_name(port_name)) {
                errors.push_back(
                    fmt::format("{}: port name '{}' must be lower-case letters, digits and '-'", where, port_name));
            }
            if (port < 1 || port > 65535) {
                errors.push_back(fmt::format("{}: port {} ('{}') is not in 1..65535", where, port, port_name));
            }
        }
        std::set<std::string> targets;
        for (const auto& [source, target] : spec.mounts) {
            if (auto error = check_relative_path(source, where + ": mount source")) errors.push_back(*error);
            const bool control = std::any_of(source.begin(), source.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
            if (source.find_first_of(":,") != std::string::npos || control) {
                errors.push_back(fmt::format("{}: mount source '{}' must not contain ':', ',' or control characters", where, source));
            }
            if (auto error = check_container_path(target)) {
                errors.push_back(fmt::format("{}: {}", where, *error));
            } else if (!targets.insert(target).second) {
                errors.push_back(fmt::format("{}: two mounts on '{}'", where, target));
            }
        }
    }
    return errors;
}

std::vector<std::string> run_arguments(const RunArguments& args) {
    const std::string memory = fmt::format("{}b", args.memory_bytes);
    std::vector<std::string> argv{"run", "-d", "--init", "--name", args.name,
                                  "--label", "infuse-lab=1",
                                  "--label", "infuse-lab.lab=" + args.lab_id,
                                  "--label", "infuse-lab.run=" + args.run_key,
                                  // No route anywhere, not even to the host through a bridge's gateway.
                                  "--network", "none",
                                  "--memory", memory,
                                  "--memory-swap", memory,
                                  "--pids-limit", std::to_string(args.pids),
                                  "--cap-drop", "ALL",
                                  "--security-opt", "no-new-privileges",
                                  "--ipc", "private",
                                  // Nothing in the image changes: only small tmpfs are writable.
                                  "--read-only",
                                  "--tmpfs", "/tmp:rw,nosuid,nodev,size=16m,mode=1777",
                                  "--tmpfs", "/run:rw,nosuid,nodev,size=4m,mode=755"};
    // An image's VOLUME would be a writable folder on the host's disk, unbounded: a tmpfs instead.
    for (const auto& volume : args.volumes) {
        if (volume == "/tmp" || volume == "/run") continue;
        argv.insert(argv.end(), {"--tmpfs", volume + ":rw,nosuid,nodev,size=16m"});
    }
    // Binding a port below 1024 needs this one capability back (as root in the container).
    if (std::any_of(args.ports.begin(), args.ports.end(), [](int port) { return port < 1024; })) {
        argv.insert(argv.end(), {"--cap-add", "NET_BIND_SERVICE"});
    }
    if (args.kind == EngineKind::podman) {
        // Podman as root fails with "error setting rlimit type 7" without explicit limits.
        argv.insert(argv.end(), {"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"});
    } else {
        // What the container prints goes to the host's disk: 1 MiB at most.
        argv.insert(argv.end(), {"--log-driver", "json-file", "--log-opt", "max-size=1m", "--log-opt", "max-file=1"});
    }
    for (const auto& [source, target] : args.mounts) {
        argv.insert(argv.end(), {"-v", fmt::format("{}:{}:ro", source, target)});
    }
    argv.push_back(args.image);
    return argv;
}

std::set<int> listening_ports(std::string_view proc_net_tcp) {
    std::set<int> ports;
    for (const auto& line : lines_of(proc_net_tcp)) {
        // "  0: 00000000:1F90 00000000:0000 0A ..." (tcp6: 32 hex digits before the colon)
        std::vector<std::string_view> fields;
        std::string_view rest = line;
        while (!rest.empty() && fields.size() < 4) {
            const auto start = rest.find_first_not_of(' ');
            if (start == std::string_view::npos) break;
            rest.remove_prefix(start);
            const auto end = rest.find(' ');
            fields.push_back(rest.substr(0, end));
            if (end == std::string_view::npos) break;
            rest.remove_prefix(end);
        }
        if (fields.size() < 4 || fields[3] != "0A") continue;
        const auto colon = fields[1].rfind(':');
        if (colon == std::string_view::npos) continue;
        const std::string_view digits = fields[1].substr(colon + 1);
        int port = 0;
        const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port, 16);
        if (ec == std::errc() && ptr == digits.data() + digits.size() && port > 0) ports.insert(port);
    }
    return ports;
}

tl::expected<std::vector<std::string>, std::string> parse_image_volumes(std::string_view json_text) {
    const std::string text(trim(json_text));
    std::vector<std::string> volumes;
    if (text.empty() || text == "null" || text == "{}") return volumes;
    // {"/a":{},"/b c":{}}: the keys, which the engine printed from the image's configuration.
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        return tl::unexpected(fmt::format("cannot read the image's volumes ('{}')", text.substr(0, 200)));
    }
    for (const auto& [path, ignored] : parsed.items()) {
        if (auto error = check_container_path(path)) return tl::unexpected(fmt::format("the image declares VOLUME {}: {}", path, *error));
        volumes.push_back(path);
    }
    return volumes;
}

std::string clean_stderr(std::string_view text, std::size_t max_lines) {
    std::vector<std::string> kept;
    for (auto& line : lines_of(text)) {
        if (line.starts_with("DEPRECATED: The legacy builder") || line.starts_with("Install the buildx component") ||
            line.starts_with("https://docs.docker.com/go/buildx") ||
            line.find("swap limit capabilities") != std::string::npos ||
            line.find("Memory limited without swap") != std::string::npos ||
            line.starts_with("BuildKit is currently disabled") ||
            line.starts_with("Sending build context to Docker daemon") ||
            line.find("environment-variable") != std::string::npos) {
            continue;
        }
        kept.push_back(std::move(line));
    }
    if (kept.size() > max_lines) kept.erase(kept.begin(), kept.end() - static_cast<std::ptrdiff_t>(max_lines));
    std::string out;
    for (const auto& line : kept) {
        if (!out.empty()) out += '\n';
        out += line;
    }
    return out;
}

}  // namespace infuse::containers_detail

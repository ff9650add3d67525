#include "spec/yaml_limits.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include "infuse/common/limits.hpp"

namespace infuse::spec {
namespace {

// Thrown from the event handler to stop yaml-cpp's parser at the first limit passed.
struct LimitPassed {
    YamlProblem problem;
};

YamlProblem limit_problem(Limit limit, std::string_view lab_id, std::string what, int line, int column) {
    return {fmt::format("{}: more than {}", what, describe_limit(limit, lab_id)), line, column, raise_limit_hint(limit, lab_id)};
}

// Cheap textual bounds, before yaml-cpp sees the text. Brackets inside quoted text count too: a
// lab needs no 64 unclosed brackets in a row, and a scan that tried to follow YAML's quoting could
// be fooled into skipping real structure.
tl::expected<void, YamlProblem> scan_text(std::string_view text, std::string_view lab_id) {
    const std::uint64_t max_depth = limit_value(Limit::yaml_depth, lab_id);
    const std::uint64_t max_nodes = limit_value(Limit::yaml_nodes, lab_id);
    std::uint64_t depth = 0, structure = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '[' || c == '{') {
            if (++depth > max_depth) {
                auto [line, column] = line_and_column(text, i);
                return tl::unexpected(limit_problem(Limit::yaml_depth, lab_id, "lists and maps nested too deep", line, column));
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
        // Every node but the first needs one of these before it: a new line, a ',' in a flow
        // collection, a '[' or '{', or a "- " / "? " / ": " indicator.
        const bool indicator = (c == '-' || c == '?' || c == ':') && i + 1 < text.size() && (text[i + 1] == ' ' || text[i + 1] == '\n');
        if (c == '\n' || c == ',' || c == '[' || c == '{' || indicator) {
            if (++structure > 2 * max_nodes) {
                auto [line, column] = line_and_column(text, i);
                return tl::unexpected(limit_problem(Limit::yaml_nodes, lab_id, "too many lines, lists and maps", line, column));
            }
        }
    }
    return {};
}

// Counts the document as its aliases would expand it. yaml-cpp numbers anchors in the order they
// are defined; an anchor's size is known once its node ends.
class ExpansionCounter final : public YAML::EventHandler {
public:
    explicit ExpansionCounter(std::string_view lab_id)
        : lab_id_(lab_id),
          max_depth_(limit_value(Limit::yaml_depth, lab_id)),
          max_nodes_(limit_value(Limit::yaml_nodes, lab_id)),
          max_bytes_(limit_value(Limit::yaml_expanded_bytes, lab_id)) {}

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor, 0); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string& value) override {
        leaf(mark, anchor, value.size());
    }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        auto it = anchors_.find(anchor);
        if (it == anchors_.end()) {
            // yaml-cpp gives an alias to an anchor still open the number of that anchor: the
            // node would contain itself, and every walk over it would never end.
            throw LimitPassed{{"an alias inside its own anchor (the node would contain itself)", mark.line + 1, mark.column + 1,
                               "remove the alias, or move it out of the anchored node"}};
        }
        add(mark, it->second.nodes, it->second.bytes, open_.size() + it->second.depth);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnMapEnd() override { close(); }

private:
    struct Size {
        std::uint64_t nodes = 0, bytes = 0, depth = 0;  // depth: levels the node spans (0 for a value)
    };
    struct Open {
        YAML::anchor_t anchor;
        std::uint64_t nodes_before, bytes_before, deepest;
    };

    void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, std::size_t bytes) {
        add(mark, 1, bytes, open_.size());
        if (anchor != YAML::NullAnchor) anchors_[anchor] = {1, bytes, 0};  // a value adds no level
    }
    void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
        const std::uint64_t nodes_before = nodes_, bytes_before = bytes_;
        add(mark, 1, 0, open_.size() + 1);
        open_.push_back({anchor, nodes_before, bytes_before, open_.size() + 1});
    }
    void close() {
        const Open done = open_.back();
        open_.pop_back();
        if (!open_.empty()) open_.back().deepest = std::max(open_.back().deepest, done.deepest);
        if (done.anchor != YAML::NullAnchor) {
            anchors_[done.anchor] = {nodes_ - done.nodes_before, bytes_ - done.bytes_before, done.deepest - open_.size()};
        }
    }
    // `depth`: the deepest level the added nodes reach, the document's root collection being 1.
    void add(const YAML::Mark& mark, std::uint64_t nodes, std::uint64_t bytes, std::uint64_t depth) {
        nodes_ += nodes;
        bytes_ += bytes;
        if (!open_.empty()) open_.back().deepest = std::max(open_.back().deepest, depth);
        if (depth > max_depth_) fail(Limit::yaml_depth, "lists and maps nested too deep", mark);
        if (nodes_ > max_nodes_) fail(Limit::yaml_nodes, "too many values once aliases are expanded", mark);
        if (bytes_ > max_bytes_) fail(Limit::yaml_expanded_bytes, "too much text once aliases are expanded", mark);
    }
    [[noreturn]] void fail(Limit limit, std::string what, const YAML::Mark& mark) {
        throw LimitPassed{limit_problem(limit, lab_id_, std::move(what), mark.line + 1, mark.column + 1)};
    }

    std::string lab_id_;
    std::uint64_t max_depth_, max_nodes_, max_bytes_;
    std::uint64_t nodes_ = 0, bytes_ = 0;
    std::vector<Open> open_;
    std::unordered_map<YAML::anchor_t, Size> anchors_;
};

YamlProblem syntax_problem(const YAML::Exception& problem) {
    // yaml-cpp's own depth guard says only "bad file".
    std::string message = dynamic_cast<const YAML::DeepRecursion*>(&problem) ? "lists and maps nested too deep" : problem.msg;
    return {"not valid YAML: " + message, problem.mark.line + 1, problem.mark.column + 1, ""};
}

}  // namespace

std::pair<int, int> line_and_column(std::string_view text, std::size_t offset) {
    int line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') ++line, column = 1;
        else ++column;
    }
    return {line, column};
}

tl::expected<YAML::Node, YamlProblem> load_bounded_yaml(std::string_view text, std::string_view lab_id) {
    if (auto scanned = scan_text(text, lab_id); !scanned) return tl::unexpected(scanned.error());
    try {
        std::istringstream events{std::string(text)};
        YAML::Parser parser(events);
        ExpansionCounter counter(lab_id);
        parser.HandleNextDocument(counter);
    } catch (const LimitPassed& passed) {
        return tl::unexpected(passed.problem);
    } catch (const YAML::Exception& problem) {
        return tl::unexpected(syntax_problem(problem));
    }
    try {
        return YAML::Load(std::string(text));
    } catch (const YAML::Exception& problem) {
        return tl::unexpected(syntax_problem(problem));
    }
}

tl::expected<std::string, YamlProblem> read_definition_file(const std::filesystem::path& file, std::string_view lab_id) {
    const std::uint64_t max_bytes = limit_value(Limit::definition_bytes, lab_id);
    // O_NONBLOCK: a FIFO in place of the file must not hang the runner; it is refused below.
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return tl::unexpected(YamlProblem{"cannot be read", 0, 0, ""});
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) return tl::unexpected(YamlProblem{"is not a plain file", 0, 0, ""});
    const auto size = static_cast<std::uint64_t>(info.st_size);
    if (size > max_bytes) {
        return tl::unexpected(YamlProblem{fmt::format("is {}, more than {}", format_bytes(size), describe_limit(Limit::definition_bytes, lab_id)), 0, 0,
                                          raise_limit_hint(Limit::definition_bytes, lab_id)});
    }
    std::string content;
    content.resize(static_cast<std::size_t>(size));
    std::size_t filled = 0;
    while (filled < content.size()) {
        const ssize_t got = ::read(fd, content.data() + filled, content.size() - filled);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return tl::unexpected(YamlProblem{"cannot be read", 0, 0, ""});
        if (got == 0) break;  // shrank since fstat: what is there is the file
        filled += static_cast<std::size_t>(got);
    }
    content.resize(filled);
    return content;
}

}  // namespace infuse::spec

// SPDX-License-Identifier: MIT
// The plain-text directory reader and the JSON Lines reader (Boost.JSON, one parser reused
// across lines).
// Thread safety: read_text_directory and read_jsonl share no state; a jsonl_reader is a cursor
// owned by one thread at a time.
#include "rapport/ingest/readers.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <istream>
#include <limits>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/text.hpp"
#include "ingest/zstd_streambuf.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/utf8.hpp"

namespace rapport::ingest {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
constexpr std::size_t max_title_bytes = 120;
constexpr std::size_t fallback_title_bytes = 60;

[[nodiscard]] std::string errno_message(int err) {
    return err != 0 ? std::generic_category().message(err) : std::string("unknown error");
}

[[nodiscard]] std::string read_file(const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw io_error(path.string(), "is a directory");
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error(path.string(), "cannot open: " + errno_message(errno));
    std::string content;
    const auto size = fs::file_size(path, ec);
    if (!ec) content.reserve(static_cast<std::size_t>(size));
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0)
        content.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (in.bad()) throw io_error(path.string(), "read error: " + errno_message(errno));
    return content;
}

// The first words of `line`, cut at a space to at most `fallback_title_bytes` (or, without a
// space, at a UTF-8 character boundary), with "…" when something was cut.
[[nodiscard]] std::string opening_words(std::string_view line) {
    if (line.size() <= fallback_title_bytes) return std::string(line);
    std::size_t cut = line.rfind(' ', fallback_title_bytes);
    if (cut == std::string_view::npos || cut == 0) {
        cut = fallback_title_bytes;
        while (cut > 0 && rapport::detail::is_utf8_continuation(line[cut])) --cut;
    }
    std::string_view head = rapport::detail::trim_white_space(line.substr(0, cut));
    while (!head.empty() && (head.back() == ',' || head.back() == ':' || head.back() == ';')) head.remove_suffix(1);
    return std::string(head) + "…";
}

// Applies the title rule of read_text_directory to `content` (BOM already dropped).
[[nodiscard]] article split_title(std::string id, std::string content) {
    std::size_t pos = 0;
    while (pos < content.size()) {
        const std::size_t newline = content.find('\n', pos);
        const std::size_t line_end = newline == std::string::npos ? content.size() : newline;
        const std::string_view line =
            rapport::detail::trim_white_space(std::string_view(content).substr(pos, line_end - pos));
        if (line.empty()) {
            pos = line_end + 1;
            continue;
        }
        const char last = line.back();
        const bool sentence_end = last == '.' || last == '!' || last == '?' || last == ':' || last == ',';
        if (line.size() > max_title_bytes || sentence_end) {
            // The article starts with prose: its opening words make a better title than a file
            // name, and the line stays in the body.
            std::string title = opening_words(line);
            return article{article_id{std::move(id)}, std::move(title), std::move(content)};
        }
        std::string title(line);
        std::string body = newline == std::string::npos ? std::string() : content.substr(newline + 1);
        return article{article_id{std::move(id)}, std::move(title), std::move(body)};
    }
    std::string title = id;
    return article{article_id{std::move(id)}, std::move(title), std::move(content)};
}

}  // namespace

std::vector<fs::path> list_text_files(const fs::path& dir) {
    std::error_code ec;
    const auto status = fs::status(dir, ec);
    if (status.type() == fs::file_type::not_found) throw io_error(dir.string(), "no such directory");
    if (ec) throw io_error(dir.string(), ec.message());
    if (!fs::is_directory(status)) throw io_error(dir.string(), "not a directory");

    std::vector<fs::path> files;
    fs::directory_iterator it(dir, ec);
    if (ec) throw io_error(dir.string(), "cannot list directory: " + ec.message());
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        const fs::path& path = it->path();
        if (path.extension() != ".txt") continue;
        std::error_code type_ec;
        if (it->is_symlink(type_ec) || it->is_regular_file(type_ec)) files.push_back(path);
    }
    if (ec) throw io_error(dir.string(), "cannot list directory: " + ec.message());
    std::sort(files.begin(), files.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename().native() < b.filename().native(); });
    return files;
}

article read_text_file(const fs::path& path, const read_options& options) {
    // A path as it may be shown: invalid bytes of a file name become U+FFFD.
    const std::string shown = replace_invalid_utf8(path.string());
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(path, ec)) && !fs::exists(path, ec))
        throw io_error(shown, "dangling symbolic link");
    std::string content = read_file(path);
    if (content.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        throw invalid_argument(shown + ": file is 2 GiB or longer");
    // Validate the whole file first so that the offset reported is the offset in the file.
    content = check_utf8(std::move(content), options.invalid_utf8, shown);
    if (std::string_view(content).starts_with(utf8_bom)) content.erase(0, utf8_bom.size());
    try {
        return normalize_article(split_title(path.stem().string(), std::move(content)), options.invalid_utf8);
    } catch (const invalid_argument& e) {
        throw invalid_argument(shown + ": " + e.what());  // an invalid file name names the file
    }
}

std::vector<article> read_text_directory(const fs::path& dir, const read_options& options) {
    const auto files = list_text_files(dir);
    std::vector<article> articles;
    articles.reserve(files.size());
    for (const fs::path& path : files) articles.push_back(read_text_file(path, options));
    return articles;
}

struct jsonl_reader::impl {
    std::unique_ptr<std::ifstream> owned;
    std::unique_ptr<detail::zstd_streambuf> zstd;  // set for ".zst" files
    std::unique_ptr<std::istream> zstd_in;
    std::istream* in = nullptr;
    std::string name;
    read_options options;
    std::uint64_t line = 0;
    std::uint64_t offset = 0;  // of the start of the next line in the input
    std::string buffer;
    boost::json::parser parser;

    [[nodiscard]] invalid_argument fail(const std::string& message) const {
        return invalid_argument(name + ":" + std::to_string(line) + ": " + message);
    }
    [[nodiscard]] invalid_argument fail(const std::string& message, std::uint64_t at) const {
        return invalid_argument(name + ":" + std::to_string(line) + ": " + message, at);
    }

    [[nodiscard]] article parse(std::string_view text, std::uint64_t line_offset);
};

article jsonl_reader::impl::parse(std::string_view text, std::uint64_t line_offset) {
    boost::system::error_code ec;
    parser.reset();
    const std::size_t consumed = parser.write(text.data(), text.size(), ec);
    if (ec) throw fail("malformed JSON: " + ec.message(), line_offset + consumed);
    const boost::json::value value = parser.release();

    const boost::json::object* object = value.if_object();
    if (object == nullptr) throw fail("expected a JSON object");

    article a;
    const boost::json::value* id = object->if_contains("id");
    if (id != nullptr && id->is_string())
        a.id.value = std::string(id->get_string());
    else if (id != nullptr && id->is_int64())
        a.id.value = std::to_string(id->get_int64());
    else if (id != nullptr && id->is_uint64())
        a.id.value = std::to_string(id->get_uint64());
    else
        throw fail("expected string or integer field \"id\"");
    if (a.id.value.empty()) throw fail("empty field \"id\"");

    if (const boost::json::value* title = object->if_contains("title"); title != nullptr && !title->is_null()) {
        if (!title->is_string()) throw fail("expected string field \"title\"");
        a.title = std::string(title->get_string());
    }

    const boost::json::value* body = object->if_contains("text");
    if (body == nullptr || !body->is_string()) throw fail("expected string field \"text\"");
    a.body = std::string(body->get_string());

    if (const boost::json::value* lang = object->if_contains("lang"); lang != nullptr && !lang->is_null()) {
        if (!lang->is_string()) throw fail("expected string field \"lang\"");
        a.language = std::string(lang->get_string());
    }
    for (const auto& [key, field] : *object)
        if (key != "id" && key != "title" && key != "text" && key != "lang")
            a.fields.push_back({std::string(key), boost::json::serialize(field)});

    try {
        return normalize_article(std::move(a), options.invalid_utf8);
    } catch (const invalid_argument& e) {
        throw fail(e.what());
    }
}

jsonl_reader::jsonl_reader(const fs::path& path, const read_options& options) : impl_(std::make_unique<impl>()) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw io_error(path.string(), "is a directory");
    if (path.extension() == ".zst") {
        if (!fs::exists(path, ec)) throw io_error(path.string(), "cannot open: no such file");
        impl_->zstd = std::make_unique<detail::zstd_streambuf>(path);
        impl_->zstd_in = std::make_unique<std::istream>(impl_->zstd.get());
        impl_->in = impl_->zstd_in.get();
    } else {
        errno = 0;
        impl_->owned = std::make_unique<std::ifstream>(path, std::ios::binary);
        if (!*impl_->owned) throw io_error(path.string(), "cannot open: " + errno_message(errno));
        impl_->in = impl_->owned.get();
    }
    impl_->name = path.string();
    impl_->options = options;
}

jsonl_reader::jsonl_reader(std::istream& in, std::string name, const read_options& options)
    : impl_(std::make_unique<impl>()) {
    impl_->in = &in;
    impl_->name = std::move(name);
    impl_->options = options;
}

jsonl_reader::jsonl_reader(jsonl_reader&&) noexcept = default;
jsonl_reader& jsonl_reader::operator=(jsonl_reader&&) noexcept = default;
jsonl_reader::~jsonl_reader() = default;

std::optional<article> jsonl_reader::next() {
    impl& s = *impl_;
    while (true) {
        if (!std::getline(*s.in, s.buffer)) {
            if (s.zstd && s.zstd->error()) std::rethrow_exception(s.zstd->error());
            if (s.in->bad()) throw io_error(s.name, "read error after line " + std::to_string(s.line));
            return std::nullopt;
        }
        ++s.line;
        std::uint64_t line_offset = s.offset;
        s.offset += s.buffer.size() + (s.in->eof() ? 0 : 1);

        std::string_view text = s.buffer;
        if (s.line == 1 && text.starts_with(utf8_bom)) {
            text.remove_prefix(utf8_bom.size());
            line_offset += utf8_bom.size();
        }
        if (rapport::detail::trim_white_space(text).empty()) continue;

        if (const auto bad = find_invalid_utf8(text)) {
            if (s.options.invalid_utf8 == invalid_utf8_policy::reject)
                throw s.fail("invalid UTF-8", line_offset + *bad);
            const std::string repaired = replace_invalid_utf8(text);
            return s.parse(repaired, line_offset);
        }
        return s.parse(text, line_offset);
    }
}

std::uint64_t jsonl_reader::line() const noexcept { return impl_ ? impl_->line : 0; }

const std::string& jsonl_reader::name() const noexcept { return impl_->name; }

std::vector<article> read_jsonl(const fs::path& path, const read_options& options) {
    jsonl_reader reader(path, options);
    std::vector<article> articles;
    while (auto a = reader.next()) articles.push_back(std::move(*a));
    return articles;
}

}  // namespace rapport::ingest

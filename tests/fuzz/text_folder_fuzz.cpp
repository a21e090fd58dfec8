// SPDX-License-Identifier: MIT
// The text-folder reader (`ingest::read_text_directory`) on folders built from the input: files
// whose names (any bytes but '/' and NUL, invalid UTF-8 included) and contents come from the
// input, plus files without the ".txt" suffix, folders named "*.txt" and symbolic links, dangling
// or not, all in a scratch folder of this process. Against a model of the folder:
//   - it reads exactly the ".txt" files and links, in byte order of their names, one article
//     each, whose id is the name without ".txt" and whose id, title and body are valid UTF-8, the
//     title trimmed;
//   - under `reject` it throws `invalid_argument` naming the first file (in that order) whose name
//     or content is invalid UTF-8, and under `replace` never for that; under both, likewise for a
//     name holding a control character (ids may not);
//   - a dangling link, when reached first, is an `io_error` naming it ("dangling symbolic link");
//     no other failure happens;
//   - for ASCII content the body is the content, or what follows the title's line, which holds the
//     title.
//
//   input := policy:u8 (bit 0: replace, else reject) entry*
//   entry := type:u8 name_length:u8 name:bytes[name_length] content_length:u16 content
//   type  := (modulo 5) 0: file "<name>.txt"; 1: file "<name>"; 2: folder "<name>.txt";
//            3: dangling link "<name>.txt"; 4: link "<name>.txt" to the last file of type 0 or 1
// Entries whose file name exists already, or cannot be made, are skipped.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <unistd.h>

#include "fuzz.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/utf8.hpp"
#include "rapport/ingest/readers.hpp"

namespace fs = std::filesystem;

namespace {

// This process's scratch folder, removed at exit.
struct scratch {
    scratch() : path(fs::temp_directory_path() / ("rapport_text_folder_fuzz." + std::to_string(::getpid()))) {}
    ~scratch() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    scratch(const scratch&) = delete;
    scratch& operator=(const scratch&) = delete;
    fs::path path;
};

// What the model knows of a ".txt" entry.
struct entry {
    bool dangling = false;
    std::string content;
};

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool is_valid(std::string_view s) { return !rapport::find_invalid_utf8(s).has_value(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const scratch dir;
    std::error_code ec;
    fs::remove_all(dir.path, ec);
    fs::create_directories(dir.path);
    if (size == 0) return 0;
    const auto policy = (data[0] & 1) != 0 ? rapport::invalid_utf8_policy::replace : rapport::invalid_utf8_policy::reject;

    std::map<std::string, entry> model;  // file name → entry, for the names the reader lists
    std::optional<std::string> last_file;
    std::size_t at = 1;
    while (size - at >= 2) {
        const unsigned type = data[at] % 5;
        const std::size_t name_length = std::min<std::size_t>(data[at + 1], size - at - 2);
        std::string stem(reinterpret_cast<const char*>(data) + at + 2, name_length);
        at += 2 + name_length;
        std::replace(stem.begin(), stem.end(), '/', '_');
        std::replace(stem.begin(), stem.end(), '\0', '_');
        std::string content;
        if (size - at >= 2) {
            const std::size_t length = std::min<std::size_t>(data[at] | std::size_t{data[at + 1]} << 8, size - at - 2);
            content.assign(reinterpret_cast<const char*>(data) + at + 2, length);
            at += 2 + length;
        } else {
            at = size;
        }
        const std::string file = type == 1 ? stem : stem + ".txt";
        if (file.empty() || file == "." || file == ".." || fs::exists(fs::symlink_status(dir.path / file, ec))) continue;
        ec.clear();
        const fs::path path = dir.path / file;
        switch (type) {
            case 0:
            case 1: {
                std::ofstream out(path, std::ios::binary);
                out.write(content.data(), static_cast<std::streamsize>(content.size()));
                if (!out) continue;
                last_file = file;
                break;
            }
            case 2: fs::create_directory(path, ec); break;
            case 3: fs::create_symlink("no such target", path, ec); break;
            default:
                if (!last_file) continue;
                fs::create_symlink(*last_file, path, ec);
                break;
        }
        if (ec) continue;
        // The reader lists regular files and links whose name has the extension ".txt".
        if (type == 2 || fs::path(file).extension() != ".txt") continue;
        if (type == 4) {
            std::ifstream in(dir.path / *last_file, std::ios::binary);
            content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        model[file] = {type == 3, type == 4 || type <= 1 ? content : std::string()};
    }

    // The first file the reader fails on, if any, and how.
    std::optional<std::string> failing;
    bool failing_io = false;
    for (const auto& [file, e] : model) {
        const std::string_view stem(file.data(), file.size() - 4);
        if (e.dangling) {
            failing = file;
            failing_io = true;
            break;
        }
        const bool control = std::any_of(stem.begin(), stem.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
        });
        if (control || (policy == rapport::invalid_utf8_policy::reject && (!is_valid(e.content) || !is_valid(stem)))) {
            failing = file;
            break;
        }
    }

    std::vector<rapport::ingest::article> articles;
    try {
        articles = rapport::ingest::read_text_directory(dir.path, {.invalid_utf8 = policy});
    } catch (const rapport::invalid_argument& e) {
        RAPPORT_FUZZ_CHECK(failing && !failing_io);
        const std::string shown = rapport::replace_invalid_utf8((dir.path / *failing).string());
        RAPPORT_FUZZ_CHECK(std::string_view(e.what()).find(shown) != std::string_view::npos);
        return 0;
    } catch (const rapport::io_error& e) {
        RAPPORT_FUZZ_CHECK(failing && failing_io);
        const std::string what = e.what();
        RAPPORT_FUZZ_CHECK(what.find(rapport::replace_invalid_utf8((dir.path / *failing).string())) != std::string::npos);
        RAPPORT_FUZZ_CHECK(what.find("dangling symbolic link") != std::string::npos);
        return 0;
    }
    RAPPORT_FUZZ_CHECK(!failing);
    RAPPORT_FUZZ_CHECK(articles.size() == model.size());
    auto it = model.begin();
    for (const auto& a : articles) {
        const std::string stem = it->first.substr(0, it->first.size() - 4);
        const std::string& content = it->second.content;
        ++it;
        RAPPORT_FUZZ_CHECK(is_valid(a.id.value) && is_valid(a.title) && is_valid(a.body));
        RAPPORT_FUZZ_CHECK(a.id.value == (is_valid(stem) ? stem : rapport::replace_invalid_utf8(stem)));
        RAPPORT_FUZZ_CHECK(a.title.empty() || (!is_space(a.title.front()) && !is_space(a.title.back())));
        if (!is_ascii(content) || !is_ascii(stem)) continue;
        if (a.body == content) continue;
        // The title's line was removed: the body is what follows its newline (nothing, when the
        // title is the last line).
        RAPPORT_FUZZ_CHECK(content.size() > a.body.size() && content.ends_with(a.body));
        const std::size_t cut = content.size() - a.body.size();
        RAPPORT_FUZZ_CHECK(a.body.empty() || content[cut - 1] == '\n');
        RAPPORT_FUZZ_CHECK(content.substr(0, cut).find(a.title) != std::string::npos);
    }
    return 0;
}

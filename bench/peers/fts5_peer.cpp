// SPDX-License-Identifier: MIT
#include "fts5_peer.hpp"

#include <sqlite3.h>

#include "sqlite_db.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace rapport::bench::peers {

namespace {

// unicode61 splits on every ASCII character that is not alphanumeric; bytes of multi-byte UTF-8
// sequences are kept in tokens (the tokenizer classifies them; inside quotes nothing can be syntax).
bool token_byte(unsigned char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

// "tok1" OR "tok2" ... (AND for `all`): every FTS5 syntax character is a separator, so each token
// is a bare term; quoting keeps words such as OR, NOT, NEAR from being operators. A phrase is one
// string of the tokens, "tok1 tok2 ...", which FTS5 tokenizes into a phrase.
void match_expression(std::string_view text, query_type type, std::span<const std::string> stopwords,
                      std::string& out) {
    out.clear();
    const char* joiner = type == query_type::all ? " AND " : type == query_type::phrase ? " " : " OR ";
    std::string token;
    for (std::size_t i = 0; i < text.size();) {
        if (!token_byte(static_cast<unsigned char>(text[i]))) {
            ++i;
            continue;
        }
        token.clear();
        while (i < text.size() && token_byte(static_cast<unsigned char>(text[i]))) {
            const char c = text[i++];
            token.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
        }
        if (!stopwords.empty() && std::binary_search(stopwords.begin(), stopwords.end(), token)) continue;
        if (type == query_type::phrase) {
            out += out.empty() ? "\"" : joiner;
            out += token;
            continue;
        }
        if (!out.empty()) out += joiner;
        out += '"';
        out += token;
        out += '"';
    }
    if (type == query_type::phrase && !out.empty()) out += '"';
}

}  // namespace

std::string fts5_config(const fts5_options& options) {
    return std::string(options.contentless ? "content='', " : "") +
           "porter unicode61, detail=full; 1 txn, journal_mode=OFF, synchronous=OFF, 'optimize'; "
           "bm25 (k1 1.2, b 0.75 fixed); mmap_size 1 GiB";
}

build_figures fts5_build(const corpus& c, const std::string& db_path, const fts5_options& options) {
    build_figures f;
    f.passages = c.docs.size();
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point t1;
    {
        connection db(db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
        db.exec(std::string("CREATE VIRTUAL TABLE docs USING fts5(text") +
                (options.contentless ? ", content=''" : "") + ", tokenize='porter unicode61')");
        db.exec("BEGIN");
        {
            statement insert(db, "INSERT INTO docs(rowid, text) VALUES(?1, ?2)");
            std::int64_t rowid = 0;
            for (const auto& d : c.docs) {
                sqlite3_bind_int64(insert.get(), 1, ++rowid);
                sqlite3_bind_text(insert.get(), 2, d.body.data(), static_cast<int>(d.body.size()), SQLITE_STATIC);
                insert.step();
                insert.reset();
            }
        }
        db.exec("COMMIT");
        t1 = std::chrono::steady_clock::now();
        db.exec("INSERT INTO docs(docs) VALUES('optimize')");
        f.live_bytes = static_cast<std::uint64_t>(db.scalar("PRAGMA page_count") - db.scalar("PRAGMA freelist_count")) *
                       static_cast<std::uint64_t>(db.scalar("PRAGMA page_size"));
    }
    const auto t2 = std::chrono::steady_clock::now();
    f.cpu_seconds = cpu_seconds() - cpu0;
    f.seconds = std::chrono::duration<double>(t2 - t0).count();
    f.finish_seconds = std::chrono::duration<double>(t2 - t1).count();
    f.index_bytes = disk_bytes(db_path);
    return f;
}

std::string fts5_expression(std::string_view text, query_type type, std::span<const std::string> stopwords) {
    std::string out;
    match_expression(text, type, type == query_type::phrase ? std::span<const std::string>{} : stopwords, out);
    return out;
}

double fts5_open_ms(const std::string& db_path) {
    return median_ms(11, [&] {
        connection db(db_path, SQLITE_OPEN_READONLY);
        statement s(db, "SELECT rowid FROM docs WHERE docs MATCH 'history' LIMIT 1");
        (void)s.step();
    });
}

query_figures fts5_query(const std::string& db_path, std::span<const query> queries, query_type type,
                         std::span<const std::string> stopwords, bool count, std::size_t k) {
    if (type == query_type::phrase) stopwords = {};
    connection db(db_path, SQLITE_OPEN_READONLY);
    // Map the whole file, as rapport's reader will: page reads become memory reads.
    db.exec("PRAGMA mmap_size=1073741824");
    statement select(db, "SELECT rowid FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT " + std::to_string(k));
    std::string expr;
    auto f = time_queries(queries, [&](std::string_view text, ranking& out) {
        out.clear();
        match_expression(text, type, stopwords, expr);
        if (expr.empty()) return;  // nothing left to search for: no hits, as in rapport
        sqlite3_bind_text(select.get(), 1, expr.data(), static_cast<int>(expr.size()), SQLITE_STATIC);
        while (select.step()) out.push_back(static_cast<std::uint32_t>(sqlite3_column_int64(select.get(), 0) - 1));
        select.reset();
    });
    if (count) {
        statement counter(db, "SELECT count(*) FROM docs WHERE docs MATCH ?1");
        f.matches = count_matches(queries, [&](std::string_view text) -> std::uint64_t {
            match_expression(text, type, stopwords, expr);
            if (expr.empty()) return 0;
            sqlite3_bind_text(counter.get(), 1, expr.data(), static_cast<int>(expr.size()), SQLITE_STATIC);
            const auto n = counter.step() ? sqlite3_column_int64(counter.get(), 0) : 0;
            counter.reset();
            return static_cast<std::uint64_t>(n);
        });
    }
    return f;
}

}  // namespace rapport::bench::peers

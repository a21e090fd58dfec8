// SPDX-License-Identifier: MIT
#include "xapian_peer.hpp"

#include <xapian.h>

#include <chrono>
#include <cstdlib>

namespace rapport::bench::peers {

namespace {
// BM25Weight(k1, k2, k3, b, min_normlen): rapport's k1 and b; k2 = 0 (no extra length term),
// k3 = 1 and min_normlen = 0.5 are Xapian's defaults.
Xapian::BM25Weight bm25() { return Xapian::BM25Weight(0.9, 0.0, 1.0, 0.4, 0.5); }
}  // namespace

std::string xapian_config() {
    const char* flush = std::getenv("XAPIAN_FLUSH_THRESHOLD");
    return std::string(Xapian::version_string()) + " glass, DB_NO_SYNC, english STEM_SOME, positions, no data, flush " +
           (flush != nullptr ? flush : "10000") +
           ", 1 commit; QueryParser flags=0 OP_OR / OP_AND, FLAG_PHRASE for phrases; BM25Weight(0.9, 0, 1, 0.4, 0.5)";
}

build_figures xapian_build(const corpus& c, const std::string& db_path) {
    build_figures f;
    f.passages = c.docs.size();
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point t1;
    {
        // DB_NO_SYNC: no fsync, as FTS5 builds with synchronous=OFF and rapport in memory.
        Xapian::WritableDatabase db(db_path, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS | Xapian::DB_NO_SYNC);
        Xapian::TermGenerator generator;
        generator.set_stemmer(Xapian::Stem("english"));
        generator.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
        for (const auto& d : c.docs) {
            Xapian::Document doc;
            generator.set_document(doc);
            generator.index_text(d.body);  // with positions
            db.add_document(doc);
        }
        t1 = std::chrono::steady_clock::now();
        db.commit();
        db.close();
    }
    const auto t2 = std::chrono::steady_clock::now();
    f.cpu_seconds = cpu_seconds() - cpu0;
    f.seconds = std::chrono::duration<double>(t2 - t0).count();
    f.finish_seconds = std::chrono::duration<double>(t2 - t1).count();
    f.index_bytes = disk_bytes(db_path);
    f.live_bytes = f.index_bytes;
    return f;
}

compact_figures xapian_compact(const std::string& db_path, const std::string& out_path) {
    compact_figures f;
    const auto t0 = std::chrono::steady_clock::now();
    Xapian::Database(db_path).compact(out_path);
    f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    f.bytes = disk_bytes(out_path);
    return f;
}

double xapian_open_ms(const std::string& db_path) {
    return median_ms(11, [&] {
        Xapian::Database db(db_path);
        volatile auto n = db.get_doccount();
        (void)n;
    });
}

query_figures xapian_query(const std::string& db_path, std::span<const query> queries, query_type type,
                           std::span<const std::string> stopwords, bool count, std::size_t k) {
    Xapian::Database db(db_path);
    Xapian::Enquire enquire(db);
    enquire.set_weighting_scheme(bm25());
    Xapian::QueryParser parser;
    parser.set_database(db);
    parser.set_stemmer(Xapian::Stem("english"));
    parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    parser.set_default_op(type == query_type::all ? Xapian::Query::OP_AND : Xapian::Query::OP_OR);
    Xapian::SimpleStopper stopper(stopwords.begin(), stopwords.end());
    if (!stopwords.empty() && type != query_type::phrase) parser.set_stopper(&stopper);
    std::string text_buf;
    // flags = 0: no boolean, love/hate or phrase syntax, so every query is an OR (AND) of its words
    // (Xapian still turns hyphenated words such as "miami-dade" into phrases). A phrase query is the
    // text between quotes with only FLAG_PHRASE.
    const auto parse = [&](std::string_view text) {
        if (type != query_type::phrase) return parser.parse_query(std::string(text), 0);
        text_buf.clear();
        text_buf += '"';
        for (const char c : text)
            if (c != '"') text_buf += c;
        text_buf += '"';
        return parser.parse_query(text_buf, Xapian::QueryParser::FLAG_PHRASE);
    };
    auto f = time_queries(queries, [&](std::string_view text, ranking& out) {
        out.clear();
        enquire.set_query(parse(text));
        const Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(k));
        for (auto it = mset.begin(); it != mset.end(); ++it) out.push_back(static_cast<std::uint32_t>(*it - 1));
    });
    if (count) {
        const auto all = db.get_doccount();
        f.matches = count_matches(queries, [&](std::string_view text) -> std::uint64_t {
            enquire.set_query(parse(text));
            return enquire.get_mset(0, 0, all).get_matches_estimated();
        });
    }
    return f;
}

std::string xapian_describe(const std::string& db_path, std::string_view text, query_type type) {
    Xapian::Database db(db_path);
    Xapian::QueryParser parser;
    parser.set_database(db);
    parser.set_stemmer(Xapian::Stem("english"));
    parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    parser.set_default_op(type == query_type::all ? Xapian::Query::OP_AND : Xapian::Query::OP_OR);
    if (type != query_type::phrase) return parser.parse_query(std::string(text), 0).get_description();
    std::string quoted(1, '"');
    quoted.append(text);
    quoted += '"';
    return parser.parse_query(quoted, Xapian::QueryParser::FLAG_PHRASE).get_description();
}

}  // namespace rapport::bench::peers

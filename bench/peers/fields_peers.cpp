// SPDX-License-Identifier: MIT
#include "fields_peers.hpp"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>

#include "fts5_peer.hpp"
#include "sqlite_db.hpp"
#include "rapport/analysis/stopwords.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/search/request.hpp"
#include "rapport/storage/fs_directory.hpp"
#if RAPPORT_HAVE_XAPIAN
#include <xapian.h>
#endif

namespace rapport::bench::peers {

namespace {

std::uint64_t splitmix(std::uint64_t x) noexcept {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

constexpr unsigned threshold(fields_shape s) noexcept {
    return s == fields_shape::filter1 ? 1 : s == fields_shape::filter10 ? 10 : s == fields_shape::filter50 ? 50 : 0;
}

// The most frequent category's count of one facet answer (0 when none).
template <class Map>
std::uint64_t top_count(const Map& counts) {
    std::uint64_t best = 0;
    for (const auto& [value, n] : counts) best = std::max<std::uint64_t>(best, n);
    return best;
}

}  // namespace

const char* shape_name(fields_shape s) noexcept {
    switch (s) {
        case fields_shape::plain: return "OR";
        case fields_shape::filter1: return "OR, filter 1 %";
        case fields_shape::filter10: return "OR, filter 10 %";
        case fields_shape::filter50: return "OR, filter 50 %";
        case fields_shape::facet: return "OR + facet counts";
        case fields_shape::sort_date: return "OR, sort by date";
    }
    return "?";
}

synthetic_meta meta_of(std::size_t i) noexcept {
    const auto h = splitmix(i);
    // 9,131 days: 2000-01-01 (day 10,957) to 2024-12-31.
    return {static_cast<unsigned>(h % 100), static_cast<unsigned>((h >> 8) % 20),
            10'957 + static_cast<std::int64_t>((h >> 16) % 9'131)};
}

// ---------------------------------------------------------------- rapport

std::vector<fields_row> fields_rapport(const corpus& c, std::span<const query> queries, const std::string& dir,
                                       bool sorted) {
    {
        index::index_writer_options o;
        o.index.schema = index::parse_schema(
            std::string(R"({"fields": [{"name": "sel", "type": "keyword"}, {"name": "cat", "type": "keyword"},)"
                        R"( {"name": "day", "type": "date"}])") +
            (sorted ? R"(, "sort": "sel"})" : "}"));
        index::index_writer writer(storage::fs_directory::create_or_open(dir), o);
        for (std::size_t i = 0; i < c.docs.size(); ++i) {
            const auto m = meta_of(i);
            ingest::article a{c.docs[i].id, c.docs[i].title, c.docs[i].body};
            std::string sel = "[";
            for (const unsigned t : {1u, 10u, 50u})
                if (m.bucket < t) sel += std::string(sel.size() > 1 ? "," : "") + "\"p" + std::to_string(t) + "\"";
            sel += "]";
            a.fields = {{"sel", sel},
                        {"cat", "\"c" + std::to_string(m.category) + "\""},
                        {"day", "\"" + index::format_date(m.day * 86'400'000) + "\""}};
            writer.add_passage(std::move(a));
        }
        writer.merge_all();  // one segment, as the peers' optimized indexes
    }
    const auto reader = index::index_reader::open(storage::fs_directory::open_existing(dir));
    const search::searcher s(reader);
    // Hits are reported as corpus positions (what meta_of and the checks read): an index sort
    // numbers passages in its own order, so each docid is mapped back through its article id.
    std::vector<std::uint32_t> position_of(reader.passage_count());
    {
        std::unordered_map<std::string_view, std::uint32_t> by_id;
        for (std::size_t i = 0; i < c.docs.size(); ++i) by_id.emplace(c.docs[i].id.value, static_cast<std::uint32_t>(i));
        for (std::size_t g = 0; g < reader.segments().size(); ++g) {
            const auto& seg = *reader.segments()[g];
            for (docid_t d = 0; d < seg.size(); ++d)
                position_of[reader.bases()[g] + d] = by_id.at(seg.article_id(seg.article_of(d)));
        }
    }
    std::vector<fields_row> rows;
    for (const auto shape : all_fields_shapes) {
        search::search_request request;
        request.options = body_only(request.options);  // the peers index the passage text only
        request.options.k = 10;
        request.fetch = false;  // ids only, as the peers return
        if (const unsigned t = threshold(shape); t != 0) request.filter = "sel:p" + std::to_string(t);
        if (shape == fields_shape::facet) request.facets = {{.field = "cat", .top = 20}};
        if (shape == fields_shape::sort_date) request.sort = search::sort_spec{"day", true};
        fields_row row{sorted ? "rapport sorted" : "rapport", shape, {}, {}};
        row.figures = time_queries(queries, [&](std::string_view text, ranking& out) {
            out.clear();
            const auto r = search::run(s, s.parse(text), request);
            for (const auto& h : r.hits) out.push_back(position_of[h.hit.passage]);
            if (shape == fields_shape::facet && row.top_category_counts.size() < queries.size()) {
                std::uint64_t best = 0;
                for (const auto& f : r.facets)
                    for (const auto& count : f.counts) best = std::max(best, count.count);
                row.top_category_counts.push_back(best);
            }
        });
        rows.push_back(std::move(row));
    }
    return rows;
}

// ---------------------------------------------------------------- SQLite FTS5

std::vector<fields_row> fields_fts5(const corpus& c, std::span<const query> queries, const std::string& dir) {
    const std::string path = dir + "/fields.sqlite";
    {
        connection db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
        db.exec("CREATE VIRTUAL TABLE docs USING fts5(text, tokenize='porter unicode61')");
        db.exec("CREATE TABLE meta(rowid INTEGER PRIMARY KEY, bucket INTEGER, cat TEXT, day INTEGER)");
        db.exec("BEGIN");
        statement doc(db, "INSERT INTO docs(rowid, text) VALUES (?, ?)");
        statement meta(db, "INSERT INTO meta(rowid, bucket, cat, day) VALUES (?, ?, ?, ?)");
        for (std::size_t i = 0; i < c.docs.size(); ++i) {
            const auto m = meta_of(i);
            const auto rowid = static_cast<sqlite3_int64>(i + 1);
            sqlite3_bind_int64(doc.get(), 1, rowid);
            sqlite3_bind_text(doc.get(), 2, c.docs[i].body.data(), static_cast<int>(c.docs[i].body.size()), SQLITE_STATIC);
            doc.step();
            doc.reset();
            const std::string cat = "c" + std::to_string(m.category);
            sqlite3_bind_int64(meta.get(), 1, rowid);
            sqlite3_bind_int64(meta.get(), 2, m.bucket);
            sqlite3_bind_text(meta.get(), 3, cat.data(), static_cast<int>(cat.size()), SQLITE_TRANSIENT);
            sqlite3_bind_int64(meta.get(), 4, m.day);
            meta.step();
            meta.reset();
        }
        db.exec("COMMIT");
        db.exec("INSERT INTO docs(docs) VALUES('optimize')");
        db.exec("CREATE INDEX meta_bucket ON meta(bucket)");
    }
    connection db(path, SQLITE_OPEN_READONLY);
    db.exec("PRAGMA mmap_size=1073741824");
    const auto& stopwords = analysis::english_stopwords();
    std::vector<fields_row> rows;
    for (const auto shape : all_fields_shapes) {
        // The FTS5 way: MATCH, joined on rowid to the metadata; bm25() ranks.
        // Without a filter or a sort the top 10 need no join: FTS5's own `ORDER BY rank` path.
        const bool join = threshold(shape) != 0 || shape == fields_shape::sort_date;
        std::string sql = join ? "SELECT docs.rowid FROM docs JOIN meta ON meta.rowid = docs.rowid WHERE docs MATCH ?1"
                               : "SELECT rowid FROM docs WHERE docs MATCH ?1";
        if (threshold(shape) != 0) sql += " AND meta.bucket < " + std::to_string(threshold(shape));
        sql += shape == fields_shape::sort_date ? " ORDER BY meta.day DESC, bm25(docs) LIMIT 10"
               : join                           ? " ORDER BY bm25(docs) LIMIT 10"
                                                : " ORDER BY rank LIMIT 10";
        statement top(db, sql);
        statement facet(db, "SELECT meta.cat, count(*) FROM docs JOIN meta ON meta.rowid = docs.rowid WHERE docs MATCH ?1 "
                            "GROUP BY meta.cat");
        fields_row row{"SQLite FTS5", shape, {}, {}};
        row.figures = time_queries(queries, [&](std::string_view text, ranking& out) {
            out.clear();
            const auto expr = fts5_expression(text, query_type::any, stopwords);
            if (expr.empty()) return;
            sqlite3_bind_text(top.get(), 1, expr.data(), static_cast<int>(expr.size()), SQLITE_TRANSIENT);
            while (top.step()) out.push_back(static_cast<std::uint32_t>(sqlite3_column_int64(top.get(), 0) - 1));
            top.reset();
            if (shape != fields_shape::facet) return;
            sqlite3_bind_text(facet.get(), 1, expr.data(), static_cast<int>(expr.size()), SQLITE_TRANSIENT);
            std::map<std::string, std::uint64_t> counts;
            while (facet.step())
                counts[reinterpret_cast<const char*>(sqlite3_column_text(facet.get(), 0))] =
                    static_cast<std::uint64_t>(sqlite3_column_int64(facet.get(), 1));
            facet.reset();
            if (row.top_category_counts.size() < queries.size()) row.top_category_counts.push_back(top_count(counts));
        });
        rows.push_back(std::move(row));
    }
    return rows;
}

// ---------------------------------------------------------------- Xapian

#if RAPPORT_HAVE_XAPIAN
std::vector<fields_row> fields_xapian(const corpus& c, std::span<const query> queries, const std::string& dir) {
    const std::string path = dir + "/fields.xapian";
    {
        Xapian::WritableDatabase db(path, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS | Xapian::DB_NO_SYNC);
        Xapian::TermGenerator generator;
        generator.set_stemmer(Xapian::Stem("english"));
        generator.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
        for (std::size_t i = 0; i < c.docs.size(); ++i) {
            const auto m = meta_of(i);
            Xapian::Document doc;
            generator.set_document(doc);
            generator.index_text(c.docs[i].body);
            // Filters as boolean terms (Xapian's idiom), the category and date as values.
            for (const unsigned t : {1u, 10u, 50u})
                if (m.bucket < t) doc.add_boolean_term("XSp" + std::to_string(t));
            doc.add_value(0, "c" + std::to_string(m.category));
            doc.add_value(1, Xapian::sortable_serialise(static_cast<double>(m.day)));
            db.add_document(doc);
        }
        db.commit();
        db.close();
    }
    Xapian::Database db(path);
    Xapian::Enquire enquire(db);
    enquire.set_weighting_scheme(Xapian::BM25Weight(0.9, 0.0, 1.0, 0.4, 0.5));
    Xapian::QueryParser parser;
    parser.set_database(db);
    parser.set_stemmer(Xapian::Stem("english"));
    parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    parser.set_default_op(Xapian::Query::OP_OR);
    const auto& stopwords = analysis::english_stopwords();
    Xapian::SimpleStopper stopper(stopwords.begin(), stopwords.end());
    parser.set_stopper(&stopper);
    const auto all = db.get_doccount();
    std::vector<fields_row> rows;
    for (const auto shape : all_fields_shapes) {
        fields_row row{"Xapian", shape, {}, {}};
        row.figures = time_queries(queries, [&](std::string_view text, ranking& out) {
            out.clear();
            Xapian::Query q = parser.parse_query(std::string(text), 0);
            if (const unsigned t = threshold(shape); t != 0)
                q = Xapian::Query(Xapian::Query::OP_FILTER, q, Xapian::Query("XSp" + std::to_string(t)));
            enquire.set_query(q);
            if (shape == fields_shape::sort_date)
                enquire.set_sort_by_value_then_relevance(1, true);
            else
                enquire.set_sort_by_relevance();
            enquire.clear_matchspies();
            Xapian::ValueCountMatchSpy spy(0);
            if (shape == fields_shape::facet) enquire.add_matchspy(&spy);
            // Exact facet counts need every match seen: check_at_least = the document count.
            const Xapian::MSet mset = enquire.get_mset(0, 10, shape == fields_shape::facet ? all : 0);
            for (auto it = mset.begin(); it != mset.end(); ++it) out.push_back(static_cast<std::uint32_t>(*it - 1));
            if (shape == fields_shape::facet && row.top_category_counts.size() < queries.size()) {
                std::uint64_t best = 0;
                for (auto v = spy.values_begin(); v != spy.values_end(); ++v)
                    best = std::max<std::uint64_t>(best, v.get_termfreq());
                row.top_category_counts.push_back(best);
            }
            enquire.clear_matchspies();
        });
        rows.push_back(std::move(row));
    }
    return rows;
}
#endif

}  // namespace rapport::bench::peers

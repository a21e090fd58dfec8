// SPDX-License-Identifier: MIT
// rapport eval / stats / check / merge / delete: the small subcommands.
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cli.hpp"
#include "rapport/core/error.hpp"
#include "rapport/eval/metrics.hpp"
#include "rapport/eval/qrels.hpp"
#include "rapport/eval/run.hpp"
#include "rapport/index/check_index.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/index/manifest.hpp"

namespace rapport::cli {

namespace {

// Options of the subcommands that take only --index.
po::options_description index_only() {
    po::options_description visible("Options");
    visible.add_options()("index", po::value<std::string>()->required()->value_name("DIR"), "index folder");
    return visible;
}

// The writer of an existing index (never creates one).
index::index_writer open_writer(const std::string& path) {
    auto dir = open_index_dir(path);
    if (!index::read_latest_manifest(*dir)) throw io_error(path, "no index (no manifest_* file)");
    return index::index_writer(std::move(dir));
}

void print_metrics(const char* label, const eval::metrics& m) {
    std::printf("%-8s  %8.4f  %8.4f  %8.4f  %8.4f  %8.4f  %8.4f\n", label, m.map, m.ndcg_at_10, m.p_at_10, m.mrr_at_10,
                m.recall_at_100, m.recall_at_1000);
}

// "seg_1f.post" -> "post"; "manifest_0000000000000003" -> "manifest".
std::string file_kind_of(const std::string& name) {
    if (name.rfind("manifest_", 0) == 0) return "manifest";
    const auto dot = name.rfind('.');
    return dot == std::string::npos ? name : name.substr(dot + 1);
}

}  // namespace

int run_eval(const command_args& args) {
    po::options_description visible("Options");
    visible.add_options()
        ("qrels", po::value<std::string>()->required()->value_name("FILE"), "TREC relevance judgments")
        ("per-query", po::bool_switch(), "also print every query's measures")
        ("complete", po::bool_switch(), "average over every judged query (trec_eval -c)")
        ("relevance-level", po::value<int>()->default_value(1), "least grade that counts as relevant (trec_eval -l)");
    po::options_description hidden;
    hidden.add_options()("run", po::value<std::string>()->required(), "run");
    po::positional_options_description positional;
    positional.add("run", 1);
    po::variables_map vm;
    if (!parse_command(args, visible, hidden, positional, "--qrels FILE [OPTIONS] RUN",
                       "Scores a TREC run (qid Q0 docno rank score tag) as trec_eval 9 does: MAP, nDCG@10,\n"
                       "P@10, MRR@10, R@100, R@1000.",
                       vm))
        return exit_ok;
    const auto run = eval::read_run(vm["run"].as<std::string>());
    const auto qrels = eval::read_qrels(vm["qrels"].as<std::string>());
    eval::eval_options eo;
    eo.complete = vm["complete"].as<bool>();
    eo.relevance_level = vm["relevance-level"].as<int>();
    const auto result = eval::evaluate(run, qrels, eo);
    std::printf("%-8s  %8s  %8s  %8s  %8s  %8s  %8s\n", "query", "MAP", "nDCG@10", "P@10", "MRR@10", "R@100", "R@1000");
    if (vm["per-query"].as<bool>())
        for (const auto& [qid, m] : result.per_query) print_metrics(qid.c_str(), m);
    print_metrics("all", result.mean);
    std::printf("%zu queries\n", result.mean.queries);
    return exit_ok;
}

int run_stats(const command_args& args) {
    po::variables_map vm;
    if (!parse_command(args, index_only(), {}, {}, "--index DIR",
                       "Prints what the latest commit of an index holds: segments, passages, articles,\n"
                       "terms and the size of its files by kind.",
                       vm))
        return exit_ok;
    const auto path = vm["index"].as<std::string>();
    const auto reader = index::index_reader::open(open_index_dir(path));
    const auto& commit = reader.commit();
    const auto& o = reader.options();
    std::printf("index        %s\n", path.c_str());
    std::printf("generation   %llu\n", static_cast<unsigned long long>(commit.generation));
    std::printf("analysis     language %s, stopwords %s, case folding %s\n",
                o.analyzer.language.empty() ? "none" : o.analyzer.language.c_str(),
                !o.analyzer.stopwords ? "default" : (o.analyzer.stopwords->empty() ? "none" : "custom"),
                o.analyzer.case_fold ? "on" : "off");
    // The schema's value fields, when it has any ("topic keyword, published date, ...").
    if (const auto& schema = reader.options().schema; schema.has_values()) {
        std::string fields;
        for (const auto& f : schema.fields)
            if (f.type != index::field_type::text || index::schema::is_extra_text(f))
                fields += (fields.empty() ? "" : ", ") + f.name + " " + std::string(index::field_type_name(f.type));
        std::printf("fields       %s\n", fields.c_str());
        if (schema.sort)
            std::printf("sorted by    %s %s (each segment's articles in that order)\n", schema.sort->field.c_str(),
                        schema.sort->descending ? "descending" : "ascending");
    }
    std::printf("passages     %s live, %s deleted (max %zu bytes, min %zu bytes)\n",
                with_commas(reader.live_passage_count()).c_str(),
                with_commas(reader.passage_count() - reader.live_passage_count()).c_str(), o.passages.max_bytes,
                o.passages.min_bytes);
    // Live articles: those with a live passage (an article lives in one segment; a deleted or
    // replaced one keeps its passages, deleted, until a merge drops them).
    std::uint64_t live_articles = 0;
    for (const auto& seg : reader.segments()) {
        std::vector<bool> seen(seg->article_count(), false);
        for (docid_t d = 0; d < seg->size(); ++d) {
            if (seg->is_deleted(d)) continue;
            const auto a = seg->article_of(d);
            if (a < seen.size() && !seen[a]) {
                seen[a] = true;
                ++live_articles;
            }
        }
    }
    std::printf("articles     %s live", with_commas(live_articles).c_str());
    if (reader.article_count() != live_articles)
        std::printf(", %s with deleted passages only", with_commas(reader.article_count() - live_articles).c_str());
    std::printf("\n");
    std::printf("avg length   %.2f tokens per passage\n",
                reader.passage_count() == 0 ? 0.0
                                            : static_cast<double>(reader.total_length()) /
                                                  static_cast<double>(reader.passage_count()));
    std::printf("segments     %zu\n", reader.segments().size());
    for (const auto& s : reader.segments())
        std::printf("  %-10s %12s passages %12s deleted %12s terms\n", s->name().c_str(),
                    with_commas(s->size()).c_str(), with_commas(s->deleted_count()).c_str(),
                    with_commas(s->dictionary().size()).c_str());
    // Sizes of the files this commit refers to, by kind.
    std::map<std::string, std::uint64_t> by_kind;
    std::uint64_t total = 0;
    const auto& dir = reader.directory();
    for (const auto& s : reader.segments())
        for (const auto& f : s->files()) {
            const auto size = dir->file_size(f->name());
            by_kind[file_kind_of(f->name())] += size;
            total += size;
        }
    const auto manifest_name = index::manifest_file_name(commit.generation);
    if (dir->exists(manifest_name)) {
        const auto size = dir->file_size(manifest_name);
        by_kind["manifest"] += size;
        total += size;
    }
    std::printf("size         %s\n", human_bytes(total).c_str());
    for (const auto& [kind, bytes] : by_kind) std::printf("  .%-9s %12s\n", kind.c_str(), human_bytes(bytes).c_str());
    return exit_ok;
}

int run_check(const command_args& args) {
    po::variables_map vm;
    if (!parse_command(args, index_only(), {}, {}, "--index DIR",
                       "Verifies the latest commit of an index: every checksum, the dictionary order, every\n"
                       "postings list, the stored fields and the deletions. Exit code 1 when anything is wrong.",
                       vm))
        return exit_ok;
    const auto path = vm["index"].as<std::string>();
    const auto report = index::check_index(open_index_dir(path));
    for (const auto& p : report.problems) std::printf("problem: %s\n", p.c_str());
    std::printf("%s: generation %llu, %llu segments, %s passages (%s deleted), %s terms, %s postings, %s\n",
                report.ok() ? "ok" : "DAMAGED", static_cast<unsigned long long>(report.generation),
                static_cast<unsigned long long>(report.segments), with_commas(report.passages).c_str(),
                with_commas(report.deleted).c_str(), with_commas(report.terms).c_str(),
                with_commas(report.postings).c_str(), human_bytes(report.bytes).c_str());
    return report.ok() ? exit_ok : exit_failure;
}

int run_merge(const command_args& args) {
    po::variables_map vm;
    if (!parse_command(args, index_only(), {}, {}, "--index DIR",
                       "Merges every segment of an index into one, dropping deleted passages, and commits.", vm))
        return exit_ok;
    const auto path = vm["index"].as<std::string>();
    auto writer = open_writer(path);
    const auto before = writer.segment_count();
    writer.merge_all();
    std::printf("merged %zu segment%s into %zu; generation %llu\n", before, before == 1 ? "" : "s",
                writer.segment_count(), static_cast<unsigned long long>(writer.generation()));
    return exit_ok;
}

int run_delete(const command_args& args) {
    po::options_description visible = index_only();
    visible.add_options()("id", po::value<std::vector<std::string>>()->required()->value_name("ARTICLE_ID"),
                          "article to delete (repeatable)");
    po::variables_map vm;
    if (!parse_command(args, visible, {}, {}, "--index DIR --id ARTICLE_ID...",
                       "Deletes every passage of the given articles and commits. Deleting an id that is not\n"
                       "in the index is not an error; the count says what happened.",
                       vm))
        return exit_ok;
    const auto path = vm["index"].as<std::string>();
    const auto ids = vm["id"].as<std::vector<std::string>>();
    for (const auto& id : ids)
        if (id.empty()) throw usage_error("--id must not be empty");
    const auto live_before = index::index_reader::open(open_index_dir(path)).live_passage_count();
    {
        auto writer = open_writer(path);
        for (const auto& id : ids) writer.remove(article_id{id});
        writer.commit();
    }
    const auto live_after = index::index_reader::open(open_index_dir(path)).live_passage_count();
    std::printf("deleted %s passage%s of %zu article id%s\n", with_commas(live_before - live_after).c_str(),
                live_before - live_after == 1 ? "" : "s", ids.size(), ids.size() == 1 ? "" : "s");
    return exit_ok;
}

}  // namespace rapport::cli

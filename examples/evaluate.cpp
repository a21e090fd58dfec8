// SPDX-License-Identifier: MIT
// evaluate: indexes a judged collection (docs.jsonl, queries.tsv, qrels.txt, as in
// tests/data/cranfield), runs every query, optionally writes the TREC run, and prints
// MAP, nDCG@10, P@10, MRR@10, R@100 and R@1000 as trec_eval computes them.
//
//   evaluate DIR [--k1 X] [--b X] [--run FILE]
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>

#include "rapport/eval/metrics.hpp"
#include "rapport/eval/qrels.hpp"
#include "rapport/eval/queries.hpp"
#include "rapport/eval/run.hpp"
#include "rapport/index/index_builder.hpp"
#include "rapport/ingest/readers.hpp"
#include "rapport/search/searcher.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: evaluate DIR [--k1 X] [--b X] [--run FILE]\n";
        return 2;
    }
    const std::string dir = argv[1];
    rapport::search::search_options options{.k = 1000};
    std::string run_path;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--k1")
            options.bm25.k1 = std::strtod(argv[i + 1], nullptr);
        else if (arg == "--b")
            options.bm25.b = std::strtod(argv[i + 1], nullptr);
        else if (arg == "--run")
            run_path = argv[i + 1];
        else {
            std::cerr << "evaluate: unknown option " << arg << "\n";
            return 2;
        }
    }
    try {
        rapport::index::index_builder builder;
        for (auto& d : rapport::ingest::read_jsonl(dir + "/docs.jsonl"))
            builder.add_passage(d.id, d.title, d.title + "\n" + d.body);
        const auto index = builder.finish();
        rapport::search::searcher searcher(index);
        rapport::eval::run run;
        for (const auto& q : rapport::eval::read_queries(dir + "/queries.tsv")) {
            auto& entries = run.results[q.qid];
            for (const auto& h : searcher.top_k(searcher.analyze(q.text), options))
                entries.push_back({searcher.fetch_article(h.docid).id.value, h.score});
        }
        if (!run_path.empty()) {
            std::ofstream out(run_path);
            rapport::eval::write_run(out, run);
        }
        const auto m = rapport::eval::evaluate(run, rapport::eval::read_qrels(dir + "/qrels.txt")).mean;
        std::printf("queries %zu  MAP %.4f  nDCG@10 %.4f  P@10 %.4f  MRR@10 %.4f  R@100 %.4f  R@1000 %.4f\n",
                    m.queries, m.map, m.ndcg_at_10, m.p_at_10, m.mrr_at_10, m.recall_at_100, m.recall_at_1000);
    } catch (const std::exception& e) {
        std::cerr << "evaluate: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

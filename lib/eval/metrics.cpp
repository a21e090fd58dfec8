// SPDX-License-Identifier: MIT
// trec_eval 9.x measures (Buckley and Voorhees, "Retrieval System Evaluation", in TREC:
// Experiment and Evaluation in Information Retrieval, MIT Press 2005). Sums run in the same
// order as trec_eval's (rank order per query, qid order across queries) so that results agree
// to the last bit, not merely to 1e-9.
// Thread safety: free functions without shared state.
#include "rapport/eval/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "rapport/core/error.hpp"

namespace rapport::eval {

namespace {

void check_level(int relevance_level) {
    if (relevance_level < 1) {
        throw invalid_argument("relevance level must be at least 1, got " +
                               std::to_string(relevance_level));
    }
}

void check_cutoff(std::size_t k) {
    if (k == 0) throw invalid_argument("measure cutoff k must be positive");
}

// The grade of `docno`; trec_eval gives a docno outside the qrels -1 (RELVALUE_NONPOOL).
int grade_of(const judgment_map& judged, const std::string& docno) {
    const auto it = judged.find(docno);
    return it == judged.end() ? -1 : it->second;
}

std::size_t count_relevant(const judgment_map& judged, int relevance_level) {
    return static_cast<std::size_t>(std::count_if(
        judged.begin(), judged.end(), [&](const auto& j) { return j.second >= relevance_level; }));
}

std::size_t relevant_in_top(std::span<const std::string> ranked, const judgment_map& judged,
                            std::size_t k, int relevance_level) {
    const std::size_t depth = std::min(k, ranked.size());
    std::size_t found = 0;
    for (std::size_t i = 0; i < depth; ++i) {
        if (grade_of(judged, ranked[i]) >= relevance_level) ++found;
    }
    return found;
}

// trec_eval's ndcg_cut discount: the document at 0-based position i is divided by log2(i + 2).
double discounted(double gain, std::size_t i) {
    return gain / std::log2(static_cast<double>(i) + 2.0);
}

}  // namespace

std::vector<std::string> ranked_docnos(std::span<const run_entry> entries, std::string_view qid) {
    std::vector<run_entry> sorted(entries.begin(), entries.end());
    sort_trec_order(sorted, qid);
    std::vector<std::string> out;
    out.reserve(sorted.size());
    for (auto& e : sorted) out.push_back(std::move(e.docno));
    return out;
}

double average_precision(std::span<const std::string> ranked, const judgment_map& judged,
                         int relevance_level) {
    check_level(relevance_level);
    std::size_t found = 0;
    double sum = 0.0;
    for (std::size_t i = 0; i < ranked.size(); ++i) {
        if (grade_of(judged, ranked[i]) >= relevance_level) {
            ++found;
            sum += static_cast<double>(found) / static_cast<double>(i + 1);
        }
    }
    if (found == 0) return 0.0;
    return sum / static_cast<double>(count_relevant(judged, relevance_level));
}

double precision_at(std::span<const std::string> ranked, const judgment_map& judged, std::size_t k,
                    int relevance_level) {
    check_level(relevance_level);
    check_cutoff(k);
    return static_cast<double>(relevant_in_top(ranked, judged, k, relevance_level)) /
           static_cast<double>(k);
}

double recall_at(std::span<const std::string> ranked, const judgment_map& judged, std::size_t k,
                 int relevance_level) {
    check_level(relevance_level);
    check_cutoff(k);
    const std::size_t relevant = count_relevant(judged, relevance_level);
    if (relevant == 0) return 0.0;
    return static_cast<double>(relevant_in_top(ranked, judged, k, relevance_level)) /
           static_cast<double>(relevant);
}

double reciprocal_rank_at(std::span<const std::string> ranked, const judgment_map& judged,
                          std::size_t k, int relevance_level) {
    check_level(relevance_level);
    check_cutoff(k);
    const std::size_t depth = std::min(k, ranked.size());
    for (std::size_t i = 0; i < depth; ++i) {
        if (grade_of(judged, ranked[i]) >= relevance_level) return 1.0 / static_cast<double>(i + 1);
    }
    return 0.0;
}

double ndcg_at(std::span<const std::string> ranked, const judgment_map& judged, std::size_t k) {
    check_cutoff(k);
    double dcg = 0.0;
    const std::size_t depth = std::min(k, ranked.size());
    for (std::size_t i = 0; i < depth; ++i) {
        const int grade = grade_of(judged, ranked[i]);
        if (grade > 0) dcg += discounted(grade, i);
    }
    // The ideal ranking puts every judged grade > 0 first, best first, retrieved or not.
    std::vector<int> ideal;
    for (const auto& [docno, grade] : judged) {
        if (grade > 0) ideal.push_back(grade);
    }
    std::sort(ideal.begin(), ideal.end(), std::greater<>());
    double ideal_dcg = 0.0;
    for (std::size_t i = 0; i < std::min(k, ideal.size()); ++i) ideal_dcg += discounted(ideal[i], i);
    return ideal_dcg > 0.0 ? dcg / ideal_dcg : 0.0;
}

metrics evaluate_query(std::span<const std::string> ranked, const judgment_map& judged,
                       int relevance_level) {
    metrics m;
    m.map = average_precision(ranked, judged, relevance_level);
    m.ndcg_at_10 = ndcg_at(ranked, judged, 10);
    m.p_at_10 = precision_at(ranked, judged, 10, relevance_level);
    m.mrr_at_10 = reciprocal_rank_at(ranked, judged, 10, relevance_level);
    m.recall_at_100 = recall_at(ranked, judged, 100, relevance_level);
    m.recall_at_1000 = recall_at(ranked, judged, 1000, relevance_level);
    m.queries = 1;
    return m;
}

evaluation evaluate(const run& r, const qrels& q, const eval_options& options) {
    check_level(options.relevance_level);
    evaluation out;
    metrics& sum = out.mean;
    for (const auto& [qid, entries] : r.results) {
        const auto judged = q.judgments.find(qid);
        if (judged == q.judgments.end() || entries.empty()) continue;
        const metrics m =
            evaluate_query(ranked_docnos(entries, qid), judged->second, options.relevance_level);
        sum.map += m.map;
        sum.ndcg_at_10 += m.ndcg_at_10;
        sum.p_at_10 += m.p_at_10;
        sum.mrr_at_10 += m.mrr_at_10;
        sum.recall_at_100 += m.recall_at_100;
        sum.recall_at_1000 += m.recall_at_1000;
        out.per_query.emplace(qid, m);
    }
    // trec_eval's meas_avg.c: divide by the queries evaluated, or by all qrels queries with -c.
    const std::size_t divisor = options.complete ? q.judgments.size() : out.per_query.size();
    if (divisor > 0) {
        const auto n = static_cast<double>(divisor);
        sum.map /= n;
        sum.ndcg_at_10 /= n;
        sum.p_at_10 /= n;
        sum.mrr_at_10 /= n;
        sum.recall_at_100 /= n;
        sum.recall_at_1000 /= n;
    }
    sum.queries = divisor;
    return out;
}

}  // namespace rapport::eval

// SPDX-License-Identifier: MIT
// The query engine: one `searcher` over an index snapshot for every kind of query, from a bag of
// words to a query tree (`query::query`: terms, phrases, prefix and fuzzy terms, field clauses,
// boolean clauses with boosts, BM25F over several fields), ranked with a model of the BM25 family
// (Lucene's BM25 by default, or BM25+ / BM25L; search/bm25.hpp), top-k passages or top-k articles
// (MaxP), with explanations, highlighting and RM3 feedback.
//
// Evaluation. Every node of a query's scorer tree bounds its scores (a maximum and block-level
// bounds with a shallow advance, as Lucene's Scorer.getMaxScore/advanceShallow), so the safe pruning
// algorithms run on every shape: a root of optional clauses runs MaxScore or block-max WAND over its
// clauses, a root of required clauses the block-max conjunction, any other root skips the blocks
// whose bound cannot reach the top-k threshold. A disjunction of distinct plain terms over the
// default fields (most typed queries, RM3's output, every `analysed_query` unless BM25F is asked
// for) takes an internal fast path: term cursors compiled per scoring model (a word in several
// fields is one summed cursor), with the same arithmetic, so it returns the same hits with
// bit-identical scores. Every `algorithm` returns the same hits and scores; exhaustive evaluation
// is the oracle of tests/pruning.
//
// Scoring (with the snapshot's N, df and avgdl: a passage scores the same however the index is
// split into segments; N and df count deleted passages too, as Lucene does, until a merge drops
// them):
// - a term scores the model's score(weight, tf, norm(dl)), weight = boost · idf(df) (for BM25:
//   weight · tf · (k1 + 1) / (tf + K(dl))); a term repeated in an `analysed_query` counts once per
//   occurrence (its boost times its count);
// - a phrase scores the same with its phrase frequency in place of tf (a double, which every model
//   accepts) and the sum of its terms' idfs as idf, as Lucene's PhraseQuery does. An exact phrase's
//   frequency is its number of occurrences; a sloppy phrase's is the sum of 1 / (1 + d) over
//   non-overlapping occurrences, d being the occurrence's positional spread (max − min of position −
//   offset over its terms);
// - a prefix or fuzzy term is the disjunction of the terms it expands to (`query::expand`). A
//   prefix's expansions score as terms with their own idfs (Lucene's scoring boolean rewrite); a
//   fuzzy term's all use the largest df among them and a boost of 1 − distance / (the shorter
//   length in code points), as Lucene's blended fuzzy rewrite, so a rare misspelling never
//   outranks the common word meant; the node's boost applies to each;
// - a boolean sums the scores of its matching `must` and `should` clauses in clause order; `must_not`
//   clauses exclude; boosts multiply down the tree.
// Fields (index/fields.hpp): every passage has a body and a title (its article's title). A clause
// restricted to a field (`title:trust`, `body:"a b"`) searches that field, scored with that field's
// df, lengths and avgdl. A clause without a field searches `search_options::fields` (by default
// the body and the title at weight 0.5, summed): one field as above; several fields either summed,
// each field's score multiplied by its weight (Lucene's multi-field disjunction, a sum rather than
// a max), or, with `bm25f`, as BM25F
// (Robertson, Zaragoza & Taylor, "Simple BM25 extension to multiple weighted fields", CIKM 2004, in
// the form of Lucene's CombinedFieldQuery): a term's frequency is Σ w_f · tf_f, the passage length
// Σ w_f · dl_f, avgdl Σ w_f · avgdl_f, and df the largest of the fields' dfs; then the model scores
// once. BM25F combines terms; phrases, prefixes and fuzzy terms are scored per field and summed
// (weights as score multipliers) under both settings.
//
// Analysis is set up in one place, from the index's stored options: queries are analysed like the
// indexed text (the same analyzer; prefix and fuzzy terms folded exactly when the index folded its
// text), and invalid UTF-8 in a query becomes U+FFFD, which matches nothing.
//
// Thread safety: one searcher may be shared by any number of threads: every member function is
// const and may run concurrently with any other (scorer trees, queues and expansions live on the
// caller's stack; query analyzers are leased from an internal pool; `last_stats` is kept per
// thread). Only moving or destroying a searcher needs it to be idle. Constructing one is cheap (a
// reader copy): the per-passage length normalisers live in the snapshot's shared cache
// (`index_reader::length_norms`), computed once per (field set, model's normaliser, k1, b) for
// every searcher over the snapshot.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/core/assert.hpp"
#include "rapport/core/bitset.hpp"
#include "rapport/core/export.hpp"
#include "rapport/core/types.hpp"
#include "rapport/highlight/snippet.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/query/expand.hpp"
#include "rapport/query/parser.hpp"
#include "rapport/query/query.hpp"
#include "rapport/query/synonyms.hpp"
#include "rapport/search/bm25.hpp"
#include "rapport/search/explain.hpp"
#include "rapport/search/search_stats.hpp"
#include "rapport/search/statistics.hpp"
#include "rapport/search/topk_queue.hpp"

namespace rapport::search {

/// How the terms of a query combine.
enum class match_mode {
    any,  ///< ranked disjunction (OR): a passage matches if it has at least one term
    all,  ///< ranked conjunction (AND): a passage must have every term
};

/// How a query is evaluated. Every choice returns exactly the same hits with bit-identical scores;
/// they differ only in speed (exhaustive evaluation is the oracle the pruning algorithms are tested
/// against). A disjunction (of terms, or of a tree's optional clauses) runs the named algorithm over
/// its terms or clauses; a conjunction runs the leapfrogging `ranked_and` under `exhaustive` and the
/// block-max conjunction (`block_max_and`) otherwise; any other tree's root skips, under `maxscore`
/// or `block_max_wand`, the blocks whose bound cannot reach the threshold.
enum class algorithm {
    /// For a disjunction: block-max WAND when k ≤ 10 and it has at least 3 distinct terms (or
    /// clauses) found in the index, or k ≤ 20 and at least 5; exhaustive otherwise. The fastest
    /// choice measured on the Wikipedia passages (see `choose_algorithm` in
    /// lib/search/term_searcher.hpp): pruning pays only when the top-k threshold rises high
    /// relative to the weaker terms' bounds. A conjunction: the block-max conjunction. Any other
    /// tree (a phrase, required with optional clauses, ...): exhaustive, since root block skipping
    /// did not pay on the Wikipedia log (search_bench `shape_log/*`; ask for it with `maxscore`).
    automatic,
    exhaustive,      ///< score every matching passage (`ranked_or`)
    maxscore,        ///< MaxScore with block-max bounds (`maxscore`, search/maxscore.hpp)
    block_max_wand,  ///< block-max WAND (`block_max_wand`, search/block_max_wand.hpp)
};

/// One field searched by clauses that name none, with its weight.
struct field_weight {
    index::field field = index::field::body;
    double weight = 1.0;  ///< > 0: a score multiplier, or BM25F's frequency and length weight

    friend bool operator==(const field_weight&, const field_weight&) = default;
};

/// The fields clauses without a field search by default: the body, and the title at weight 0.5.
/// (Built by push_back: GCC 12 with -fsanitize=thread misreads an initializer list here as
/// possibly uninitialised.)
[[nodiscard]] inline std::vector<field_weight> default_fields() {
    std::vector<field_weight> f;
    f.reserve(2);
    f.push_back(field_weight{index::field::body, 1.0});
    f.push_back(field_weight{index::field::title, 0.5});
    return f;
}

/// Per-query settings, for every kind of query.
struct search_options {
    std::size_t k = 10;  ///< number of hits (passages, or articles for `top_k_articles`) to return
    /// How the terms of a plain-text query or an `analysed_query` combine. A query tree says it
    /// itself (`query::parser_options::op` sets how bare words combine); this is ignored for one.
    match_mode mode = match_mode::any;
    /// k1 = 0.9, b = 0.4 and Lucene's BM25 by default; `bm25.model` selects BM25+ or BM25L instead
    /// (with `bm25.delta`). Every algorithm works with every model, with the same results.
    bm25_params bm25{};
    /// How the query is evaluated; every choice returns the same hits with bit-identical scores.
    search::algorithm algorithm = search::algorithm::automatic;
    /// Restricts the search to a set of passages, as a bitset over global passage ids: passage d is
    /// allowed when d < 64 · filter.size() and bit (d mod 64) of filter[d / 64] is set (see
    /// `make_passage_filter`, `make_article_filter`). Empty (the default): every passage is allowed.
    /// Deleted passages are excluded either way. The words must stay alive during the call.
    std::span<const std::uint64_t> filter{};
    /// The fields that clauses without a field search (each at most once, weights in (0, 1e6]):
    /// by default the body, plus the title at half weight, summed (chosen on Cranfield, CISI and
    /// NPL together; README "Relevance").
    std::vector<field_weight> fields = default_fields();
    /// Score several `fields` as one with BM25F instead of summing per-field scores.
    bool bm25f = false;
    query::expansion_options expansion{};  ///< caps of prefix and fuzzy expansion
    /// The most clauses a query may have, as Lucene's maxClauseCount: its terms (each synonym
    /// too), the words of its phrases, and the terms its prefixes and fuzzy terms expand to, per
    /// field searched. A larger query is an `invalid_argument` naming this limit (expansion stops
    /// as soon as it is passed), so one request cannot take minutes. 0: no limit.
    std::size_t max_clauses = 1024;
    /// Stops the search early, so that a server can bound its latency (core/interrupt.hpp): once
    /// `deadline` has passed or `cancel` is requested (from any thread, through the caller's
    /// std::stop_source), `top_k`, `search`, `count` and `rm3` throw `search_interrupted` rather
    /// than return a partial top k. Polled each time a postings block is decoded (every 128
    /// postings of a term) and between expansions of fuzzy and prefix terms, so a search overruns
    /// its deadline by about one block per term. Unset: never.
    std::optional<std::chrono::steady_clock::time_point> deadline{};
    std::stop_token cancel{};  ///< see `deadline`; a default token is never requested
    /// The collection statistics to score with instead of the snapshot's own (search/statistics.hpp):
    /// N, the fields' total lengths (hence avgdl), every df the query reads and its prefix and fuzzy
    /// expansions. Given the `merge` of several indexes' `searcher::statistics` for this query, each
    /// index scores its passages exactly as one index holding all of them would. A df they lack is
    /// an `invalid_argument`. Null (the default): the snapshot's. Must stay alive during the call.
    const collection_statistics* statistics = nullptr;
};

/// Settings of `searcher::suggest`.
struct suggest_options {
    /// A word is corrected when its term is in no passage, or in at most `rare_df` passages while
    /// the correction is in at least `ratio` times as many.
    std::uint64_t rare_df = 3;
    /// See `rare_df`.
    double ratio = 50.0;
};

/// The bitset for `search_options::filter` that allows exactly `passages` (global passage ids, any
/// order, duplicates allowed), sized for an index of `passage_count` passages.
/// Requires: every id < passage_count. Complexity: O(passage_count / 64 + |passages|).
[[nodiscard]] inline std::vector<std::uint64_t> make_passage_filter(std::span<const docid_t> passages,
                                                                    std::size_t passage_count) {
    // One word even for an empty index, so that the filter is never mistaken for "no filter".
    std::vector<std::uint64_t> bits(std::max<std::size_t>(1, bitset_words(passage_count)), 0);
    for (const docid_t d : passages) {
        RAPPORT_ASSERT(d < passage_count);
        set_bit(bits, d);
    }
    return bits;
}

/// The bitset for `search_options::filter` that allows every passage (deleted or not) of the
/// articles with these ids in `reader`'s snapshot; unknown ids allow nothing.
/// Throws: `corruption_error` when a postings block fails to decode.
/// Complexity: O(passage_count / 64) plus, per id and segment, one dictionary lookup and its passages.
[[nodiscard]] RAPPORT_API std::vector<std::uint64_t> make_article_filter(const index::index_reader& reader,
                                                                        std::span<const article_id> articles);

/// One ranked passage.
struct hit {
    docid_t passage;       ///< the passage's docid in the reader (global: segment base + local id)
    article_id article;    ///< the caller's id of the article the passage belongs to
    std::string title;     ///< the article's title
    std::uint32_t ordinal; ///< passage number within its article
    std::uint32_t begin;   ///< byte range of the passage in the (NFC-normalised) article body
    std::uint32_t end;
    score_t score;         ///< the score under the selected model (BM25 by default)
    std::string text;      ///< the passage text
};

/// A query after analysis: distinct terms with their repetition counts (a repeated term counts
/// once per occurrence, as Lucene's sum over repeated clauses does).
struct analysed_query {
    struct term {
        std::string text;
        std::uint32_t count;
        double boost = 1.0;  ///< multiplies the term's weight (count · boost · idf); in [0, query::max_boost]
    };
    std::vector<term> terms;  ///< in order of first occurrence
};

/// What evaluating a query found besides its hits.
struct search_info {
    std::size_t expanded_terms = 0;   ///< terms that prefix and fuzzy clauses expanded to
    bool expansion_truncated = false; ///< a prefix or fuzzy clause hit its cap (the rarest terms were dropped)
    /// Passages scored: every match under `algorithm::exhaustive`, fewer when pruning skipped some.
    std::uint64_t matches = 0;
};

/// What a word or a run of words stands for under a synonym rule with multi-word entries.
struct synonym_expansion {
    /// The single-term members, scored as one synonym group (the first is the group's term);
    /// empty when the rule has none.
    std::vector<std::string> terms;
    /// The multi-word members, each a phrase of index terms at their analysed positions (slop 0).
    std::vector<query::phrase_node> phrases;
    /// For a run of words (a key of several terms): their positions, as analysed from the rule.
    std::vector<std::uint32_t> positions;
    /// An explicit rule (`a => b`): the word or run is replaced; else (`a, b`) it is kept beside.
    bool replaces = false;
};

/// Synonym rules analysed for one index (`searcher::synonyms`).
struct synonym_table {
    /// For each index term a rule of single-word entries names, the terms it stands for, the first
    /// being the term's replacement (itself, unless an explicit `a => b` rule replaces it).
    std::unordered_map<std::string, std::vector<std::string>> groups;
    /// Rules with multi-word entries (`united states, usa`): for a word (a key of one term; it is
    /// then not in `groups`) or a run of words (the terms of a multi-word entry, in order), what it
    /// stands for.
    std::map<std::vector<std::string>, synonym_expansion> multi_words;
    /// Rule entries skipped because they analyse to no term (stopwords).
    std::size_t skipped_entries = 0;
};

/// RM3 pseudo-relevance feedback settings (Lavrenko & Croft, "Relevance-based language models",
/// SIGIR 2001, as RM3 in Anserini). The defaults were chosen on Cranfield, CISI and NPL together
/// (README "Relevance": 5 passages, 40 terms and passages weighted by score^3 gain +0.030 MAP on
/// their mean, where Anserini's 10 and 10 with raw scores gain +0.020).
struct rm3_options {
    std::size_t feedback_passages = 5;   ///< top passages of the first pass taken as relevant
    std::size_t expansion_terms = 40;    ///< terms of the relevance model kept
    double original_weight = 0.5;        ///< weight of the original query in the interpolation, in [0, 1]
    /// Each feedback passage weighs score^γ in the relevance model, γ in [0, 16]: 1 is Anserini's raw
    /// BM25 score, 0 weighs them alike; larger γ sharpens the model towards the best passages, as
    /// RM1's query likelihood (exponential in the log-likelihood) does. 3 was chosen on Cranfield,
    /// CISI and NPL together (README "Relevance").
    double score_exponent = 3.0;
    /// Feedback terms in more than this share of the passages are not expansion terms (Anserini's
    /// rule, at 0.1 there), in (0, 1]; 1 (the default) keeps all: at 0.1–0.3 it lost MAP on the dev
    /// collections.
    double max_df_ratio = 1.0;
};

/// Searches one snapshot of an index (`index_reader`): every segment, statistics summed over all.
/// Any number of threads may call one searcher at once (see the file comment).
///
/// Queries come in three forms: a query tree (`parse`, or built with query/query.hpp and analysed
/// with `query::analyze`), the main form; plain text (`search(text)`, `count(text)`: analysed as a
/// bag of words combined by `search_options::mode`); and an `analysed_query` (a bag of terms with
/// counts and boosts). The last two are scored as the equivalent tree would be.
///
/// Errors, for every search: `invalid_argument` for bad BM25 parameters (`bm25_params::validate`),
/// a field that is neither "body" nor "title", bad `fields` or a negative or non-finite boost;
/// `corruption_error` naming the postings file when a postings block fails to decode.
class RAPPORT_API searcher {
public:
    /// Shares the snapshot (readers are cheap to copy); the searcher sees exactly this commit.
    /// Builds the prototypes of its two analyzers (query and index mode) from the index's stored
    /// options; no table is built until a call needs it. Throws: `invalid_argument` when the index
    /// was built with a custom analyzer (use the other constructor) or names a stemmer language
    /// this build lacks.
    explicit searcher(const index::index_reader& reader);
    /// For an index built with a custom analyzer (`index_options::custom_analyzer`): `custom` is
    /// that analyzer (copied; the caller's may go away). Queries are analysed with a copy in query
    /// mode, snippets and feedback with a copy in index mode. The index's other stored options do
    /// not apply. Throws: nothing beyond `std::bad_alloc`.
    searcher(const index::index_reader& reader, const analysis::analyzer& custom);
    ~searcher();
    searcher(searcher&&) noexcept;
    searcher& operator=(searcher&&) noexcept;

    // -- Analysis

    /// Parses `text` in rapport's query language (QUERY.md; lenient by default: never throws) and
    /// analyses it like the indexed text: in the index's language, or in `language` (a Snowball
    /// name or ISO 639 code) to reach articles indexed with that language (`ingest::article::
    /// language`), analysed as the writer analysed them (`index::analyzer_options_for`).
    /// Throws: `query_syntax_error` in strict mode; `invalid_argument` when `language` is not a
    /// libstemmer language, or is given for an index built with a custom analyzer.
    [[nodiscard]] query::query parse(std::string_view text, const query::parser_options& options = {},
                                     std::string_view language = {}) const;

    /// Analyses `text` as a bag of words, like the indexed text. Stopwords and punctuation vanish,
    /// so a query may have no terms. Throws: `invalid_argument` when the index names a stemmer
    /// language this build lacks.
    [[nodiscard]] analysed_query analyze(std::string_view text) const;

    // -- Statistics

    /// The collection statistics of this snapshot that scoring `analysed` reads (N, every text
    /// field's total length, the df of every dictionary key its terms, phrases and synonyms look up
    /// in the fields they search, and each prefix and fuzzy node's expansion with its terms' dfs),
    /// for `collection_statistics::merge` with other indexes' and `search_options::statistics`.
    /// `options.statistics` is ignored: these are the snapshot's own.
    ///
    /// Expansions need a second round when several indexes are merged: an index whose own words do
    /// not reach a term (English stemming takes "connected" and "connection" to one term, folding
    /// "café" and "cafe") still holds passages with it. So, when the merge of the first round has
    /// expansions, ask every index again with `expansions` = that merge: each node then expands to
    /// the merged terms, each with this index's df (0 where it has none), and the merge of the
    /// second round has the collection's dfs (`multi_searcher::statistics` does both rounds).
    /// Throws: as `top_k` for an unknown field or too many clauses; `invalid_argument` when
    /// `expansions` lacks a node's expansion.
    /// Complexity: one dictionary lookup per key and segment, plus the expansions.
    [[nodiscard]] collection_statistics statistics(const query::query& analysed, const search_options& options = {},
                                                   const collection_statistics* expansions = nullptr) const;
    /// As above, for a bag of terms combined by `options.mode`.
    [[nodiscard]] collection_statistics statistics(const analysed_query& query, const search_options& options = {},
                                                   const collection_statistics* expansions = nullptr) const;

    // -- Retrieval

    /// The k best passages, best first, ties by ascending passage id; `info` (optional) receives
    /// what evaluation found. An empty query returns no hits.
    /// Complexity: at most linear in the postings of the query's terms (positions too, for phrases).
    [[nodiscard]] std::vector<scored_doc> top_k(const query::query& analysed, const search_options& options = {},
                                                search_info* info = nullptr) const;
    /// As above, for a bag of terms combined by `options.mode`.
    [[nodiscard]] std::vector<scored_doc> top_k(const analysed_query& query, const search_options& options = {}) const;

    /// The k best articles: each article scored by its best passage (MaxP), in one pass with the
    /// same evaluation (and pruning) as `top_k`, exact. Each entry holds the article's score and its
    /// best passage's global id (`fetch_article` names the article); best first, ties by lower
    /// passage id; an article's best passage is its highest-scoring one, ties by lower id. Articles
    /// are told apart per segment (an id stored in two segments counts as two articles).
    /// `info->matches` counts passages.
    [[nodiscard]] std::vector<scored_doc> top_k_articles(const query::query& analysed,
                                                         const search_options& options = {},
                                                         search_info* info = nullptr) const;
    /// As above, for a bag of terms combined by `options.mode`.
    [[nodiscard]] std::vector<scored_doc> top_k_articles(const analysed_query& query,
                                                         const search_options& options = {}) const;

    /// `top_k` with every hit's stored fields fetched (`fetch`).
    [[nodiscard]] std::vector<hit> search(const query::query& analysed, const search_options& options = {}) const;
    /// As above, for a bag of terms combined by `options.mode`.
    [[nodiscard]] std::vector<hit> search(const analysed_query& query, const search_options& options = {}) const;
    /// As above, for plain text analysed as a bag of words (`analyze`), not parsed.
    [[nodiscard]] std::vector<hit> search(std::string_view text, const search_options& options = {}) const;

    /// The number of live, allowed passages that match, without scoring them (`k`, `bm25` and
    /// `algorithm` are ignored). Complexity: linear in the postings of the query's terms.
    [[nodiscard]] std::uint64_t count(const query::query& analysed, const search_options& options = {}) const;
    /// As above, for a bag of terms combined by `options.mode`.
    [[nodiscard]] std::uint64_t count(const analysed_query& query, const search_options& options = {}) const;
    /// As above, for plain text analysed as a bag of words.
    [[nodiscard]] std::uint64_t count(std::string_view text, const search_options& options = {}) const;

    /// Called by `for_each_match` with a matching passage's global id and a function that scores it.
    using match_visitor = std::function<void(docid_t passage, const std::function<score_t()>& score)>;
    /// Calls `visit` for every live, allowed passage that matches `analysed`, in ascending passage
    /// id; its `score()` gives the score `top_k` gives the passage, computed only when called (so
    /// a walk that needs few scores, a sort by a field, pays for few). Nothing is pruned.
    /// Throws: as `top_k`, and whatever `visit` throws. Complexity: linear in the matches' postings.
    void for_each_match(const query::query& analysed, const search_options& options,
                        const match_visitor& visit) const;

    /// Why global passage `passage` gets its score: the root's value is the score `top_k` gives it,
    /// bit for bit. A passage the query does not match (or a deleted or filtered one) gets value 0,
    /// `matches` false and a description saying why.
    /// Throws: as a search; `invalid_argument` when `passage` ≥ `passage_count()`.
    [[nodiscard]] explanation explain(const query::query& analysed, docid_t passage,
                                      const search_options& options = {}) const;
    /// As above, for a bag of terms combined by `options.mode`.
    [[nodiscard]] explanation explain(const analysed_query& query, docid_t passage,
                                      const search_options& options = {}) const;

    /// `rules` analysed as this index analyses text, for `expand_synonyms`. An equivalence line
    /// (`couch, sofa`) makes each of its terms stand for all of them; an explicit rule (`tv =>
    /// television`) replaces each left term by the right ones. Several rules naming a term merge.
    /// Complexity: one analysis per entry.
    [[nodiscard]] synonym_table synonyms(std::span<const query::synonym_rule> rules) const;
    /// `analysed` with every term node that `table` names scored as one synonym group
    /// (`term_node::synonyms`, as Lucene's SynonymQuery: the frequencies of the group's terms
    /// summed in each passage, one idf from the largest df, so a passage holding several of them is
    /// not rewarded as for several query words). Multi-word synonyms (`table.multi_words`), as
    /// Lucene's SynonymGraphFilter at query time: a word becomes the OR of its group and the
    /// phrases of its multi-word synonyms; a run of consecutive plain terms of a boolean (same
    /// occurrence, no field or boost of their own) that spells a multi-word entry gets the OR of
    /// its synonyms as one more `should` clause, or, among `must` clauses or under an explicit
    /// rule, is replaced by the OR of its own phrase (unless replaced) and its synonyms. The longest
    /// run wins. Phrases, prefixes and fuzzy terms are left alone.
    [[nodiscard]] query::query expand_synonyms(const query::query& analysed, const synonym_table& table) const;

    /// The query expanded by RM3: a first pass retrieves `feedback_passages` passages; the relevance
    /// model is P(w|R) ∝ Σ_d score(d)^γ · tf(w, d) / |d| over them (γ = `score_exponent`; every analysed term of the stored
    /// passage text), cut to the `expansion_terms` most probable terms and normalised to sum 1. For a
    /// disjunction of plain terms the original query becomes a vector of weights count / |q|, and the
    /// result is the disjunction of every term with weight original_weight · q(w) + (1 −
    /// original_weight) · P(w|R), as a boost (every model is linear in the boost, so this is Anserini's
    /// interpolation). Any other tree is kept whole as one clause boosted by original_weight / n, n
    /// being its scoring leaves (terms, phrases, prefixes and fuzzy terms outside exclusions), so that
    /// each leaf weighs what a plain term would (both parts on one scale, as Anserini normalises
    /// them), next to the expansion terms. Without feedback passages the query is returned unchanged.
    /// Throws: as a search; `invalid_argument` for options out of range.
    /// Complexity: one search, plus analysing the feedback passages' text.
    [[nodiscard]] query::query rm3(const query::query& analysed, const search_options& options = {},
                                   const rm3_options& rm = {}) const;

    /// "Did you mean": `text` re-spelled, each word with few or no hits (see `suggest_options`)
    /// replaced by the closest word of the index's surface-word dictionaries (edit distance 1 for
    /// words of up to 4 code points, else up to 2; among equally close words the one in most
    /// passages), the rest of the text kept byte for byte; nullopt when no word changes (also for
    /// an index whose segments all predate format 4). Words shorter than 3 code points, numbers
    /// and stopwords are left as typed; a replacement must analyse to a different index term.
    /// Throws: `corruption_error` on a damaged dictionary; `invalid_argument` for invalid UTF-8.
    /// Complexity: per word, a fuzzy walk of the surface dictionaries and a few term lookups.
    [[nodiscard]] std::optional<std::string> suggest(std::string_view text, const suggest_options& options = {}) const;

    /// The work counters of the calling thread's last `top_k`, `top_k_articles`, `search` or `count`
    /// call on this searcher, summed over segments (all zero after `count`, which scores nothing,
    /// and before any call). Per thread: other threads' calls do not show; a thread remembers its
    /// last 8 searchers (the counters of one used longer ago read as zero). Complexity: O(1).
    [[nodiscard]] search_stats last_stats() const noexcept;

    // -- Stored fields and highlighting

    /// The stored fields of one ranked passage. Requires: `doc.docid` < `passage_count()`.
    [[nodiscard]] hit fetch(const scored_doc& doc) const;
    /// Only the article (id and title) of a passage: no passage text is decompressed, which is
    /// what evaluation runs over thousands of hits need. Requires: `docid` < `passage_count()`.
    [[nodiscard]] index::article_record fetch_article(docid_t docid) const;

    /// What to mark in a hit for `analysed`: its terms and phrases (not the excluded ones, nor those
    /// that search the title only, which is not in the passage text), with prefix and fuzzy clauses
    /// replaced by the body terms they expand to.
    [[nodiscard]] highlight::highlight_query highlight_terms(const query::query& analysed,
                                                             const search_options& options = {}) const;
    /// As above, for a bag of terms.
    [[nodiscard]] highlight::highlight_query highlight_terms(const analysed_query& query) const;
    /// What to mark in text field `f` of a hit for `analysed` (the clauses that search `f`, by
    /// their own field or the default fields of `options`): `highlight_terms` for another field.
    [[nodiscard]] highlight::highlight_query highlight_terms(const query::query& analysed, index::field f,
                                                             const search_options& options = {}) const;
    /// The best snippet of the text of field `f` (a schema's text field besides title and body,
    /// as a hit's values hold it, unquoted) for `terms`, analysed with that field's analyzer.
    /// Requires: `text` is valid UTF-8.
    [[nodiscard]] highlight::snippet field_snippet(std::string_view text, index::field f,
                                                   const highlight::highlight_query& terms,
                                                   const highlight::snippet_options& options = {}) const;

    /// The best snippet of `text` (a passage's stored text) for `terms`, analysing `text` with the
    /// index's analyzer, or that of `language` (as `parse`) for an article indexed in it.
    /// Requires: `text` is valid UTF-8. Throws: `invalid_argument` as `parse` for `language`.
    [[nodiscard]] highlight::snippet snippet(std::string_view text, const highlight::highlight_query& terms,
                                             const highlight::snippet_options& options = {},
                                             std::string_view language = {}) const;
    /// The best snippet of a hit's passage for a bag of terms, with the matched terms marked.
    [[nodiscard]] highlight::snippet snippet(const hit& h, const analysed_query& query,
                                             const highlight::snippet_options& options = {}) const;

    // -- The snapshot

    /// The length normalisers of every passage's body, per segment, for `params` (its model's: K(dl)
    /// for BM25 and BM25+, L(dl) for BM25L; `bm25_length_norms`): what every body scorer over this
    /// snapshot divides by. Taken from the snapshot's cache (`index_reader::length_norms`), so every
    /// searcher and thread over the snapshot shares one table per (normaliser, k1, b): BM25 and
    /// BM25+ share K, and δ never enters. The table stays valid while the pointer is held.
    /// Throws: `invalid_argument` for bad parameters (`bm25_params::validate`).
    /// Complexity: O(passages) the first time the snapshot is asked for these parameters, O(1) after.
    [[nodiscard]] std::shared_ptr<const index::length_norm_table> length_norms(const bm25_params& params) const;

    /// Number of passages in the index (N in the idf).
    [[nodiscard]] std::size_t passage_count() const noexcept;
    /// Mean body length of a passage (avgdl in the BM25 family).
    [[nodiscard]] double average_length() const noexcept;
    /// The snapshot searched.
    [[nodiscard]] const index::index_reader& reader() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace rapport::search

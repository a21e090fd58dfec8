// SPDX-License-Identifier: MIT
// helpdesk: the bundled articles as a help centre would hold them. Each article gets the metadata
// of a sidecar JSONL file (topic, tags, author, date, source, word count; derived from the
// articles' own text, examples/data/helpdesk/README.md) under a schema; then a query is searched
// with a filter, facet counts, a sort and a second page, as a help centre's search page does.
//
//   helpdesk [--filter EXPR] [--sort [-]FIELD] [-k N] [QUERY...]
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "rapport/index/index_builder.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/ingest/readers.hpp"
#include "rapport/search/request.hpp"
#include "rapport/search/searcher.hpp"

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The sidecar: id → the article's fields as JSON values, as written.
std::map<std::string, std::vector<rapport::ingest::article_field>> read_sidecar(const std::string& path) {
    std::map<std::string, std::vector<rapport::ingest::article_field>> out;
    std::istringstream lines(read_file(path));
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        const auto object = boost::json::parse(line).as_object();
        auto& fields = out[std::string(object.at("id").as_string())];
        for (const auto& [key, value] : object)
            if (key != "id") fields.push_back({std::string(key), boost::json::serialize(value)});
    }
    return out;
}

void print_facets(const rapport::search::search_response& r) {
    for (const auto& f : r.facets) {
        std::printf("  %-10s", (f.field + ":").c_str());
        for (const auto& c : f.counts) std::printf(" %s (%llu)", c.value.c_str(), static_cast<unsigned long long>(c.count));
        if (f.missing != 0) std::printf(" [none] (%llu)", static_cast<unsigned long long>(f.missing));
        std::printf("\n");
    }
}

void print_hits(const rapport::search::search_response& r, const rapport::index::schema& schema, std::size_t first) {
    for (std::size_t i = 0; i < r.hits.size(); ++i) {
        const auto& h = r.hits[i];
        const auto& v = h.values;
        const auto topic = schema.index_of("topic");
        const auto source = schema.index_of("source");
        const auto published = schema.index_of("published");
        std::string meta;
        if (!v.empty() && topic && !v[*topic].keywords.empty()) meta += v[*topic].keywords.front();
        if (!v.empty() && source && !v[*source].keywords.empty()) meta += ", " + v[*source].keywords.front();
        if (!v.empty() && published && v[*published].number) meta += ", " + rapport::index::format_date(*v[*published].number);
        std::printf("  %zu. [%.3f] %s  (%s)\n", first + i + 1, h.hit.score, h.hit.title.c_str(), meta.c_str());
    }
    if (r.hits.empty()) std::printf("  (no passage matches)\n");
}

}  // namespace

int main(int argc, char** argv) {
    std::string filter = "source:article";
    std::string sort;
    std::size_t k = 3;
    std::string query;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if ((arg == "--filter" || arg == "--sort" || arg == "-k") && i + 1 < argc) {
            const std::string value = argv[++i];
            if (arg == "--filter") filter = value;
            if (arg == "--sort") sort = value;
            if (arg == "-k") k = std::strtoul(value.c_str(), nullptr, 10);
        } else if (arg == "--help" || arg == "-h") {
            std::cout << "usage: helpdesk [--filter EXPR] [--sort [-]FIELD] [-k N] [QUERY...]\n";
            return 0;
        } else {
            query += (query.empty() ? "" : " ") + arg;
        }
    }
    if (query.empty()) query = "building trust";

    try {
        const std::string data = RAPPORT_EXAMPLE_ARTICLES "/../helpdesk";
        rapport::index::index_options options;
        options.schema = rapport::index::parse_schema(read_file(data + "/schema.json"));
        const auto sidecar = read_sidecar(data + "/metadata.jsonl");
        rapport::index::index_builder builder(options);
        for (auto& article : rapport::ingest::read_text_directory(RAPPORT_EXAMPLE_ARTICLES)) {
            if (const auto it = sidecar.find(article.id.value); it != sidecar.end()) article.fields = it->second;
            builder.add(std::move(article));
        }
        const auto index = builder.finish();
        const rapport::search::searcher searcher(index);
        const auto& schema = index.options().schema;

        // The query's own value-field clauses (`topic:networking`) join the --filter.
        const auto split = rapport::search::split_filter_clauses(query, schema);
        rapport::search::search_request request;
        request.options.k = k;
        request.filter = split.filter.empty() ? filter : (filter.empty() ? split.filter : "(" + filter + ") " + split.filter);
        request.facets = {{.field = "topic"}, {.field = "tags", .top = 5}, {.field = "published", .top = 0, .interval = "year"}};
        request.facet_articles = true;
        request.count_total = true;
        if (!sort.empty()) request.sort = rapport::search::sort_spec{sort.substr(sort[0] == '-'), sort[0] == '-'};
        const auto analysed = searcher.parse(split.text);
        const auto page1 = rapport::search::run(searcher, analysed, request);

        std::printf("helpdesk \"%s\", filter \"%s\"%s%s: %llu matching passages\n", query.c_str(),
                    request.filter.c_str(), sort.empty() ? "" : ", sorted by ", sort.c_str(),
                    static_cast<unsigned long long>(page1.total.value_or(0)));
        print_hits(page1, schema, 0);
        std::printf("matching articles per value:\n");
        print_facets(page1);
        if (!page1.hits.empty()) {
            // The next page starts after the last hit: no duplicates, no gaps.
            request.search_after = page1.hits.back().cursor;
            request.facets.clear();
            const auto page2 = rapport::search::run(searcher, analysed, request);
            std::printf("next page:\n");
            print_hits(page2, schema, page1.hits.size());
        }
    } catch (const std::exception& e) {
        std::cerr << "helpdesk: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

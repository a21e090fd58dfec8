// SPDX-License-Identifier: MIT
// The Lucene 4.10 side of `peers_bench` (bench/peers/lucene_peer.cpp runs it as a subprocess):
//   LucenePeer index DIR PASSAGES_FILE
//   LucenePeer search DIR QUERIES_FILE K TYPE [WARM_PASSES]
// `index` builds a Lucene index in DIR of the passages of PASSAGES_FILE (lines `id<TAB>text`):
// one document per line, `id` a stored StringField, `text` an unstored TextField (docs, freqs,
// positions); EnglishAnalyzer, BM25Similarity(0.9, 0.4); one thread (SerialMergeScheduler),
// LogByteSizeMergePolicy (only adjacent segments merge, so docids stay in input order and ties
// break as in rapport), 64 MB RAM buffer, forceMerge(1), one commit.
// `search` runs every query of QUERIES_FILE (lines `qid<TAB>text`) as a top-K query of TYPE (or,
// and, phrase) against DIR: the text is analysed with the same EnglishAnalyzer through its
// TokenStream (no QueryParser, so nothing in the text is syntax) into a BooleanQuery of SHOULD
// (or) or MUST (and) TermQuerys, or a PhraseQuery of the terms at their positions (removed
// stopwords leave gaps). WARM_PASSES (default 1) untimed passes, then one timed pass: wall time
// (System.nanoTime) and thread CPU time (read outside the wall interval) around analysis and
// IndexSearcher.search(query, K), which returns TopDocs without fetching stored fields; the stored
// ids of the first 10 hits are read after the timed pass.
// Output (stdout), one `key<TAB>value` line per figure; `search` adds one line per query:
//   query<TAB>qid<TAB>wall_us<TAB>cpu_us<TAB>total_hits<TAB>id1 id2 ... (at most 10 ids)
// Exit status 0 on success, 2 on bad usage, 1 (with a stack trace) on any failure.
// Thread safety: a program; everything runs on its main thread.

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LogByteSizeMergePolicy;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.Version;

public final class LucenePeer {
    private static final Version VERSION = Version.LUCENE_4_10_4;
    private static final String TEXT = "text";
    private static final String ID = "id";
    private static final int IDS_REPORTED = 10;

    private LucenePeer() {}

    private static BM25Similarity bm25() { return new BM25Similarity(0.9f, 0.4f); }

    // EnglishAnalyzer at 4.10.4 behaviour (what the deprecated EnglishAnalyzer(Version) constructor gives).
    private static Analyzer english() {
        Analyzer a = new EnglishAnalyzer();
        a.setVersion(VERSION);
        return a;
    }

    // Process CPU time (every JVM thread: indexing, GC, JIT) in nanoseconds.
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    // Lines `key<TAB>rest` of a UTF-8 file, split at the first tab; lines without one are skipped.
    private static List<String[]> readPairs(String path) throws IOException {
        List<String[]> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(Paths.get(path), StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null;) {
                int tab = line.indexOf('\t');
                if (tab < 0) continue;
                out.add(new String[] {line.substring(0, tab), line.substring(tab + 1)});
            }
        }
        return out;
    }

    private static void index(PrintStream out, String dir, String passagesFile) throws IOException {
        // Read before the clock starts: rapport and the other peers index passages already in memory.
        List<String[]> passages = readPairs(passagesFile);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = processCpuNanos();
        long thread0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long t1, tMerged;
        Analyzer analyzer = english();
        IndexWriterConfig config = new IndexWriterConfig(VERSION, analyzer);
        config.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        config.setSimilarity(bm25());
        config.setRAMBufferSizeMB(64);
        config.setMergeScheduler(new SerialMergeScheduler());
        config.setMergePolicy(new LogByteSizeMergePolicy());
        try (Directory directory = new MMapDirectory(new File(dir));
             IndexWriter writer = new IndexWriter(directory, config)) {
            // One Document with two Fields, refilled per passage: Lucene's fast path for bulk indexing.
            Document doc = new Document();
            StringField id = new StringField(ID, "", Field.Store.YES);
            TextField text = new TextField(TEXT, "", Field.Store.NO);
            doc.add(id);
            doc.add(text);
            for (String[] p : passages) {
                id.setStringValue(p[0]);
                text.setStringValue(p[1]);
                writer.addDocument(doc);
            }
            t1 = System.nanoTime();
            writer.forceMerge(1);  // one segment, as rapport's merge_all and FTS5's 'optimize'
            tMerged = System.nanoTime();
            writer.commit();  // fsyncs the new files
        }
        long t2 = System.nanoTime();
        out.printf("passages\t%d%n", passages.size());
        out.printf("build_seconds\t%.6f%n", (t2 - t0) / 1e9);
        out.printf("finish_seconds\t%.6f%n", (t2 - t1) / 1e9);
        out.printf("merge_seconds\t%.6f%n", (tMerged - t1) / 1e9);
        out.printf("commit_seconds\t%.6f%n", (t2 - tMerged) / 1e9);
        out.printf("cpu_seconds\t%.6f%n", (processCpuNanos() - cpu0) / 1e9);
        out.printf("thread_cpu_seconds\t%.6f%n", (threads.getCurrentThreadCpuTime() - thread0) / 1e9);
    }

    private enum Type { OR, AND, PHRASE }

    // The query of `type` made of the analysed text; null when analysis leaves no term.
    private static Query makeQuery(Analyzer analyzer, String text, Type type) throws IOException {
        List<String> terms = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        try (TokenStream ts = analyzer.tokenStream(TEXT, text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            PositionIncrementAttribute increment = ts.addAttribute(PositionIncrementAttribute.class);
            ts.reset();
            int position = -1;
            while (ts.incrementToken()) {
                position += increment.getPositionIncrement();
                terms.add(term.toString());
                positions.add(position);
            }
            ts.end();
        }
        if (terms.isEmpty()) return null;
        if (type == Type.PHRASE) {
            PhraseQuery q = new PhraseQuery();
            for (int i = 0; i < terms.size(); ++i) q.add(new Term(TEXT, terms.get(i)), positions.get(i));
            return q;
        }
        BooleanClause.Occur occur = type == Type.AND ? BooleanClause.Occur.MUST : BooleanClause.Occur.SHOULD;
        BooleanQuery q = new BooleanQuery();
        for (String t : terms) q.add(new TermQuery(new Term(TEXT, t)), occur);
        return q;
    }

    private static void search(PrintStream out, String dir, String queriesFile, int k, Type type, int warmPasses)
            throws IOException {
        List<String[]> queries = readPairs(queriesFile);
        Analyzer analyzer = english();
        try (Directory directory = new MMapDirectory(new File(dir))) {
            double[] openMs = new double[11];
            for (int i = 0; i < openMs.length; ++i) {
                long t0 = System.nanoTime();
                try (DirectoryReader r = DirectoryReader.open(directory)) {
                    if (r.numDocs() < 0) throw new IllegalStateException("negative document count");
                }
                openMs[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(openMs);
            out.printf("open_ms\t%.6f%n", openMs[openMs.length / 2]);

            try (DirectoryReader reader = DirectoryReader.open(directory)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                searcher.setSimilarity(bm25());
                // Untimed passes: they JIT-compile the query path and fault the index pages in.
                long sink = 0;
                for (int pass = 0; pass < warmPasses; ++pass)
                    for (String[] q : queries) {
                        Query query = makeQuery(analyzer, q[1], type);
                        if (query != null) sink += searcher.search(query, k).totalHits;
                    }
                out.printf("warm_passes\t%d%n", warmPasses);
                out.printf("warm_hits\t%d%n", sink);

                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                int n = queries.size();
                long[] wallNanos = new long[n];
                long[] cpuNanos = new long[n];
                int[] totalHits = new int[n];
                int[][] top = new int[n][];
                for (int i = 0; i < n; ++i) {
                    long c0 = threads.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    Query query = makeQuery(analyzer, queries.get(i)[1], type);
                    TopDocs hits = query == null ? null : searcher.search(query, k);
                    long t1 = System.nanoTime();
                    long c1 = threads.getCurrentThreadCpuTime();
                    wallNanos[i] = t1 - t0;
                    cpuNanos[i] = c1 - c0;
                    totalHits[i] = hits == null ? 0 : hits.totalHits;
                    int m = hits == null ? 0 : Math.min(IDS_REPORTED, hits.scoreDocs.length);
                    top[i] = new int[m];
                    for (int j = 0; j < m; ++j) top[i][j] = hits.scoreDocs[j].doc;
                }
                // Stored ids, after the timed pass.
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < n; ++i) {
                    line.setLength(0);
                    line.append("query\t").append(queries.get(i)[0]).append('\t')
                        .append(String.format("%.3f", wallNanos[i] / 1e3)).append('\t')
                        .append(String.format("%.3f", cpuNanos[i] / 1e3)).append('\t').append(totalHits[i]).append('\t');
                    for (int j = 0; j < top[i].length; ++j) {
                        if (j != 0) line.append(' ');
                        line.append(searcher.doc(top[i][j]).get(ID));
                    }
                    out.println(line);
                }
            }
        }
    }

    private static int usage() {
        System.err.println("usage: LucenePeer index DIR PASSAGES_FILE\n"
                           + "       LucenePeer search DIR QUERIES_FILE K or|and|phrase [WARM_PASSES]");
        return 2;
    }

    private static int run(String[] args) throws IOException {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(java.io.FileDescriptor.out)),
                                          false, "UTF-8");
        if (args.length == 3 && args[0].equals("index")) {
            index(out, args[1], args[2]);
        } else if ((args.length == 5 || args.length == 6) && args[0].equals("search")) {
            final int k, warm;
            try {
                k = Integer.parseInt(args[3]);
                warm = args.length == 6 ? Integer.parseInt(args[5]) : 1;
            } catch (NumberFormatException e) {
                return usage();
            }
            final Type type;
            switch (args[4]) {
                case "or": type = Type.OR; break;
                case "and": type = Type.AND; break;
                case "phrase": type = Type.PHRASE; break;
                default: return usage();
            }
            if (k < 1 || warm < 0) return usage();
            search(out, args[1], args[2], k, type, warm);
        } else {
            return usage();
        }
        out.flush();
        return out.checkError() ? 1 : 0;
    }

    public static void main(String[] args) throws IOException {
        System.exit(run(args));
    }
}
